from django import template
from django.conf import settings
from django.db.models import DateField, IntegerField
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext

from unact.prepared import Param, PreparedQuery, model_columns
from unact.templatetags.site_tags import picture, timestamp

from ..models import Publication

register = template.Library()

# Only the fields the post page's list shows (not the descriptions), in model order.
_COLUMNS = [
    column for column in model_columns(Publication) if column in {"id", "title", "slug", "kind", "document", "file_size"}
]
_RELATED = PreparedQuery(
    lambda: Publication.objects.published(today=Param("today", DateField()))
    .filter(related_posts=Param("post", IntegerField()))
    .values_list(*_COLUMNS)
)


@register.simple_tag
def related_publications(post):
    """The published publications a post is linked to, for the post's page (one query,
    compiled once: see unact/prepared.py)."""
    return [
        Publication.from_db("default", _COLUMNS, row)
        for row in _RELATED(today=timezone.localdate(), post=post.pk)
    ]


@register.simple_tag
def publication_card(publication, eager=False):
    """A publication's card in the library: its cover (or its kind on a blank one),
    kind, title, date, PDF size or video, and the summary cut at 30 words.

    Written out here rather than as an {% include %} per card, for the reason given
    at posts_tags.post_card. Every value is escaped as the template escaped it (text
    marked safe is not escaped again); translations are written as they come, like
    template text. eager: the first card, whose cover is fetched at once.
    """
    url = conditional_escape(publication.get_absolute_url())
    kind = conditional_escape(publication.get_kind_display())
    if publication.cover:
        cover = picture(
            publication.cover_renditions(),
            sizes="(max-width: 30rem) calc(100vw - 2rem), 15rem",
            eager=eager,
            default_index=0,
        )
    else:
        cover = f'<span class="pub-cover-blank">{kind}</span>'
    meta = timestamp(publication.publication_date)
    if publication.document:
        size = conditional_escape(filesizeformat(publication.file_size))
        meta = f"{meta} · {gettext('PDF')}, {size}"
    elif publication.video_embed_url:
        meta = f"{meta} · {gettext('Video')}"
    parts = [
        (
            '<article class="pub-card">'
            f'\n  <a class="pub-cover" href="{url}" tabindex="-1" aria-hidden="true">'
            f"\n    {cover}\n  </a>"
            '\n  <div class="pub-card-body">'
            f'\n    <p class="pub-kind">{kind}</p>'
            f'\n    <h2 class="card-title"><a href="{url}">'
            f"{conditional_escape(publication.title)}</a></h2>"
            f'\n    <p class="meta">{meta}</p>'
        )
    ]
    summary = publication.summary
    if summary:
        # {{ summary|truncatewords:30 }}, which keeps text marked safe as safe.
        words = Truncator(summary).words(30, truncate=" …")
        if isinstance(summary, SafeData):
            words = mark_safe(words)  # nosec B308 B703: the summary was safe already
        parts.append(f'\n    <p class="teaser">{conditional_escape(words)}</p>')
    parts.append("\n  </div>\n</article>")
    # The URL, kind, title, size and summary are escaped above; the picture and the
    # <time> are markup from their helpers (escaped there), or "".
    return mark_safe("".join(parts))  # nosec B308 B703: every value is escaped above


@register.simple_tag
def filter_options(options):
    """The <option>s of one filter of the library: "Label (count)", the active one selected.

    A filter has tens of options; written here they cost a tenth of a template loop.
    """
    # localize() takes 5 µs; it changes an integer only by adding thousand separators.
    number = localize if settings.USE_THOUSAND_SEPARATOR else str
    return mark_safe(  # nosec B308 B703: values and labels are escaped, counts are numbers
        "".join(
            f'<option value="{escape(option["value"])}"{" selected" if option["selected"] else ""}>'
            f"{escape(option['label'])} ({number(option['count'])})</option>"
            for option in options
        )
    )
