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


def test_a_cached_page_is_read_in_one_round_trip_and_replaced_when_stale(
    client, monkeypatch
):
    post = PostFactory(title="Read once")
    counting = CountingCache(pagecache.cache)
    monkeypatch.setattr(pagecache, "cache", counting)
    assert get(client, "/")["X-Cache"] == "miss"
    assert counting.calls == ["get_many", "set"]  # one copy of the page
    counting.calls.clear()
    assert get(client, "/")["X-Cache"] == "hit"
    assert get(client, "/", HTTP_ACCEPT_ENCODING="gzip")["X-Cache"] == "hit"
    assert counting.calls == [
        "get_many",
        "get_many",
    ]  # the version and the page together
    post.title = "Read again"
    post.save()
    counting.calls.clear()
    stale = get(client, "/")
    assert stale["X-Cache"] == "miss" and "Read again" in stale.content.decode()
    assert counting.calls == [
        "get_many",
        "set",
    ]  # the old copy is overwritten, not kept beside
    assert get(client, "/")["X-Cache"] == "hit"
    assert get(client, "/", HTTP_ACCEPT_ENCODING="gzip")["X-Cache"] == "hit"


def test_a_cached_page_is_stored_once_compressed_once_and_the_same_bytes_for_everyone(
    monkeypatch,
):
    """A post page with its comment form holds no per-visitor token and sets no cookie:
    every anonymous visitor gets the very same bytes, compressed when the page was stored."""
    import django.middleware.gzip

    post = PostFactory(title="Compressed story")
    url = post.get_absolute_url()
    first = Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert first["X-Cache"] == "miss" and first["Content-Encoding"] == "gzip"

    def compress_again(*args, **kwargs):
        raise AssertionError("a cache hit compressed the page again")

    monkeypatch.setattr(django.middleware.gzip, "compress_string", compress_again)
    monkeypatch.setattr(pagecache, "compress_string", compress_again)
    hits = [
        Client(enforce_csrf_checks=True).get(url, HTTP_ACCEPT_ENCODING="gzip")
        for _visitor in range(2)
    ]
    plain = Client().get(url)  # a client that does not ask for gzip
    assert hits[0]["X-Cache"] == hits[1]["X-Cache"] == plain["X-Cache"] == "hit"
    assert hits[0].content == hits[1].content == first.content
    assert not any(response.cookies for response in (first, *hits, plain))
    assert hits[0]["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    html = gzip.decompress(hits[0].content)
    assert (
        html == plain.content
        and b"Compressed story" in html
        and b'id="comment-form"' in html
    )
    assert b"csrfmiddlewaretoken" not in html and b'name="issued" value=""' in html
    assert (
        int(hits[0]["Content-Length"]) == len(hits[0].content) < len(plain.content) / 2
    )
    assert "Accept-Encoding" in hits[0]["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert hits[0]["ETag"] == "W/" + plain["ETag"]
    assert (
        Client()
        .get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=hits[0]["ETag"])
        .status_code
        == 304
    )


def test_anonymous_pages_may_be_kept_by_shared_caches_and_signed_in_pages_are_private(
    client, settings, editor_client
):
    from django.utils.cache import get_max_age

    settings.PAGE_CACHE_MAX_AGE, settings.PAGE_CACHE_SHARED_MAX_AGE = 30, 120
    post = PostFactory()
    for url in ("/", post.get_absolute_url(), "/feed/"):
        for response in (get(client, url), get(client, url)):  # the miss and the hit
            cache_control = {
                part.strip() for part in response["Cache-Control"].split(",")
            }
            assert cache_control == {"public", "max-age=30", "s-maxage=120"}, url
            assert get_max_age(response) == 30
            assert {"Cookie", "Accept-Encoding"} <= {
                part.strip() for part in response["Vary"].split(",")
            }
    staff_page = editor_client.get(post.get_absolute_url())
    assert (
        "private" in staff_page["Cache-Control"]
        and "public" not in staff_page["Cache-Control"]
    )
    assert "Cookie" in staff_page["Vary"]


def test_query_parameters_a_page_does_not_read_make_no_new_entries(client, settings):
    """/?utm=0…499 is the front page's one entry (issue 14, item 14); ?page=2 is its own."""
    from django.core.cache import cache

    settings.POSTS_PER_PAGE = 2
    PostFactory.create_batch(3)
    keys_before = set(cache._cache)
    assert (
        get(client, "/?utm=first")["X-Cache"] == "miss"
    )  # renders to learn what "/" reads
    for number in range(500):
        response = get(client, f"/?utm={number}&fbclid=x{number}")
        assert response["X-Cache"] == "hit"
    assert get(client, "/")["X-Cache"] == "hit"
    assert len(set(cache._cache) - keys_before) == 1  # the page, once
    assert get(client, "/?page=2&utm=1")["X-Cache"] == "miss"
    assert get(client, "/?utm=2&page=2")["X-Cache"] == "hit"
    assert len(set(cache._cache) - keys_before) == 2


def test_a_view_reading_every_parameter_is_keyed_by_all_of_them(rf, settings):
    from django.http import HttpResponse

    def echo(request):
        return HttpResponse(request.GET.urlencode(), content_type="text/plain")

    middleware = pagecache.PageCacheMiddleware(echo)
    first = middleware(rf.get("/echo/", {"a": "1"}))
    second = middleware(rf.get("/echo/", {"a": "2"}))
    again = middleware(rf.get("/echo/", {"a": "2"}))
    assert first.content == b"a=1" and second.content == b"a=2" == again.content
    assert again["X-Cache"] == "hit"


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


def test_saving_publishing_unpublishing_and_deleting_show_at_once(
    client, editor_client
):
    visible = PostFactory(title="Visible story")
    draft = PostFactory(title="Draft story", draft=True)
    assert "Draft story" not in get(client, "/").content.decode()
    changelist = reverse("admin:posts_post_changelist")
    # Bulk actions use update(), which sends no signal: the admin POST turns the version over.
    editor_client.post(
        changelist, {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert "Draft story" in get(client, "/").content.decode()
    editor_client.post(
        changelist, {"action": "unpublish", "_selected_action": [visible.pk]}
    )
    assert "Visible story" not in get(client, "/").content.decode()
    for url in ("/posts/", "/feed/", "/sitemap.xml"):
        assert (
            "visible-story" not in get(client, url).content.decode()
            and "Visible story" not in get(client, url).content.decode()
        )
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
    scheduled = PostFactory(
        title="Launch at noon", publish_at=timezone.now() + timedelta(minutes=2)
    )
    assert "Launch at noon" not in get(client, "/").content.decode()
    assert get(client, "/")["X-Cache"] == "hit"
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
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

    publication = PublicationFactory(
        title="Mekong labour study", slug="mekong-labour-study"
    )
    draft = PublicationFactory(title="Border report", slug="border-report", draft=True)
    assert "Mekong labour study" in get(client, "/publications/").content.decode()
    assert get(client, "/publications/")["X-Cache"] == "hit"

    publication.title = "Mekong labour study, second edition"
    publication.save()
    assert "second edition" in get(client, "/publications/").content.decode()
    assert (
        "second edition" in get(client, publication.get_absolute_url()).content.decode()
    )

    # Publishing and unpublishing use update(), which sends no signal.
    publishables_set_status(
        queryset=Publication.objects.filter(pk=draft.pk), status="published"
    )
    assert "Border report" in get(client, "/publications/").content.decode()
    publishables_set_status(
        queryset=Publication.objects.filter(pk=draft.pk), status="draft"
    )
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
    start_of_day = timezone.make_aware(
        timezone.datetime.combine(day, timezone.datetime.min.time())
    )
    assert state["next_change_at"] == start_of_day.timestamp()


def test_an_approved_comment_shows_at_once(client):
    from posts.models import Comment
    from posts.services import comments_moderate

    from .factories import CommentFactory

    post = PostFactory()
    comment = CommentFactory(
        post=post, pending=True, text="Waiting for a moderator here."
    )
    assert (
        "Waiting for a moderator"
        not in get(client, post.get_absolute_url()).content.decode()
    )
    assert get(client, post.get_absolute_url())["X-Cache"] == "hit"
    comments_moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.APPROVED
    )
    assert (
        "Waiting for a moderator"
        in get(client, post.get_absolute_url()).content.decode()
    )
    comments_moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.REMOVED
    )
    assert (
        "Waiting for a moderator"
        not in get(client, post.get_absolute_url()).content.decode()
    )


def test_a_comment_approved_in_the_admin_shows_at_once(client, editor_client):
    from .factories import CommentFactory

    post = PostFactory()
    comment = CommentFactory(
        post=post, pending=True, text="Approved from the admin list."
    )
    assert (
        "Approved from the admin list"
        not in get(client, post.get_absolute_url()).content.decode()
    )
    changelist = reverse("admin:posts_comment_changelist")
    html = editor_client.get(changelist).content.decode()
    action = "approve" if 'value="approve"' in html else "approve_comments"
    editor_client.post(changelist, {"action": action, "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert (
        "Approved from the admin list"
        in get(client, post.get_absolute_url()).content.decode()
    )


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
                  "publications.publication", "publications.country", "newsletter.campaign",
                  "pages.page", "pages.frontpage"):  # fmt: skip
        assert label in settings.PAGE_CACHE_MODELS
    assert settings.PAGE_CACHE_SCHEDULED == {
        "posts.Post": ("publish_at", "unpublish_at"),
        "publications.Publication": ("publication_date", "unpublish_at"),
        "pages.Page": ("publish_at", "unpublish_at"),
    }


# Nothing personal in a cached page ----------------------------------------------------


def test_a_visitor_never_sees_another_visitors_errors_or_message(client, settings):
    from .test_comments import comment_data

    settings.COMMENTS_MIN_FORM_SECONDS = 0
    post = PostFactory(title="Hotline week")
    url = post.get_absolute_url()
    alice, bob = Client(), Client()

    alice.get(url)
    # Alice sends an invalid comment: her page shows her text and the error.
    invalid = alice.post(reverse("posts:comment", args=[post.slug]),
                         comment_data(post, name="", text="Alice typed this private sentence"))  # fmt: skip
    assert (
        invalid.status_code == 400
        and "Alice typed this private sentence" in invalid.content.decode()
    )
    assert "X-Cache" not in invalid
    # A newsletter signup with errors, and one that works.
    bad_signup = alice.post(
        reverse("newsletter:signup"), {"email": "alice-at-example", "consent": "on"}
    )
    assert "alice-at-example" in bad_signup.content.decode()
    alice.post(
        reverse("newsletter:signup"), {"email": "alice@example.org", "consent": "on"}
    )
    # A valid comment leaves Alice a message ("awaiting moderation") in her cookie.
    done = alice.post(
        reverse("posts:comment", args=[post.slug]),
        comment_data(post, text="Alice's real comment"),
    )
    assert done.status_code == 302
    alice_after = alice.get(url)
    assert "awaiting moderation" in alice_after.content.decode()
    assert (
        "X-Cache" not in alice_after
    )  # a visitor with a message or a session is never served from the cache
    assert "private" in alice_after["Cache-Control"]

    for _attempt in range(2):
        bob_page = bob.get(url)
        html = bob_page.content.decode()
        assert bob_page["X-Cache"] in ("hit", "miss")
        for private in ("Alice typed this private sentence", "alice-at-example", "alice@example.org",
                        "awaiting moderation", "Alice's real comment", "Thank you"):  # fmt: skip
            assert private not in html
    assert bob_page["X-Cache"] == "hit"


def test_a_cached_page_without_a_comment_form_holds_no_token_and_sets_no_cookie():
    from newsletter.models import Subscriber

    PostFactory()
    Client().get("/")  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/")
    assert page["X-Cache"] == "hit"
    assert "csrfmiddlewaretoken" not in page.content.decode() and not page.cookies
    # The footer signup works without a token (docs/caching.md, "Public forms").
    response = visitor.post(reverse("newsletter:signup"), {"email": "cached@example.org", "consent": "on"},
                            HTTP_SEC_FETCH_SITE="same-origin")  # fmt: skip
    assert response.status_code == 200
    assert Subscriber.objects.filter(email="cached@example.org").exists()


def test_a_comment_form_from_a_cached_page_works_without_a_token(settings):
    from posts.models import Comment

    from .test_comments import comment_data

    settings.COMMENTS_MIN_FORM_SECONDS = 0
    post = PostFactory()
    url = post.get_absolute_url()
    Client().get(url)  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(url)
    assert page["X-Cache"] == "hit" and not page.cookies
    response = visitor.post(reverse("posts:comment", args=[post.slug]), comment_data(post),
                            HTTP_SEC_FETCH_SITE="same-origin", HTTP_ORIGIN="http://testserver")  # fmt: skip
    assert response.status_code == 302
    assert Comment.objects.filter(post=post).count() == 1


# The comment form's ticket on a cached page ------------------------------------------

ISSUED = re.compile(r'name="issued" value="([^"]*)"')


def form_fields(html):
    """What a bot reads from the page's form, as a browser would send it."""
    return {"name": "Bot", "email": "", "text": "Cheap pills here", "website": "", "parent": "",
            "issued": ISSUED.search(html).group(1)}  # fmt: skip


def test_a_bot_posting_at_once_from_a_cached_page_is_refused():
    """Issue 15: the form's signed time used to be frozen in the cached page, so a bot that
    fetched it minutes later and posted at once was accepted."""
    from posts.models import Comment

    post = PostFactory(title="A post bots like")
    url = post.get_absolute_url()
    assert Client().get(url)["X-Cache"] == "miss"  # a visitor fills the cache
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=True):
        bot = Client()
        page = bot.get(url)
        assert page["X-Cache"] == "hit"
        refused = bot.post(
            reverse("posts:comment", args=[post.slug]),
            form_fields(page.content.decode()),
        )
        assert refused.status_code == 400 and not Comment.objects.exists()
        # The second step's fresh ticket is too fast too when sent at once.
        again = bot.post(
            reverse("posts:comment", args=[post.slug]),
            form_fields(refused.content.decode()),
        )
        assert (
            again.status_code == 400
            and "faster than a person can write" in again.content.decode()
        )
        # So is a ticket fetched by script and used at once.
        ticket = bot.get(
            reverse("posts:comment-ticket", args=[post.slug])
        ).content.decode()
        fetched = bot.post(
            reverse("posts:comment", args=[post.slug]),
            {**form_fields(page.content.decode()), "issued": ticket},
        )
        assert (
            fetched.status_code == 400
            and "faster than a person can write" in fetched.content.decode()
        )
    assert not Comment.objects.exists()


def test_a_person_on_a_cached_page_comments_with_a_fetched_ticket_or_a_second_step():
    from posts.models import Comment

    post = PostFactory()
    url, send = post.get_absolute_url(), reverse("posts:comment", args=[post.slug])
    Client().get(url)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # With JavaScript: the ticket is fetched when the form is first used; never cached.
        reader = Client()
        html = reader.get(url).content.decode()
        ticket_url = re.search(r'data-ticket-url="([^"]+)"', html).group(1)
        ticket = reader.get(ticket_url)
        assert "no-store" in ticket["Cache-Control"] and "X-Cache" not in ticket
        clock.shift(40)  # writing
        data = {
            **form_fields(html),
            "name": "Mai",
            "text": "Where can I call for help?",
            "issued": ticket.content.decode(),
        }
        assert reader.post(send, data).status_code == 302
        # Without JavaScript: a second step brings the form back with a ticket and the text.
        html = Client().get(url).content.decode()
        clock.shift(40)
        data = {**form_fields(html), "name": "Lan", "text": "Thank you for this."}
        step = Client().post(send, data)
        assert step.status_code == 400 and "Almost done" in step.content.decode()
        assert "Thank you for this." in step.content.decode()
        clock.shift(5)  # reading the message, pressing Send again
        assert (
            Client()
            .post(
                send,
                form_fields(step.content.decode())
                | {"name": "Lan", "text": "Thank you for this."},
            )
            .status_code
            == 302
        )
    assert Comment.objects.filter(post=post).count() == 2


def test_the_ticket_of_a_missing_or_draft_post_is_a_404(client):
    draft = PostFactory(draft=True)
    assert (
        client.get(reverse("posts:comment-ticket", args=[draft.slug])).status_code
        == 404
    )
    assert (
        client.get(reverse("posts:comment-ticket", args=["no-such-post"])).status_code
        == 404
    )


# Spam and moderation leave the cache alone -------------------------------------------


def test_a_pending_or_spam_comment_leaves_the_cached_pages_alone(client, settings):
    """Issue 15: each spam attempt replaced the content version, emptying the whole cache."""
    from posts.models import Comment
    from posts.services import comment_data_purge, comments_moderate

    from .factories import CommentFactory
    from .test_comments import comment_data

    settings.COMMENTS_MIN_FORM_SECONDS = 0
    post = PostFactory()
    other = PostFactory()
    for url in ("/", post.get_absolute_url(), other.get_absolute_url()):
        get(client, url)
    version = pagecache.cache.get(pagecache.VERSION_KEY)["version"]
    links = " ".join(f"https://spam.example/{number}" for number in range(5))
    for text in ("Please hold this one", f"Cheap pills {links}"):
        response = Client().post(
            reverse("posts:comment", args=[post.slug]), comment_data(post, text=text)
        )
        assert response.status_code == 302
    held = CommentFactory(post=post, pending=True)
    comments_moderate(
        comments=Comment.objects.filter(pk=held.pk), status=Comment.Status.SPAM
    )
    CommentFactory(
        post=post,
        status=Comment.Status.SPAM,
        created_at=timezone.now() - timedelta(days=400),
    )
    comment_data_purge()
    Comment.objects.filter(status=Comment.Status.PENDING).first().delete()
    assert Comment.objects.exclude(status=Comment.Status.APPROVED).exists()
    assert pagecache.cache.get(pagecache.VERSION_KEY)["version"] == version
    for url in ("/", post.get_absolute_url(), other.get_absolute_url()):
        assert get(client, url)["X-Cache"] == "hit"
    # An approved comment is a change visitors see.
    CommentFactory(post=post, text="Approved at once")
    assert "Approved at once" in get(client, post.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "path", ["/posts/", "/publications/", "/search/?q=trafficking"]
)
def test_made_up_page_numbers_make_no_cache_entries(client, path):
    """/posts/?page=1…N, ?page=abc or ?page=99999 each rendered a page stored under a new
    entry, so a list of one page could fill the cache without limit (found from outside).
    They are answered with a real page, and never stored."""
    from django.core.cache import cache

    PostFactory(title="Trafficking hotline")
    separator = "&" if "?" in path else "?"
    get(client, path)
    keys_before = set(cache._cache)
    for value in ("abc", "0", "-1", "99999", "1.0", "01", "2", "9" * 40):
        assert get(client, f"{path}{separator}page={value}").status_code == 200
    assert set(cache._cache) == keys_before
    assert get(client, f"{path}{separator}page=1")["X-Cache"] == "miss"  # a real page
    assert get(client, f"{path}{separator}page=1")["X-Cache"] == "hit"
