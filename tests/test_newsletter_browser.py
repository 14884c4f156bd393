"""The newsletter signup as a visitor meets it, in Chromium: with and without JavaScript."""

import re

import pytest

from django.urls import reverse

from newsletter.models import Subscriber
from posts.permissions import NEWSLETTER_MANAGERS

from .factories import CampaignFactory, PostFactory, StaffFactory
from .test_newsletter import run_worker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EDITOR_READY = "() => window.CKEDITOR && CKEDITOR.instances.id_body?.status === 'ready'"
LINK = re.compile(r"https?://[^\s<>\"]+/newsletter/confirm/[^\s<>\"/]+/")


def fill_footer_signup(page, email):
    footer = page.locator("footer [data-signup]")
    footer.get_by_label("Email address").fill(email)
    footer.get_by_role("checkbox").check()
    footer.get_by_role("button", name="Subscribe").click()
    return footer


def test_reading_sets_no_cookie_and_the_footer_signup_works_in_place(
    live_server, page, mailoutbox
):
    PostFactory(title="Hotline week")
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/publications/")
    assert page.context.cookies() == []  # a reader leaves no trace in the browser
    fill_footer_signup(page, "Reader@Example.org")
    status = page.locator("[data-signup-status]")
    status.wait_for()
    assert "Please check your inbox" in status.inner_text()
    assert page.url == live_server.url + "/publications/"  # answered in place (fetch)
    assert Subscriber.objects.get(email="reader@example.org").status == "pending"
    # The worker sends the email; its link confirms, with one press of a button.
    assert mailoutbox == []
    run_worker()
    link = (
        LINK.search(mailoutbox[0].body)
        .group(0)
        .replace("http://127.0.0.1:8000", live_server.url)
    )
    page.goto(link.replace("https://", "http://"))
    page.get_by_role("button", name="Confirm my subscription").click()
    page.wait_for_load_state()
    assert Subscriber.objects.get(email="reader@example.org").status == "subscribed"


def test_without_javascript_the_signup_answers_with_a_page_and_keeps_what_was_typed(
    live_server, browser
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/safety/")
        fill_footer_signup(page, "not-an-address")
        page.wait_for_load_state()
        assert "Enter an email address like name@example.org." in page.content()
        assert (
            page.get_by_label("Email address").first.input_value() == "not-an-address"
        )
        assert not Subscriber.objects.exists()
        page.get_by_label("Email address").first.fill("offline@example.org")
        page.get_by_role("button", name="Subscribe").first.click()
        page.wait_for_load_state()
        assert "Please check your inbox" in page.content()
        assert Subscriber.objects.filter(email="offline@example.org").exists()
    finally:
        context.close()


def test_a_form_on_another_site_cannot_sign_a_visitor_up(live_server, page):
    """The signup carries no CSRF token; the browser's own Origin and Sec-Fetch-Site refuse it."""
    attacker = (
        f'<form method="post" action="{live_server.url}/newsletter/subscribe/">'
        '<input name="email" value="victim@example.org"><input name="consent" value="on">'
        "<button>Win a prize</button></form>"
    )
    page.route(
        "http://attacker.example/",
        lambda route: route.fulfill(body=attacker, content_type="text/html"),
    )
    for start in (
        "http://attacker.example/",
        None,
    ):  # another site, and an opaque origin
        if start:
            page.goto(start)
        else:
            page.goto("about:blank")
            page.set_content(attacker)
        with page.expect_navigation():
            page.get_by_role("button", name="Win a prize").click()
        assert "sent from another web site" in page.content()
        assert not Subscriber.objects.exists()


def test_unsaved_changes_to_a_campaign_are_not_lost_by_sending_a_test(
    live_server, page, mailoutbox, settings, screenshot
):
    """ "Send a test" and "Send to all…" use the saved campaign and leave the page: with
    changes not saved yet (a field, or the body in its editor), they stop and say to
    save first, and the changes stay on the page. Once saved, the test goes out."""
    settings.ADMIN_REQUIRE_2FA = False
    StaffFactory(
        username="manager", email="manager@example.org", groups=[NEWSLETTER_MANAGERS]
    )
    campaign = CampaignFactory(subject="June edition", body="<p>Hello readers.</p>")
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    change_url = reverse("admin:newsletter_campaign_change", args=[campaign.pk])
    page.goto(live_server.url + change_url)
    page.wait_for_function(EDITOR_READY)

    page.locator("#id_subject").fill("June edition: the helplines")
    page.get_by_role("button", name="Send a test").click()
    alert = page.locator("#campaign-sending [role=alert]")
    assert "not saved" in alert.inner_text()
    assert page.url == live_server.url + change_url
    assert page.locator("#id_subject").input_value() == "June edition: the helplines"
    screenshot(page, "newsletter-campaign-unsaved-changes")
    page.get_by_role("link", name="Send to all confirmed subscribers…").click()
    assert page.url == live_server.url + change_url
    assert not mailoutbox

    # The body alone, changed in its editor, counts too.
    page.goto(live_server.url + change_url)
    page.wait_for_function(EDITOR_READY)
    page.evaluate(
        "() => CKEDITOR.instances.id_body.setData('<p>Hello, new readers.</p>')"
    )
    page.get_by_role("button", name="Send a test").click()
    assert "not saved" in page.locator("#campaign-sending [role=alert]").inner_text()
    assert not mailoutbox

    # Saved, the test goes out with what was saved.
    page.get_by_role("button", name="Save and continue editing").click()
    page.get_by_role("button", name="Send a test").click()
    page.get_by_text("Test of “June edition” sent to manager@example.org").wait_for()
    (message,) = mailoutbox
    assert "Hello, new readers." in message.body
