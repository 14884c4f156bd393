"""A page cache for anonymous visitors that is never stale.

Each page is stored with the content version it was rendered under. Any change to
content (a save or delete of a model listed in PAGE_CACHE_MODELS, any successful POST
in the admin, including bulk actions that bypass save()) replaces the version, so the
next request on every app server renders afresh. A scheduled item turns the version
over when its time comes.

The version lives in the shared cache (Redis when REDIS_URL is set), so all app servers
see a change at once. A request reads the version and the page in one round trip (one
MGET); a page of another version is a miss, and its fresh copy replaces it.

Cached HTML never holds a visitor's CSRF token: the token is cut out before storing and
a fresh one is put in for each visitor on the way out.
"""

import hashlib
import re
import struct
import time
import uuid
import zlib
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import DateTimeField, Min
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone
from django.utils.http import http_date

from unact.urlcache import reverse_memo

VERSION_KEY = "pagecache:version"
TOKEN_MARKER = "__unact_csrf_token__"
_MARKER = TOKEN_MARKER.encode()
_TOKEN_IN_HTML = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CACHEABLE_TYPES = ("text/html", "application/rss+xml", "application/atom+xml", "application/xml", "text/plain")


# Gzip, done once per stored page. Browsers always ask for it, and compressing a page
# costs 0.15-0.35 ms, about as much as the rest of a hit. A page with a visitor's CSRF
# token is compressed in pieces around the token's place: each piece is deflate blocks
# ending on a full flush (which nothing after it refers back to), so the pieces and each
# visitor's token, compressed on its own, join into one valid gzip stream. The token is
# never compressed together with other text (no BREACH-style guessing from sizes).
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time
_GZIP_MIN_BYTES = 200  # GZipMiddleware's own minimum


def _deflated(data, final=False):
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def _gzip_pieces(body):
    """The page's pieces between token markers, compressed once (None if too short)."""
    if len(body) < _GZIP_MIN_BYTES:
        return None
    return [_deflated(piece) for piece in body.split(_MARKER)]


def _gzip(body, pieces, token=b""):
    """The page as one gzip stream from its compressed pieces, each token marker in
    `body` (the plain page) replaced by `token`."""
    plain = body.split(_MARKER)
    crc = 0
    for number, piece in enumerate(plain):
        crc = zlib.crc32(piece, crc)
        if number < len(plain) - 1:
            crc = zlib.crc32(token, crc)
    size = len(body) + (len(plain) - 1) * (len(token) - len(_MARKER))
    deflated_token = _deflated(token) if len(pieces) > 1 else b""
    trailer = struct.pack("<II", crc, size & 0xFFFFFFFF)
    return b"".join([_GZIP_HEADER, deflated_token.join(pieces), _deflated(b"", final=True), trailer])


def _next_scheduled_change():
    """The earliest future time at which a scheduled item becomes visible, or None.

    A date field (publications are dated by day) becomes visible at the start of
    its day in the site's time zone, as its published() queryset decides.
    """
    now = timezone.now()
    upcoming = []
    for label, field in settings.PAGE_CACHE_SCHEDULED.items():
        model = apps.get_model(label)
        if isinstance(model._meta.get_field(field), DateTimeField):
            after = now
        else:
            after = timezone.localdate(now)
        first = model.objects.filter(status="published", **{f"{field}__gt": after}).aggregate(first=Min(field))["first"]
        if first and not isinstance(first, datetime):
            first = timezone.make_aware(datetime.combine(first, datetime.min.time()))
        if first:
            upcoming.append(first.timestamp())
    return min(upcoming) if upcoming else None


def content_changed():
    """Make every cached page stale, on every app server sharing the cache."""
    state = {"version": uuid.uuid4().hex, "changed_at": time.time(), "next_change_at": _next_scheduled_change()}
    try:
        cache.set(VERSION_KEY, state, timeout=None)
    except Exception:  # the cache being down must never break an editor's save
        pass
    return state


def _is_current(state):
    return state is not None and not (state["next_change_at"] and time.time() >= state["next_change_at"])


def lookup(key):
    """(state, entry): the content version and the page stored under `key` if it was
    rendered under that version (else None), read in one round trip."""
    found = cache.get_many([VERSION_KEY, key])
    state, entry = found.get(VERSION_KEY), found.get(key)
    if not _is_current(state):
        return content_changed(), None
    if entry is not None and entry.get("version") != state["version"]:
        entry = None
    return state, entry


def on_model_change(sender, **kwargs):
    if sender._meta.label_lower in settings.PAGE_CACHE_MODELS:
        content_changed()


def connect_signals():
    """Any save or delete of content, whoever makes it, turns the version over."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(on_model_change, dispatch_uid=f"pagecache-{signal!r}")


class PageCacheMiddleware:
    """Serve anonymous GETs from the shared cache; see the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_SECONDS or not self._is_anonymous_read(request):
            response = self.get_response(request)
            if request.method == "POST" and response.status_code < 400 and request.path.startswith(self._admin_prefix()):
                content_changed()
            return response
        gzip = bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
        try:
            key = self._key(request)
            state, entry = lookup(key + (":gzip" if gzip else ""))
        except Exception:
            return self.get_response(request)
        if entry is None:
            response = self.get_response(request)
            if request.method != "GET" or not self._is_storable(request, response):
                return response
            plain, compressed = self._entries(key, state, response)
            # Two copies: browsers ask for gzip, and a hit reads only the copy it sends.
            cache.set_many({key: plain, key + ":gzip": compressed}, timeout=settings.PAGE_CACHE_SECONDS)
            entry = compressed if gzip else plain
            cache_status = "miss"
        else:
            cache_status = "hit"
        return self._respond(request, entry, state, cache_status)

    @staticmethod
    def _entries(key, state, response):
        """The page to store, as sent uncompressed and as sent with gzip."""
        body = _TOKEN_IN_HTML.sub(rb"\g<1>" + _MARKER + rb"\g<2>", response.content)
        etag = '"%s"' % hashlib.blake2b(key.encode() + body, digest_size=16).hexdigest()
        plain = {
            "version": state["version"],
            "status": response.status_code,
            "headers": {name: response[name] for name in ("Content-Type", "Content-Language") if response.has_header(name)},
            "body": body,
            "etag": etag,
        }
        pieces = _gzip_pieces(body)
        if pieces is None:
            return plain, plain
        compressed = {**plain, "etag": "W/" + etag}  # weak, as GZipMiddleware marks a compressed body
        if len(pieces) == 1:
            del compressed["body"]
            compressed["gzip"] = _gzip(body, pieces)  # the same bytes for every visitor
        else:
            compressed["gzip_pieces"] = pieces  # joined around each visitor's token
        return plain, compressed

    def _respond(self, request, entry, state, cache_status):
        body = entry.get("body")
        token = get_token(request).encode() if body and _MARKER in body else b""
        if "gzip" in entry:
            response = HttpResponse(entry["gzip"], status=entry["status"])
            response["Content-Encoding"] = "gzip"
        elif "gzip_pieces" in entry:
            response = HttpResponse(_gzip(body, entry["gzip_pieces"], token), status=entry["status"])
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(body.replace(_MARKER, token) if token else body, status=entry["status"])
        response["ETag"] = entry["etag"]
        for name, value in entry["headers"].items():
            response[name] = value
        response["Last-Modified"] = http_date(state["changed_at"])
        # Browsers may keep a copy but ask again (a cheap 304); shared proxies may not,
        # since the page holds this visitor's CSRF token.
        response["Cache-Control"] = "private, no-cache"
        response["X-Cache"] = cache_status
        response["Vary"] = "Cookie, Accept-Language, Accept-Encoding"
        return response

    @staticmethod
    def _admin_prefix():
        return reverse_memo("admin:index")

    @staticmethod
    def _is_ceiling(path):
        # The benchmark's ceiling (never routed in production) stands for a view that
        # costs nothing: it skips the cache lookup too, so that cached pages are
        # measured against the bare stack rather than a ceiling slowed by the cache.
        return settings.BENCH_CEILING_VIEW and path == reverse_memo("bench-ceiling")

    def _is_anonymous_read(self, request):
        if request.method not in ("GET", "HEAD"):
            return False
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
            return False  # staff, and visitors with something personal to see
        if "HTTP_AUTHORIZATION" in request.META:
            return False
        return not (request.path.startswith(self._admin_prefix()) or self._is_ceiling(request.path))

    @staticmethod
    def _key(request):
        path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        return f"page:{language}:{request.get_host()}:{path}"

    @staticmethod
    def _is_storable(request, response):
        if response.status_code != 200 or response.streaming:
            return False
        if not response.get("Content-Type", "").startswith(CACHEABLE_TYPES):
            return False
        cache_control = response.get("Cache-Control", "")
        if any(word in cache_control for word in ("private", "no-cache", "no-store")):
            return False
        if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
            return False
        session = getattr(request, "session", None)
        if session is not None and session.modified:
            return False
        messages = getattr(request, "_messages", None)
        return not (messages is not None and getattr(messages, "_queued_messages", None))
