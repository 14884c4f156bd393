"""Writes with side effects in the posts app: comments and their moderation."""

import ipaddress
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from unact.cache import count_in_window
from unact.pagecache import content_changed

from .models import BlockedCommenter, BlockedWord, Comment
from .moderation import blocked_phrases_found, count_links, personal_data_found
from .signals import comment_counts_changed

logger = logging.getLogger(__name__)


# Client address ------------------------------------------------------------------


def _valid_ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The visitor's IP address: REMOTE_ADDR, or X-Forwarded-For only behind known proxies."""
    remote_addr = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote_addr
    # Each trusted proxy appends the address it saw; the entry the outermost trusted
    # proxy added is the client. Entries further left could be forged by the client.
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote_addr
    return _valid_ip(hops[-proxies]) or remote_addr


# Comments are open or closed ------------------------------------------------------


def comments_close_at(post):
    """When a post stops taking comments, or None if it never does."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    return post.publish_at + timedelta(days=days) if days > 0 else None


def comments_are_open(post, now=None):
    """Comments are open on published posts that allow them, until the closing date."""
    now = now or timezone.now()
    close_at = comments_close_at(post)
    return (
        post.allow_comments
        and post.is_published
        and (close_at is None or now < close_at)
    )


# Rate limit -----------------------------------------------------------------------


def _rate_limit_key(ip_address):
    # The cache holds a keyed hash, not the address itself.
    digest = salted_hmac(
        "posts.comment-rate-limit", ip_address or "unknown"
    ).hexdigest()
    return f"comments:rate:{digest[:32]}"


def comment_rate_limit_consume(*, ip_address):
    """Count one comment from this address; False once it is over the limit in the window."""
    limit = settings.COMMENTS_RATE_LIMIT
    if limit <= 0:
        return True
    return (
        count_in_window(
            _rate_limit_key(ip_address), settings.COMMENTS_RATE_LIMIT_SECONDS
        )
        <= limit
    )


# Assessment and creation ------------------------------------------------------------


@dataclass
class Assessment:
    status: str
    reasons: list = field(default_factory=list)


def _is_blocked(email, ip_address):
    conditions = Q()
    if email:
        conditions |= Q(email=email)
    if ip_address:
        conditions |= Q(ip_address=ip_address)
    return bool(conditions) and BlockedCommenter.objects.filter(conditions).exists()


def comment_assess(*, text, email="", ip_address=None, user=None):
    """Decide a new comment's status and say why: spam rules first, then who wrote it."""
    email = (email or "").strip().lower()
    is_staff = bool(user and user.is_authenticated and user.is_staff)
    reasons, spam = [], False

    if not is_staff and _is_blocked(email, ip_address):
        reasons.append(_("The commenter is blocked."))
        spam = True

    words = BlockedWord.objects.values_list("phrase", "action")
    actions = dict(words)
    for phrase in blocked_phrases_found(text, actions):
        reasons.append(_("Blocklist word: “%(phrase)s”.") % {"phrase": phrase})
        spam = spam or actions[phrase] == BlockedWord.Action.SPAM

    links = count_links(text)
    if links > settings.COMMENTS_MAX_LINKS:
        reasons.append(
            _("%(count)d links (more than %(limit)d).")
            % {"count": links, "limit": settings.COMMENTS_MAX_LINKS}
        )
        spam = spam or settings.COMMENTS_TOO_MANY_LINKS_ACTION == "spam"

    personal_data = personal_data_found(text)
    if personal_data:
        # Held whoever wrote it: a well-meaning visitor may publish a victim's contacts.
        reasons.append(
            _("Seems to contain personal data: %(kinds)s.")
            % {"kinds": ", ".join(str(kind) for kind in personal_data)}
        )

    if spam:
        return Assessment(Comment.Status.SPAM, reasons)
    if reasons:
        return Assessment(Comment.Status.PENDING, reasons)
    if is_staff:
        return Assessment(Comment.Status.APPROVED, [])
    if (
        email
        and Comment.objects.filter(email=email, status=Comment.Status.APPROVED).exists()
    ):
        return Assessment(Comment.Status.APPROVED, [])
    return Assessment(Comment.Status.PENDING, [])


def comment_create(
    *,
    post,
    name,
    text,
    email="",
    parent=None,
    has_reply_notice=False,
    ip_address=None,
    user_agent="",
    user=None,
    language="",
):
    """Save a comment with the status the spam rules give it, then notify in the background.
    The same comment sent again soon after is not stored twice: the first is returned."""
    repeated = _comment_repeated(
        post=post, parent=parent, name=name.strip(), email=email, text=text
    )
    if repeated is not None:
        return repeated
    assessment = comment_assess(
        text=text, email=email, ip_address=ip_address, user=user
    )
    is_staff = bool(user and user.is_authenticated and user.is_staff)
    comment = Comment.objects.create(
        post=post,
        parent=parent,
        name=name.strip(),
        email=email or "",
        text=text,
        has_reply_notice=has_reply_notice and bool(email),
        status=assessment.status,
        moderation_reason="\n".join(assessment.reasons),
        user=user if is_staff else None,
        is_staff_reply=is_staff,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300],
        language=language or "",
    )
    _notify_after_commit(comment)
    return comment


# A double tap on a slow phone, or a resend while the first answer was on its way,
# arrives within seconds; ten minutes leave room for a very slow connection.
COMMENT_REPEAT_WINDOW = timedelta(minutes=10)


def _comment_repeated(*, post, parent, name, email, text):
    """The same person's identical comment on the same post, sent a moment ago, if any."""
    return (
        Comment.objects.filter(
            post=post,
            parent=parent,
            name=name,
            email=(email or "").strip().lower(),
            text=text,
            created_at__gte=timezone.now() - COMMENT_REPEAT_WINDOW,
        )
        .order_by("-created_at")
        .first()
    )


def _notify_after_commit(comment):
    """Queue the emails a comment's status calls for, once the comment is safely stored."""
    from . import tasks

    if comment.status == Comment.Status.PENDING:
        transaction.on_commit(
            partial(_enqueue, tasks.notify_moderators, comment.pk), robust=True
        )
    elif comment.status == Comment.Status.APPROVED and comment.parent_id:
        transaction.on_commit(
            partial(_enqueue, tasks.notify_reply, comment.pk), robust=True
        )


def _enqueue(task, comment_id):
    try:
        task.enqueue(comment_id)
    except Exception:
        # The comment is stored; a lost notice must not turn into an error page.
        logger.exception("Could not queue %s for comment %s", task.name, comment_id)


# Moderation -----------------------------------------------------------------------


def comments_moderate(*, comments, status, moderator=None):
    """Set the status of comments; newly approved replies notify their parent's author."""
    now = timezone.now()
    changed = list(comments.exclude(status=status).select_related("parent"))
    # Only a comment that was or becomes approved changes a page (spam and held ones never show).
    shows = status == Comment.Status.APPROVED or any(
        c.status == Comment.Status.APPROVED for c in changed
    )
    for comment in changed:
        comment.status = status
        comment.moderated_at = now
        comment.moderated_by = moderator
    Comment.objects.bulk_update(changed, ["status", "moderated_at", "moderated_by"])
    if changed and getattr(moderator, "pk", None):
        # Each comment's history says who moderated it and how, bulk actions included.
        LogEntry.objects.log_actions(
            user_id=moderator.pk,
            queryset=changed,
            action_flag=CHANGE,
            change_message=str(
                _("Status set to “%(status)s”.")
                % {"status": Comment.Status(status).label}
            ),
        )
    if changed:
        # bulk_update sends no signal: tell the page cache and the stored counts directly.
        if shows:
            content_changed()
        comment_counts_changed(comment.post_id for comment in changed)
    if status == Comment.Status.APPROVED:
        for comment in changed:
            if comment.parent_id:
                _notify_after_commit(comment)
    return len(changed)


def commenters_block(*, comments, moderator=None, reason=""):
    """Block the authors of comments by email and IP, and send their comments to spam."""
    blocked = 0
    for comment in comments.exclude(is_staff_reply=True):
        if not comment.email and not comment.ip_address:
            continue
        entry = BlockedCommenter.objects.filter(
            Q(email=comment.email)
            if comment.email
            else Q(ip_address=comment.ip_address)
        ).first() or BlockedCommenter(email=comment.email, created_by=moderator)
        if comment.ip_address:
            entry.ip_address = comment.ip_address
        entry.reason = (
            reason
            or entry.reason
            or _("Blocked from a comment on “%(post)s”.") % {"post": comment.post.title}
        )
        entry.save()
        blocked += 1
        if getattr(moderator, "pk", None):
            LogEntry.objects.log_actions(
                user_id=moderator.pk,
                queryset=[comment],
                action_flag=CHANGE,
                change_message=str(_("Commenter blocked (email and IP address).")),
            )
    comments_moderate(
        comments=comments.exclude(is_staff_reply=True),
        status=Comment.Status.SPAM,
        moderator=moderator,
    )
    return blocked


# Privacy --------------------------------------------------------------------------


@dataclass
class PurgeResult:
    comments_anonymised: int
    blocks_anonymised: int
    blocks_deleted: int
    spam_deleted: int


def comment_data_purge(*, now=None, dry_run=False):
    """Erase IP addresses and user agents past the retention period, and old spam."""
    cutoff = (now or timezone.now()) - timedelta(
        days=settings.COMMENTS_IP_RETENTION_DAYS
    )
    old_comments = Comment.objects.filter(created_at__lt=cutoff).filter(
        Q(ip_address__isnull=False) | ~Q(user_agent="")
    )
    old_blocks = BlockedCommenter.objects.filter(
        created_at__lt=cutoff, ip_address__isnull=False
    )
    old_spam = Comment.objects.filter(created_at__lt=cutoff, status=Comment.Status.SPAM)
    if dry_run:
        return PurgeResult(
            comments_anonymised=old_comments.count(),
            blocks_anonymised=old_blocks.exclude(email="").count(),
            blocks_deleted=old_blocks.filter(email="").count(),
            spam_deleted=old_spam.count(),
        )
    with transaction.atomic():
        spam_deleted = old_spam.count()
        old_spam.delete()
        blocks_deleted, _details = old_blocks.filter(email="").delete()
        return PurgeResult(
            comments_anonymised=old_comments.update(ip_address=None, user_agent=""),
            blocks_anonymised=old_blocks.update(ip_address=None),
            blocks_deleted=blocks_deleted,
            spam_deleted=spam_deleted,
        )
