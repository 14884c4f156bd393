"""Background work of the newsletter, run by `manage.py db_worker` (django-tasks).

Services queue these tasks; tasks use the email and sending modules, never the
services, so imports run one way: views and admin → services → tasks → sending
and emails → models.
"""

import logging

from django_tasks import task, task_backends

from django.conf import settings

from unact.retry import retry_later

from . import sending
from .emails import confirmation_email
from .models import Subscriber

logger = logging.getLogger(__name__)


def _supports_defer():
    return task_backends["default"].supports_defer


@task()
def send_confirmation(subscriber_id, attempt=1):
    """Email the confirmation link of a pending signup; on failure, queue another try."""
    subscriber = Subscriber.objects.filter(
        pk=subscriber_id, status=Subscriber.Status.PENDING
    ).first()
    if subscriber is None:
        return False  # confirmed, left or erased meanwhile
    try:
        confirmation_email(subscriber).send()
    except Exception:  # noqa: BLE001 - the signup is kept; try again later
        logger.warning(
            "Confirmation email to subscriber %s failed (try %s)",
            subscriber_id,
            attempt,
            exc_info=True,
        )
        confirmation_retry_later(subscriber_id, attempt=attempt)
        return False
    return True


def confirmation_retry_later(subscriber_id, *, attempt):
    """Queue the try after try `attempt` of a confirmation email (the mail server may be
    down), unless NEWSLETTER_CONFIRMATION_RETRIES tries were queued already."""
    if retry_later(
        send_confirmation,
        subscriber_id,
        attempt=attempt,
        retries=settings.NEWSLETTER_CONFIRMATION_RETRIES,
        delay_seconds=settings.NEWSLETTER_CONFIRMATION_RETRY_SECONDS,
    ):
        return True
    if attempt > settings.NEWSLETTER_CONFIRMATION_RETRIES:
        logger.error(
            "Confirmation email to subscriber %s failed %s times; giving up",
            subscriber_id,
            attempt,
        )
    return False


@task()
def send_campaign_batch(campaign_id):
    """Send one batch of a campaign; the batch queues its successor before sending."""
    if not _supports_defer():
        # The immediate backend (development without a worker) cannot queue a
        # task for later: send every claimable batch now, one after the other.
        return send_campaign_inline(campaign_id)
    return sending.send_batch(
        campaign_id,
        enqueue_successor=lambda run_after: send_campaign_batch.using(
            run_after=run_after
        ).enqueue(campaign_id),
    )


def send_campaign_inline(campaign_id):
    totals = {}
    while True:
        queued = []
        stats = sending.send_batch(campaign_id, enqueue_successor=queued.append)
        for key, value in stats.items():
            totals[key] = totals.get(key, 0) + value
        if not queued or not any(stats.values()):
            return totals
