from django import template

from ..models import Publication

register = template.Library()

# What the post page shows of a publication: a line, and the player of a video file.
RELATED_FIELDS = (
    "id", "title", "slug", "kind", "language", "document", "file_size",
    "video", "captions", "cover", "cover_width", "cover_height",
)  # fmt: skip


@register.simple_tag
def related_publications(post):
    """The published publications a post is linked to, for the post's page (one query)."""
    return list(
        Publication.objects.published()
        .filter(related_posts=post)
        .only(*RELATED_FIELDS)
    )
