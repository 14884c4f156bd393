"""Background work of the posts app, run by `manage.py db_worker` (django-tasks).

Each notice is claimed on its comment row before it is sent, so two workers never send
it twice; a failed send releases the claim and tries again later. The comment itself is
stored before any of this runs, so a broken mail server never loses one.
"""

import logging

from django_tasks import task

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unact.i18n import public_languages
from unact.retry import retry_later

from .models import Comment
from .permissions import MODERATORS

logger = logging.getLogger(__name__)


def _claim(comment_id, field, **conditions):
    """Mark the notice as sent unless another worker did; True if this worker owns it."""
    return bool(
        Comment.objects.filter(
            pk=comment_id, **{f"{field}__isnull": True}, **conditions
        ).update(**{field: timezone.now()})
    )


def _release(comment_id, field):
    Comment.objects.filter(pk=comment_id).update(**{field: None})


def _retry_later(task_function, comment_id, attempt):
    return retry_later(
        task_function,
        comment_id,
        attempt=attempt,
        retries=settings.COMMENTS_EMAIL_RETRIES,
        delay_seconds=settings.COMMENTS_EMAIL_RETRY_SECONDS,
    )


def moderator_emails():
    User = get_user_model()
    return list(
        User.objects.filter(groups__name=MODERATORS, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


@task()
def notify_moderators(comment_id, attempt=1):
    """Email the Moderators group once about a comment that waits for moderation."""
    recipients = moderator_emails()
    if not recipients:
        logger.warning(
            "Comment %s waits, but no moderator has an email address.", comment_id
        )
        return "no moderators"
    if not _claim(comment_id, "moderators_notified_at", status=Comment.Status.PENDING):
        return "already notified or no longer pending"
    comment = Comment.objects.select_related("post").get(pk=comment_id)
    context = {
        "comment": comment,
        "post": comment.post,
        "reasons": [line for line in comment.moderation_reason.splitlines() if line],
        # Text that may hold someone's contact details stays in the admin, not in mailboxes.
        "show_text": not comment.moderation_reason,
        "admin_url": settings.SITE_URL
        + reverse("admin:posts_comment_change", args=[comment.pk]),
        "queue_url": settings.SITE_URL
        + reverse("admin:posts_comment_changelist")
        + f"?status__exact={Comment.Status.PENDING}",
        "SITE_NAME": settings.SITE_NAME,
    }
    message = EmailMessage(
        subject=_("[%(site)s] A comment waits for moderation: %(post)s")
        % {"site": settings.SITE_NAME, "post": comment.post.title},
        body=render_to_string("posts/email/comment_moderation.txt", context),
        to=recipients,
    )
    try:
        message.send()
    except Exception:
        _release(comment_id, "moderators_notified_at")
        retried = _retry_later(notify_moderators, comment_id, attempt)
        logger.exception(
            "Moderation email for comment %s failed (attempt %s)%s.",
            comment_id,
            attempt,
            "; will retry" if retried else "",
        )
        raise
    return f"sent to {len(recipients)}"


def _notice_language(comment, post):
    """The public language a commenter is written to in: the one of the page the comment
    was sent from, else of the post's edition, else the site's."""
    public = dict(public_languages())
    for language in (comment.language, post.language):
        if language in public:
            return language
    return settings.LANGUAGE_CODE


@task()
def notify_reply(comment_id, attempt=1):
    """Email the author of a comment, if they asked, that a reply to it was published."""
    reply = (
        Comment.objects.select_related("parent", "post").filter(pk=comment_id).first()
    )
    if reply is None or reply.parent is None:
        return "not a reply"
    parent = reply.parent
    if not (parent.has_reply_notice and parent.email) or parent.email == reply.email:
        return "no notice wanted"
    if not _claim(comment_id, "reply_notified_at", status=Comment.Status.APPROVED):
        return "already notified or not approved"
    # In the language of the page the commenter wrote from (else of the post's edition),
    # with that page's address.
    with translation.override(_notice_language(parent, reply.post)):
        context = {
            "reply": reply,
            "parent": parent,
            "post": reply.post,
            "comment_url": settings.SITE_URL + reply.get_absolute_url(),
            "SITE_NAME": settings.SITE_NAME,
        }
        message = EmailMessage(
            subject=_("[%(site)s] A reply to your comment on “%(post)s”")
            % {"site": settings.SITE_NAME, "post": reply.post.title},
            body=render_to_string("posts/email/comment_reply.txt", context),
            to=[parent.email],
        )
    try:
        message.send()
    except Exception:
        _release(comment_id, "reply_notified_at")
        _retry_later(notify_reply, comment_id, attempt)
        logger.exception(
            "Reply notice for comment %s failed (attempt %s).", comment_id, attempt
        )
        raise
    return "sent"
