"""A visitor on a 360 px phone opens a page from the menu, without JavaScript needed."""

import pytest

from .factories import PageFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_page_opens_from_the_main_menu_on_a_360_px_phone(
    live_server, page, screenshot
):
    PageFactory(
        title="About UN-ACT", slug="about", menu_label="About", in_main_menu=True,
        body="<p>UN-ACT works in six countries of the Greater Mekong Sub-region.</p>",
    )  # fmt: skip
    PageFactory(title="Privacy", slug="privacy", in_footer=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/")
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name="About")
    box = link.bounding_box()
    # Visible, inside the screen: the menu wraps rather than running off the side.
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    link.click()
    page.wait_for_url("**/about/")
    assert page.get_by_role("heading", level=1).inner_text() == "About UN-ACT"
    assert "six countries" in page.locator("main").inner_text()
    screenshot(page, "page-360")
    current = page.get_by_role("navigation", name="Main").locator(
        '[aria-current="page"]'
    )
    assert current.inner_text() == "About"
    page.get_by_role("navigation", name="About the programme").get_by_role(
        "link", name="Privacy"
    ).click()
    page.wait_for_url("**/privacy/")
