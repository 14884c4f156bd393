"""Cached pages for anonymous visitors are never stale and never personal."""

import gzip
import re
from datetime import timedelta

import pytest
import time_machine
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


class CountingCache:
    """The cache as the page cache sees it, counting each operation (a round trip on Redis)."""

    def __init__(self, backend):
        self.backend, self.calls = backend, []

    def __getattr__(self, name):
        attribute = getattr(self.backend, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return call


def test_a_cached_page_is_read_in_one_round_trip_and_replaced_when_stale(client, monkeypatch):
    post = PostFactory(title="Read once")
    counting = CountingCache(pagecache.cache)
    monkeypatch.setattr(pagecache, "cache", counting)
    assert get(client, "/")["X-Cache"] == "miss"
    assert counting.calls == ["get_many", "set_many"]  # the page as sent plain and with gzip
    counting.calls.clear()
    assert get(client, "/")["X-Cache"] == "hit"
    assert get(client, "/", HTTP_ACCEPT_ENCODING="gzip")["X-Cache"] == "hit"
    assert counting.calls == ["get_many", "get_many"]  # the version and the page together
    post.title = "Read again"
    post.save()
    counting.calls.clear()
    stale = get(client, "/")
    assert stale["X-Cache"] == "miss" and "Read again" in stale.content.decode()
    assert counting.calls == ["get_many", "set_many"]  # the old copies are overwritten, not kept beside
    assert get(client, "/")["X-Cache"] == "hit"
    assert get(client, "/", HTTP_ACCEPT_ENCODING="gzip")["X-Cache"] == "hit"


def test_a_cached_page_is_compressed_once_for_every_visitor(client, monkeypatch):
    import django.middleware.gzip

    PostFactory(title="Compressed story")
    first = get(client, "/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert first["X-Cache"] == "miss" and first["Content-Encoding"] == "gzip"

    def compress_again(*args, **kwargs):
        raise AssertionError("a cache hit compressed the page again")

    monkeypatch.setattr(django.middleware.gzip, "compress_string", compress_again)
    monkeypatch.setattr(pagecache, "_deflated", compress_again)
    hit = get(client, "/", HTTP_ACCEPT_ENCODING="gzip")
    plain = get(client, "/")  # a client that does not ask for gzip
    assert hit["X-Cache"] == plain["X-Cache"] == "hit"
    assert hit["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert gzip.decompress(hit.content) == plain.content and b"Compressed story" in plain.content
    assert int(hit["Content-Length"]) == len(hit.content) < len(plain.content) / 2
    assert "Accept-Encoding" in hit["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert hit["ETag"] == "W/" + plain["ETag"]
    assert get(client, "/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=hit["ETag"]).status_code == 304


def test_a_cached_page_with_a_visitors_token_is_compressed_once_around_it(client, monkeypatch):
    import zlib

    import django.middleware.gzip

    post = PostFactory(title="Comment on this")
    url = post.get_absolute_url()
    assert get(client, url, HTTP_ACCEPT_ENCODING="gzip")["X-Cache"] == "miss"
    compressed = []
    deflated = pagecache._deflated

    def record(data, final=False):
        compressed.append(data)
        return deflated(data, final)

    monkeypatch.setattr(pagecache, "_deflated", record)
    monkeypatch.setattr(django.middleware.gzip, "compress_string", None)  # not called on a hit
    pages = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        zipped = visitor.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
        assert zipped["X-Cache"] == "hit" and zipped["Content-Encoding"] == "gzip"
        # Any gzip reader takes it whole: Python's, and zlib's stream decoder as browsers use it.
        html = gzip.decompress(zipped.content)
        assert zlib.decompressobj(wbits=31).decompress(zipped.content) == html
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        assert token != pagecache.TOKEN_MARKER.encode()
        # The same page as an uncompressed hit, but for the token; and the token works.
        plain = visitor.get(url).content
        assert re.sub(rb'value="[^"]{64}"', b"", plain) == re.sub(rb'value="[^"]{64}"', b"", html)
        assert b"Comment on this" in html
        pages.append(token)
    from .test_comments import comment_data

    sent = visitor.post(url + "comment/", {**comment_data(post), "csrfmiddlewaretoken": token.decode()})
    assert sent.status_code == 302
    assert pages[0] != pages[1]
    # Only each visitor's token and the closing block were compressed on the hits.
    assert compressed and all(len(data) <= 64 for data in compressed)


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
    with time_machine.travel(timezone.now() + timedelta(seconds=2.5)):
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


# Every kind of change an editor or moderator makes ------------------------------------


def test_publication_saved_published_unpublished_and_deleted_show_at_once(client):
    from publications.models import Publication
    from unact.publishing import publishables_set_status

    from .factories import PublicationFactory

    publication = PublicationFactory(title="Mekong labour study", slug="mekong-labour-study")
    draft = PublicationFactory(title="Border report", slug="border-report", draft=True)
    assert "Mekong labour study" in get(client, "/publications/").content.decode()
    assert get(client, "/publications/")["X-Cache"] == "hit"

    publication.title = "Mekong labour study, second edition"
    publication.save()
    assert "second edition" in get(client, "/publications/").content.decode()
    assert "second edition" in get(client, publication.get_absolute_url()).content.decode()

    # Publishing and unpublishing use update(), which sends no signal.
    publishables_set_status(queryset=Publication.objects.filter(pk=draft.pk), status="published")
    assert "Border report" in get(client, "/publications/").content.decode()
    publishables_set_status(queryset=Publication.objects.filter(pk=draft.pk), status="draft")
    assert "Border report" not in get(client, "/publications/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404

    url = publication.get_absolute_url()
    publication.delete()
    assert "second edition" not in get(client, "/publications/").content.decode()
    assert client.get(url).status_code == 404


def test_publications_admin_actions_show_at_once(client, editor_client):
    from .factories import PublicationFactory

    draft = PublicationFactory(title="Annual report 2016", draft=True)
    assert "Annual report 2016" not in get(client, "/publications/").content.decode()
    changelist = reverse("admin:publications_publication_changelist")
    actions = {"publish", "make_published", "publish_selected"}
    html = editor_client.get(changelist).content.decode()
    action = next(name for name in actions if f'value="{name}"' in html)
    editor_client.post(changelist, {"action": action, "_selected_action": [draft.pk]})
    assert "Annual report 2016" in get(client, "/publications/").content.decode()


def test_a_scheduled_publication_turns_the_version_over_at_the_start_of_its_day():
    from .factories import PublicationFactory

    day = timezone.localdate() + timedelta(days=3)
    PublicationFactory(publication_date=day)
    PostFactory(publish_at=timezone.now() + timedelta(days=30))
    state = pagecache.content_changed()
    start_of_day = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
    assert state["next_change_at"] == start_of_day.timestamp()


def test_an_approved_comment_shows_at_once(client):
    from posts.models import Comment
    from posts.services import comments_moderate

    from .factories import CommentFactory

    post = PostFactory()
    comment = CommentFactory(post=post, pending=True, text="Waiting for a moderator here.")
    assert "Waiting for a moderator" not in get(client, post.get_absolute_url()).content.decode()
    assert get(client, post.get_absolute_url())["X-Cache"] == "hit"
    comments_moderate(comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.APPROVED)
    assert "Waiting for a moderator" in get(client, post.get_absolute_url()).content.decode()
    comments_moderate(comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.REMOVED)
    assert "Waiting for a moderator" not in get(client, post.get_absolute_url()).content.decode()


def test_a_comment_approved_in_the_admin_shows_at_once(client, editor_client):
    from .factories import CommentFactory

    post = PostFactory()
    comment = CommentFactory(post=post, pending=True, text="Approved from the admin list.")
    assert "Approved from the admin list" not in get(client, post.get_absolute_url()).content.decode()
    changelist = reverse("admin:posts_comment_changelist")
    html = editor_client.get(changelist).content.decode()
    action = "approve" if 'value="approve"' in html else "approve_comments"
    editor_client.post(changelist, {"action": action, "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert "Approved from the admin list" in get(client, post.get_absolute_url()).content.decode()


def test_a_sent_campaign_appears_in_the_archive_at_once(client):
    from newsletter.models import Campaign
    from newsletter.sending import campaign_finish_if_done

    from .factories import CampaignFactory

    campaign = CampaignFactory(subject="June edition", status=Campaign.Status.SENDING)
    assert "June edition" not in get(client, "/newsletter/archive/").content.decode()
    assert get(client, "/newsletter/archive/")["X-Cache"] == "hit"
    # The worker marks a campaign sent with update(), which sends no signal.
    assert campaign_finish_if_done(campaign.pk)
    assert "June edition" in get(client, "/newsletter/archive/").content.decode()
    assert "June edition" in get(client, "/newsletter/").content.decode()


def test_every_cacheable_model_is_listed():
    """A new content model must join PAGE_CACHE_MODELS, or its changes would be stale."""
    from django.conf import settings

    for label in ("posts.post", "posts.category", "posts.comment", "taggit.tag", "taggit.taggeditem",
                  "publications.publication", "publications.country", "newsletter.campaign"):  # fmt: skip
        assert label in settings.PAGE_CACHE_MODELS
    assert settings.PAGE_CACHE_SCHEDULED == {"posts.Post": "publish_at", "publications.Publication": "publication_date"}


# Nothing personal in a cached page ----------------------------------------------------

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_a_visitor_never_sees_another_visitors_errors_message_or_token(client, settings):
    from .test_comments import comment_data

    settings.COMMENTS_MIN_FORM_SECONDS = 0
    post = PostFactory(title="Hotline week")
    url = post.get_absolute_url()
    alice, bob = Client(), Client()

    alice_page = alice.get(url)
    alice_token = TOKEN.search(alice_page.content.decode()).group(1)
    # Alice sends an invalid comment: her page shows her text and the error.
    invalid = alice.post(reverse("posts:comment", args=[post.slug]),
                         comment_data(post, name="", text="Alice typed this private sentence"))  # fmt: skip
    assert invalid.status_code == 400 and "Alice typed this private sentence" in invalid.content.decode()
    assert "X-Cache" not in invalid
    # A newsletter signup with errors, and one that works.
    bad_signup = alice.post(reverse("newsletter:signup"), {"email": "alice-at-example", "consent": "on"})
    assert "alice-at-example" in bad_signup.content.decode()
    alice.post(reverse("newsletter:signup"), {"email": "alice@example.org", "consent": "on"})
    # A valid comment leaves Alice a message ("awaiting moderation") in her cookie.
    done = alice.post(reverse("posts:comment", args=[post.slug]), comment_data(post, text="Alice's real comment"))
    assert done.status_code == 302
    alice_after = alice.get(url)
    assert "awaiting moderation" in alice_after.content.decode()
    assert "X-Cache" not in alice_after  # a visitor with a message or a session is never served from the cache

    for _attempt in range(2):
        bob_page = bob.get(url)
        html = bob_page.content.decode()
        assert bob_page["X-Cache"] in ("hit", "miss")
        for private in ("Alice typed this private sentence", "alice-at-example", "alice@example.org",
                        "awaiting moderation", "Alice's real comment", "Thank you", alice_token):  # fmt: skip
            assert private not in html
        bob_token = TOKEN.search(html).group(1)
        assert bob_token != alice_token
    assert bob_page["X-Cache"] == "hit"
    # Each visitor's token in the cached page matches that visitor's own cookie.
    carol = Client()
    carol_html = carol.get(url).content.decode()
    carol_tokens = set(TOKEN.findall(carol_html))
    assert len(carol_tokens) == 1 and carol_tokens.isdisjoint({alice_token, bob_token})


def test_a_cached_page_without_a_comment_form_holds_no_token_and_sets_no_cookie():
    from newsletter.models import Subscriber

    PostFactory()
    Client().get("/")  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/")
    assert page["X-Cache"] == "hit"
    assert "csrfmiddlewaretoken" not in page.content.decode() and not page.cookies
    # The footer signup works without a token (README "The CSRF token").
    response = visitor.post(reverse("newsletter:signup"), {"email": "cached@example.org", "consent": "on"},
                            HTTP_SEC_FETCH_SITE="same-origin")  # fmt: skip
    assert response.status_code == 200
    assert Subscriber.objects.filter(email="cached@example.org").exists()


def test_the_csrf_token_in_a_cached_page_works_for_the_comment_form(settings):
    from posts.models import Comment

    from .test_comments import comment_data

    settings.COMMENTS_MIN_FORM_SECONDS = 0
    post = PostFactory()
    url = post.get_absolute_url()
    Client().get(url)  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    assert page["X-Cache"] == "hit"
    token = TOKEN.search(page.content.decode()).group(1)
    response = visitor.post(reverse("posts:comment", args=[post.slug]),
                            {**comment_data(post), "csrfmiddlewaretoken": token})  # fmt: skip
    assert response.status_code == 302
    assert Comment.objects.filter(post=post).count() == 1
    # With someone else's cookie the same token is refused.
    stranger = Client(enforce_csrf_checks=True)
    stranger.get(url)
    refused = stranger.post(reverse("posts:comment", args=[post.slug]),
                            {**comment_data(post, text="Another text"), "csrfmiddlewaretoken": token})  # fmt: skip
    assert refused.status_code == 403
    assert Comment.objects.filter(post=post).count() == 1
