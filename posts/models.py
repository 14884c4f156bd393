from taggit.managers import TaggableManager
from taggit.models import Tag

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unact.editions import (
    Edition,
    EditionQuerySet,
    EditionSlugField,
    edition_errors,
)
from unact.images import RENDITION_WIDTHS, CleanImageField, rendition_spec, renditions
from unact.publishing import Publishable, PublishableQuerySet
from unact.richtext import SanitizedRichTextField, summarize
from unact.uploads import random_upload_name
from unact.urlcache import reverse_memo
from unact.video import embed_url


def upload_post_image(instance, filename):
    return random_upload_name("posts", filename)


def upload_library_image(instance, filename):
    return random_upload_name("library", filename)


class Category(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse_memo("posts:category", self.slug)


def post_tags(post):
    """A post's tags, ordered by name, for its page: one query. The content type is
    joined by name, so a fresh process makes no query of its own to look it up."""
    items = "taggit_taggeditem_items"
    return list(
        Tag.objects.filter(**{
            f"{items}__content_type__app_label": Post._meta.app_label,
            f"{items}__content_type__model": Post._meta.model_name,
            f"{items}__object_id": post.pk,
        }).order_by("name")
    )  # fmt: skip


class PostQuerySet(EditionQuerySet, PublishableQuerySet):
    def for_cards(self):
        """What a card shows (post_card.html): every column but the body and the search
        vector, and the category, newest first."""
        return self.select_related("category").defer("body")

    def refresh_comment_counts(self):
        """Store each post's count of visible comments (Post.comment_count), from the comments."""
        counts = (
            Comment.objects.approved()
            .filter(post=models.OuterRef("pk"))
            .order_by()
            .values("post")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.update(
            comment_count=Coalesce(
                models.Subquery(counts, output_field=models.IntegerField()), 0
            )
        )


class Post(Edition, Publishable):
    detail_view = "posts:detail"

    title = models.CharField(_("title"), max_length=200)
    slug = EditionSlugField(_("slug"), max_length=200, unique=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="posts",
        null=True,
        blank=True,
    )
    tags = TaggableManager(_("tags"), blank=True)
    summary = models.TextField(
        _("summary"),
        blank=True,
        max_length=600,
        help_text=_(
            "Plain-text teaser for lists and feeds. Left blank, it is taken from the body."
        ),
    )
    body = SanitizedRichTextField(_("body"))
    content_warning = models.CharField(
        _("content warning"),
        max_length=200,
        blank=True,
        help_text=_('Shown before the text, for example "Describes sexual violence".'),
    )
    featured_image = CleanImageField(
        verbose_name=_("featured image"),
        upload_to=upload_post_image,
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
    video_url = models.URLField(
        _("video URL"),
        blank=True,
        help_text=_("A YouTube or Vimeo link, shown as a player."),
    )
    external_url = models.URLField(
        _("external link"),
        blank=True,
        help_text=_("An optional link to read more elsewhere."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        default=timezone.now,
        help_text=_("A time in the future schedules the post."),
    )
    allow_comments = models.BooleanField(_("allow comments"), default=True)
    # Visible comments, as lists show them: stored, since counting them for every card
    # cost more than the rest of a list page's SQL (kept current by posts/signals.py).
    comment_count = models.PositiveIntegerField(
        _("comments"), default=0, editable=False
    )

    image_480 = rendition_spec("featured_image", 480)
    image_960 = rendition_spec("featured_image", 960)
    image_1440 = rendition_spec("featured_image", 1440)
    image_480_webp = rendition_spec("featured_image", 480, "WEBP")
    image_960_webp = rendition_spec("featured_image", 960, "WEBP")
    image_1440_webp = rendition_spec("featured_image", 1440, "WEBP")

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["status", "-publish_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(featured_image="") | ~models.Q(image_alt=""),
                name="post_image_has_alt_text",
                violation_error_message=_("An image needs alt text."),
            ),
            models.UniqueConstraint(
                fields=["translation_key", "language"],
                name="post_one_edition_per_language",
                violation_error_message=_(
                    "This post already has an edition in this language."
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
        summary is taken from the body."""
        if not self.summary.strip():
            self.summary = summarize(self.body)

    def clean(self):
        errors = {**self.publishing_errors(), **edition_errors(self)}
        if self.featured_image and not self.image_alt.strip():
            errors["image_alt"] = _("Describe the image: alt text is required.")
        if self.video_url and not embed_url(self.video_url):
            errors["video_url"] = _(
                "Give a YouTube or Vimeo link (for example https://youtu.be/…)."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def video_embed_url(self):
        return embed_url(self.video_url)

    def image_renditions(self):
        """WebP and JPEG renditions of the featured image, smallest first, for <picture>."""
        return renditions(
            self, "featured_image", ("image_480", "image_960", "image_1440"), RENDITION_WIDTHS,
            self.image_width, self.image_height,
        )  # fmt: skip

    def image_sources(self):
        """The JPEG renditions (url, width, height), for srcset and link previews."""
        return list(self.image_renditions().jpeg)


class Image(models.Model):
    """An image in the library that editors insert into rich text."""

    title = models.CharField(_("title"), max_length=200)
    file = CleanImageField(
        verbose_name=_("image"),
        upload_to=upload_library_image,
        width_field="width",
        height_field="height",
    )
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    alt = models.CharField(_("alt text"), max_length=250)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("library image")
        verbose_name_plural = _("image library")

    def __str__(self):
        return self.title


# Comments: visitors' plain-text comments on posts, moderated by staff.

COMMENT_MAX_LENGTH = 5000


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """Comments visitors may see: approved, and a reply only under an approved comment."""
        return self.filter(status=Comment.Status.APPROVED).filter(
            models.Q(parent__isnull=True)
            | models.Q(parent__status=Comment.Status.APPROVED)
        )

    def pending(self):
        """Comments waiting for a moderator."""
        return self.filter(status=Comment.Status.PENDING)

    def visible_to(self, own_pending=()):
        """Approved comments, and the ones of a visitor's own that wait (their ids are kept
        in the visitor's session). Replies also need an approved parent: see approved()."""
        visible = models.Q(status=Comment.Status.APPROVED)
        if own_pending:
            visible |= models.Q(pk__in=own_pending, status=Comment.Status.PENDING)
        return self.filter(visible)

    def threads(self):
        """Top-level comments; each heads a thread with its replies, and pages hold whole threads."""
        return self.filter(parent__isnull=True)

    def listed_before(self, comment):
        """The comments shown above this one: comments read oldest first (Meta.ordering)."""
        return self.filter(
            models.Q(created_at__lt=comment.created_at)
            | models.Q(created_at=comment.created_at, pk__lt=comment.pk)
        )


def comments_per_page():
    """Threads on one page of a post's comments (replies stay with their thread)."""
    return max(1, settings.COMMENTS_PER_PAGE)


COMMENT_PAGE_PARAM = "comments"


def comments_page_query(number):
    """The query string of one page of a post's comments: none for the first page."""
    return f"?{COMMENT_PAGE_PARAM}={number}" if number > 1 else ""


def comments_page_url(post_url, number, fragment="comments"):
    """The address of one page of a post's comments; the first page is the post itself."""
    return f"{post_url}{comments_page_query(number)}#{fragment}"


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        REMOVED = "removed", _("Removed")

    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.CASCADE,
        related_name="replies",
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=80)
    email = models.EmailField(
        _("email"),
        blank=True,
        help_text=_(
            "Never shown in public. Recognises a returning commenter; used for reply notices."
        ),
    )
    text = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status,
        default=Status.PENDING,
        db_index=True,
    )
    moderation_reason = models.TextField(
        _("why it was held"),
        blank=True,
        help_text=_("What the automatic checks found when the comment arrived."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    is_staff_reply = models.BooleanField(
        _("from the programme"),
        default=False,
        help_text=_(
            "Written by a staff member; marked as from the programme on the site."
        ),
    )
    has_reply_notice = models.BooleanField(
        _("email on reply"),
        default=False,
        help_text=_("The commenter asked to be emailed when someone replies."),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    # The language of the page it was sent from: the commenter's notice of a reply is
    # written in it (blank for comments stored before it was kept).
    language = models.CharField(
        _("language"), max_length=10, blank=True, default="", editable=False
    )
    created_at = models.DateTimeField(
        _("created at"), default=timezone.now, db_index=True
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    reply_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["post", "status", "created_at"]),
            models.Index(fields=["email", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")),
                name="comment_not_its_own_parent",
            ),
        ]

    def __str__(self):
        return _("%(name)s on “%(post)s”") % {
            "name": self.name,
            "post": self.post.title,
        }

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The comment on the page of the post's comments that shows it (for emails, the admin)."""
        return comments_page_url(
            self.post.get_absolute_url(), self.page_number(), f"comment-{self.pk}"
        )

    def page_number(self, own_pending=()):
        """The page of the post's comments that holds this comment's thread, as seen by a
        visitor whose own waiting comments are own_pending (counted whether or not this
        comment itself is visible, so a held comment's page is the one it will appear on)."""
        thread = self.parent if self.parent_id else self
        before = (
            Comment.objects.filter(post_id=self.post_id)
            .threads()
            .visible_to(own_pending)
            .listed_before(thread)
        )
        return before.count() // comments_per_page() + 1

    @property
    def excerpt(self):
        return comment_excerpt(self.text)


def comment_excerpt(text):
    """The start of a comment's text, to name it in a list or a form."""
    return text if len(text) <= 80 else text[:79].rstrip() + "…"


class BlockedWord(models.Model):
    """A word or phrase that holds a comment for moderation or sends it to spam."""

    class Action(models.TextChoices):
        HOLD = "hold", _("Hold for moderation")
        SPAM = "spam", _("Mark as spam")

    phrase = models.CharField(
        _("word or phrase"),
        max_length=100,
        help_text=_("Matched ignoring case; Latin-script words match as whole words."),
    )
    action = models.CharField(
        _("action"), max_length=10, choices=Action, default=Action.HOLD
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["phrase"]
        verbose_name = _("blocklist word")
        verbose_name_plural = _("comment blocklist")
        constraints = [
            models.UniqueConstraint(
                Lower("phrase"),
                name="blocked_word_unique_ignoring_case",
                violation_error_message=_("This word is already on the blocklist."),
            ),
            models.CheckConstraint(
                condition=~models.Q(phrase=""), name="blocked_word_not_empty"
            ),
        ]

    def __str__(self):
        return self.phrase


class BlockedCommenter(models.Model):
    """A commenter whose later comments go straight to spam, by email and/or IP address."""

    email = models.EmailField(_("email"), blank=True)
    ip_address = models.GenericIPAddressField(
        _("IP address"),
        null=True,
        blank=True,
        help_text=_(
            "Erased with other IP addresses after the retention period; the email block stays."
        ),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("blocked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("blocked commenter")
        verbose_name_plural = _("blocked commenters")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(email="") | models.Q(ip_address__isnull=False),
                name="blocked_commenter_has_email_or_ip",
                violation_error_message=_(
                    "Give an email address or an IP address to block."
                ),
            ),
        ]

    def __str__(self):
        return self.email or str(self.ip_address)

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)
