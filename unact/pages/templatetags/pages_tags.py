from django import template

from unact.urlcache import reverse_memo

from ..frame import site_frame as frame_now

register = template.Library()


@register.simple_tag(takes_context=True)
def site_frame(context):
    """The menus, introduction and featured item (unact/pages/frame.py), read once a request."""
    request = context.get("request")
    if request is None:
        return frame_now()
    if not hasattr(request, "_site_frame"):
        request._site_frame = frame_now()
    return request._site_frame


@register.simple_tag
def page_url(path):
    """The address of a page, in the page's language."""
    return reverse_memo("page", path)


@register.simple_tag
def featured_url(featured):
    return reverse_memo(featured["url_name"], featured["url_arg"])
