from django import template
from django.conf import settings
from django.db.models import DateField, IntegerField
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe

from unact.prepared import Param, PreparedQuery, model_columns

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
