import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def json_ld(data):
    """Structured data as a JSON-LD block, escaped so no text can close the script."""
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)
    # <, > and & are escaped as JSON \u sequences above, so nothing can close the script.
    payload = mark_safe(payload)  # nosec B308 B703
    return format_html('<script type="application/ld+json">{}</script>', payload)


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """An absolute address on the public site for a path or URL."""
    if not path:
        return ""
    if path.startswith(("http://", "https://")):
        return path
    return context.get("SITE_URL", "") + path
