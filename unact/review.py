"""Review before publishing: contributors submit, publishers approve or send back.

Who may publish is decided here once, by one permission (`may_publish`): the Publishers
and Editors groups hold it, Contributors do not. Without it, staff save drafts and
submit them for review; they cannot publish, unpublish, or change an item that is live
(published, scheduled or expired). A submitted item stays a draft, so the one
`published()` (unact/publishing.py) keeps it from visitors until a publisher approves
it, which publishes it the way the admin's publish action does.

Emails go through the background worker (unact/review_tasks.py), queued once the
request is stored: the publishers hear of a submission, the author of the decision.
"""

import logging
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from unact.models import ReviewRequest
from unact.publishing import Publishable, publishables_set_status

logger = logging.getLogger(__name__)

CONTRIBUTORS = "Contributors"
PUBLISHERS = "Publishers"
# The one permission that lets someone publish (held by Publishers and Editors).
PUBLISH_PERMISSION = "unact.publish_content"


def may_publish(user):
    """Whether the user may publish, unpublish, approve and change live items."""
    return user.has_perm(PUBLISH_PERMISSION)


def is_live(item):
    """Published, scheduled or expired: what only publishers change."""
    return item.status == Publishable.Status.PUBLISHED


def publisher_emails():
    """The addresses of the active members of the Publishers group, each once."""
    return list(
        get_user_model()
        .objects.filter(groups__name=PUBLISHERS, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def review_latest(*, item):
    """The item's newest review request, or None (never submitted, or not saved yet)."""
    if item.pk is None:
        return None
    return (
        ReviewRequest.objects.for_item(item)
        .select_related("submitted_by", "reviewer")
        .first()
    )


def review_submit(*, item, user):
    """Submit a draft for review; the pending request (an existing one is kept)."""
    if is_live(item):
        raise PermissionDenied("A live item is not submitted for review.")
    with transaction.atomic():
        pending = ReviewRequest.objects.for_item(item).pending().first()
        if pending is not None:
            return pending
        review = ReviewRequest.objects.create(
            content_type=ContentType.objects.get_for_model(item),
            object_id=item.pk,
            submitted_by=user,
        )
    _enqueue_after_commit("notify_publishers", review.pk)
    return review


def _decide(review, *, user, state, comment=""):
    if not may_publish(user):
        raise PermissionDenied("Only publishers decide on a review.")
    changed = ReviewRequest.objects.filter(
        pk=review.pk, state=ReviewRequest.State.PENDING
    ).update(state=state, reviewer=user, decided_at=timezone.now(), comment=comment)
    if not changed:
        raise PermissionDenied("This review was already decided.")
    review.refresh_from_db()
    _enqueue_after_commit("notify_author", review.pk)
    return review


def review_approve(*, review, user):
    """Approve a pending request and publish its item as the publish action does."""
    review = _decide(review, user=user, state=ReviewRequest.State.APPROVED)
    model = review.content_type.model_class()
    publishables_set_status(
        queryset=model.objects.filter(pk=review.object_id),
        status=Publishable.Status.PUBLISHED,
    )
    return review


def review_send_back(*, review, user, comment):
    """Send a pending request back to its author with the reviewer's comment."""
    comment = (comment or "").strip()
    if not comment:
        raise ValueError("A send-back needs a comment.")
    return _decide(
        review, user=user, state=ReviewRequest.State.SENT_BACK, comment=comment
    )


def reviews_close_published(*, items, user):
    """Approve, in the user's name, the pending requests of items just published (with
    the status field or the publish action); their authors are told."""
    if not items:
        return 0
    pending = ReviewRequest.objects.pending().filter(
        content_type=ContentType.objects.get_for_model(items[0]),
        object_id__in=[item.pk for item in items],
    )
    review_ids = list(pending.values_list("pk", flat=True))
    ReviewRequest.objects.filter(pk__in=review_ids).update(
        state=ReviewRequest.State.APPROVED, reviewer=user, decided_at=timezone.now()
    )
    for review_id in review_ids:
        _enqueue_after_commit("notify_author", review_id)
    return len(review_ids)


def reviews_delete(*, model, pks):
    """Forget the review requests of deleted items (their history goes with them)."""
    ReviewRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=pks
    ).delete()


def _enqueue_after_commit(task_name, review_id):
    transaction.on_commit(partial(_enqueue, task_name, review_id), robust=True)


def _enqueue(task_name, review_id):
    from unact import review_tasks

    try:
        getattr(review_tasks, task_name).enqueue(review_id)
    except Exception:
        # The request is stored; a lost notice must not turn into an error page.
        logger.exception("Could not queue %s for review %s", task_name, review_id)
