"""Language editions of posts and publications (docs/translation.md, "Editions").

Each edition is a full row of its model with its own `language`; the editions of one
post or publication share a `translation_key` (a UUID), as wagtail-localize does. What
lives here is shared by both models: the fields, the language rule of lists
(`EditionQuerySet.for_language`), addresses under the edition's own language, slugs
that keep the marks of Thai, Khmer, Lao and Burmese, and the group's editions for a
page ("Also in") and for the admin (older than the original, missing languages).
"""

import re
import unicodedata
import uuid
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_unicode_slug
from django.db import models
from django.urls import register_converter, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .i18n import content_lang_attr, public_languages
from .urlcache import reverse_memo

# Slugs: letters (L), marks (M) and digits (N) of any script, "-" and "_". Django's
# slugify(allow_unicode=True) keeps only what str.isalnum() accepts, and that drops the
# vowel signs and tone marks of Thai, Lao, Khmer and Burmese (category M):
# "ง่ายนิดเดียว" would become "งายนดเดยว", another word. Its validator
# (validate_unicode_slug, \w) refuses them for the same reason.
_SLUG_CATEGORIES = ("L", "M", "N")


def _is_slug_char(char):
    return char in "-_" or unicodedata.category(char)[0] in _SLUG_CATEGORIES


# An address holds a slug percent-encoded: a Thai, Lao, Khmer or Burmese letter takes 9
# characters there. The redirect left when a slug changes stores the old address in
# contrib.redirects' 200-character path, and the longest address that can move is
# /zh-hans/publications/<slug>/download/ (32 characters besides the slug).
ENCODED_SLUG_LIMIT = 165


def encoded_length(slug):
    return len(quote(slug, safe=""))


def fit_slug(slug, max_length=200):
    """slug, cut to max_length characters and, when it is not ASCII, to what an address
    can hold percent-encoded (ENCODED_SLUG_LIMIT)."""
    slug = slug[:max_length].strip("-")
    while not slug.isascii() and encoded_length(slug) > ENCODED_SLUG_LIMIT:
        slug = slug[:-1].rstrip("-")
    return slug


def edition_slugify(text, max_length=200):
    """A slug of text in any script: NFC, lower case, letters, marks and digits kept,
    every run of anything else a single hyphen, cut to fit an address (fit_slug)."""
    text = unicodedata.normalize("NFC", str(text)).lower()
    slug = "".join(char if _is_slug_char(char) else " " for char in text)
    slug = re.sub(r"[\s_-]+", "-", slug).strip("-")
    return fit_slug(slug, max_length)


def is_edition_slug(value):
    return bool(value) and all(_is_slug_char(char) for char in value)


def validate_edition_slug(value):
    if not is_edition_slug(value):
        raise ValidationError(
            _(
                "Use letters, marks and digits of any script, hyphens and underscores only."
            ),
            code="invalid",
        )


class EditionSlugField(models.SlugField):
    """A SlugField whose letters and marks may be of any script (see edition_slugify)."""

    default_validators = [validate_edition_slug]

    def __init__(self, *args, **kwargs):
        kwargs["allow_unicode"] = True  # the admin's prepopulated slug keeps the script
        super().__init__(*args, **kwargs)
        # CharField.__init__ has already built the validator list from SlugField's.
        self.default_validators = [validate_edition_slug]
        self.validators[:] = [
            validate_edition_slug if validator is validate_unicode_slug else validator
            for validator in self.validators
        ]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": EditionSlugFormField, **kwargs})


class EditionSlugFormField(forms.SlugField):
    """The form's slug: Unicode (so the admin's prepopulated slug keeps the script,
    static/js/admin_urlify.js), checked by validate_edition_slug rather than Django's
    word-character pattern, which refuses marks."""

    def __init__(self, **kwargs):
        kwargs["allow_unicode"] = True
        super().__init__(**kwargs)
        self.validators[:] = [
            validate_edition_slug if validator is validate_unicode_slug else validator
            for validator in self.validators
        ]


class EditionSlugConverter:
    """<eslug:slug> in URL patterns: a slug of edition_slugify's characters. Python's
    \\w does not match marks, so the pattern takes a path segment and to_python checks it."""

    regex = "[^/]+"

    def to_python(self, value):
        if not is_edition_slug(value):
            raise ValueError(value)
        return value

    def to_url(self, value):
        return value


register_converter(EditionSlugConverter, "eslug")


def language_choices():
    return settings.LANGUAGES


def language_name(code):
    """A language's name in its own script (settings.LANGUAGES)."""
    return dict(settings.LANGUAGES).get(code, code)


class EditionQuerySet(models.QuerySet):
    def for_language(self, language):
        """The editions a page in `language` lists: its own, and the English edition of
        each group that has no published edition in it. English pages list English only."""
        english = settings.LANGUAGE_CODE
        if language == english:
            return self.filter(language=english)
        own = self.model._default_manager.published().filter(
            language=language, translation_key=models.OuterRef("translation_key")
        )
        return self.filter(
            models.Q(language=language)
            | (models.Q(language=english) & ~models.Exists(own))
        )

    def group(self, slug):
        """Every edition of the group whose edition has this slug (one query; the
        edition with the slug among them)."""
        key = self.model._default_manager.filter(slug=slug).values("translation_key")
        return self.filter(translation_key=models.Subquery(key[:1]))


class Edition(models.Model):
    """Abstract: the fields of a language edition (a row per edition)."""

    language = models.CharField(
        _("language"),
        max_length=10,
        choices=language_choices,
        default="en",
        help_text=_("The language this edition is written in."),
    )
    translation_key = models.UUIDField(
        _("translation group"),
        default=uuid.uuid4,
        editable=False,
        db_index=True,
        help_text=_("Shared by every language edition of the same item."),
    )
    source_updated_at = models.DateTimeField(
        _("original's version"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the original had last changed as this edition was saved."),
    )

    # The view name of the edition's page, e.g. "posts:detail".
    detail_view = ""

    class Meta:
        abstract = True

    def get_absolute_url(self):
        """The edition's page: a non-English edition under its own language's prefix;
        an English edition under the active language's (English content everywhere)."""
        if self.language == settings.LANGUAGE_CODE or not is_public(self.language):
            return reverse_memo(self.detail_view, self.slug)
        with translation.override(self.language):
            return reverse_memo(self.detail_view, self.slug)

    def url_in(self, language):
        """This edition's page as a visitor of `language` opens it."""
        if self.language != settings.LANGUAGE_CODE:
            return self.get_absolute_url()
        with translation.override(language):
            return reverse_memo(self.detail_view, self.slug)

    @property
    def lang_attr(self):
        """` lang="xx"` for this edition's text on a page in another language."""
        return content_lang_attr(self.language)

    def wrong_prefix(self, language):
        """Whether a page in `language` must send the visitor to this edition's own
        address: a non-English public edition asked for under another prefix."""
        return (
            self.language != settings.LANGUAGE_CODE
            and self.language != language
            and is_public(self.language)
        )


def is_public(language):
    return any(code == language for code, _name in public_languages())


def other_editions(edition, editions):
    """The group's other published editions (`editions` holds the group's rows), in the
    order of settings.LANGUAGES, for "Also in" ({code, name, url})."""
    order = [code for code, _name in public_languages()]
    shown = [
        other
        for other in editions
        if other.pk != edition.pk and other.is_published and other.language in order
    ]
    shown.sort(key=lambda other: order.index(other.language))
    return [
        {
            "code": other.language,
            "name": language_name(other.language),
            "url": other.url_in(other.language),
        }
        for other in shown
    ]


def edition_alternates(edition, editions):
    """The switcher's and the head's languages for an edition's page: in each public
    language, the group's edition a visitor of it reads there (its own, else the
    English one), or that language's front page when the group has neither (then the
    head names no alternate for it)."""
    current = translation.get_language()
    published = {
        other.language: other
        for other in editions
        if other.is_published or other.pk == edition.pk
    }
    english = published.get(settings.LANGUAGE_CODE)
    alternates = []
    for code, name in public_languages():
        shown = published.get(code) or english
        if shown is not None:
            path, in_head = shown.url_in(code), True
        else:
            with translation.override(code):
                path, in_head = reverse("home"), False
        alternates.append(
            {
                "code": code,
                "name": name,
                "path": path,
                "is_current": code == current,
                "in_head": in_head,
            }
        )
    return alternates if len(alternates) > 1 else []


def original_of(editions):
    """The group's original: its English edition, else its first."""
    editions = sorted(editions, key=lambda item: item.pk)
    return next(
        (item for item in editions if item.language == settings.LANGUAGE_CODE),
        editions[0] if editions else None,
    )


def is_outdated(edition, original):
    """Whether the original changed after this edition was last saved from it."""
    if original is None or original.pk == edition.pk:
        return False
    seen = edition.source_updated_at or edition.updated_at
    return original.updated_at > seen


def free_slug(model, base, exclude_pk=None):
    """base, or base-2, base-3...: a slug no other row of the model has."""
    base = fit_slug(base, 190) or "edition"
    while not base.isascii() and encoded_length(base) > ENCODED_SLUG_LIMIT - 3:
        base = base[:-1].rstrip("-")  # room for "-99"
    taken = set(
        model._default_manager.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def edition_errors(edition):
    """{field: error} when the group already has an edition in this language, or the
    slug is too long for an address once percent-encoded."""
    errors = {}
    if (
        edition.slug
        and not edition.slug.isascii()
        and encoded_length(edition.slug) > ENCODED_SLUG_LIMIT
    ):
        errors["slug"] = ValidationError(
            _(
                "In an address this slug takes %(length)d characters (each letter of "
                "this script is written as 9); shorten it to at most %(limit)d."
            ),
            code="slug_too_long",
            params={
                "length": encoded_length(edition.slug),
                "limit": ENCODED_SLUG_LIMIT,
            },
        )
    model = type(edition)
    taken = (
        model._default_manager.filter(
            translation_key=edition.translation_key, language=edition.language
        )
        .exclude(pk=edition.pk)
        .exists()
    )
    if taken:
        errors["language"] = ValidationError(
            _("This item already has an edition in %(language)s."),
            code="edition_exists",
            params={"language": language_name(edition.language)},
        )
    return errors


# What a translation starts from, beyond the fields a model copies as they are: the
# counters and the state that belong to each row.
_FRESH = {"comment_count": 0, "download_count": 0}


def edition_translate(*, source, language, user=None):
    """A draft edition of source's group in `language`, prefilled from source (every
    field, its tags and other many-to-many links, its files shared until replaced),
    with a slug no other row has, created by `user` (the translator); returns it saved."""
    from django.db import transaction

    from .publishing import Publishable

    model = type(source)
    copy = model._default_manager.get(pk=source.pk)
    editions = list(
        model._default_manager.filter(translation_key=source.translation_key)
    )
    original = original_of(editions)
    many = {
        field.name: list(getattr(source, field.name).all())
        for field in model._meta.many_to_many
    }
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.language = language
    copy.status = Publishable.Status.DRAFT
    copy.unpublish_at = None
    copy.created_by = user
    copy.slug = free_slug(model, f"{source.slug}-{language}")
    copy.source_updated_at = original.updated_at if original else None
    for name, value in _FRESH.items():
        if hasattr(copy, name):
            setattr(copy, name, value)
    if model.publish_field == "publish_at":
        copy.publish_at = timezone.now()
    with transaction.atomic():
        copy.save()
        for name, values in many.items():
            getattr(copy, name).set(values)
    return copy


def group_editions(edition):
    """Every edition of edition's group, English first then as settings.LANGUAGES orders them."""
    order = [code for code, _name in settings.LANGUAGES]
    editions = list(
        type(edition)._default_manager.filter(translation_key=edition.translation_key)
    )
    editions.sort(
        key=lambda item: order.index(item.language) if item.language in order else 99
    )
    return editions
