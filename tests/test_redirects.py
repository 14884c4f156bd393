"""Redirects from old addresses: made when a published item moves, added by staff, never
looping or chaining, answered before a 404 with the page cache on (unact/redirects.py)."""

import pytest

from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.test import Client
from django.urls import reverse

from posts.permissions import EDITORS

from .admin_forms import change_form_data
from .factories import PostFactory, PublicationFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(StaffFactory(username="editor", groups=[EDITORS]))
    return client


def change_slug(editor_client, item, slug):
    url = reverse(
        f"admin:{item._meta.app_label}_{item._meta.model_name}_change", args=[item.pk]
    )
    response = editor_client.post(url, change_form_data(editor_client, url, slug=slug))
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    return item


def visit(path):
    """A fresh anonymous visitor's response (through the page cache)."""
    return Client().get(path)


def test_the_site_carries_site_urls_host(settings):
    assert settings.SITE_ID == Site.objects.get_current().pk
    assert Site.objects.get_current().domain == settings.SITE_URL.split("://", 1)[1]


def test_a_published_posts_new_slug_leaves_a_permanent_redirect(editor_client):
    post = PostFactory(title="Helpline in Lao PDR", slug="helpline-lao")
    old_url = post.get_absolute_url()
    assert visit(old_url).status_code == 200  # now in the page cache
    change_slug(editor_client, post, "helpline-in-lao-pdr")
    response = visit(old_url)
    assert response.status_code == 301
    assert response["Location"] == "/posts/helpline-in-lao-pdr/"
    page = visit("/posts/helpline-in-lao-pdr/")
    assert page.status_code == 200 and "Helpline in Lao PDR" in page.content.decode()


def test_moving_twice_leaves_no_chain_and_moving_back_no_loop(editor_client):
    post = PostFactory(slug="first")
    change_slug(editor_client, post, "second")
    change_slug(editor_client, post, "third")
    assert visit("/posts/first/")["Location"] == "/posts/third/"
    assert visit("/posts/second/")["Location"] == "/posts/third/"
    change_slug(editor_client, post, "first")
    assert visit("/posts/first/").status_code == 200
    assert visit("/posts/third/")["Location"] == "/posts/first/"
    assert set(Redirect.objects.values_list("old_path", "new_path")) == {
        ("/posts/second/", "/posts/first/"),
        ("/posts/third/", "/posts/first/"),
    }


def test_a_drafts_new_slug_leaves_no_redirect(editor_client):
    post = PostFactory(slug="not-yet-public", status="draft")
    change_slug(editor_client, post, "still-not-public")
    assert not Redirect.objects.exists()
    assert visit("/posts/not-yet-public/").status_code == 404


def test_a_publications_page_and_pdf_follow_its_new_slug(editor_client):
    publication = PublicationFactory(slug="annual-report")
    change_slug(editor_client, publication, "annual-report-2016")
    assert (
        visit("/publications/annual-report/")["Location"]
        == "/publications/annual-report-2016/"
    )
    assert (
        visit("/publications/annual-report/download/")["Location"]
        == "/publications/annual-report-2016/download/"
    )


def test_a_redirect_never_hides_a_live_page(editor_client):
    PostFactory(title="Still here", slug="still-here")
    Redirect.objects.create(
        site=Site.objects.get_current(), old_path="/posts/still-here/", new_path="/"
    )
    response = visit("/posts/still-here/")
    assert response.status_code == 200 and "Still here" in response.content.decode()


def test_an_old_sites_address_redirects_before_the_404_page_and_is_never_cached(
    editor_client,
):
    add = reverse("admin:redirects_redirect_add")
    response = editor_client.post(
        add, {"old_path": "/index.php/about", "new_path": "/publications/"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    for _ in range(2):
        response = visit("/index.php/about")
        assert response.status_code == 301 and response["Location"] == "/publications/"
        assert "X-Cache" not in response
    assert visit("/index.php/nothing-here").status_code == 404


@pytest.mark.parametrize(
    ("old_path", "new_path", "field", "code"),
    [
        ("/old/", "/old/", "new_path", "loop"),
        ("/old/", "https://evil.example/phish", "is_external", "external_unconfirmed"),
        ("/old/", "javascript:alert(1)", "new_path", "bad_address"),
        ("/old/", "//evil.example/", "new_path", "bad_address"),
        ("old", "/new/", "old_path", "not_a_path"),
        ("https://evil.example/old/", "/new/", "old_path", "not_a_path"),
        ("/old/", "relative/path", "new_path", "bad_address"),
    ],
)
def test_staff_redirects_must_be_sound(editor_client, old_path, new_path, field, code):
    response = editor_client.post(
        reverse("admin:redirects_redirect_add"),
        {"old_path": old_path, "new_path": new_path},
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.has_error(field, code), form.errors
    assert not Redirect.objects.exists()


def test_staff_redirects_refuse_chains_either_way(editor_client):
    site = Site.objects.get_current()
    Redirect.objects.create(site=site, old_path="/a/", new_path="/b/")
    add = reverse("admin:redirects_redirect_add")
    onward = editor_client.post(add, {"old_path": "/z/", "new_path": "/a/"})
    assert onward.context["adminform"].form.has_error("new_path", "chain")
    into = editor_client.post(add, {"old_path": "/b/", "new_path": "/c/"})
    assert into.context["adminform"].form.has_error("old_path", "chain")
    back = editor_client.post(add, {"old_path": "/b/", "new_path": "/a/"})
    assert back.context["adminform"].form.has_error("new_path", "loop")
    assert Redirect.objects.count() == 1


def test_staff_may_send_visitors_to_another_site_once_ticked(editor_client, settings):
    add = reverse("admin:redirects_redirect_add")
    response = editor_client.post(
        add,
        {
            "old_path": "/donate/",
            "new_path": "https://www.un.org/en/donate",
            "is_external": "on",
        },
    )
    assert response.status_code == 302
    assert visit("/donate/")["Location"] == "https://www.un.org/en/donate"
    # An address on this very site is stored as a path (and checked for chains like one).
    response = editor_client.post(
        add, {"old_path": "/give/", "new_path": f"{settings.SITE_URL}/publications/"}
    )
    assert response.status_code == 302
    assert Redirect.objects.get(old_path="/give/").new_path == "/publications/"


def test_editors_manage_redirects_moderators_do_not(client):
    editor = StaffFactory(username="editor", groups=[EDITORS])
    assert editor.has_perm("redirects.add_redirect") and editor.has_perm(
        "redirects.change_redirect"
    )
    moderator = StaffFactory(username="moderator", groups=["Moderators"])
    assert not moderator.has_perm("redirects.add_redirect")
