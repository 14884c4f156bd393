"""Turn a YouTube or Vimeo page link into a privacy-friendly embed address."""

import re
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
        return f"https://www.youtube-nocookie.com/embed/{video_id}" if _YOUTUBE_ID.match(video_id) else ""
    if host in {"vimeo.com", "player.vimeo.com"}:
        numbers = [bit for bit in path_bits if bit.isdigit()]
        if numbers:
            return f"https://player.vimeo.com/video/{numbers[0]}"
    return ""
