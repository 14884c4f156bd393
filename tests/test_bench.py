"""The benchmark's hooks: never reachable in production, and what they measure is right."""

import pytest

from django.contrib import admin
from django.db import OperationalError
from django.test import Client
from django.urls import path

from posts.markup import comment_text
from unact import views

pytestmark = pytest.mark.django_db


def test_the_ceiling_page_is_not_routed_by_default(client, settings):
    assert settings.BENCH_CEILING_VIEW is False
    assert client.get("/bench/ceiling/").status_code == 404


def test_the_ceiling_page_is_a_fixed_20_kb(rf):
    response = views.bench_ceiling(rf.get("/bench/ceiling/"))
    assert response.status_code == 200 and len(response.content) == 20 * 1024


@pytest.mark.urls("tests.test_bench")
def test_the_ceiling_skips_the_page_cache_even_when_it_is_on(
    client, settings, monkeypatch
):
    from unact import pagecache

    from .test_pagecache import CountingCache

    settings.PAGE_CACHE_SECONDS = 600
    settings.BENCH_CEILING_VIEW = True
    counting = CountingCache(pagecache.cache)
    monkeypatch.setattr(pagecache, "cache", counting)
    response = client.get("/bench/ceiling/")
    assert response.status_code == 200 and "X-Cache" not in response
    assert counting.calls == []
    settings.BENCH_CEILING_VIEW = (
        False  # any other path is looked up (and, no-cache, not stored)
    )
    assert client.get("/bench/ceiling/").status_code == 200
    assert counting.calls[0] == "get_many"


def fails_with_the_database(request):
    raise OperationalError("could not connect to server: Connection refused")


def fails_with_a_bug(request):
    raise ValueError("a real bug")


urlpatterns = [
    path("db-down/", fails_with_the_database),
    path("bug/", fails_with_a_bug),
    path("admin/", admin.site.urls),
    path("bench/ceiling/", views.bench_ceiling, name="bench-ceiling"),
]
handler500 = "unact.views.server_error"


@pytest.mark.urls("tests.test_bench")
def test_an_unreachable_database_answers_a_readable_503_not_a_500():
    client = Client(raise_request_exception=False)
    response = client.get("/db-down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10" and "no-store" in response["Cache-Control"]
    assert "Back in a moment" in response.content.decode()
    assert client.get("/bug/").status_code == 500


@pytest.mark.parametrize(
    "text",
    [
        "Plain words. Two sentences.\nA second line <b>with tags</b> & an ampersand.",
        "See https://example.org/page?a=1&b=2 or www.example.org.",
        "Mail me at someone@example.org please",
        "Bare domain example.com here",
    ],
)
def test_comment_text_is_the_same_with_or_without_the_fast_path(text):
    from django.utils.html import urlize

    expected = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
    expected = expected.replace(
        ' rel="nofollow">', ' rel="nofollow ugc noopener">'
    ).replace("\n", "<br>")
    assert comment_text(text) == expected


def test_templates_are_compiled_once_per_process():
    """Django's cached template loader is on (settings leave `loaders` unset): a template
    is read and compiled once, not on every render."""
    from django.template import engines

    engine = engines["django"].engine
    assert not engine.debug
    assert engine.loaders[0][0] == "django.template.loaders.cached.Loader"
