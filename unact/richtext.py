"""The project's one sanitiser for rich text, and the model field that applies it.

CKEditor 4 is past its end of life, so nothing the editor sends is trusted: every
rich-text value is cleaned by nh3 (the Ammonia sanitiser) when it is saved, whatever
saved it (the admin, a command, the shell).
"""

import html
import re
from urllib.parse import urlsplit

import nh3
from ckeditor.fields import RichTextField

from django.utils.text import Truncator

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote",
    "strong", "em", "b", "i", "u", "s", "sub", "sup", "small", "abbr", "cite", "q",
    "ul", "ol", "li", "dl", "dt", "dd",
    "a", "img", "figure", "figcaption",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    "iframe",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height", "title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "iframe": {"src", "title", "width", "height", "allowfullscreen"},
}
URL_SCHEMES = {"http", "https", "mailto"}
IFRAME_HOSTS = {"www.youtube-nocookie.com", "youtube-nocookie.com", "player.vimeo.com"}
# An iframe in nh3's output: its start tag (attributes always double-quoted, so a ">"
# inside a value is skipped), its raw content, and its end tag. The raw content ends
# at the first "</iframe", as it does for the parser.
_IFRAME = re.compile(
    r'<iframe(?P<attributes>(?:\s+[\w-]+(?:="[^"]*")?)*)\s*>.*?</iframe\s*>',
    re.IGNORECASE | re.DOTALL,
)
_DIMENSION = re.compile(r"[0-9]{1,5}")


def _filter_attribute(element, attribute, value):
    if element == "iframe" and attribute == "src":
        parts = urlsplit(value)
        if parts.scheme != "https" or parts.hostname not in IFRAME_HOSTS:
            return None
    if attribute in {"width", "height", "colspan", "rowspan", "start"}:
        # ASCII digits only: str.isdigit() also accepts "¹²³".
        return value if _DIMENSION.fullmatch(value) else None
    return value


def sanitize_html(value):
    """Clean editor HTML down to the editorial allowlist; iframes only from video hosts."""
    if not value:
        return ""
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel=None,
        strip_comments=True,
    )
    return empty_iframes(cleaned).strip()


def empty_iframes(value):
    """Iframes with nothing inside; one whose address was refused goes entirely.

    A browser never shows what sits inside an iframe, but an email client or a feed
    reader that drops the iframe would show it, markup included: nothing may survive.
    """
    if "<iframe" not in value.lower():
        return value

    def replace(match):
        attributes = match.group("attributes")
        return f"<iframe{attributes}></iframe>" if ' src="' in attributes else ""

    return _IFRAME.sub(replace, value)


def html_to_text(value):
    """Plain text of an HTML fragment, with whitespace collapsed."""
    text = nh3.clean(
        re.sub(r"</(p|h\d|li|blockquote|figcaption)>", r"\g<0> ", value or ""),
        tags=set(),
        # What sits inside an iframe is never text of the page.
        clean_content_tags={"iframe", "script", "style"},
    )
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def summarize(value, words=45):
    """A plain-text teaser of an HTML fragment, ending in an ellipsis when cut."""
    return Truncator(html_to_text(value)).words(words, truncate="…")


class SanitizedRichTextField(RichTextField):
    """A CKEditor field whose value is sanitised on every save."""

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
