"""Flows a person clicks through, in Debian's Chromium."""

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_visitor_reads_a_post_from_the_front_page(live_server, page, screenshot):
    call_command("load_demo", "--no-admin", stdout=open("/dev/null", "w"))
    page.goto(live_server.url + "/")
    assert (
        page.locator("h2.card-title").first.inner_text() == "UN-ACT 2015 Annual Report"
    )
    screenshot(page, "front-page-1280")
    page.get_by_role(
        "link", name="Read More about “UN-ACT in the EU Parliament”"
    ).click()
    page.wait_for_url("**/posts/un-act-in-the-eu-parliament/")
    assert page.locator("h1").inner_text() == "UN-ACT in the EU Parliament"
    body = page.locator(".prose").inner_text()
    assert "Sub-Committee on Human Rights" in body
    assert "01:22:35" in body  # the whole text, not the teaser
    screenshot(page, "post-page-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "post-page-360")
    # Nothing overflows sideways on a 360 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(live_server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "front-page-360")


def test_editor_writes_and_publishes_a_post_in_ckeditor(live_server, page, screenshot):
    get_user_model().objects.create_superuser(
        "editor", "editor@example.org", "a long passphrase 42"
    )
    external_requests = []
    page.on(
        "request",
        lambda request: (
            external_requests.append(request.url)
            if not request.url.startswith(live_server.url)
            and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto(live_server.url + "/admin/posts/post/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a long passphrase 42")
    page.click("input[type=submit]")
    page.wait_for_selector("#id_title")
    page.locator("#id_title").press_sequentially("Helpline opens in Lao PDR")
    assert (
        page.input_value("#id_slug") == "helpline-opens-in-lao-pdr"
    )  # prefilled from the title
    editor_body = page.frame_locator("iframe.cke_wysiwyg_frame").locator("body")
    editor_body.click()
    page.keyboard.type("The new helpline answers calls day and night in Lao and Thai.")
    page.click("a.cke_button__bold")
    page.keyboard.type(" Calls are free.")
    page.fill("#id_tags", "helpline, Lao PDR")
    page.select_option("#id_status", "published")
    screenshot(page, "admin-post-editor")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert external_requests == []
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Helpline opens in Lao PDR").first.click()
    page.wait_for_url("**/posts/helpline-opens-in-lao-pdr/")
    assert "answers calls day and night" in page.locator(".prose").inner_text()
    assert page.locator(".prose strong").inner_text().strip() == "Calls are free."
