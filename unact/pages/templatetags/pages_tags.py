from django import template
from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language

from unact.i18n import content_lang_attr
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
def featured_shown(featured):
    """The featured item as a page in the active language shows it: its edition in that
    language, else the English one, else the edition featured (title, summary, url and
    the `lang` attribute its text needs)."""
    editions, language = featured["editions"], get_language()
    code = next(
        code
        for code in (language, settings.LANGUAGE_CODE, featured["language"])
        if code in editions
    )
    shown = editions[code]
    if code is None or code == settings.LANGUAGE_CODE:
        # A page, or an English edition: under the page's own prefix.
        url = reverse_memo(featured["url_name"], shown["url_arg"])
    else:
        with translation.override(code):
            url = reverse_memo(featured["url_name"], shown["url_arg"])
    return {
        "title": shown["title"],
        "summary": shown["summary"],
        "url": url,
        "lang_attr": content_lang_attr(code or settings.LANGUAGE_CODE),
    }
