"""The page frame: base.html's header and footer are {% cache %} fragments, rendered once
per language (and, for the header, per navigation section) in each process."""

import re

import pytest

from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from .factories import CategoryFactory, PostFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def test_the_navigation_marks_the_current_section_only():
    CategoryFactory(slug="news", name="News")
    CategoryFactory(slug="blog", name="Blog")
    PostFactory()
    PublicationFactory()
    expected = {
        "/": "Home",
        reverse("posts:category", args=["news"]): "News",
        reverse("posts:category", args=["blog"]): "Blog",
        reverse("publications:list"): "Publications",
        reverse("newsletter:page"): "Newsletter",
        "/safety/": None,
        "/search/?q=hotline": None,
    }
    client = Client()
    for _round in range(2):  # the second time from the fragment cache
        for url, current in expected.items():
            html = client.get(url).content.decode()
            nav = re.search(r'<ul class="nav">(.*?)</ul>', html, re.DOTALL).group(1)
            marked = re.findall(r'aria-current="page">([^<]+)<', nav)
            assert marked == ([current] if current else []), url


def test_the_frame_is_rendered_once_per_language_and_section(client, settings):
    """Each fragment is kept once (under the active language: more languages are coming);
    a page of another section adds only its own header."""
    PostFactory()
    fragments = caches["template_fragments"]
    client.get("/")
    kept = set(fragments._cache)
    assert len(kept) == 5  # head, quick exit, header for "home", footer signup, footer
    client.get("/posts/")
    assert len(set(fragments._cache) - kept) == 1  # the header of no section
    # What the cached header holds does not change with the request: a setting changed
    # after it was kept shows only once the fragments are emptied (a deploy restarts).
    settings.QUICK_EXIT_URL = "https://example.org/weather"
    assert "https://example.org/weather" not in client.get("/").content.decode()
    fragments.clear()
    assert "https://example.org/weather" in client.get("/").content.decode()
