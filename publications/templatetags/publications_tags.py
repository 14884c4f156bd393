from django import template
from django.db.models import DateField, IntegerField
from django.utils import timezone

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
