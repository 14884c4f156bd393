"""Template tags every app's templates use: images, dates, links, the navigation's
current section, teasers, video facades and accessible form fields."""

import datetime
from functools import lru_cache

from django import template
from django.utils import formats, timezone, translation
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from unact import i18n
from unact.urlcache import reverse_memo
from unact.video import facade_iframes

register = template.Library()


def _srcset(sources):
    return ", ".join(f"{escape(url)} {width}w" for url, width, _height in sources)


@register.simple_tag
def picture(
    renditions, alt="", sizes="100vw", eager=False, css_class="", default_index=1
):
    """A <picture>: WebP renditions first, the JPEG ones as fallback, with width and height.

    Images below the fold load lazily; the one that is likely the largest paint
    (eager) is fetched with high priority instead.
    """
    if not renditions.jpeg:
        return ""
    # Escaped before the memo, so text already marked safe is not escaped twice.
    return _picture(
        renditions, str(conditional_escape(alt)), str(conditional_escape(sizes)), bool(eager),
        str(conditional_escape(css_class)), default_index,
    )  # fmt: skip


# The markup depends only on these arguments, and the same images recur on every list
# page: built once per process (escaping them cost 70 µs a card).
@lru_cache(maxsize=2048)
def _picture(renditions, alt, sizes, eager, css_class, default_index):
    default_url, width, height = renditions.jpeg[
        min(default_index, len(renditions.jpeg) - 1)
    ]
    webp = (
        f'<source type="image/webp" srcset="{_srcset(renditions.webp)}" sizes="{sizes}">'
        if renditions.webp
        else ""
    )
    loading = ' fetchpriority="high"' if eager else ' loading="lazy" decoding="async"'
    css = f' class="{css_class}"' if css_class else ""
    # alt, sizes and class come escaped, URLs are escaped here.
    return mark_safe(  # nosec B308 B703
        f'<picture>{webp}<img src="{escape(default_url)}" srcset="{_srcset(renditions.jpeg)}" sizes="{sizes}"'
        f' width="{int(width)}" height="{int(height)}" alt="{alt}"{css}{loading}></picture>'
    )


@register.filter
def teaser(text, words=45):
    """A card's teaser: the summary cut at a word boundary, with an ellipsis when cut."""
    return _teaser(str(text), int(words))


@lru_cache(maxsize=4096)
def _teaser(text, words):
    return Truncator(text).words(words, truncate="…")


@register.simple_tag
def link(viewname, *args):
    """{% url %} for the links every page repeats (header, footer), memoised (unact/urlcache.py)."""
    return reverse_memo(viewname, *args)


@register.simple_tag(takes_context=True)
def language_alternates(context):
    """This page in each public language, for the switcher and the hreflang links
    ([] when the site is in English alone; see unact/i18n.py). A post's or a
    publication's page gives its editions' own addresses (edition_alternates)."""
    if "edition_alternates" in context:
        return context["edition_alternates"]
    return i18n.language_alternates(context.get("request"))


@register.simple_tag(takes_context=True)
def nav_section(context):
    """Which item of the main navigation the page belongs to ("" for none): part of the
    key of base.html's cached header."""
    request = context.get("request")
    if request is None:
        return ""
    match = request.resolver_match
    if match is not None and match.app_name == "publications":
        return "publications"
    if match is not None and match.view_name == "page":
        return f"page:{match.kwargs['path']}"
    for section, url in (
        ("home", reverse_memo("home")),
        ("news", reverse_memo("posts:category", "news")),
        ("blog", reverse_memo("posts:category", "blog")),
        ("newsletter", reverse_memo("newsletter:page")),
    ):
        if request.path == url:
            return section
    return ""


@register.simple_tag
def timestamp(value, date_format="DATE_FORMAT"):
    """A date or time as <time>: machine-readable ISO 8601 and the localised text."""
    if value is None:
        return ""
    return time_html(
        value,
        date_format,
        translation.get_language(),
        timezone.get_current_timezone_name(),
    )


# A pure function of its arguments, and lists repeat the same dates request after
# request: formatted once per process.
@lru_cache(maxsize=4096)
def time_html(value, date_format, _language, _timezone_name):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        machine = value.isoformat(timespec="seconds")
    else:
        machine = value.isoformat()
    # ISO digits and a localised date, escaped.
    return mark_safe(  # nosec B308 B703
        f'<time datetime="{machine}">{escape(formats.date_format(value, date_format))}</time>'
    )


@register.filter
def video_facades(html):
    """Rich text with its video iframes replaced by click-to-load facades (see includes/video.html)."""
    return facade_iframes(html)


@register.simple_tag
def field_widget(field):
    """A form field's widget naming its error messages and help text (aria-describedby).

    The template renders the messages as `<id>_error` and the help as `<id>_helptext`;
    Django adds aria-invalid itself when the field has errors.
    """
    described_by = []
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    return field.as_widget(
        attrs={"aria-describedby": " ".join(described_by)} if described_by else None
    )
