import os
from datetime import datetime, time

from taggit.managers import TaggableManager

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from unact.editions import (
    Edition,
    EditionQuerySet,
    EditionSlugField,
    edition_errors,
)
from unact.images import CleanImageField, rendition_spec, renditions
from unact.publishing import Publishable, PublishableQuerySet
from unact.richtext import SanitizedRichTextField, summarize
from unact.uploads import random_upload_name
from unact.video import embed_url

# Slugs that name a page of the library itself, so no publication may take them.
RESERVED_SLUGS = {"feed"}
COVER_WIDTHS = (320, 640)


def upload_publication_document(instance, filename):
    """publications/YYYY/MM/<name>-<random>.pdf: the stored name always ends in .pdf."""
    stem = os.path.splitext(os.path.basename(filename))[0] or "document"
    return random_upload_name("publications", f"{stem}.pdf")


def upload_publication_video(instance, filename):
    return random_upload_name("publications/videos", filename)


def upload_publication_cover(instance, filename):
    return random_upload_name("publications/covers", filename)


# The names of the countries the migrations create, as visitors read them: the rows
# hold the English name, the catalogues each language's (a country staff add later
# shows its name as typed until the catalogues have it).
COUNTRY_NAMES = (
    gettext_noop("Cambodia"),
    gettext_noop("China"),
    gettext_noop("Lao PDR"),
    gettext_noop("Myanmar"),
    gettext_noop("Thailand"),
    gettext_noop("Viet Nam"),
    gettext_noop("Regional"),
)


def country_name(name):
    """A country's stored (English) name in the active language."""
    return gettext(name) if name else name


class Country(models.Model):
    """One of the six GMS countries, or "Regional" for work across them."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        return self.name

    @property
    def local_name(self):
        return country_name(self.name)


class PublicationQuerySet(EditionQuerySet, PublishableQuerySet):
    pass


class Publication(Edition, Publishable):
    # Visitors see a publication from its day of publication.
    publish_field = "publication_date"
    detail_view = "publications:detail"

    class Kind(models.TextChoices):
        ANNUAL_REPORT = "annual-report", _("Annual report")
        NEWSLETTER = "newsletter", _("Newsletter")
        BROCHURE = "brochure", _("Brochure")
        RESEARCH_REPORT = "research-report", _("Research report")
        BRIEF = "brief", _("Brief")
        VIDEO = "video", _("Video")
        OTHER = "other", _("Other")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        KHMER = "km", _("Khmer")
        CHINESE = "zh-hans", _("Chinese")
        LAO = "lo", _("Lao")
        BURMESE = "my", _("Burmese")
        THAI = "th", _("Thai")
        VIETNAMESE = "vi", _("Vietnamese")

    title = models.CharField(_("title"), max_length=200)
    slug = EditionSlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    summary = models.TextField(
        _("summary"),
        blank=True,
        max_length=600,
        help_text=_(
            "Plain-text teaser for the list and the feed. Left blank, it is taken from the description."
        ),
    )
    description = SanitizedRichTextField(_("description"), blank=True)
    document = models.FileField(
        _("PDF file"),
        upload_to=upload_publication_document,
        blank=True,
        max_length=255,
        help_text=_(
            "A PDF. Its size and number of pages are read from it, and without a cover image its first page becomes the cover."
        ),
    )
    file_size = models.PositiveBigIntegerField(
        _("file size (bytes)"), null=True, blank=True, editable=False
    )
    page_count = models.PositiveIntegerField(
        _("pages"), null=True, blank=True, editable=False
    )
    document_text = models.TextField(
        _("text of the PDF"),
        blank=True,
        editable=False,
        help_text=_(
            "Read from the PDF when it is uploaded, so search finds its words."
        ),
    )
    external_url = models.URLField(
        _("external URL"),
        blank=True,
        max_length=500,
        help_text=_(
            "For a video, its YouTube or Vimeo link (it plays on the page, loaded only when a visitor presses play); "
            "otherwise a page where the publication is hosted."
        ),
    )
    video = models.FileField(
        _("video file"),
        upload_to=upload_publication_video,
        blank=True,
        max_length=255,
        validators=[FileExtensionValidator(["mp4", "webm"])],
        help_text=_(
            "An MP4 or WebM film, played on the page from this site: no outside "
            "service is asked for anything."
        ),
    )
    captions = models.FileField(
        _("captions"),
        upload_to=upload_publication_video,
        blank=True,
        max_length=255,
        validators=[FileExtensionValidator(["vtt"])],
        help_text=_("Captions of the video file, as WebVTT (.vtt)."),
    )
    cover = CleanImageField(
        verbose_name=_("cover image"),
        upload_to=upload_publication_cover,
        width_field="cover_width",
        height_field="cover_height",
        blank=True,
        max_length=255,
        help_text=_("Optional. Without one, the first page of the PDF is used."),
    )
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    has_generated_cover = models.BooleanField(
        _("cover made from the PDF"), default=False, editable=False
    )
    publication_date = models.DateField(
        _("date of publication"),
        default=timezone.localdate,
        help_text=_(
            "A date in the future schedules the publication: visitors see it from that day."
        ),
    )
    countries = models.ManyToManyField(
        Country, verbose_name=_("countries"), related_name="publications", blank=True
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=Language,
        default=Language.ENGLISH,
        help_text=_("The language this edition is written in."),
    )
    tags = TaggableManager(_("tags"), blank=True)
    related_posts = models.ManyToManyField(
        "posts.Post",
        verbose_name=_("related posts"),
        related_name="related_publications",
        blank=True,
        help_text=_(
            "Posts that announce or discuss this publication; each page links to the other."
        ),
    )
    download_count = models.PositiveIntegerField(
        _("downloads"), default=0, editable=False
    )

    cover_320 = rendition_spec("cover", 320)
    cover_640 = rendition_spec("cover", 640)
    cover_320_webp = rendition_spec("cover", 320, "WEBP")
    cover_640_webp = rendition_spec("cover", 640, "WEBP")

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-publication_date", "-id"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        indexes = [models.Index(fields=["status", "-publication_date"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(document="")
                | ~models.Q(external_url="")
                | ~models.Q(video=""),
                name="publication_has_file_or_url",
                violation_error_message=_(
                    "A publication needs a PDF file, a video file or an external URL."
                ),
            ),
            models.UniqueConstraint(
                fields=["translation_key", "language"],
                name="publication_one_edition_per_language",
                violation_error_message=_(
                    "This publication already has an edition in this language."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        super().save(*args, **kwargs)

    def fill_derived_fields(self):
        """What a save fills in (a preview of a draft of changes shows it too): a blank
        summary is taken from the description."""
        if not self.summary.strip():
            self.summary = summarize(self.description)

    def clean(self):
        errors = {**self.publishing_errors(), **edition_errors(self)}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _(
                "“%(slug)s” names a page of the library; choose another slug."
            ) % {"slug": self.slug}
        if not self.document and not self.external_url and not self.video:
            errors["document"] = ValidationError(
                _("Upload a PDF or a video file, or give an external URL below."),
                code="file_or_url_required",
            )
        if errors:
            raise ValidationError(errors)

    @property
    def video_embed_url(self):
        return embed_url(self.external_url)

    @property
    def published_at(self):
        """The date of publication as an aware datetime (start of that day), for feeds."""
        return timezone.make_aware(datetime.combine(self.publication_date, time.min))

    def get_kind_display(self):
        # Django's own rebuilds a dict of every choice on each call: 35 µs, twice a card.
        return str(_KIND_LABELS.get(self.kind, self.kind))

    def download_filename(self):
        return f"{self.slug}.pdf"

    def cover_renditions(self):
        """WebP and JPEG renditions of the cover, smallest first, for <picture>."""
        return renditions(
            self,
            "cover",
            ("cover_320", "cover_640"),
            COVER_WIDTHS,
            self.cover_width,
            self.cover_height,
        )

    def cover_sources(self):
        """The JPEG renditions (url, width, height), for link previews."""
        return list(self.cover_renditions().jpeg)


# Each kind's label, lazy: translated when shown.
_KIND_LABELS = dict(Publication.Kind.choices)
