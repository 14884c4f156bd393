"""Writes with side effects for the mailing list: subscribe, confirm, leave, send."""

import csv
import hashlib
import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from unact.cache import count_in_window
from unact.validators import validate_email_address

from . import tasks
from .consent import current_consent
from .emails import CampaignEmail
from .models import Campaign, Delivery, Subscriber, email_language, normalize_email
from .tokens import (
    InvalidToken,
    read_confirmation_token,
    read_language_token,
    read_unsubscribe_token,
)

logger = logging.getLogger(__name__)
DAY = 24 * 3600


def _address_key(email):
    return "newsletter:confirmations:" + hashlib.sha256(email.encode()).hexdigest()


def signup_rate_limited(ip_address):
    """True once a client IP has signed up too often this hour (counted in the cache)."""
    if not ip_address:
        return False
    key = "newsletter:signups-ip:" + hashlib.sha256(ip_address.encode()).hexdigest()
    return count_in_window(key, 3600) > settings.NEWSLETTER_SIGNUPS_PER_IP_PER_HOUR


def _may_send_confirmation(email):
    return (
        count_in_window(_address_key(email), DAY)
        <= settings.NEWSLETTER_CONFIRMATIONS_PER_DAY
    )


def confirmation_send(subscriber):
    """Queue the confirmation email, at most NEWSLETTER_CONFIRMATIONS_PER_DAY per address.

    The worker sends it: a visitor's request never waits on a mail server. With the
    database task backend the task row is written in the caller's transaction, so
    the worker finds the subscriber row it names.
    """
    if not _may_send_confirmation(subscriber.email):
        logger.info("Confirmation limit reached for subscriber %s", subscriber.pk)
        return False
    try:
        tasks.send_confirmation.enqueue(subscriber.pk)
    except Exception:  # noqa: BLE001 - the signup is kept; a new signup queues it again
        logger.exception(
            "Could not queue the confirmation email of subscriber %s", subscriber.pk
        )
        return False
    return True


def subscriber_subscribe(*, email, name="", source, ip_address=None, language=None):
    """Record a signup and send the confirmation link; the same outcome for everyone.

    New and unsubscribed addresses become pending with a fresh consent record;
    pending ones get their link again; subscribed ones are left alone. `language` is
    the language of the page signed up on: new, pending and returning subscribers'
    emails (the confirmation first) are in it; a subscribed address keeps its own.
    """
    email = normalize_email(email)
    language = email_language(language)
    version, text = current_consent()
    now = timezone.now()
    consent = {
        "source": source,
        "consent_source": "",
        "consent_version": version,
        "consent_text": text,
        "consented_at": now,
        "ip_address": ip_address,
        "language": language,
    }
    subscriber = Subscriber.objects.with_email(email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=email, name=name, status=Subscriber.Status.PENDING, **consent
                )
        except IntegrityError:
            # A concurrent signup of the same address won the race: use its row.
            subscriber = Subscriber.objects.with_email(email).get()
            return subscriber
        confirmation_send(subscriber)
        return subscriber
    if subscriber.status == Subscriber.Status.SUBSCRIBED:
        return subscriber
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        # Coming back is a new consent: record it, and confirm it again.
        updated = Subscriber.objects.filter(
            pk=subscriber.pk, status=Subscriber.Status.UNSUBSCRIBED
        ).update(
            status=Subscriber.Status.PENDING,
            name=name or subscriber.name,
            confirmed_at=None,
            unsubscribed_at=None,
            updated_at=now,
            **consent,
        )
        if not updated:
            return subscriber
        subscriber.refresh_from_db()
    else:
        # Pending: the new link comes in the language of the page used this time.
        Subscriber.objects.filter(pk=subscriber.pk).update(
            name=subscriber.name or name, language=language
        )
        subscriber.name, subscriber.language = subscriber.name or name, language
    confirmation_send(subscriber)
    return subscriber


@dataclass
class Confirmation:
    subscriber: Subscriber
    already_confirmed: bool


def confirmation_check(*, token):
    """The pending (or already confirmed) subscriber a link belongs to, or InvalidToken."""
    subscriber_id, stamp = read_confirmation_token(token)
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or int(subscriber.consented_at.timestamp()) != stamp:
        raise InvalidToken("This link belongs to an earlier signup.")
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        raise InvalidToken("The address left the list after this link was sent.")
    return subscriber


def subscriber_confirm(*, token):
    """Subscribe the address of a valid confirmation link; a second click changes nothing."""
    subscriber = confirmation_check(token=token)
    updated = Subscriber.objects.filter(
        pk=subscriber.pk, status=Subscriber.Status.PENDING
    ).update(
        status=Subscriber.Status.SUBSCRIBED,
        confirmed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    subscriber.refresh_from_db()
    return Confirmation(subscriber=subscriber, already_confirmed=not updated)


def subscriber_unsubscribe(*, token=None, subscriber=None):
    """Take an address off the list at once; pending deliveries to it are cancelled."""
    if subscriber is None:
        subscriber = Subscriber.objects.filter(pk=read_unsubscribe_token(token)).first()
        if subscriber is None:
            # Erased from the list meanwhile: nothing will be sent to it either way.
            return None
    now = timezone.now()
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk).exclude(
            status=Subscriber.Status.UNSUBSCRIBED
        ).update(
            status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=now, updated_at=now
        )
        Delivery.objects.filter(
            subscriber=subscriber, status=Delivery.Status.PENDING
        ).update(status=Delivery.Status.CANCELLED)
    subscriber.refresh_from_db()
    return subscriber


def subscriber_language_set(*, token, language):
    """Save the language a subscriber chose for their emails (the signed link in every
    email's footer); returns the subscriber, or None if the address was erased."""
    subscriber = Subscriber.objects.filter(pk=read_language_token(token)).first()
    if subscriber is None:
        return None
    if language != email_language(language):
        raise ValueError(f"{language!r} is not a language of the public site")
    Subscriber.objects.filter(pk=subscriber.pk).update(
        language=language, updated_at=timezone.now()
    )
    subscriber.language = language
    return subscriber


def subscriber_ips_purge(*, older_than_days=None):
    """Erase client IPs of consents older than the retention period; returns the count."""
    days = (
        settings.NEWSLETTER_IP_RETENTION_DAYS
        if older_than_days is None
        else older_than_days
    )
    cutoff = timezone.now() - timezone.timedelta(days=days)
    return Subscriber.objects.filter(
        consented_at__lt=cutoff, ip_address__isnull=False
    ).update(ip_address=None)


def campaign_send_test(*, campaign, email):
    """Send every edition of the campaign to one address (a staff member), each marked
    as a test: the English one, then one per edition in another language, each in its
    language's frame, over one connection. Returns the languages sent, [(code, name)]."""
    content = CampaignEmail(campaign)
    names = dict(settings.LANGUAGES)
    # An edition in a language the public site is not in is sent to nobody (its
    # subscribers get English), so it gets no test either.
    languages = list(
        dict.fromkeys(
            [settings.LANGUAGE_CODE]
            + [email_language(edition.language) for edition in content.editions()]
        )
    )
    messages = [
        content.message(
            email=email,
            subscriber_id=0,
            subject_prefix=_("[Test] "),
            language=language,
        )
        for language in languages
    ]
    get_connection(fail_silently=False).send_messages(messages)
    return [(language, names.get(language, language)) for language in languages]


def campaign_recipient_count(campaign):
    return Subscriber.objects.confirmed().count()


def campaign_recipients_by_edition(campaign):
    """How many confirmed subscribers each edition reaches, [{code, name, count}],
    English first: a subscriber gets the edition in their language, else English."""
    editions = set(campaign.editions.values_list("language", flat=True))
    counts = {}
    for row in (
        Subscriber.objects.confirmed()
        .values("language")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        language = email_language(row["language"])
        language = language if language in editions else settings.LANGUAGE_CODE
        counts[language] = counts.get(language, 0) + row["n"]
    names = dict(settings.LANGUAGES)
    order = [settings.LANGUAGE_CODE, *sorted(editions)]
    return [
        {"code": code, "name": names.get(code, code), "count": counts[code]}
        for code in order
        if counts.get(code)
    ]


def campaign_send(*, campaign):
    """Queue the campaign for every confirmed subscriber; False if it was not a draft."""
    now = timezone.now()
    with transaction.atomic():
        started = Campaign.objects.filter(
            pk=campaign.pk, status=Campaign.Status.DRAFT
        ).update(status=Campaign.Status.SENDING, send_started_at=now, updated_at=now)
        if not started:
            return False
        subscriber_ids = Subscriber.objects.confirmed().values_list("pk", flat=True)
        batch = []
        for subscriber_id in subscriber_ids.iterator(chunk_size=2000):
            batch.append(
                Delivery(
                    campaign_id=campaign.pk,
                    subscriber_id=subscriber_id,
                    next_attempt_at=now,
                )
            )
            if len(batch) >= 2000:
                Delivery.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
        total = Delivery.objects.filter(campaign_id=campaign.pk).count()
        Campaign.objects.filter(pk=campaign.pk).update(recipient_count=total)
        # Queued only once the rows exist for the worker to see.
        transaction.on_commit(lambda: tasks.send_campaign_batch.enqueue(campaign.pk))
    campaign.refresh_from_db()
    return True


def campaign_progress(campaign):
    """Sent, failed, cancelled and remaining deliveries of a campaign, in one query."""
    counts = Delivery.objects.filter(campaign=campaign).aggregate(
        total=Count("pk"),
        sent=Count("pk", filter=Q(status=Delivery.Status.SENT)),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        cancelled=Count("pk", filter=Q(status=Delivery.Status.CANCELLED)),
        remaining=Count("pk", filter=Q(status=Delivery.Status.PENDING)),
        attempts=Max("attempts", filter=Q(status=Delivery.Status.PENDING)),
    )
    done = counts["sent"] + counts["failed"] + counts["cancelled"]
    counts["percent"] = round(100 * done / counts["total"]) if counts["total"] else 0
    # Messages sent per edition language (each delivery records the one it was sent).
    names = dict(settings.LANGUAGES)
    counts["sent_by_language"] = (
        [
            {
                "code": row["language"],
                "name": names.get(row["language"], row["language"]),
                "sent": row["n"],
            }
            for row in Delivery.objects.filter(
                campaign=campaign, status=Delivery.Status.SENT
            )
            .values("language")
            .annotate(n=Count("pk"))
            .order_by("language")
            if row["language"]
        ]
        if counts["sent"]
        else []
    )
    return counts


# CSV import ------------------------------------------------------------------

REQUIRED_COLUMNS = {"email", "consent_source"}
OPTIONAL_COLUMNS = {"name", "consented_at"}


@dataclass
class ImportReport:
    created: int = 0
    already_listed: list = field(default_factory=list)  # (line, email, status)
    rejected: list = field(default_factory=list)  # (line, value, reason)
    error: str = ""

    @property
    def ok(self):
        return not self.error and not self.rejected


def _parse_consented_at(value):
    value = value.strip()
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise ValueError
        moment = timezone.datetime(day.year, day.month, day.day)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now():
        raise ValueError
    return moment


def subscribers_import(*, data, dry_run=False):
    """Import an existing list of consenting subscribers from CSV bytes, all or nothing.

    Columns: email, consent_source (required), name, consented_at (optional).
    Addresses already on the list (in any status) are reported and left as they
    are: an import never resubscribes someone who left.
    """
    report = ImportReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        report.error = _(
            "The file is not UTF-8 text (byte %(position)s). Save it as “CSV UTF-8” and try again."
        ) % {"position": error.start}
        return report
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = {(name or "").strip().lower() for name in (reader.fieldnames or [])}
    missing = REQUIRED_COLUMNS - header
    if missing:
        report.error = _(
            "The first line must name the columns; missing: %(missing)s. Expected: email, consent_source, and optionally name, consented_at."
        ) % {"missing": ", ".join(sorted(missing))}
        return report
    unknown = header - REQUIRED_COLUMNS - OPTIONAL_COLUMNS
    if unknown:
        report.error = _("Unknown columns: %(unknown)s.") % {
            "unknown": ", ".join(sorted(unknown))
        }
        return report
    version, text_agreed = (
        "import",
        _("Imported list; consent given as recorded in “consent source”."),
    )
    seen, new_rows = {}, []
    try:
        # Line numbers as a spreadsheet shows them (the header is line 1).
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        report.error = _("The CSV could not be read: %(error)s") % {"error": error}
        return report
    for line, row in rows:
        row = {
            (key or "").strip().lower(): (value or "").strip()
            for key, value in row.items()
            if key
        }
        email = normalize_email(row.get("email"))
        if not email:
            report.rejected.append((line, "", _("No email address.")))
            continue
        try:
            validate_email_address(email)
        except ValidationError as error:
            report.rejected.append((line, email, " ".join(error.messages)))
            continue
        if email in seen:
            report.rejected.append(
                (line, email, _("Repeats line %(line)s.") % {"line": seen[email]})
            )
            continue
        seen[email] = line
        if not row.get("consent_source"):
            report.rejected.append(
                (
                    line,
                    email,
                    _("No consent source: say where and how this person agreed."),
                )
            )
            continue
        if len(row["consent_source"]) > 200 or len(row.get("name", "")) > 100:
            report.rejected.append(
                (
                    line,
                    email,
                    _("Consent source (200) or name (100 characters) too long."),
                )
            )
            continue
        try:
            consented_at = (
                _parse_consented_at(row.get("consented_at", "")) or timezone.now()
            )
        except ValueError:
            report.rejected.append(
                (line, email, _("Consent date is not a past date (YYYY-MM-DD)."))
            )
            continue
        new_rows.append(
            (line, email, row.get("name", ""), row["consent_source"], consented_at)
        )
    existing = {
        subscriber.email: subscriber.get_status_display()
        for subscriber in Subscriber.objects.filter(email__in=list(seen)).only(
            "email", "status"
        )
    }
    if report.rejected or dry_run:
        report.already_listed = [
            (line, email, existing[email])
            for line, email, *_rest in new_rows
            if email in existing
        ]
        return report
    to_create = []
    for line, email, name, consent_source, consented_at in new_rows:
        if email in existing:
            report.already_listed.append((line, email, existing[email]))
            continue
        to_create.append(
            Subscriber(
                email=email,
                name=name,
                status=Subscriber.Status.SUBSCRIBED,
                source=Subscriber.Source.IMPORT,
                consent_source=consent_source,
                consent_version=version,
                consent_text=text_agreed,
                consented_at=consented_at,
                confirmed_at=consented_at,
            )
        )
    try:
        with transaction.atomic():
            # ignore_conflicts: a signup racing the import keeps its own row.
            Subscriber.objects.bulk_create(
                to_create, batch_size=1000, ignore_conflicts=True
            )
    except IntegrityError as error:  # pragma: no cover - defensive
        report.error = str(error)
        return report
    report.created = len(to_create)
    return report


__all__ = ["InvalidToken"]
