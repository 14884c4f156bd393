from django import template

from ..models import Publication

register = template.Library()


@register.simple_tag
def related_publications(post):
    """The published publications a post is linked to, for the post's page (one query)."""
    return list(
        Publication.objects.published()
        .filter(related_posts=post)
        .only("id", "title", "slug", "kind", "document", "file_size")
    )
