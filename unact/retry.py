"""Trying a background task again later: the one rule for every email a task sends.

A task that failed (the mail server was down) queues its next try itself, `delay_seconds`
times the number of tries so far after now, until `retries` more tries have been queued.
The immediate backend (tests, `make run` without a worker) cannot run work later, so
there the failure stands.
"""

from datetime import timedelta

from django.utils import timezone


def retry_later(task_function, *args, attempt, retries, delay_seconds):
    """Queue try `attempt + 1` of `task_function(*args, attempt=…)`; True if queued."""
    if attempt > retries or not task_function.get_backend().supports_defer:
        return False
    run_after = timezone.now() + timedelta(seconds=delay_seconds * attempt)
    task_function.using(run_after=run_after).enqueue(*args, attempt=attempt + 1)
    return True
