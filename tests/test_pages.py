"""Editable pages, the menus built from them, and the front page's introduction and
featured item (unact/pages/)."""

import re
from datetime import timedelta

import pytest
from reversion.models import Version

from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from posts.permissions import EDITORS
from unact.models import SearchDocument
from unact.pages.frame import site_frame
from unact.pages.models import FrontPage, Page

from .admin_forms import change_form_data, form_data
from .factories import PageFactory, PostFactory, PublicationFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(StaffFactory(username="editor", groups=[EDITORS]))
    return client


def main_menu(html):
    return re.search(r'<ul class="nav">(.*?)</ul>', html, re.DOTALL).group(1)


def footer(html):
    return re.search(
        r'<footer class="site-footer">(.*?)</footer>', html, re.DOTALL
    ).group(1)


def hidden_pages():
    """A draft, a scheduled and an expired page, each ticked for both menus."""
    menus = {"in_main_menu": True, "in_footer": True}
    return [
        PageFactory(title="Draft about", slug="draft-about", draft=True, **menus),
        PageFactory(
            title="Scheduled about", slug="scheduled-about", scheduled=True, **menus
        ),
        PageFactory(title="Expired about", slug="expired-about", expired=True, **menus),
    ]


def test_a_published_page_is_shown_at_its_address_with_its_subpages(client):
    where = PageFactory(title="Where we work", slug="where-we-work")
    PageFactory(
        title="Cambodia", slug="cambodia", parent=where, summary="Phnom Penh office."
    )
    PageFactory(title="Draft country", slug="lao-pdr", parent=where, draft=True)
    html = client.get("/where-we-work/").content.decode()
    assert "<h1>Where we work</h1>" in html
    assert 'href="/where-we-work/cambodia/"' in html and "Phnom Penh office." in html
    assert "Draft country" not in html
    child = client.get("/where-we-work/cambodia/").content.decode()
    assert "<h1>Cambodia</h1>" in child and 'href="/where-we-work/"' in child


def test_draft_scheduled_and_expired_pages_are_nowhere(client):
    """Not at their address, in the menus, the sitemap or search."""
    pages = hidden_pages()
    PageFactory(title="Contact", slug="contact", in_main_menu=True, in_footer=True)
    home = client.get("/").content.decode()
    assert "Contact" in main_menu(home) and "Contact" in footer(home)
    sitemap = client.get(reverse("sitemap")).content.decode()
    assert "/contact/</loc>" in sitemap
    for page in pages:
        assert client.get(f"/{page.slug}/").status_code == 404
        assert page.title not in main_menu(home) and page.title not in footer(home)
        assert f"/{page.slug}/" not in sitemap
    found = client.get(reverse("search:results"), {"q": "about"}).content.decode()
    assert "Nothing matches your search" in found
    assert (
        client.get(reverse("search:results"), {"q": "contact"})
        .context["page_obj"]
        .paginator.count
        == 1
    )


def test_a_scheduled_page_joins_the_menu_when_its_time_comes(client):
    page = PageFactory(title="New office", slug="new-office", in_main_menu=True)
    Page.objects.filter(pk=page.pk).update(
        publish_at=timezone.now() + timedelta(seconds=1)
    )
    from unact.pages.frame import site_frame_refresh

    site_frame_refresh()
    assert "New office" not in main_menu(client.get("/").content.decode())
    Page.objects.filter(pk=page.pk).update(
        publish_at=timezone.now() - timedelta(seconds=1)
    )
    # No save announced it: the frame itself knows when it must be built again.
    frame = site_frame()
    assert frame["next_change_at"] is not None
    import time

    time.sleep(max(0, frame["next_change_at"] - time.time()) + 0.05)
    assert "New office" in main_menu(client.get("/").content.decode())


def test_unpublishing_a_page_takes_it_out_of_search_and_the_menu(client, editor_client):
    page = PageFactory(title="Privacy", slug="privacy", in_footer=True)
    assert SearchDocument.objects.filter(kind="page", object_id=page.pk).exists()
    response = editor_client.post(
        reverse("admin:pages_page_changelist"),
        {"action": "unpublish", "_selected_action": [page.pk]},
    )
    assert response.status_code == 302
    assert not SearchDocument.objects.filter(kind="page", object_id=page.pk).exists()
    assert "Privacy" not in footer(client.get("/").content.decode())


def test_menus_follow_the_menu_order_then_the_title(client):
    PageFactory(title="Contact", slug="contact", in_main_menu=True, menu_order=30)
    PageFactory(title="About UN-ACT", slug="about", in_main_menu=True, menu_order=10,
                menu_label="About")  # fmt: skip
    PageFactory(
        title="Where we work", slug="where-we-work", in_main_menu=True, menu_order=20
    )
    PageFactory(title="Get help", slug="get-help", in_main_menu=True, menu_order=20)
    nav = main_menu(client.get("/").content.decode())
    labels = re.findall(r'<a href="/[^"]*"[^>]*>([^<]+)</a>', nav)
    # The fixed links first, then the pages.
    assert labels == ["Home", "News", "Blog", "Publications", "Newsletter",
                      "About", "Get help", "Where we work", "Contact"]  # fmt: skip
    assert "About UN-ACT" not in nav


def test_a_menu_page_is_marked_current_on_its_own_page(client):
    PageFactory(title="About", slug="about", in_main_menu=True)
    PageFactory(title="Contact", slug="contact", in_main_menu=True)
    for _round in range(2):  # the second time from the fragment cache
        nav = main_menu(client.get("/about/").content.decode())
        assert re.findall(r'aria-current="page"[^>]*>([^<]+)<', nav) == ["About"]


def test_a_saved_page_changes_the_menu_at_once(client, editor_client):
    page = PageFactory(title="About", slug="about", in_main_menu=True)
    assert "About" in main_menu(client.get("/").content.decode())
    url = reverse("admin:pages_page_change", args=[page.pk])
    data = change_form_data(editor_client, url, menu_label="Who we are")
    assert editor_client.post(url, data).status_code == 302
    nav = main_menu(client.get("/").content.decode())
    assert "Who we are" in nav and ">About<" not in nav


def test_a_page_cannot_be_placed_under_itself_or_its_subpage(editor_client):
    top = PageFactory(title="Where we work", slug="where-we-work")
    child = PageFactory(title="Cambodia", slug="cambodia", parent=top)
    url = reverse("admin:pages_page_change", args=[top.pk])
    for parent in (top, child):
        data = change_form_data(editor_client, url, parent=str(parent.pk))
        response = editor_client.post(url, data)
        assert response.status_code == 200
        assert "cannot sit under itself or under one of its own subpages" in (
            response.content.decode()
        )
    top.refresh_from_db()
    assert top.parent is None


@pytest.mark.parametrize("slug", ["posts", "search", "th", "admin", "safety"])
def test_a_top_level_page_cannot_take_an_address_the_site_uses(editor_client, slug):
    url = reverse("admin:pages_page_add")
    html = editor_client.get(url).content.decode()
    data = form_data(html, None, title="Clash", slug=slug, body="<p>Text</p>",
                     status="published")  # fmt: skip
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "is an address the site already uses" in response.content.decode()
    assert not Page.objects.exists()


def test_the_same_slug_is_fine_under_a_parent(editor_client):
    parent = PageFactory(slug="where-we-work")
    url = reverse("admin:pages_page_add")
    html = editor_client.get(url).content.decode()
    data = form_data(html, None, title="Search work", slug="search", body="<p>Text</p>",
                     parent=str(parent.pk), status="published")  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert editor_client.post(url, data).status_code == 302
    assert Page.objects.get(slug="search").path == "where-we-work/search"


def test_a_moved_parent_moves_its_subpages_and_leaves_redirects(client, editor_client):
    top = PageFactory(title="Countries", slug="countries")
    PageFactory(title="Thailand", slug="thailand", parent=top)
    url = reverse("admin:pages_page_change", args=[top.pk])
    data = change_form_data(editor_client, url, slug="where-we-work")
    assert editor_client.post(url, data).status_code == 302
    assert client.get("/where-we-work/thailand/").status_code == 200
    moved = client.get("/countries/thailand/")
    assert moved.status_code == 301 and moved["Location"].endswith(
        "/where-we-work/thailand/"
    )


def test_page_html_is_sanitised(client):
    PageFactory(
        slug="about",
        body='<p onclick="steal()">Hello<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">x</a>',
    )
    page = Page.objects.get()
    assert "script" not in page.body and "onclick" not in page.body
    assert "javascript:" not in page.body
    html = client.get("/about/").content.decode()
    assert "<p>Hello</p>" in html and "alert(1)" not in html


def test_the_staff_note_is_never_on_the_public_page(client):
    PageFactory(
        slug="where-we-work", editor_note="Check the hotline number with the office."
    )
    html = client.get("/where-we-work/").content.decode()
    assert "Check the hotline number" not in html


def test_staff_preview_a_draft_and_it_is_never_cached(client, editor_client):
    PageFactory(title="Draft page", slug="draft-page", draft=True)
    assert client.get("/draft-page/").status_code == 404
    response = editor_client.get("/draft-page/")
    assert response.status_code == 200 and "Only staff see this preview" in (
        response.content.decode()
    )
    assert (
        "no-store" in response["Cache-Control"]
        or "no-cache" in response["Cache-Control"]
    )


def test_every_admin_save_of_a_page_keeps_a_revision_and_one_can_be_restored(
    editor_client,
):
    page = PageFactory(title="Contact", slug="contact", body="<p>Write to us.</p>")
    url = reverse("admin:pages_page_change", args=[page.pk])
    assert (
        editor_client.post(
            url, change_form_data(editor_client, url, body="<p>Call us.</p>")
        ).status_code
        == 302
    )
    assert (
        editor_client.post(
            url, change_form_data(editor_client, url, title="Contact us")
        ).status_code
        == 302
    )
    versions = Version.objects.get_for_object(page)
    assert [version.revision.get_comment() for version in versions] == [
        "Changed Title.",
        "Changed Body.",
    ]
    older, newer = versions[1], versions[0]
    compare = editor_client.get(
        reverse("admin:pages_page_compare", args=[page.pk]),
        {"older": older.pk, "newer": newer.pk},
    ).content.decode()
    assert "Contact us" in compare
    restore = reverse("admin:pages_page_revision", args=[page.pk, older.pk])
    data = change_form_data(editor_client, restore)
    assert editor_client.post(restore, data).status_code == 302
    page.refresh_from_db()
    assert page.title == "Contact" and page.body == "<p>Call us.</p>"
    assert Version.objects.get_for_object(page).count() == 3


def test_thai_addresses_serve_english_pages_marked_as_english(client, settings):
    settings.PUBLIC_LANGUAGES = ["th"]
    PageFactory(title="About UN-ACT", slug="about", in_main_menu=True)
    html = client.get("/th/about/").content.decode()
    assert '<html lang="th">' in html
    assert '<h1 lang="en">About UN-ACT</h1>' in html
    assert 'href="/th/about/"' in main_menu(html)
    english = client.get("/about/").content.decode()
    assert "<h1>About UN-ACT</h1>" in english


def test_the_front_page_shows_the_introduction_and_a_published_featured_item(
    client, settings
):
    settings.POSTS_PER_PAGE = 1
    PostFactory.create_batch(2)
    publication = PublicationFactory(title="Annual report 2015")
    FrontPage.objects.create(
        intro="<p>UN-ACT works <b>across six countries</b>.</p><script>x()</script>",
        featured_publication=publication,
    )
    html = client.get("/").content.decode()
    assert "<p>UN-ACT works <b>across six countries</b>.</p>" in html
    assert "x()" not in html
    featured = re.search(
        r'<section class="featured".*?</section>', html, re.DOTALL
    ).group(0)
    assert (
        "Annual report 2015" in featured and publication.get_absolute_url() in featured
    )
    # Not on later pages of the list.
    assert 'class="featured"' not in client.get("/", {"page": 2}).content.decode()


def test_the_front_page_features_the_edition_in_the_page_language(client):
    """A featured post or publication shows, as the lists do, its edition in the page's
    language, and the English one marked lang="en" where it has none (found from
    outside: the Thai front page featured the English brochure beside its Thai edition)."""
    english = PublicationFactory(
        title="The UN-ACT Brochure", summary="The evolution of the project."
    )
    thai = PublicationFactory(
        title="แผ่นพับแนะนำ UN-ACT",
        slug="แผ่นพับแนะนำ-un-act",
        summary="ความเป็นมาของโครงการ",
        language="th",
        translation_key=english.translation_key,
    )
    PublicationFactory(
        title="Draft Khmer edition",
        slug="draft-khmer-brochure",
        language="km",
        status="draft",
        translation_key=english.translation_key,
    )
    FrontPage.objects.create(featured_publication=english)

    def featured(path):
        html = client.get(path).content.decode()
        return re.search(r'<section class="featured".*?</section>', html, re.DOTALL)[0]

    in_thai = featured("/th/")
    assert "แผ่นพับแนะนำ UN-ACT" in in_thai and "ความเป็นมาของโครงการ" in in_thai
    assert f'href="{thai.get_absolute_url()}"' in in_thai
    assert "The UN-ACT Brochure" not in in_thai and 'lang="en"' not in in_thai
    in_khmer = featured("/km/")
    assert '<h2 id="featured-heading" lang="en">' in in_khmer
    assert "The UN-ACT Brochure" in in_khmer and "Draft Khmer edition" not in in_khmer
    assert f'href="/km/publications/{english.slug}/"' in in_khmer
    assert "draft-khmer-brochure" not in in_khmer
    in_english = featured("/")
    assert "The UN-ACT Brochure" in in_english and 'lang="' not in in_english
    assert f'href="{english.get_absolute_url()}"' in in_english


def test_a_featured_edition_in_another_language_keeps_its_own_address(client):
    """An edition featured on its own (a Thai post with no English edition) is shown on
    every page, marked with its language and linked at its own address."""
    thai = PostFactory(title="ข่าวภาษาไทย", slug="thai-news", language="th")
    FrontPage.objects.create(featured_post=thai)
    for path in ("/", "/vi/", "/th/"):
        html = client.get(path).content.decode()
        featured = re.search(
            r'<section class="featured".*?</section>', html, re.DOTALL
        )[0]
        assert "ข่าวภาษาไทย" in featured
        assert f'href="{thai.get_absolute_url()}"' in featured
        assert ('lang="th"' in featured) == (path != "/th/")


@pytest.mark.parametrize("state", ["draft", "scheduled", "expired"])
def test_a_featured_item_that_is_not_published_is_not_shown(client, state):
    post = PostFactory(title="Featured story", **{state: True} if state != "expired" else {
        "unpublish_at": timezone.now() - timedelta(minutes=1)})  # fmt: skip
    FrontPage.objects.create(featured_post=post)
    html = client.get("/").content.decode()
    assert 'class="featured"' not in html


def test_a_featured_post_unpublished_in_bulk_leaves_the_front_page(
    client, editor_client
):
    post = PostFactory(title="Featured story")
    FrontPage.objects.create(featured_post=post)
    assert 'class="featured"' in client.get("/").content.decode()
    editor_client.post(
        reverse("admin:posts_post_changelist"),
        {"action": "unpublish", "_selected_action": [post.pk]},
    )
    assert 'class="featured"' not in client.get("/").content.decode()


def test_nothing_is_shown_without_a_front_page(client):
    PostFactory()
    html = client.get("/").content.decode()
    assert 'class="featured"' not in html and 'class="front-intro' not in html


def test_the_front_page_features_one_item_only(editor_client):
    post, page = PostFactory(), PageFactory()
    url = reverse("admin:pages_frontpage_add")
    html = editor_client.get(url).content.decode()
    data = form_data(html, None, featured_post=str(post.pk), featured_page=str(page.pk))
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "Feature one item" in response.content.decode()
    data = form_data(html, None, featured_page=str(page.pk))
    assert editor_client.post(url, data).status_code == 302
    # One front page: the list and the add form open it.
    front = FrontPage.objects.get()
    assert editor_client.get(reverse("admin:pages_frontpage_changelist"))[
        "Location"
    ] == reverse("admin:pages_frontpage_change", args=[front.pk])
    assert editor_client.get(url)["Location"] == reverse(
        "admin:pages_frontpage_change", args=[front.pk]
    )


def test_the_safety_page_links_to_get_help_once_it_is_published(client):
    assert "/get-help/" not in client.get(reverse("safety")).content.decode()
    PageFactory(title="Get help", slug="get-help")
    assert 'href="/get-help/"' in client.get(reverse("safety")).content.decode()


@pytest.mark.parametrize("count", [2, 20])
def test_menus_and_front_page_cost_no_query_per_request(
    client, django_assert_num_queries, count
):
    for number in range(count):
        PageFactory(in_main_menu=number % 2 == 0, in_footer=number % 2 == 1)
    FrontPage.objects.create(intro="<p>Hello</p>", featured_post=PostFactory())
    # The count and the page of posts: menus and the front page come from the cache.
    with django_assert_num_queries(2):
        client.get("/")


@pytest.mark.parametrize("depth", [1, 2])
def test_a_page_costs_two_queries(client, django_assert_num_queries, depth):
    parent = None
    for level in range(depth):
        parent = PageFactory(slug=f"level-{level}", parent=parent)
    PageFactory.create_batch(3, parent=parent)
    with django_assert_num_queries(2):  # the page with its parent, the subpages
        response = client.get(parent.get_absolute_url())
    assert response.status_code == 200


def test_unknown_addresses_are_a_plain_404(client):
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/a/b/c/d/").status_code == 404
    assert client.post("/no-such-page/").status_code == 405


def test_the_demo_pages_are_loaded_once_and_keep_staff_notes_off_the_site(client):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", "--no-admin", stdout=StringIO())
    call_command("load_demo", "--no-admin", stdout=StringIO())
    assert Page.objects.filter(parent=None).count() == 5
    where = Page.objects.get(path="where-we-work")
    assert [page.title for page in where.children.order_by("menu_order")] == [
        "Cambodia", "China", "Lao PDR", "Myanmar", "Thailand", "Viet Nam",
    ]  # fmt: skip
    for country in where.children.all():
        assert country.editor_note.startswith("To be checked by staff")
        html = client.get(country.get_absolute_url()).content.decode()
        assert "To be checked" not in html and "Numbers to call" in html
    home = client.get("/").content.decode()
    assert 'href="/get-help/"' in main_menu(home) and 'href="/privacy/"' in footer(home)
    assert 'class="front-intro' in home
    featured = re.search(r'<section class="featured".*?</section>', home, re.DOTALL)
    assert "UN-ACT 2015 Annual Report" in featured.group(0)
    privacy = client.get("/privacy/").content.decode()
    assert "erased after 30 days" in privacy
    assert 'href="/get-help/"' in client.get(reverse("safety")).content.decode()


def test_pages_are_served_from_the_page_cache_and_fresh_after_a_save(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    page = PageFactory(title="Contact", slug="contact", body="<p>Write to us.</p>")
    assert client.get("/contact/")["X-Cache"] == "miss"
    assert client.get("/contact/")["X-Cache"] == "hit"
    page.body = "<p>Call us.</p>"
    page.save()
    response = client.get("/contact/")
    assert response["X-Cache"] == "miss" and "Call us." in response.content.decode()
