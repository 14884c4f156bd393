"""The project's own models: the site search index (unact/search/)."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone


class SearchDocumentQuerySet(models.QuerySet):
    def visible(self, now=None):
        """Documents whose time has come and has not passed: a scheduled post is indexed
        and found from its hour, an item with an unpublishing time is found until then."""
        if now is None:
            now = timezone.now()
        return self.filter(
            models.Q(unpublish_at__isnull=True) | models.Q(unpublish_at__gt=now),
            published_at__lte=now,
        )


class SearchDocument(models.Model):
    """One published post, publication, newsletter edition or page as search sees it.

    Written by unact.search.services.search_document_update (called from signals and
    from the services that change rows with update()), never edited by hand. The
    words columns hold the text split into words and folded (unact.search.words);
    PostgreSQL builds the weighted vector from them, SQLite matches them directly.
    """

    class Kind(models.TextChoices):
        POST = "post"
        PUBLICATION = "publication"
        EDITION = "edition"
        PAGE = "page"

    kind = models.CharField(max_length=12, choices=Kind)
    object_id = models.PositiveBigIntegerField()
    language = models.CharField(max_length=10, blank=True)
    url = models.CharField(max_length=300)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body = models.TextField(
        blank=True, help_text="Plain text of the body, for excerpts."
    )
    category = models.SlugField(max_length=100, blank=True)
    category_name = models.CharField(max_length=100, blank=True)
    publication_kind = models.CharField(max_length=20, blank=True)
    published_at = models.DateTimeField()
    unpublish_at = models.DateTimeField(
        null=True, blank=True, help_text="Found until then; blank: always."
    )
    date = models.DateField(
        help_text="The local day of publication (shown, and the year facet)."
    )
    year = models.PositiveSmallIntegerField()
    config = models.CharField(
        max_length=20, help_text="PostgreSQL text-search configuration."
    )
    title_words = models.TextField(blank=True)
    summary_words = models.TextField(blank=True)
    body_words = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SearchDocumentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="search_document_unique"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.url
