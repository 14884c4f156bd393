"""What every publishable content model shares: a status, a date from which visitors
see it, and the one definition of "published" that views, feeds, sitemaps, search and
template tags all use.

A model names the field that holds its publication date in `publish_field`: a post is
published at a moment (`publish_at`, a DateTimeField), a publication on a day
(`publication_date`, a DateField). Everything else is written here once.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unact.pagecache import content_changed


def _is_date_only(field):
    return isinstance(field, models.DateField) and not isinstance(
        field, models.DateTimeField
    )


class PublishableQuerySet(models.QuerySet):
    def published(self, now=None):
        """Published items whose date has come: the only ones visitors ever see.

        now: the moment (or, for a date field, the day) to compare with; the present
        when left out.
        """
        model = self.model
        if now is None:
            now = model.publish_now()
        return self.filter(
            status=Publishable.Status.PUBLISHED,
            **{f"{model.publish_field}__lte": now},
        )


class Publishable(models.Model):
    """Abstract: status, created/updated times and the published/scheduled rules."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    # The name of the subclass's date (or date and time) of publication.
    publish_field = "publish_at"

    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def publish_now(cls):
        """The present as the publication field holds it: today for a date, else now."""
        if _is_date_only(cls._meta.get_field(cls.publish_field)):
            return timezone.localdate()
        return timezone.now()

    @property
    def publish_value(self):
        return getattr(self, self.publish_field)

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_value <= self.publish_now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_value > self.publish_now()
        )


def publishables_set_status(*, queryset, status):
    """Publish or unpublish many items at once; the items changed (a list).

    update() sends no signal, so the page cache and the search index are told directly.
    """
    model = queryset.model
    changing = list(queryset.exclude(status=status))
    if changing:
        model.objects.filter(pk__in=[item.pk for item in changing]).update(
            status=status, updated_at=timezone.now()
        )
        content_changed()
        from unact.search.services import search_documents_refresh  # it imports the models

        search_documents_refresh(model=model, pks=[item.pk for item in changing])
    return changing
