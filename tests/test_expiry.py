"""Scheduled unpublishing: an item with an "unpublish at" time is seen until then and
nowhere after it (pages, feeds, sitemap, search, related items, downloads), in every
language, with the page cache on or off, and nothing has to run at that moment."""

import re
import time
from datetime import timedelta

import pytest
import time_machine

from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posts.models import Post
from posts.permissions import EDITORS
from publications.models import Publication
from publications.services import publication_save
from unact import pagecache
from unact.models import SearchDocument

from .factories import (
    CampaignFactory,
    CategoryFactory,
    PostFactory,
    PublicationFactory,
    StaffFactory,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

POST_SLUG = "moonlight-hotline-closing"
PUBLICATION_SLUG = "moonlight-survey-withdrawn"


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(StaffFactory(username="editor", groups=[EDITORS]))
    return client


def expiring_items(now, media_root):
    """A post and a PDF publication, each unpublished two minutes from `now`, related to
    each other, beside a post that stays."""
    category = CategoryFactory(name="Campaigns", slug="campaigns")
    until = now + timedelta(minutes=2)
    post = PostFactory(
        title="Moonlight hotline closing", slug=POST_SLUG, category=category, tags=["moonlight"],
        publish_at=now - timedelta(days=1), unpublish_at=until,
    )  # fmt: skip
    staying_post = PostFactory(title="Moonlight helpline stays", slug="moonlight-helpline-stays", category=category,
                               tags=["moonlight"], publish_at=now - timedelta(days=2))  # fmt: skip
    staying_publication = PublicationFactory(
        title="Lasting guide", slug="lasting-guide"
    )
    staying_publication.related_posts.set([post])
    publication = PublicationFactory.build(
        title="Moonlight survey", slug=PUBLICATION_SLUG, external_url="", document=pdf_upload(),
        publication_date=timezone.localdate(now) - timedelta(days=1), unpublish_at=until,
    )  # fmt: skip
    publication_save(publication=publication)
    publication.related_posts.set([post, staying_post])
    # A newsletter edition whose "PDF edition" is the publication's download.
    download = reverse("publications:download", args=[PUBLICATION_SLUG])
    CampaignFactory(subject="Lantern edition", slug="lantern-edition", status="sent", sent_at=now,
                    publication_url=settings.SITE_URL + download)  # fmt: skip
    return post, publication


def listing_pages(post, publication, language_prefix=""):
    """{address: slug it shows}: every place a visitor, a feed reader or a crawler finds
    the two items."""
    year = timezone.localtime(post.publish_at).year
    prefix = language_prefix
    pages = {
        f"{prefix}/": POST_SLUG,
        f"{prefix}/posts/": POST_SLUG,
        f"{prefix}/posts/category/campaigns/": POST_SLUG,
        f"{prefix}/posts/tag/moonlight/": POST_SLUG,
        f"{prefix}/posts/{year}/": POST_SLUG,
        f"{prefix}/search/?q=moonlight": POST_SLUG,
        f"{prefix}/search/?q=survey": PUBLICATION_SLUG,
        f"{prefix}/publications/": PUBLICATION_SLUG,
        # Related items: each is related to an item that stays.
        f"{prefix}/posts/moonlight-helpline-stays/": PUBLICATION_SLUG,
        f"{prefix}/publications/lasting-guide/": POST_SLUG,
        f"{prefix}/newsletter/archive/lantern-edition/": PUBLICATION_SLUG,
    }
    if not prefix:
        pages.update({
            "/feed/": POST_SLUG,
            "/feed/atom/": POST_SLUG,
            "/publications/feed/": PUBLICATION_SLUG,
            "/sitemap.xml": POST_SLUG,
            "/sitemap.xml#publications": PUBLICATION_SLUG,
        })  # fmt: skip
    return pages


def fetch(client, address):
    response = client.get(address.split("#")[0])
    assert response.status_code == 200, address
    return response.content.decode()


@pytest.mark.parametrize(
    "page_cache_seconds", [600, 0], ids=["page-cache-on", "page-cache-off"]
)
def test_an_expiring_item_is_everywhere_until_its_time_and_nowhere_after(
    settings, media_root, page_cache_seconds
):
    settings.PAGE_CACHE_SECONDS = page_cache_seconds
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        post, publication = expiring_items(now, media_root)
    visitor = Client()
    addresses = {
        **listing_pages(post, publication),
        **listing_pages(post, publication, "/th"),
    }
    detail_pages = [post.get_absolute_url(), f"/th{post.get_absolute_url()}", publication.get_absolute_url(),
                    f"/th{publication.get_absolute_url()}"]  # fmt: skip
    download = reverse("publications:download", args=[PUBLICATION_SLUG])

    with time_machine.travel(now + timedelta(seconds=30), tick=False):
        for _round in range(2):  # the second round from the page cache when it is on
            for address, slug in addresses.items():
                assert slug in fetch(visitor, address), address
            for address in detail_pages:
                assert visitor.get(address).status_code == 200, address
        if page_cache_seconds:
            assert visitor.get("/")["X-Cache"] == "hit"
        assert "3 results" in fetch(
            visitor, "/search/?q=moonlight"
        )  # both posts and the publication
        assert "Research report (2)</option>" in fetch(
            visitor, "/publications/"
        )  # the filter's counts
        assert visitor.get(download).status_code == 200
        publication.refresh_from_db()
        assert publication.download_count == 1

    with time_machine.travel(now + timedelta(minutes=3), tick=False):
        for address in addresses:
            html = fetch(visitor, address)
            assert POST_SLUG not in html and PUBLICATION_SLUG not in html, address
        for address in [*detail_pages, download]:
            assert visitor.get(address).status_code == 404, address
        search = fetch(visitor, "/search/?q=moonlight")
        assert "1 result" in search and "moonlight-helpline-stays" in search
        assert '<span class="facet-count">(1)</span>' in search and "(2)" not in search
        assert "Research report (1)</option>" in fetch(visitor, "/publications/")
        publication.refresh_from_db()
        assert publication.download_count == 1
        # Nothing ran at the moment of expiry: the search index still holds both documents.
        assert SearchDocument.objects.filter(kind="post", object_id=post.pk).exists()
        assert SearchDocument.objects.filter(
            kind="publication", object_id=publication.pk
        ).exists()
        assert (
            not SearchDocument.objects.visible()
            .filter(url__contains="moonlight-hotline")
            .exists()
        )


def test_a_post_and_a_publication_are_expired_after_their_unpublishing_time():
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        post = PostFactory(unpublish_at=now + timedelta(minutes=2))
        publication = PublicationFactory(unpublish_at=now + timedelta(minutes=2))
        for item in (post, publication):
            assert item.is_published and not item.is_expired and not item.is_scheduled
        assert list(Post.objects.published()) == [post]
        assert list(Publication.objects.published()) == [publication]
    with time_machine.travel(now + timedelta(minutes=3), tick=False):
        for item in (post, publication):
            assert item.is_expired and not item.is_published and not item.is_scheduled
        assert (
            not Post.objects.published().exists()
            and not Publication.objects.published().exists()
        )
    # A draft is never "expired": it was not published.
    assert not PostFactory(draft=True, unpublish_at=now - timedelta(days=1)).is_expired


def test_the_page_cache_turns_over_at_the_earliest_unpublishing_time():
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        PostFactory(publish_at=now + timedelta(hours=5))
        PostFactory(unpublish_at=now + timedelta(hours=3))
        PublicationFactory(unpublish_at=now + timedelta(hours=2))
        PostFactory(
            draft=True, unpublish_at=now + timedelta(minutes=5)
        )  # never on a page
        state = pagecache.content_changed()
    assert state["next_change_at"] == (now + timedelta(hours=2)).timestamp()


@pytest.mark.parametrize(
    "factory, change_url",
    [
        (PostFactory, "admin:posts_post_change"),
        (PublicationFactory, "admin:publications_publication_change"),
    ],
)
def test_the_admin_shows_the_unpublishing_time_beside_the_publication_date_and_marks_expired_items(
    editor_client, factory, change_url
):
    item = factory(
        title="Withdrawn guidance", unpublish_at=timezone.now() - timedelta(minutes=1)
    )
    html = editor_client.get(reverse(change_url, args=[item.pk])).content.decode()
    publish_field = item.publish_field
    row = re.search(
        r'<div class="form-row[^"]*field-' + publish_field + r'[^"]*">', html
    )
    assert row and "field-unpublish_at" in row.group(0), "the two dates share one row"
    changelist = editor_client.get(
        reverse(change_url.replace("_change", "_changelist"))
    ).content.decode()
    assert "Expired" in changelist
    item.unpublish_at = timezone.now() + timedelta(days=2)
    item.save()
    changelist = editor_client.get(
        reverse(change_url.replace("_change", "_changelist"))
    ).content.decode()
    assert "Published until" in changelist and "Expired" not in changelist


def test_an_unpublishing_time_before_the_publication_time_is_refused_with_a_clear_message(
    editor_client,
):
    from .admin_forms import change_form_data

    post = PostFactory(
        title="Night helpline", publish_at=timezone.now() - timedelta(hours=1)
    )
    url = reverse("admin:posts_post_change", args=[post.pk])
    earlier = timezone.localtime(post.publish_at - timedelta(days=1))
    data = change_form_data(editor_client, url, unpublish_at_0=earlier.strftime("%Y-%m-%d"),
                            unpublish_at_1=earlier.strftime("%H:%M:%S"))  # fmt: skip
    response = editor_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The unpublishing time must come after the time of publication" in html
    assert 'value="Night helpline"' in html  # nothing typed is lost
    post.refresh_from_db()
    assert post.unpublish_at is None


def test_a_publication_dated_by_day_cannot_be_unpublished_before_that_day_begins(
    editor_client,
):
    from .admin_forms import change_form_data

    publication = PublicationFactory(
        title="Border study", publication_date=timezone.localdate()
    )
    url = reverse("admin:publications_publication_change", args=[publication.pk])
    day = publication.publication_date.strftime("%Y-%m-%d")
    refused = editor_client.post(
        url,
        change_form_data(
            editor_client, url, unpublish_at_0=day, unpublish_at_1="00:00:00"
        ),
    )
    assert (
        "The unpublishing time must come after the time of publication"
        in refused.content.decode()
    )
    publication.refresh_from_db()
    assert publication.unpublish_at is None
    accepted = editor_client.post(
        url,
        change_form_data(
            editor_client, url, unpublish_at_0=day, unpublish_at_1="18:00:00"
        ),
    )
    assert accepted.status_code == 302
    publication.refresh_from_db()
    assert timezone.localtime(publication.unpublish_at).hour == 18


def test_staff_preview_an_expired_item_and_visitors_get_a_404(client, editor_client):
    post = PostFactory(
        title="Closed appeal", unpublish_at=timezone.now() - timedelta(minutes=1)
    )
    publication = PublicationFactory(
        title="Old leaflet", unpublish_at=timezone.now() - timedelta(minutes=1)
    )
    for item in (post, publication):
        assert client.get(item.get_absolute_url()).status_code == 404
        preview = editor_client.get(item.get_absolute_url())
        assert preview.status_code == 200
        html = preview.content.decode()
        assert (
            "<strong>Expired</strong>" in html and "visitors no longer see this" in html
        )
        assert "no-cache" in preview["Cache-Control"]


def test_publish_action_brings_back_expired_items(editor_client):
    now = timezone.now()
    expired = PostFactory(title="Back again", unpublish_at=now - timedelta(minutes=1))
    later = PostFactory(title="Ends next week", unpublish_at=now + timedelta(days=7))
    url = reverse("admin:posts_post_changelist")
    response = editor_client.post(
        url,
        {"action": "publish", "_selected_action": [expired.pk, later.pk]},
        follow=True,
    )
    assert "1 post published." in response.content.decode()
    expired.refresh_from_db(), later.refresh_from_db()
    assert expired.is_published and expired.unpublish_at is None
    assert later.unpublish_at == now + timedelta(days=7)
    assert (
        SearchDocument.objects.visible()
        .filter(object_id=expired.pk, kind="post")
        .exists()
    )


def test_a_change_made_in_a_migration_leaves_the_schedule_to_the_next_request(
    django_assert_num_queries,
):
    """A migration's models may be older than the tables' current models (a data
    migration of publications runs before posts has its unpublishing column), so the
    page cache's turnover asks the database nothing then; the next request does."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    historical = (
        MigrationLoader(connection)
        .project_state(("publications", "0002_countries_and_editor_permissions"))
        .apps
    )
    country_then = historical.get_model("publications", "Country")
    PostFactory(unpublish_at=timezone.now() + timedelta(hours=1))
    with django_assert_num_queries(0):
        pagecache.on_save(
            sender=country_then, instance=country_then(code="regional"), created=False
        )
    assert cache.get(pagecache.VERSION_KEY)["next_change_at"] <= time.time()
    state, _entry = pagecache.lookup(
        None
    )  # the next request: the schedule is looked up
    assert state["next_change_at"] == pytest.approx(
        (timezone.now() + timedelta(hours=1)).timestamp(), abs=5
    )
