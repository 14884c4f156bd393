"""Background work of the newsletter, run by `manage.py db_worker` (django-tasks)."""

from django_tasks import task, task_backends

from . import sending, services


def _supports_defer():
    return task_backends["default"].supports_defer


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


@task()
def retry_confirmation(subscriber_id, attempt=1):
    """Send a confirmation email again after the mail server refused or was down."""
    return services.confirmation_retry(subscriber_id=subscriber_id, attempt=attempt)
