"""Sending a campaign in batches, exactly once per recipient as far as SMTP allows.

The protocol (docs/newsletter.md, "Sending", gives the guarantee in words):

1. A batch task claims up to NEWSLETTER_BATCH_SIZE pending deliveries by writing a
   random claim token and a lease expiry on them, in one committed statement
   (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED; SQLite: one conditional UPDATE,
   atomic because SQLite serialises writers). In the same transaction it enqueues
   its successor task, so a queued task always exists while work remains.
2. It sends the claimed rows in primary-key order over one connection of the email
   backend and marks each row sent in its own commit right after the backend
   accepted it, with the language of the edition sent. Django's SMTP backend gets each message's bytes, built from a
   per-batch template (one per language of
   the batch's recipients, each around the edition in that language or the
   campaign's own English one); any other backend (console, file, locmem, a provider's
   API) gets an EmailMessage through send_messages(), as Django sends mail.
   SIGTERM/SIGINT are deferred while a message is between "handed to SMTP" and
   "marked sent", then the batch stops cleanly and releases its remaining rows.
3. If the worker dies abruptly (SIGKILL, power loss), its rows stay claimed until
   the lease expires, then a later batch takes them. Only the lowest pending row of
   a dead claim can have been accepted by the server without being marked; it is
   sent again with the same Message-ID and flagged `is_resent_after_crash`.

Every batch records on the campaign when a message last went out, or the error that
stopped it and how many batches in a row sent nothing: what the admin shows staff
as "not progressing".
"""

import logging
import secrets
import signal
import smtplib
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from .emails import CampaignEmail
from .models import Campaign, Delivery, Subscriber

logger = logging.getLogger(__name__)
# Seconds between two checks for unsubscriptions (and lease renewals) mid-batch.
CHECK_INTERVAL = 1.0


class StopRequested:
    """Collects SIGTERM/SIGINT during a batch; the batch stops between two messages."""

    def __init__(self):
        self.signals = []
        self.previous = {}

    def handle(self, signum, frame):
        self.signals.append((signum, frame))

    def __bool__(self):
        return bool(self.signals)

    @contextmanager
    def installed(self):
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            self.previous[signum] = signal.signal(signum, self.handle)
        try:
            yield self
        finally:
            for signum, handler in self.previous.items():
                signal.signal(signum, handler)
            # Let the worker's own handler see the signal: it stops after this task.
            for signum, frame in self.signals:
                handler = self.previous.get(signum)
                if callable(handler):
                    handler(signum, frame)
                elif handler == signal.SIG_DFL:
                    signal.raise_signal(signum)


def _pending(campaign_id):
    return Delivery.objects.filter(
        campaign_id=campaign_id, status=Delivery.Status.PENDING
    )


def _claimable(campaign_id, now):
    return (
        _pending(campaign_id)
        .filter(next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def claim_batch(campaign_id, token, size):
    """Claim up to `size` pending rows for this token; returns the pks resent after a crash."""
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.NEWSLETTER_CLAIM_LEASE)
    claimable = _claimable(campaign_id, now).order_by("pk")
    if connection.vendor == "postgresql":
        candidates = list(
            claimable.select_for_update(skip_locked=True).values_list(
                "pk", "claimed_by"
            )[:size]
        )
        claimable.filter(pk__in=[pk for pk, _by in candidates]).update(
            claimed_by=token, claimed_until=lease_until
        )
    else:
        candidates = list(claimable.values_list("pk", "claimed_by")[:size])
        # The conditions are checked again inside the UPDATE: a row another worker
        # claimed in between is left alone.
        claimable.filter(pk__in=Subquery(claimable.values("pk")[:size])).update(
            claimed_by=token, claimed_until=lease_until
        )
    # Rows are sent in pk order, so in a dead claim only the lowest pending row
    # can have reached the server unmarked.
    dead_claims = {}
    for pk, claimed_by in candidates:
        if claimed_by and claimed_by != token:
            dead_claims.setdefault(claimed_by, pk)
    if dead_claims:
        Delivery.objects.filter(pk__in=dead_claims.values(), claimed_by=token).update(
            is_resent_after_crash=True
        )
    return lease_until


def schedule_next(campaign_id, token, delay):
    """When the next batch task should run, or None when nothing is left to do."""
    now = timezone.now()
    others = _pending(campaign_id).exclude(claimed_by=token)
    if _claimable(campaign_id, now).exclude(claimed_by=token).exists():
        return now + timedelta(seconds=delay)
    earliest = others.aggregate(
        at=Min(Greatest("next_attempt_at", Coalesce("claimed_until", Value(now))))
    )["at"]
    own = (
        _pending(campaign_id)
        .filter(claimed_by=token)
        .aggregate(at=Min("claimed_until"))["at"]
    )
    # The successor doubles as a watchdog for this batch's own claim.
    times = [moment for moment in (earliest, own) if moment]
    return max(min(times), now + timedelta(seconds=delay)) if times else None


def campaign_finish_if_done(campaign_id):
    """Mark the campaign sent once no delivery is pending; store its counts."""
    if _pending(campaign_id).exists():
        return False
    counts = {
        row["status"]: row["n"]
        for row in Delivery.objects.filter(campaign_id=campaign_id)
        .values("status")
        .annotate(n=Count("pk"))
    }
    finished = Campaign.objects.filter(
        pk=campaign_id, status=Campaign.Status.SENDING
    ).update(
        status=Campaign.Status.SENT,
        sent_at=timezone.now(),
        sent_count=counts.get(Delivery.Status.SENT, 0),
        failed_count=counts.get(Delivery.Status.FAILED, 0),
    )
    if finished:
        # update() sends no signal: the campaign now appears in the public archive and search.
        from unact.pagecache import content_changed
        from unact.search.services import search_documents_refresh

        content_changed()
        search_documents_refresh(model=Campaign, pks=[campaign_id])
    return True


def _temporary_failure(delivery, error, now):
    attempts = delivery.attempts + 1
    if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
        return {"status": Delivery.Status.FAILED, "attempts": attempts, "error": error}
    backoff = settings.NEWSLETTER_RETRY_BASE_DELAY * 2 ** (attempts - 1)
    return {
        "attempts": attempts,
        "error": error,
        "next_attempt_at": now + timedelta(seconds=backoff),
    }


class NotAccepted(Exception):
    """The email backend returned without sending the message."""


def describe(error):
    """One line for staff: the exception's kind and message."""
    return f"{type(error).__name__}: {error}"[:1000]


class BatchSender:
    """Sends one claimed batch over one connection of the email backend."""

    def __init__(self, campaign, token):
        self.campaign = campaign
        self.token = token
        self.email = CampaignEmail(campaign)
        self.backend = None
        self.smtp = None
        self.last_error = ""
        self.stats = {"sent": 0, "failed": 0, "deferred": 0, "cancelled": 0}

    def mine(self):
        return Delivery.objects.filter(
            claimed_by=self.token, status=Delivery.Status.PENDING
        )

    def release(self, pks, **fields):
        """Give rows back (or defer them) so another batch can take them."""
        if pks:
            Delivery.objects.filter(pk__in=pks, claimed_by=self.token).update(
                claimed_by="", claimed_until=None, **fields
            )

    def mark(self, delivery, **fields):
        Delivery.objects.filter(pk=delivery.pk, claimed_by=self.token).update(
            claimed_by="", claimed_until=None, **fields
        )

    def mark_sent(self, delivery):
        # The hot path: one plain UPDATE per message, without building an ORM query.
        with connection.cursor() as cursor:
            cursor.execute(
                # The table name is the model's own, never input; the values are parameters.
                f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, error = '', "  # nosec B608
                "language = %s, claimed_by = '', claimed_until = NULL "
                "WHERE id = %s AND claimed_by = %s",
                [
                    Delivery.Status.SENT,
                    timezone.now(),
                    delivery.language,
                    delivery.pk,
                    self.token,
                ],
            )

    def open(self):
        """Open the configured email backend; keep its smtplib connection if it is SMTP."""
        self.backend = get_connection(fail_silently=False)
        self.backend.open()
        self.smtp = (
            self.backend.connection if isinstance(self.backend, SMTPBackend) else None
        )

    def send(self, delivery):
        """Hand one message to the backend; raises if it was not accepted. The
        delivery's `language` becomes the edition's, which mark_sent() records."""
        email, language = delivery.subscriber.email, delivery.subscriber.language
        delivery.language = self.email.frame(language).edition_language
        if self.smtp is not None:
            message = self.email.message_bytes(
                email=email,
                subscriber_id=delivery.subscriber_id,
                delivery_id=delivery.pk,
                language=language,
            )
            self.smtp.sendmail(settings.NEWSLETTER_FROM_EMAIL, [email], message)
            return
        message = self.email.message(
            email=email,
            subscriber_id=delivery.subscriber_id,
            delivery_id=delivery.pk,
            language=language,
        )
        if not self.backend.send_messages([message]):
            raise NotAccepted("the email backend did not send the message")

    def close(self):
        if self.backend is not None:
            try:
                self.backend.close()
            except Exception:  # noqa: BLE001 - a broken connection is closed either way
                logger.warning("Closing the SMTP connection failed", exc_info=True)

    def refresh(self):
        """Which claimed rows were cancelled meanwhile; renews the lease on the rest."""
        lease_until = timezone.now() + timedelta(
            seconds=settings.NEWSLETTER_CLAIM_LEASE
        )
        self.mine().update(claimed_until=lease_until)
        return set(
            Delivery.objects.filter(claimed_by=self.token)
            .exclude(status=Delivery.Status.PENDING)
            .values_list("pk", flat=True)
        )

    def run(self, stop):
        deliveries = list(
            self.mine()
            .select_related("subscriber")
            .only(
                "pk",
                "attempts",
                "subscriber__email",
                "subscriber__status",
                "subscriber__language",
            )
            .order_by("pk")
        )
        gone = [
            d.pk
            for d in deliveries
            if d.subscriber.status != Subscriber.Status.SUBSCRIBED
        ]
        if gone:
            Delivery.objects.filter(pk__in=gone).update(
                status=Delivery.Status.CANCELLED, claimed_by="", claimed_until=None
            )
            self.stats["cancelled"] += len(gone)
        deliveries = [d for d in deliveries if d.pk not in set(gone)]
        if not deliveries:
            return self.stats
        try:
            self.open()
        except Exception as error:  # noqa: BLE001 - any backend, any failure: retry later
            self.release_all_deferred(
                deliveries, f"Connection failed: {describe(error)}"
            )
            return self.stats
        cancelled, last_check = set(), time.monotonic()
        try:
            for index, delivery in enumerate(deliveries):
                if stop:
                    self.release([d.pk for d in deliveries[index:]])
                    break
                if time.monotonic() - last_check > CHECK_INTERVAL:
                    cancelled, last_check = self.refresh(), time.monotonic()
                if delivery.pk in cancelled:
                    continue
                try:
                    self.send(delivery)
                except smtplib.SMTPRecipientsRefused as error:
                    code, text = next(iter(error.recipients.values()))
                    self.failure(delivery, code, text)
                except smtplib.SMTPResponseException as error:
                    self.failure(delivery, error.smtp_code, error.smtp_error)
                except (smtplib.SMTPException, OSError) as error:
                    # The connection broke: this row is uncertain only if the
                    # server had accepted it, which a broken connection does not say.
                    self.defer(delivery, describe(error))
                    self.close()
                    try:
                        self.open()
                    except Exception as reconnect_error:  # noqa: BLE001
                        self.release_all_deferred(
                            deliveries[index + 1 :],
                            f"Connection failed: {describe(reconnect_error)}",
                        )
                        return self.stats
                except Exception as error:  # noqa: BLE001 - a backend's own errors
                    self.defer(delivery, describe(error))
                else:
                    self.mark_sent(delivery)
                    self.stats["sent"] += 1
        finally:
            self.close()
        return self.stats

    def defer(self, delivery, error):
        self.last_error = error
        self.mark(delivery, **_temporary_failure(delivery, error, timezone.now()))
        self.stats["deferred"] += 1

    def failure(self, delivery, code, text):
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        error = f"{code} {text}"
        self.last_error = error
        if 500 <= code < 600:
            self.mark(
                delivery,
                status=Delivery.Status.FAILED,
                attempts=delivery.attempts + 1,
                error=error,
            )
            self.stats["failed"] += 1
        else:
            self.mark(delivery, **_temporary_failure(delivery, error, timezone.now()))
            self.stats["deferred"] += 1

    def release_all_deferred(self, deliveries, error):
        self.last_error = error
        now = timezone.now()
        for delivery in deliveries:
            self.mark(delivery, **_temporary_failure(delivery, error, now))
        self.stats["deferred"] += len(deliveries)


@contextmanager
def fast_commits():
    """Row marks need not wait for the WAL flush: a killed worker loses nothing by it.

    A session setting: behind a transaction-mode pooler it would stay on whichever
    server session ran the SET, for other clients' commits, so it is left off there.
    """
    if (
        connection.vendor != "postgresql"
        or settings.DATABASE_POOL_MODE == "transaction"
    ):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO DEFAULT")


def send_batch(campaign_id, *, enqueue_successor):
    """Claim and send one batch; `enqueue_successor(run_after)` queues the next one."""
    campaign = Campaign.objects.filter(
        pk=campaign_id, status=Campaign.Status.SENDING
    ).first()
    if campaign is None:
        return {"claimed": 0}
    token = secrets.token_hex(16)
    with transaction.atomic():
        claim_batch(campaign_id, token, settings.NEWSLETTER_BATCH_SIZE)
        run_after = schedule_next(campaign_id, token, settings.NEWSLETTER_BATCH_DELAY)
        if run_after is not None:
            enqueue_successor(run_after)
    stop = StopRequested()
    sender = None
    try:
        with stop.installed(), fast_commits():
            sender = BatchSender(campaign, token)
            stats = sender.run(stop)
    except Exception as error:
        # Rendering failed, or a bug: defer the rows like a temporary failure (so
        # they end as failed after NEWSLETTER_MAX_ATTEMPTS, not loop) and tell staff.
        logger.exception("Batch of campaign %s failed", campaign_id)
        now = timezone.now()
        mine = Delivery.objects.filter(claimed_by=token, status=Delivery.Status.PENDING)
        for delivery in mine.only("pk", "attempts"):
            Delivery.objects.filter(pk=delivery.pk, claimed_by=token).update(
                claimed_by="",
                claimed_until=None,
                **_temporary_failure(delivery, describe(error), now),
            )
        campaign_record_batch(campaign_id, sent=0, error=describe(error))
        raise
    campaign_record_batch(campaign_id, sent=stats["sent"], error=sender.last_error)
    campaign_finish_if_done(campaign_id)
    return stats


def campaign_record_batch(campaign_id, *, sent, error):
    """Note on the campaign that messages went out, or the error that kept them back."""
    fields = {}
    if error:
        fields.update(last_error=error, last_error_at=timezone.now())
    if sent:
        fields.update(
            progress_at=timezone.now(),
            failing_attempts=0,
            sent_count=F("sent_count") + sent,
        )
    elif error:
        fields["failing_attempts"] = F("failing_attempts") + 1
    if fields:
        Campaign.objects.filter(pk=campaign_id).update(**fields)
