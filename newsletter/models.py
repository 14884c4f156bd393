import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from unact.richtext import SanitizedRichTextField, html_to_text
from unact.validators import validate_email_address


def normalize_email(value):
    """One spelling per address: trimmed, NFC, lower case (providers ignore case)."""
    return unicodedata.normalize("NFC", (value or "").strip()).lower()


def email_language(code):
    """`code` if the public site is in it, else the site's default language."""
    if code in settings.PUBLIC_LANGUAGES and code in dict(settings.LANGUAGES):
        return code
    return settings.LANGUAGE_CODE


class SubscriberQuerySet(models.QuerySet):
    def with_email(self, email):
        """The subscriber with this address in any case, found through the unique index on
        lower(email) (email__iexact compares upper() and read the whole table)."""
        return self.alias(email_lower=Lower("email")).filter(
            email_lower=normalize_email(email)
        )

    def confirmed(self):
        """Subscribers who confirmed and have not left: the only ones campaigns reach."""
        return self.filter(status=Subscriber.Status.SUBSCRIBED)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        SUBSCRIBED = "subscribed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    class Source(models.TextChoices):
        FOOTER = "footer", _("Footer form")
        PAGE = "page", _("Newsletter page")
        IMPORT = "import", _("CSV import")

    email = models.EmailField(
        _("email address"), max_length=254, validators=[validate_email_address]
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.PENDING
    )
    source = models.CharField(_("source"), max_length=10, choices=Source)
    consent_source = models.CharField(
        _("consent source"),
        max_length=200,
        blank=True,
        help_text=_("For imported addresses: where and how the person agreed."),
    )
    consent_version = models.CharField(_("consent text version"), max_length=20)
    consent_text = models.TextField(_("consent text agreed to"))
    consented_at = models.DateTimeField(_("consented at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_(
            "The language of the page they signed up on: their emails' language. "
            "They can change it from any email's footer."
        ),
    )
    ip_address = models.GenericIPAddressField(
        _("IP address"),
        null=True,
        blank=True,
        help_text=_("Erased after the retention period (newsletter_purge_ips)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="newsletter_subscriber_email_ci_unique"
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"])]
        permissions = [("export_subscriber", _("Can export subscribers as CSV"))]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # Subscribers have no public page; staff see them in the admin.
        return reverse("admin:newsletter_subscriber_change", args=[self.pk])

    @property
    def email_language(self):
        """The language of this subscriber's emails: theirs while the public site is in
        it, else the site's (a language switched off has no addresses to link to)."""
        return email_language(self.language)


class CampaignQuerySet(models.QuerySet):
    def archived(self):
        """Sent campaigns: the only ones the public archive shows."""
        return self.filter(status=Campaign.Status.SENT)


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    subject = models.CharField(_("subject"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, blank=True)
    preheader = models.CharField(
        _("preheader"),
        max_length=200,
        blank=True,
        help_text=_("The short line mail programs show after the subject."),
    )
    body = SanitizedRichTextField(_("body"))
    publication_url = models.URLField(
        _("PDF edition"),
        blank=True,
        help_text=_("Optional link to the PDF edition of this newsletter."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    send_started_at = models.DateTimeField(
        _("sending started at"), null=True, blank=True
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    sent_count = models.PositiveIntegerField(_("sent"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    # What staff need when a send stalls, kept by the worker (newsletter/sending.py).
    progress_at = models.DateTimeField(_("last message sent at"), null=True, blank=True)
    failing_attempts = models.PositiveIntegerField(
        _("attempts without progress"),
        default=0,
        help_text=_("Batches in a row that sent nothing because of an error."),
    )
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [models.Index(fields=["status", "-sent_at"])]

    def __str__(self):
        return self.subject

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("newsletter:archive_detail", kwargs={"slug": self.slug})

    @property
    def is_stalled(self):
        """A send that is not progressing: its last batch failed, or nothing went out
        for ten minutes (three batch pauses if those are longer): no worker running?"""
        if self.status != self.Status.SENDING:
            return False
        if self.failing_attempts:
            return True
        quiet = max(600, 3 * settings.NEWSLETTER_BATCH_DELAY)
        last = self.progress_at or self.send_started_at
        return last is not None and timezone.now() - last > timedelta(seconds=quiet)

    @property
    def summary(self):
        return self.preheader or html_to_text(self.body)[:200]

    @property
    def language(self):
        """The campaign's own fields are its edition in the site's language (English)."""
        return settings.LANGUAGE_CODE

    def edition(self, language, editions=None):
        """The edition a reader of `language` gets: the one in their language, else
        the campaign's own (English). `editions` are the campaign's editions when the
        caller has them already (prefetched), else they are read."""
        if language != settings.LANGUAGE_CODE:
            if editions is None:
                editions = self.editions.filter(language=language)
            for edition in editions:
                if edition.language == language:
                    return edition
        return self

    def _unique_slug(self):
        base = slugify(self.subject)[:180] or "newsletter"
        slug, number = base, 2
        while Campaign.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, number = f"{base}-{number}", number + 1
        return slug


def edition_languages():
    """The languages an edition may be written in: every language but the site's own,
    which is the campaign's own fields."""
    return [
        (code, name)
        for code, name in settings.LANGUAGES
        if code != settings.LANGUAGE_CODE
    ]


class CampaignEdition(models.Model):
    """A campaign in another language than English: its own subject, preheader, body and
    PDF link. A campaign is sent once; each subscriber receives the edition in their
    language, or the campaign's own (English) where there is none (docs/newsletter.md)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="editions"
    )
    language = models.CharField(_("language"), max_length=10, choices=edition_languages)
    subject = models.CharField(_("subject"), max_length=200)
    preheader = models.CharField(
        _("preheader"),
        max_length=200,
        blank=True,
        help_text=_("The short line mail programs show after the subject."),
    )
    body = SanitizedRichTextField(_("body"))
    publication_url = models.URLField(
        _("PDF edition"),
        blank=True,
        help_text=_("Optional link to the PDF edition in this language."),
    )

    class Meta:
        ordering = ["campaign", "language"]
        verbose_name = _("edition in another language")
        verbose_name_plural = _("editions in other languages")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "language"],
                name="newsletter_campaign_edition_once_per_language",
            ),
        ]

    def __str__(self):
        return f"{self.subject} ({self.language})"

    def get_absolute_url(self):
        """The campaign's archive page under this edition's language's prefix."""
        with translation.override(self.language):
            return self.campaign.get_absolute_url()

    @property
    def summary(self):
        return self.preheader or html_to_text(self.body)[:200]


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled (unsubscribed)")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_by = models.CharField(_("claimed by"), max_length=32, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)
    language = models.CharField(
        _("language sent"),
        max_length=10,
        blank=True,
        help_text=_("The language of the edition this subscriber was sent."),
    )
    is_resent_after_crash = models.BooleanField(
        _("resent after a crash"),
        default=False,
        help_text=_(
            "The worker sending this message stopped abruptly while it may have been "
            "in flight; it was sent again with the same Message-ID."
        ),
    )

    class Meta:
        ordering = ["campaign", "pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "subscriber"], name="newsletter_delivery_once"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.campaign} → {self.subscriber}"
