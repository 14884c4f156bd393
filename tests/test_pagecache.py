"""Cached pages for anonymous visitors are never stale and never personal."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from unact import pagecache

from .factories import CategoryFactory, PostFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code in (200, 304)
    return response


def test_second_anonymous_view_comes_from_the_cache(client):
    PostFactory(title="Cached story")
    first = get(client, "/")
    second = get(client, "/")
    assert first["X-Cache"] == "miss" and second["X-Cache"] == "hit"
    assert "Cached story" in second.content.decode()


def test_conditional_get_answers_304_until_content_changes(client):
    post = PostFactory(title="Before")
    first = get(client, "/")
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert get(client, "/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert get(client, "/", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    post.title = "After"
    post.save()
    changed = get(client, "/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and "After" in changed.content.decode()


def test_feeds_are_cached_and_conditional(client):
    PostFactory()
    first = get(client, "/feed/")
    assert get(client, "/feed/")["X-Cache"] == "hit"
    assert get(client, "/feed/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(StaffFactory(groups=["Editors"], is_superuser=True))
    return client


def test_saving_publishing_unpublishing_and_deleting_show_at_once(client, editor_client):
    visible = PostFactory(title="Visible story")
    draft = PostFactory(title="Draft story", draft=True)
    assert "Draft story" not in get(client, "/").content.decode()
    changelist = reverse("admin:posts_post_changelist")
    # Bulk actions use update(), which sends no signal: the admin POST turns the version over.
    editor_client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    assert "Draft story" in get(client, "/").content.decode()
    editor_client.post(changelist, {"action": "unpublish", "_selected_action": [visible.pk]})
    assert "Visible story" not in get(client, "/").content.decode()
    for url in ("/posts/", "/feed/", "/sitemap.xml"):
        assert "visible-story" not in get(client, url).content.decode() and "Visible story" not in get(client, url).content.decode()
    draft.refresh_from_db()
    draft.delete()
    assert "Draft story" not in get(client, "/").content.decode()


def test_renaming_a_category_shows_everywhere(client):
    category = CategoryFactory(name="Stories", slug="stories")
    PostFactory(category=category)
    assert "Stories" in get(client, "/").content.decode()
    category.name = "Survivor stories"
    category.save()
    assert "Survivor stories" in get(client, "/").content.decode()


def test_tag_changes_show_at_once(client):
    post = PostFactory(tags=["helpline"])
    assert get(client, post.get_absolute_url())["X-Cache"] == "miss"
    post.tags.add("hotline")
    assert "hotline" in get(client, post.get_absolute_url()).content.decode()


def test_a_scheduled_post_appears_when_its_time_comes(client):
    scheduled = PostFactory(title="Launch at noon", publish_at=timezone.now() + timedelta(seconds=2))
    assert "Launch at noon" not in get(client, "/").content.decode()
    assert get(client, "/")["X-Cache"] == "hit"
    time.sleep(2.5)
    assert "Launch at noon" in get(client, "/").content.decode()
    assert scheduled.is_published


def test_staff_are_never_served_or_stored_in_the_cache(client, editor_client):
    PostFactory(title="Public story")
    draft = PostFactory(title="Secret draft", draft=True)
    staff_view = editor_client.get(draft.get_absolute_url())
    assert "X-Cache" not in staff_view
    staff_home = editor_client.get("/")
    assert "X-Cache" not in staff_home
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Secret draft" not in get(client, "/").content.decode()


def test_the_cache_serves_uncached_when_its_backend_fails(client, monkeypatch):
    PostFactory(title="Still served")

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(pagecache.cache, "get", broken)
    response = client.get("/")
    assert response.status_code == 200 and "Still served" in response.content.decode()


def test_page_cache_can_be_switched_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    PostFactory()
    assert "X-Cache" not in client.get("/")
    assert "X-Cache" not in client.get("/")
