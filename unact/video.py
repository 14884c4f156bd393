"""Turn a YouTube or Vimeo page link into a privacy-friendly embed address."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


def embed_url(url):
    """The youtube-nocookie.com or player.vimeo.com address for a video link, or ""."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path_bits = [bit for bit in parts.path.split("/") if bit]
    video_id = ""
    if host == "youtu.be" and path_bits:
        video_id = path_bits[0]
    elif host in {"youtube.com", "youtube-nocookie.com"}:
        if path_bits[:1] == ["watch"]:
            video_id = parse_qs(parts.query).get("v", [""])[0]
        elif len(path_bits) >= 2 and path_bits[0] in {"embed", "shorts", "live", "v"}:
            video_id = path_bits[1]
    if video_id:
        return (
            f"https://www.youtube-nocookie.com/embed/{video_id}"
            if _YOUTUBE_ID.match(video_id)
            else ""
        )
    if host in {"vimeo.com", "player.vimeo.com"}:
        # ASCII digits only: str.isdigit() also accepts "¹²³".
        numbers = [bit for bit in path_bits if bit.isascii() and bit.isdigit()]
        if numbers:
            return f"https://player.vimeo.com/video/{numbers[0]}"
    return ""


# An iframe alone in its paragraph becomes a figure in place of the paragraph; one
# among other text becomes a link, since a <figure> cannot sit inside a <p>.
_IFRAME = re.compile(
    r"(?P<alone><p>\s*)?<iframe\b(?P<attributes>[^>]*)>.*?</iframe>(?(alone)\s*</p>)",
    re.IGNORECASE | re.DOTALL,
)
_ATTRIBUTE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')


def page_url(embed):
    """The video's own page on its host, for visitors without JavaScript."""
    youtube = re.match(
        r"https://www\.youtube-nocookie\.com/embed/([A-Za-z0-9_-]{11})$", embed
    )
    if youtube:
        return f"https://www.youtube.com/watch?v={youtube.group(1)}"
    vimeo = re.match(r"https://player\.vimeo\.com/video/(\d+)$", embed)
    return f"https://vimeo.com/{vimeo.group(1)}" if vimeo else embed


def facade_iframes(html):
    """Replace each video iframe in sanitised rich text with a click-to-load facade.

    The sanitiser (unact.richtext) lets youtube-nocookie.com and player.vimeo.com
    iframes through; loaded as they are, they would contact the video host on
    every page view. The facade loads nothing until the visitor presses play.
    """
    from django.template.loader import render_to_string
    from django.utils.html import format_html
    from django.utils.translation import gettext

    if not html or "<iframe" not in html:
        return html

    def replace(match):
        attributes = dict(_ATTRIBUTE.findall(match.group("attributes")))
        # The attribute values are still HTML-escaped; unescape before re-rendering.
        source = unescape(attributes.get("src", ""))
        title = unescape(attributes.get("title", "")) or gettext("Video")
        embed = embed_url(source)
        if not embed and not source:
            return ""  # an iframe the sanitiser emptied of its address (and content)
        inline = match.group("alone") is None and _inside_paragraph(html, match.start())
        if not embed or inline:
            link = format_html(
                '<a href="{}" rel="noopener">{}: {}</a>',
                page_url(embed) if embed else source,
                gettext("Watch the video"),
                title,
            )
            return link if inline else format_html("<p>{}</p>", link)
        return render_to_string(
            "includes/video.html",
            {"embed_url": embed, "title": title, "page_url": page_url(embed)},
        )

    return _IFRAME.sub(replace, html)


def _inside_paragraph(html, position):
    before = html[:position].lower()
    return before.rfind("<p>") > before.rfind("</p>")
