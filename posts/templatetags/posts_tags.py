import datetime
from functools import lru_cache

from django import template
from django.utils import formats, timezone, translation
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from unact.urlcache import reverse_memo

from ..video import facade_iframes

register = template.Library()


def _srcset(sources):
    return ", ".join(f"{escape(url)} {width}w" for url, width, _height in sources)


@register.simple_tag
def picture(renditions, alt="", sizes="100vw", eager=False, css_class="", default_index=1):
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
    default_url, width, height = renditions.jpeg[min(default_index, len(renditions.jpeg) - 1)]
    webp = f'<source type="image/webp" srcset="{_srcset(renditions.webp)}" sizes="{sizes}">' if renditions.webp else ""
    loading = ' fetchpriority="high"' if eager else ' loading="lazy" decoding="async"'
    css = f' class="{css_class}"' if css_class else ""
    return mark_safe(  # nosec B308 B703: alt, sizes and class come escaped, URLs are escaped here
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
def comment_count_text(count):
    """“1 comment”, “12 comments”: the wording of {% blocktranslate count %}, without its cost."""
    return ngettext("%(counter)s comment", "%(counter)s comments", count) % {"counter": formats.localize(count)}


@register.simple_tag
def link(viewname, *args):
    """{% url %} for the links every page repeats (header, footer), memoised (unact/urlcache.py)."""
    return reverse_memo(viewname, *args)


@register.simple_tag
def timestamp(value, date_format="DATE_FORMAT"):
    """A date or time as <time>: machine-readable ISO 8601 and the localised text."""
    if value is None:
        return ""
    return time_html(value, date_format, translation.get_language(), timezone.get_current_timezone_name())


# A pure function of its arguments, and lists repeat the same dates request after
# request: formatted once per process.
@lru_cache(maxsize=4096)
def time_html(value, date_format, _language, _timezone_name):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        machine = value.isoformat(timespec="seconds")
    else:
        machine = value.isoformat()
    return mark_safe(  # nosec B308 B703: ISO digits and a localised date, escaped
        f'<time datetime="{machine}">{escape(formats.date_format(value, date_format))}</time>'
    )


@register.simple_tag
def responsive_image(post, sizes="(max-width: 760px) 100vw, 720px", eager=False, css_class=""):
    """The post's featured image as a <picture> with WebP and JPEG renditions."""
    return picture(post.image_renditions(), post.image_alt, sizes, eager, css_class)


@register.simple_tag
def post_card(post, eager=False):
    """A post's card in a list (home, posts, category, tag and year pages): its image,
    title, date, category, comment count, content warning and teaser.

    Written out here rather than as an {% include %} per card: the include, its
    {% with %}, a dozen variable lookups and the translation tags cost a thousand
    Python calls a card more than this. Every value is escaped as the template
    escaped it (text marked safe is not escaped again); translations are written as
    they come, like template text. eager: the first card, whose image is fetched at
    once (see picture).
    """
    url = conditional_escape(post.get_absolute_url())
    title = conditional_escape(post.title)
    parts = ['<article class="card">']
    if post.featured_image:
        image = responsive_image(post, "(max-width: 760px) 100vw, 240px", eager)
        parts.append(
            f'\n  <a class="card-image" href="{url}" tabindex="-1" aria-hidden="true">'
            f"{image}</a>"
        )
    when = timestamp(post.publish_at)
    parts.append(
        '\n  <div class="card-body">'
        f'\n    <h2 class="card-title"><a href="{url}">{title}</a></h2>'
        f'\n    <p class="meta">\n      {when}'
    )
    category = post.category
    if category:
        category_url = conditional_escape(category.get_absolute_url())
        name = conditional_escape(category.name)
        parts.append(f'\n       · <a href="{category_url}">{name}</a>')
    if post.comment_count:
        count = conditional_escape(comment_count_text(post.comment_count))
        parts.append(f'\n       · <a href="{url}#comments">{count}</a>')
    parts.append("\n    </p>")
    if post.content_warning:
        parts.append(
            f'\n    <p class="content-warning"><strong>{gettext("Content warning:")}'
            f"</strong> {conditional_escape(post.content_warning)}</p>"
        )
    parts.append(
        f'\n    <p class="teaser">{conditional_escape(teaser(post.summary))}</p>'
        f'\n    <p><a class="read-more" href="{url}">{gettext("Read More")}'
        f'<span class="visually-hidden"> {_about(title)}</span></a></p>'
        "\n  </div>\n</article>"
    )
    # The URLs, title, category, counts and texts are escaped above; the picture and
    # the <time> are markup from their helpers (escaped there), or "".
    return mark_safe("".join(parts))  # nosec B308 B703: every value is escaped above


def _about(title):
    """For an escaped title, what {% blocktranslate with title=… %}about “{{ title }}”
    {% endblocktranslate %} wrote: the same msgid, and English when the translation
    does not format."""
    try:
        return gettext("about “%(title)s”") % {"title": title}
    except (KeyError, ValueError):
        return f"about “{title}”"


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
    return field.as_widget(attrs={"aria-describedby": " ".join(described_by)} if described_by else None)
