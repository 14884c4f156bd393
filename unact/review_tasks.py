"""Background work of review before publishing, run by `manage.py db_worker` (django-tasks).

Each notice is claimed on its request row before it is sent, so two workers never send
it twice; a failed send releases the claim and is tried again later (REVIEW_EMAIL_RETRIES
times, REVIEW_EMAIL_RETRY_SECONDS times the number of tries apart: unact/retry.py).
"""

import logging

from django_tasks import task

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unact.models import ReviewRequest
from unact.retry import retry_later
from unact.review import publisher_emails

logger = logging.getLogger(__name__)


def _claim(review_id, field, **conditions):
    """Mark the notice as sent unless another worker did; True if this worker owns it."""
    return bool(
        ReviewRequest.objects.filter(
            pk=review_id, **{f"{field}__isnull": True}, **conditions
        ).update(**{field: timezone.now()})
    )


def _send(task_function, review_id, attempt, field, message):
    try:
        message.send()
    except Exception:
        ReviewRequest.objects.filter(pk=review_id).update(**{field: None})
        retried = retry_later(
            task_function,
            review_id,
            attempt=attempt,
            retries=settings.REVIEW_EMAIL_RETRIES,
            delay_seconds=settings.REVIEW_EMAIL_RETRY_SECONDS,
        )
        logger.exception(
            "Review notice %s for request %s failed (attempt %s)%s.",
            field,
            review_id,
            attempt,
            "; will retry" if retried else "",
        )
        raise


def _context(review):
    item = review.item
    opts = item._meta
    return {
        "review": review,
        "item": item,
        "kind": opts.verbose_name,
        "admin_url": settings.SITE_URL
        + reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk]),
        "queue_url": settings.SITE_URL
        + reverse("admin:unact_reviewrequest_changelist"),
        "SITE_NAME": settings.SITE_NAME,
    }


def _person(user):
    if user is None:
        return _("someone")
    return user.get_full_name() or user.get_username()


@task()
def notify_publishers(review_id, attempt=1):
    """Email the Publishers group once about an item submitted for review."""
    recipients = publisher_emails()
    if not recipients:
        logger.warning(
            "Review %s waits, but no publisher has an email address.", review_id
        )
        return "no publishers"
    if not _claim(
        review_id, "publishers_notified_at", state=ReviewRequest.State.PENDING
    ):
        return "already notified or no longer pending"
    review = ReviewRequest.objects.select_related("submitted_by").get(pk=review_id)
    if review.item is None:
        return "item deleted"
    context = {**_context(review), "submitter": _person(review.submitted_by)}
    message = EmailMessage(
        subject=_("[%(site)s] Waiting for review: %(title)s")
        % {"site": settings.SITE_NAME, "title": review.item},
        body=render_to_string("admin/review/email_submitted.txt", context),
        to=recipients,
    )
    _send(notify_publishers, review_id, attempt, "publishers_notified_at", message)
    return f"sent to {len(recipients)}"


@task()
def notify_author(review_id, attempt=1):
    """Email the author of a request once that it was approved or sent back."""
    review = (
        ReviewRequest.objects.select_related("submitted_by", "reviewer")
        .filter(pk=review_id)
        .exclude(state=ReviewRequest.State.PENDING)
        .first()
    )
    if review is None or review.item is None:
        return "not decided or item deleted"
    author = review.submitted_by
    if author is None or not author.email or author == review.reviewer:
        return "no one to tell"
    if not _claim(review_id, "author_notified_at"):
        return "already notified"
    context = {**_context(review), "reviewer": _person(review.reviewer)}
    if review.state == ReviewRequest.State.APPROVED:
        subject = _("[%(site)s] Approved and published: %(title)s")
        context["public_url"] = settings.SITE_URL + review.item.get_absolute_url()
    else:
        subject = _("[%(site)s] Sent back to you: %(title)s")
    message = EmailMessage(
        subject=subject % {"site": settings.SITE_NAME, "title": review.item},
        body=render_to_string("admin/review/email_decided.txt", context),
        to=[author.email],
    )
    _send(notify_author, review_id, attempt, "author_notified_at", message)
    return "sent"
