import pytest

from .factories import CategoryFactory, PostFactory, PublicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_searches_from_the_header_and_filters_the_results(
    live_server, page, screenshot
):
    news = CategoryFactory(name="News")
    PostFactory(
        title="Safe migration hotline opens in Cambodia",
        category=news,
        body="<p>The hotline gives advice on safe migration before people leave home.</p>",
    )
    PostFactory(
        title="Referral meeting",
        category=news,
        body="<p>Officials discussed safe migration and referral.</p>",
    )
    PublicationFactory(title="Safe migration: a guide for workers", kind="brief")
    PostFactory(title="Draft on safe migration", draft=True)

    page.goto(live_server.url + "/publications/")
    page.get_by_role("searchbox", name="Search posts and publications").first.fill(
        "safe migration"
    )
    page.get_by_role("search", name="Site search").get_by_role(
        "button", name="Search"
    ).click()
    page.wait_for_url("**/search/?q=safe+migration")
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Search results for “safe migration”"
    )
    assert page.locator(".search-count").inner_text().startswith("3 results")
    assert page.locator(".search-result mark").count() >= 3
    assert "Draft on safe migration" not in page.content()
    screenshot(page, "search-results")

    page.get_by_role("navigation", name="Narrow the results").get_by_role(
        "link", name="Publications"
    ).click()
    page.wait_for_url("**type=publication**")
    titles = page.locator(".search-title").all_inner_texts()
    assert titles == ["Safe migration: a guide for workers"]
    assert page.locator(".search-count").inner_text().startswith("1 result")
    screenshot(page, "search-filtered")

    page.get_by_role("link", name="Publications (remove this filter)").click()
    assert page.locator(".search-title").count() == 3

    # On a phone (360 x 760, a common cheap Android screen) the first result's title is
    # on the first screen, before the filters (issue 14 item 4: it started about 900 px
    # down); the header's search box gives way to the page's own form.
    page.set_viewport_size({"width": 360, "height": 760})
    page.goto(live_server.url + "/search/?q=safe+migration")
    title = page.locator(".search-title").first.bounding_box()
    filters = page.get_by_role("navigation", name="Narrow the results").bounding_box()
    screenshot(page, "search-results-mobile")
    assert title["y"] + title["height"] < 760 and title["y"] < filters["y"], title
    assert not page.locator(".site-search").is_visible()
    assert page.get_by_role(
        "searchbox", name="Search posts and publications"
    ).is_visible()

    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(live_server.url + "/search/?q=xylophone")
    assert page.get_by_role("heading", name="Nothing matches your search").is_visible()
    screenshot(page, "search-no-match-mobile")
