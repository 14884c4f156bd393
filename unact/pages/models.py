"""Editable pages (About, Where we work, Get help...), their place in the menus, and the
front page's introduction and featured item."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unact.images import RENDITION_WIDTHS, CleanImageField, rendition_spec, renditions
from unact.publishing import Publishable
from unact.richtext import SanitizedRichTextField, summarize
from unact.uploads import random_upload_name
from unact.urlcache import reverse_memo

# /about/ is a page, /about/team/ its subpage, /about/team/regional/ the deepest level.
MAX_DEPTH = 3


def upload_page_image(instance, filename):
    return random_upload_name("pages", filename)


def reserved_slugs():
    """Top-level addresses a page may not take: the site's own sections, the language
    prefixes, the admin, static files and media (a page there could never be reached)."""
    own = {"posts", "publications", "newsletter", "search", "feed", "safety", "pages",
           "sitemap", "sitemap.xml", "robots.txt", "healthz", "favicon.ico", "bench",
           "media", "static", "admin", "home"}  # fmt: skip
    prefixes = {
        url.strip("/").split("/")[0]
        for url in (settings.ADMIN_URL, settings.STATIC_URL, settings.MEDIA_URL)
        if url and url.strip("/")
    }
    languages = {code.lower() for code, _name in settings.LANGUAGES}
    return own | prefixes | languages


class Page(Publishable):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        help_text=_(
            "The last part of the page's address: /about/ or /where-we-work/cambodia/."
        ),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent page"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
        help_text=_(
            "Optional. The page this one sits under (its address starts with the parent's)."
        ),
    )
    # The address without slashes at either end ("where-we-work/cambodia"): derived from
    # the parent's path and the slug on save; the page view finds a page by it.
    path = models.CharField(_("address"), max_length=310, unique=True, editable=False)
    summary = models.TextField(
        _("summary"),
        blank=True,
        max_length=600,
        help_text=_(
            "Plain text for search results and link previews. Left blank, it is taken from the body."
        ),
    )
    body = SanitizedRichTextField(_("body"))
    image = CleanImageField(
        verbose_name=_("image"),
        upload_to=upload_page_image,
        width_field="image_width",
        height_field="image_height",
        blank=True,
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        _("image alt text"),
        max_length=250,
        blank=True,
        help_text=_(
            "Describe the image for people who cannot see it. Required with an image."
        ),
    )
    in_main_menu = models.BooleanField(_("in the main menu"), default=False)
    in_footer = models.BooleanField(_("in the footer menu"), default=False)
    menu_order = models.SmallIntegerField(
        _("menu order"),
        default=0,
        help_text=_("Lower numbers come first in the menus; equal numbers by title."),
    )
    menu_label = models.CharField(
        _("menu label"),
        max_length=40,
        blank=True,
        help_text=_("Optional short name for the menus (the title otherwise)."),
    )
    editor_note = models.TextField(
        _("note for staff"),
        blank=True,
        help_text=_(
            "Only staff see this, in the admin: what to check before publishing, sources."
        ),
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        default=timezone.now,
        help_text=_("A time in the future schedules the page."),
    )

    image_480 = rendition_spec("image", 480)
    image_960 = rendition_spec("image", 960)
    image_1440 = rendition_spec("image", 1440)
    image_480_webp = rendition_spec("image", 480, "WEBP")
    image_960_webp = rendition_spec("image", 960, "WEBP")
    image_1440_webp = rendition_spec("image", 1440, "WEBP")

    class Meta:
        ordering = ["path"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        indexes = [models.Index(fields=["status", "publish_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(image="") | ~models.Q(image_alt=""),
                name="page_image_has_alt_text",
                violation_error_message=_("An image needs alt text."),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")),
                name="page_not_its_own_parent",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.summary.strip():
            self.summary = summarize(self.body, words=40)
        old_path = self.path
        self.path = self.path_from_parent()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # The subpages' addresses start with this one's: they move with it.
            for child in self.children.all():
                child.save(update_fields=["path"])

    def get_absolute_url(self):
        return reverse_memo("page", self.path)

    def path_from_parent(self):
        parent = self.parent
        return f"{parent.path}/{self.slug}" if parent else self.slug

    def ancestors(self):
        """The parents of this page, nearest first (one query each; pages nest 3 deep at most)."""
        found, parent, seen = [], self.parent, {self.pk}
        while parent is not None and parent.pk not in seen:
            found.append(parent)
            seen.add(parent.pk)
            parent = parent.parent
        return found

    def clean(self):
        errors = self.publishing_errors()
        if self.image and not self.image_alt.strip():
            errors["image_alt"] = _("Describe the image: alt text is required.")
        errors.update(self.placement_errors())
        if errors:
            raise ValidationError(errors)

    def placement_errors(self):
        """{field: error} for a parent that makes a loop or nests too deep, a reserved
        top-level slug, or an address another page has."""
        errors = {}
        parent, depth, seen = self.parent, 1, set()
        while parent is not None:
            if (self.pk is not None and parent.pk == self.pk) or parent.pk in seen:
                errors["parent"] = ValidationError(
                    _(
                        "A page cannot sit under itself or under one of its own subpages. Choose another parent."
                    ),
                    code="parent_loop",
                )
                return errors
            seen.add(parent.pk)
            depth += 1
            parent = parent.parent
        if depth > MAX_DEPTH:
            errors["parent"] = ValidationError(
                _(
                    "Pages nest %(depth)d levels deep at most: choose a parent higher up."
                ),
                code="too_deep",
                params={"depth": MAX_DEPTH},
            )
        if not self.slug:
            return errors
        if self.parent is None and self.slug.lower() in reserved_slugs():
            errors["slug"] = ValidationError(
                _(
                    "“%(slug)s” is an address the site already uses. Choose another slug, or place the page under a parent."
                ),
                code="reserved_slug",
                params={"slug": self.slug},
            )
        elif (
            not errors
            and Page.objects.filter(path=self.path_from_parent())
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["slug"] = ValidationError(
                _("Another page already has the address /%(path)s/."),
                code="duplicate_path",
                params={"path": self.path_from_parent()},
            )
        return errors

    @property
    def menu_title(self):
        return self.menu_label or self.title

    def image_renditions(self):
        """WebP and JPEG renditions of the image, smallest first, for <picture>."""
        return renditions(
            self, "image", ("image_480", "image_960", "image_1440"), RENDITION_WIDTHS,
            self.image_width, self.image_height,
        )  # fmt: skip


class FrontPage(models.Model):
    """The front page's introduction and featured item: one row, edited in the admin."""

    intro = SanitizedRichTextField(
        _("introduction"),
        blank=True,
        help_text=_(
            "Shown above the latest posts on the first page. Leave blank for none."
        ),
    )
    featured_post = models.ForeignKey(
        "posts.Post",
        verbose_name=_("featured post"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    featured_publication = models.ForeignKey(
        "publications.Publication",
        verbose_name=_("featured publication"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    featured_page = models.ForeignKey(
        Page,
        verbose_name=_("featured page"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("front page")
        verbose_name_plural = _("front page")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        featured_post__isnull=True, featured_publication__isnull=True
                    )
                    | models.Q(featured_post__isnull=True, featured_page__isnull=True)
                    | models.Q(
                        featured_publication__isnull=True, featured_page__isnull=True
                    )
                ),
                name="front_page_features_one_item",
                violation_error_message=_(
                    "Feature one item: a post, a publication or a page."
                ),
            )
        ]

    def __str__(self):
        return str(_("Front page"))

    def get_absolute_url(self):
        return reverse_memo("home")

    def clean(self):
        chosen = [
            name
            for name in ("featured_post", "featured_publication", "featured_page")
            if getattr(self, f"{name}_id")
        ]
        if len(chosen) > 1:
            raise ValidationError(
                {
                    name: ValidationError(
                        _("Feature one item: a post, a publication or a page."),
                        code="one_featured_item",
                    )
                    for name in chosen
                }
            )

    @property
    def featured_item(self):
        return self.featured_post or self.featured_publication or self.featured_page
