import inspect
import logging
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from posts.views import comment_refused_for_token


def _database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return False
    return True


def _cache_answers():
    ping = getattr(cache, "ping", None)
    if ping is not None:
        return ping()  # Redis itself, not the per-process fallback
    key = "healthz:probe"
    try:
        cache.set(key, "1", timeout=10)
        return cache.get(key) == "1"
    except Exception:
        return False


@never_cache
@require_safe
def healthz(request):
    """For load balancers: database and cache reported apart, one per line.

    503 only when the database is down: the site survives without its cache
    (pages are built uncached, rate limits and cached sessions pause).
    """
    database_ok = _database_answers()
    cache_ok = _cache_answers()
    lines = [
        "database: " + ("ok" if database_ok else "unavailable"),
        "cache: " + ("ok" if cache_ok else "unavailable"),
    ]
    return HttpResponse(
        "\n".join(lines) + "\n",
        status=200 if database_ok else 503,
        content_type="text/plain",
    )


@require_safe
def robots_txt(request):
    # SITE_URL, never the request's Host header: a crawler is told one origin.
    sitemap_url = settings.SITE_URL + reverse("sitemap")
    lines = ["User-agent: *", f"Sitemap: {sitemap_url}", ""]
    if settings.ADMIN_URL == "admin/":
        # A custom ADMIN_URL is not advertised; admin pages carry X-Robots-Tag: noindex.
        lines.insert(1, "Disallow: /admin/")
    return HttpResponse("\n".join(lines), content_type="text/plain")


@require_safe
def favicon(request):
    """/favicon.ico, which browsers and crawlers ask for whatever the page says: the SVG icon."""
    response = redirect(static("img/favicon.svg"))
    # Not permanent: the icon's fingerprinted name changes with its content.
    response["Cache-Control"] = "public, max-age=86400"
    return response


logger = logging.getLogger("unact")


def database_unavailable(request):
    """A readable 503 while the database cannot be reached (restart, failover).

    No context processor runs, since they may need the database; Retry-After tells
    browsers and crawlers to come back soon. The next request reconnects by itself
    (CONN_HEALTH_CHECKS), so the app servers need no restart.
    """
    response = render(
        request, "503.html", {"SITE_NAME": settings.SITE_NAME}, status=503
    )
    response["Retry-After"] = "10"
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """The 500 page: rendered without context processors that might fail again.

    A database that cannot be reached is not a bug in the site: it answers 503.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.warning("Database unavailable, answering 503: %s", error)
        return database_unavailable(request)
    return render(request, "500.html", {"SITE_NAME": settings.SITE_NAME}, status=500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent without a valid token, never Django's technical page.

    A comment comes back on its post page with the typed text; any other form gets a
    page in the site's design that says what happened and what to do. Django has logged
    the reason (django.security.csrf) before calling this.
    """
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name == "posts:comment":
        return comment_refused_for_token(request, **match.kwargs)
    allowed = match and allowed_methods(match.func)
    if allowed and request.method not in allowed:
        # A POST to a page that takes none: the CSRF check runs before the view's own
        # method check, and a missing token is not what went wrong.
        response = render(request, "405.html", status=405)
        response["Allow"] = ", ".join(allowed)
        return response
    return render(request, "403_csrf.html", status=403)


def allowed_methods(view):
    """The HTTP methods a view takes, or None when it does not say: the list of Django's
    require_http_methods (require_safe, require_POST...) among its decorators, or the
    methods a class-based view defines."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return [
            method.upper()
            for method in view_class.http_method_names
            if hasattr(view_class, method)
        ]
    while view is not None:
        try:
            methods = inspect.getclosurevars(view).nonlocals.get("request_method_list")
        except TypeError:  # not a plain function (a callable object, a builtin)
            return None
        if methods:
            return list(methods)
        view = getattr(view, "__wrapped__", None)
    return None


# The benchmark's ceiling: a fixed 20 KB page through the whole middleware stack, routed
# only when BENCH_CEILING_VIEW is on (never in production; tests/test_bench.py).
CEILING_BODY = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Ceiling</title></head><body>'
    + "<p>Referral of trafficked persons across the Greater Mekong Sub-region.</p>\n"
    * 280
)[: 20 * 1024 - len("</body></html>")] + "</body></html>"


@require_safe
def bench_ceiling(request):
    response = HttpResponse(CEILING_BODY)
    # Measured as a rendered view: the page cache neither serves nor stores it.
    response["Cache-Control"] = "no-cache"
    return response
