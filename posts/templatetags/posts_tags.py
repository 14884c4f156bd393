from django import template
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from unact.templatetags.site_tags import picture, teaser, timestamp

register = template.Library()


@register.simple_tag
def comment_count_text(count):
    """“1 comment”, “12 comments”: the wording of {% blocktranslate count %}, without its cost."""
    return ngettext("%(counter)s comment", "%(counter)s comments", count) % {"counter": formats.localize(count)}


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
