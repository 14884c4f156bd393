import re

from django import template
from django.utils.html import escape, urlize
from django.utils.safestring import mark_safe

register = template.Library()

LINK_REL = "nofollow ugc noopener"
_MAY_HOLD_LINK = re.compile(r"://|www\.|@|\w\.\w", re.IGNORECASE)


@register.filter(is_safe=True)
def comment_text(text):
    """Plain comment text as HTML: escaped, links made clickable but not trusted, lines kept."""
    text = str(text)
    if _MAY_HOLD_LINK.search(text):
        # urlize escapes everything that is not a link, and the link text and address too.
        html = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
        html = html.replace(' rel="nofollow">', f' rel="{LINK_REL}">')
    else:
        # Nothing urlize would link (no scheme, no www., no @, no dot inside a word):
        # escaping alone gives the same HTML, several times faster.
        html = escape(text)
    # The text was escaped (by urlize or escape); only <br> is added.
    return mark_safe(html.replace("\r\n", "\n").replace("\n", "<br>"))  # nosec B308 B703


@register.simple_tag
def pending_comment_count():
    """How many comments wait for moderation (for the admin index)."""
    from posts.models import Comment

    return Comment.objects.pending().count()
