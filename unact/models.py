"""The project's own models: the site search index (unact/search/) and the requests for
review before publishing (unact/review.py)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    # The item's translation group (unact/editions.py); blank for newsletter editions
    # and pages. Indexed: search looks up a matching document's siblings by it.
    group = models.UUIDField(null=True, blank=True, db_index=True)
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
            # One document per item and language: a newsletter campaign has one per
            # edition (its own English one, and one per edition in another language).
            models.UniqueConstraint(
                fields=["kind", "object_id", "language"],
                name="search_document_unique_per_language",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.url


class ReviewRequestQuerySet(models.QuerySet):
    def pending(self):
        """Requests no publisher has decided yet: what waits for review."""
        return self.filter(state=ReviewRequest.State.PENDING)

    def for_item(self, item):
        return self.filter(
            content_type=ContentType.objects.get_for_model(item), object_id=item.pk
        )


class ReviewRequest(models.Model):
    """A contributor's request that a publisher approve an item (a post, a publication).

    One pending request per item; submitting again after a send-back opens a new one,
    so the decided ones stay as the item's review history. The item stays a draft until
    a publisher approves it (unact/review.py).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        SENT_BACK = "sent_back", _("Sent back")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("reviewer's comment"), blank=True)
    # When the background worker emailed the publishers, and the author about the
    # decision: claimed before sending, so two workers never send one notice twice.
    publishers_notified_at = models.DateTimeField(null=True, blank=True)
    author_notified_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("publish_content", _("Can approve and publish"))]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(state="pending"),
                name="review_request_one_pending_per_item",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.get_state_display()}: {self.content_type.model} {self.object_id}"


class ChangeDraftQuerySet(models.QuerySet):
    def for_item(self, item):
        return self.filter(
            content_type=ContentType.objects.get_for_model(item), object_id=item.pk
        )


class ChangeDraft(models.Model):
    """Changes to a live post or publication, kept beside it until a publisher publishes
    or discards them (unact/drafts.py). The live row is untouched meanwhile.

    `data` holds the change form's values: {"fields": the model fields as Django's JSON
    serializer writes them, "m2m": {name: [pk, ...]}, "tags": [name, ...] or null,
    "files": {name: stored file name}, "uploads": [stored names this draft uploaded]}.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(default=dict)
    # The live row's updated_at when the draft was started: a later one means someone
    # changed the live version since.
    base_updated_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    updated_at = models.DateTimeField(_("saved at"), default=timezone.now)

    objects = ChangeDraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("draft of changes")
        verbose_name_plural = _("drafts of changes")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                name="change_draft_one_per_item",
            )
        ]

    def __str__(self):
        return f"Draft of changes: {self.content_type.model} {self.object_id}"
