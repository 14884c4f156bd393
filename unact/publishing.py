"""What every publishable content model shares: a status, a date from which visitors
see it, an optional moment from which they no longer do, and the one definition of
"published" that views, feeds, sitemaps, search and template tags all use.

A model names the field that holds its publication date in `publish_field`: a post is
published at a moment (`publish_at`, a DateTimeField), a publication on a day
(`publication_date`, a DateField). Both may be unpublished at a moment
(`unpublish_at`, blank for never). Everything else is written here once.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from unact.pagecache import content_changed


def _is_date_only(field):
    return isinstance(field, models.DateField) and not isinstance(
        field, models.DateTimeField
    )


class PublishableQuerySet(models.QuerySet):
    def published(self, now=None):
        """Published items whose date has come and whose unpublishing time has not: the
        only ones visitors ever see.

        now: the moment to compare with (an aware datetime); the present when left out.
        """
        if now is None:
            now = timezone.now()
        return self.not_expired(now).filter(
            **{f"{self.model.publish_field}__lte": self.model.publish_value_at(now)}
        )

    def not_expired(self, now=None):
        """Published items, scheduled ones included, that are not unpublished by `now`
        (the present when left out): what the search index holds."""
        if now is None:
            now = timezone.now()
        return self.filter(
            models.Q(unpublish_at__isnull=True) | models.Q(unpublish_at__gt=now),
            status=Publishable.Status.PUBLISHED,
        )


class Publishable(models.Model):
    """Abstract: status, created/updated times and the published/scheduled/expired rules."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    # The name of the subclass's date (or date and time) of publication.
    publish_field = "publish_at"

    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT
    )
    unpublish_at = models.DateTimeField(
        _("unpublish at"),
        null=True,
        blank=True,
        help_text=_(
            "Optional. From this moment visitors no longer see it: pages, lists, feeds, "
            "the sitemap and search all leave it out. Blank: it stays published."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Who added it in the admin (or made it as a translation): a contributor changes
    # only the drafts they created (unact/publishing_admin.py).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self):
        # A subclass with its own clean() adds publishing_errors() to its errors.
        super().clean()
        errors = self.publishing_errors()
        if errors:
            raise ValidationError(errors)

    @classmethod
    def publish_value_at(cls, now):
        """The moment `now` as the publication field holds it: its local day for a date."""
        if _is_date_only(cls._meta.get_field(cls.publish_field)):
            return timezone.localdate(now)
        return now

    @classmethod
    def publish_now(cls):
        """The present as the publication field holds it: today for a date, else now."""
        return cls.publish_value_at(timezone.now())

    @property
    def publish_value(self):
        return getattr(self, self.publish_field)

    @property
    def published_from(self):
        """The moment visitors first see the item (a day starts at local midnight)."""
        value = self.publish_value
        if value is None or isinstance(value, datetime):
            return value
        return timezone.make_aware(datetime.combine(value, datetime.min.time()))

    def publishing_errors(self):
        """{field: error} for dates that cannot work: an unpublishing time must come
        after the publication date."""
        start = self.published_from
        if self.unpublish_at is None or start is None or self.unpublish_at > start:
            return {}
        return {
            "unpublish_at": ValidationError(
                _(
                    "The unpublishing time must come after the time of publication "
                    "(%(start)s). Leave it blank to keep this published."
                ),
                code="unpublish_before_publish",
                params={
                    "start": date_format(
                        timezone.localtime(start), "SHORT_DATETIME_FORMAT"
                    )
                },
            )
        }

    @property
    def is_expired(self):
        """Published once, but its unpublishing time has passed."""
        return (
            self.status == self.Status.PUBLISHED
            and self.unpublish_at is not None
            and self.unpublish_at <= timezone.now()
        )

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_value <= self.publish_now()
            and not self.is_expired
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_value > self.publish_now()
            and not self.is_expired
        )


def publishables_set_status(*, queryset, status):
    """Publish or unpublish many items at once; the items changed (a list).

    Publishing also brings back expired items: their passed unpublishing time is
    cleared (one still to come is kept). update() sends no signal, so the page cache
    and the search index are told directly.
    """
    model = queryset.model
    now = timezone.now()
    unchanged = models.Q(status=status)
    values = {"status": status, "updated_at": now}
    if status == Publishable.Status.PUBLISHED:
        passed = models.Q(unpublish_at__lte=now)
        unchanged &= ~passed
        values["unpublish_at"] = models.Case(
            models.When(passed, then=models.Value(None)),
            default=models.F("unpublish_at"),
        )
    changing = list(queryset.exclude(unchanged))
    if changing:
        model.objects.filter(pk__in=[item.pk for item in changing]).update(**values)
        content_changed()
        # Imported here: the search services import the content models.
        from unact.search.services import search_documents_refresh

        search_documents_refresh(model=model, pks=[item.pk for item in changing])
    return changing


def created_by_from_admin_log(app_label, model_name):
    """A migration's RunPython function that fills `created_by` of the rows added before
    it existed, from the admin's log (who added each row); rows the log does not name
    keep none (only those who may publish change them)."""

    def fill(apps, schema_editor):
        LogEntry = apps.get_model("admin", "LogEntry")
        model = apps.get_model(app_label, model_name)
        adders = {}
        for object_id, user_id in (
            LogEntry.objects.filter(
                content_type__app_label=app_label,
                content_type__model=model_name,
                action_flag=1,  # ADDITION
            )
            .order_by("-action_time")
            .values_list("object_id", "user_id")
        ):
            adders[object_id] = user_id  # the earliest addition wins
        by_user = {}
        for pk in model.objects.filter(created_by__isnull=True).values_list(
            "pk", flat=True
        ):
            if str(pk) in adders:
                by_user.setdefault(adders[str(pk)], []).append(pk)
        for user_id, pks in by_user.items():
            model.objects.filter(pk__in=pks).update(created_by_id=user_id)

    return fill
