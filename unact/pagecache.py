"""A page cache for anonymous visitors that is never stale and never personal.

Each page is stored with the content version it was rendered under. Any change visitors
can see (a save or delete of a model listed in PAGE_CACHE_MODELS, except rows that were
never on a page, such as a comment held for moderation; any successful POST in the
admin, including bulk actions that bypass save(), but a draft of changes saved or
discarded) replaces the version, so the next request on every app server renders
afresh. A scheduled item turns the version over when
its time comes, and so does an item when its unpublishing time comes.

The version lives in the shared cache (Redis when REDIS_URL is set), so all app servers
see a change at once. A request reads the version and the page in one round trip (one
MGET); a page of another version is a miss, and its fresh copy replaces it.

An anonymous page is the same bytes for every visitor: it holds no CSRF token (public
forms are protected by unact.publicforms instead) and sets no cookie. So it is stored
once, compressed once, and sent as `Cache-Control: public` with an `s-maxage` that any
proxy or CDN in front may honour. Only the query parameters a page reads make a new
entry (see ParametersRead).
"""

import hashlib
import time
import uuid
from datetime import datetime
from gzip import decompress
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import DateTimeField, Min, Q
from django.http import HttpResponse, QueryDict
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string

from unact.urlcache import reverse_memo

VERSION_KEY = "pagecache:version"
CACHEABLE_TYPES = (
    "text/html",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/plain",
)
# Smaller bodies are sent as they are (GZipMiddleware's own minimum).
_GZIP_MIN_BYTES = 200


def _next_scheduled_change():
    """The earliest future time at which a scheduled item becomes visible, or a visible
    one is unpublished, or None: one query per model of PAGE_CACHE_SCHEDULED.

    A date field (publications are dated by day) becomes visible at the start of
    its day in the site's time zone, as its published() queryset decides.
    """
    now = timezone.now()
    upcoming = []
    for label, fields in settings.PAGE_CACHE_SCHEDULED.items():
        model = apps.get_model(label)
        firsts = {}
        for field in fields:
            after = (
                now
                if isinstance(model._meta.get_field(field), DateTimeField)
                else timezone.localdate(now)
            )
            firsts[field] = Min(field, filter=Q(**{f"{field}__gt": after}))
        for first in (
            model.objects.filter(status="published").aggregate(**firsts).values()
        ):
            if first and not isinstance(first, datetime):
                first = timezone.make_aware(
                    datetime.combine(first, datetime.min.time())
                )
            if first:
                upcoming.append(first.timestamp())
    return min(upcoming) if upcoming else None


def content_changed(*, in_migration=False):
    """Make every cached page stale, on every app server sharing the cache.

    in_migration: the change comes from a migration, whose tables may still lack columns
    the current models read; the next request then looks for the next scheduled change.
    """
    now = time.time()
    state = {"version": uuid.uuid4().hex, "changed_at": now,
             "next_change_at": now if in_migration else _next_scheduled_change()}  # fmt: skip
    try:
        cache.set(VERSION_KEY, state, timeout=None)
    except Exception:  # the cache being down must never break an editor's save
        pass
    # The menus and the front page's featured item follow the content (built now, so
    # that no page request has to query for them).
    from unact.pages.frame import site_frame_forget, site_frame_refresh

    if in_migration:
        site_frame_forget()
    else:
        site_frame_refresh()
    return state


def _is_current(state):
    return state is not None and not (
        state["next_change_at"] and time.time() >= state["next_change_at"]
    )


def lookup(key):
    """(state, entry): the content version and the page stored under `key` if it was
    rendered under that version (else None), read in one round trip. With no key, only
    the version."""
    found = cache.get_many([VERSION_KEY, key] if key else [VERSION_KEY])
    state, entry = found.get(VERSION_KEY), found.get(key)
    if not _is_current(state):
        return content_changed(), None
    if entry is not None and entry.get("version") != state["version"]:
        entry = None
    return state, entry


def content_version():
    """The current content version, which any change visitors can see replaces: a key
    part for what may be kept while the content stays the same ({% cache %} fragments).
    None when the cache cannot be read."""
    try:
        state, _ = lookup(None)
    except Exception:  # noqa: BLE001 - the cache being down must not break a page
        return None
    return state["version"]


def kept(key, compute, *, keep=bool, seconds=3600):
    """compute()'s value, stored under `key` for the current content version: the
    counts a page reads that are the same for every visitor until the content changes
    (the library's filter counts, a search's facet counts). It is stored only when
    keep(value) (so made-up input cannot fill the cache), for `seconds` at most; with
    the cache down it is computed each time."""
    try:
        state, entry = lookup(key)
    except Exception:  # noqa: BLE001 - the cache being down must not break the page
        return compute()
    if entry is not None and "value" in entry:
        return entry["value"]
    value = compute()
    if keep(value):
        try:
            cache.set(key, {"version": state["version"], "value": value}, seconds)
        except Exception:  # noqa: BLE001, S110 - computed again next time
            pass
    return value


def _never_on_a_page(instance):
    """Whether this row is not one visitors see (PAGE_CACHE_VISIBLE_WHEN): adding or
    deleting it changes no page. A comment held for moderation or marked spam must not
    empty the cache, or every spam attempt would."""
    visible_when = settings.PAGE_CACHE_VISIBLE_WHEN.get(instance._meta.label_lower)
    return visible_when is not None and any(
        getattr(instance, name) != value for name, value in visible_when.items()
    )


def _is_historical(model):
    """Whether a model is a migration's version of it (not the app registry's)."""
    return model._meta.apps is not apps


def on_save(sender, instance, created=False, **kwargs):
    if sender._meta.label_lower in settings.PAGE_CACHE_MODELS and not (
        created and _never_on_a_page(instance)
    ):
        content_changed(in_migration=_is_historical(sender))


def on_delete(sender, instance, **kwargs):
    if sender._meta.label_lower in settings.PAGE_CACHE_MODELS and not _never_on_a_page(
        instance
    ):
        content_changed(in_migration=_is_historical(sender))


def on_m2m_change(sender, **kwargs):
    if sender._meta.label_lower in settings.PAGE_CACHE_MODELS:
        content_changed(in_migration=_is_historical(sender))


def connect_signals():
    """Any save or delete of content, whoever makes it, turns the version over. A row
    saved again may have been visible before (its old state is not known here), so only
    a new row, or a deleted one, that was never on a page is left out."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    post_save.connect(on_save, dispatch_uid="pagecache-save")
    post_delete.connect(on_delete, dispatch_uid="pagecache-delete")
    m2m_changed.connect(on_m2m_change, dispatch_uid="pagecache-m2m")


class ParametersRead(QueryDict):
    """request.GET that notes which query parameters the view reads.

    A page is stored under its path and the values of the parameters its view read
    (`page`, `q`...), learned when it is rendered, as Django's learn_cache_key learns the
    headers a page varies on. `/?utm_source=x` then is the front page's own entry, not a
    new copy: a stranger cannot fill the cache with query strings nobody reads. A view
    that reads every parameter (iterating, urlencode()) is keyed by all of them.
    """

    def __init__(self, parameters):
        super().__init__(mutable=True, encoding=parameters.encoding)
        for name, values in parameters.lists():
            self.setlist(name, values)
        self._mutable = False
        self.names_read = set()
        self.read_all = False

    def __getitem__(self, key):
        self.names_read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.names_read.add(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self.names_read.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self.names_read.add(key)
        return super().getlist(key, default)

    def _reading_all(name):
        def method(self, *args, **kwargs):
            self.read_all = True
            return getattr(QueryDict, name)(self, *args, **kwargs)

        method.__name__ = name
        return method

    for _name in (
        "__iter__",
        "__len__",
        "keys",
        "values",
        "items",
        "lists",
        "dict",
        "urlencode",
        "copy",
        "__copy__",
        "__deepcopy__",
    ):
        locals()[_name] = _reading_all(_name)
    del _name, _reading_all

    @property
    def names(self):
        """The parameters that make a page, as its key names them."""
        return ALL_PARAMETERS if self.read_all else frozenset(self.names_read)


ALL_PARAMETERS = "*"
NO_PARAMETERS = frozenset()
# The parameters each path's view was seen to read, learned by this process (bounded:
# paths come from content, but the memo is emptied if it ever grows past this).
_PARAMETERS_BY_PATH = {}
_PARAMETERS_BY_PATH_MAX = 10_000


class PageCacheMiddleware:
    """Serve anonymous GETs from the shared cache; see the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_SECONDS or not self._is_anonymous_read(request):
            response = self.get_response(request)
            if (
                request.method == "POST"
                and response.status_code < 400
                and request.path.startswith(self._admin_prefix())
                # A draft of changes saved or discarded (unact/drafts_admin.py).
                and not getattr(request, "page_content_unchanged", False)
            ):
                content_changed()
            if settings.PAGE_CACHE_SECONDS:
                # A signed-in page (or one with a session or a message) is this visitor's only.
                patch_cache_control(response, private=True)
                patch_vary_headers(response, ("Cookie",))
            return response
        path, has_query = request.path, bool(request.META.get("QUERY_STRING"))
        known = _PARAMETERS_BY_PATH.get(path)
        try:
            # A query string on a path whose parameters this process has not seen read yet
            # is rendered to learn them (and stored under what the view read).
            key = (
                self._key(request, known or NO_PARAMETERS)
                if known is not None or not has_query
                else None
            )
            state, entry = lookup(key)
            if (
                entry is not None
                and has_query
                and self._key(request, entry["parameters"]) != key
            ):
                entry = None  # keyed by parameters this process has not learned yet
        except Exception:
            return self.get_response(request)
        if entry is None:
            parameters = request.GET = ParametersRead(request.GET)
            response = self.get_response(request)
            if request.method != "GET" or not self._is_storable(request, response):
                return response
            names = parameters.names
            if ALL_PARAMETERS in (names, known):
                names = ALL_PARAMETERS
            elif known:
                names |= known
            if len(_PARAMETERS_BY_PATH) >= _PARAMETERS_BY_PATH_MAX:
                _PARAMETERS_BY_PATH.clear()
            _PARAMETERS_BY_PATH[path] = names
            entry = self._entry(state, response, names)
            cache.set(
                self._key(request, names), entry, timeout=settings.PAGE_CACHE_SECONDS
            )
            cache_status = "miss"
        else:
            cache_status = "hit"
        return self._respond(request, entry, state, cache_status)

    @staticmethod
    def _entry(state, response, names):
        """The page to store: as sent, compressed once when it is long enough."""
        body = response.content
        compressed = len(body) >= _GZIP_MIN_BYTES
        return {
            "version": state["version"],
            "parameters": names,
            "status": response.status_code,
            "headers": {
                name: response[name]
                for name in ("Content-Type", "Content-Language")
                if response.has_header(name)
            },
            "body": compress_string(body) if compressed else body,
            "gzip": compressed,
            "etag": f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"',
        }

    def _respond(self, request, entry, state, cache_status):
        body = entry["body"]
        if not entry["gzip"]:
            response = HttpResponse(body, status=entry["status"])
            response["ETag"] = entry["etag"]
        elif re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            response = HttpResponse(body, status=entry["status"])
            response["Content-Encoding"] = "gzip"
            response["ETag"] = (
                "W/" + entry["etag"]
            )  # weak, as GZipMiddleware marks a compressed body
        else:
            response = HttpResponse(decompress(body), status=entry["status"])
            response["ETag"] = entry["etag"]
        for name, value in entry["headers"].items():
            response[name] = value
        response["Last-Modified"] = http_date(state["changed_at"])
        # The same bytes for every anonymous visitor: browsers, proxies and CDNs may keep it.
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PAGE_CACHE_MAX_AGE,
            s_maxage=settings.PAGE_CACHE_SHARED_MAX_AGE,
        )
        # The language is in the address; LanguageMiddleware adds Accept-Language to
        # the front page alone (its first visit follows the browser's languages).
        patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
        response["X-Cache"] = cache_status
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
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES
        ):
            return False  # staff, and visitors with something personal to see
        if "HTTP_AUTHORIZATION" in request.META:
            return False
        return not (
            request.path.startswith(self._admin_prefix())
            or self._is_ceiling(request.path)
        )

    @staticmethod
    def _key(request, names):
        """The entry of this page: its language, host, path and the values of the
        parameters `names` (or ALL_PARAMETERS) in a fixed order."""
        if names == ALL_PARAMETERS:
            pairs = sorted(request.GET.lists())
        else:
            pairs = sorted(
                (name, request.GET.getlist(name))
                for name in names
                if name in request.GET
            )
        query = urlencode([(name, value) for name, values in pairs for value in values])
        page = hashlib.blake2b(
            f"{request.path}?{query}".encode(), digest_size=16
        ).hexdigest()
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        return f"page:{language}:{request.get_host()}:{page}"

    @staticmethod
    def _is_storable(request, response):
        if response.status_code != 200 or response.streaming:
            return False
        if getattr(request, "page_number_corrected", False):
            return False  # ?page=abc or ?page=99999: answered, never stored (pagination.py)
        if not response.get("Content-Type", "").startswith(CACHEABLE_TYPES):
            return False
        if response.has_header("Content-Encoding"):
            return False
        cache_control = response.get("Cache-Control", "")
        if any(word in cache_control for word in ("private", "no-cache", "no-store")):
            return False
        # A page that set a cookie, or made a CSRF token (whose cookie is set further
        # up), is this visitor's own.
        if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False
        session = getattr(request, "session", None)
        if session is not None and session.modified:
            return False
        messages = getattr(request, "_messages", None)
        return not (
            messages is not None and getattr(messages, "_queued_messages", None)
        )
