from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


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
    return HttpResponse("\n".join(lines) + "\n", status=200 if database_ok else 503, content_type="text/plain")


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", f"Sitemap: {sitemap_url}", ""]
    if settings.ADMIN_URL == "admin/":
        # A custom ADMIN_URL is not advertised; admin pages carry X-Robots-Tag: noindex.
        lines.insert(1, "Disallow: /admin/")
    return HttpResponse("\n".join(lines), content_type="text/plain")


def server_error(request):
    """The 500 page: rendered without context processors that might fail again."""
    return render(request, "500.html", {"SITE_NAME": settings.SITE_NAME}, status=500)
