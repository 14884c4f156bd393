"""What editors do in Chromium: sign in with a password and a code from an authenticator app."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.urls import reverse

from posts.permissions import EDITORS

from .factories import StaffFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_editor_signs_in_with_password_then_code(live_server, page, settings):
    settings.ADMIN_REQUIRE_2FA = True
    user = StaffFactory(username="editor", groups=[EDITORS])
    device = TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )
    page.goto(live_server.url + reverse("admin:index"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("correct horse battery")
    # Without the code the admin stays shut.
    page.get_by_role("button", name="Log in").click()
    assert (
        "correct username, password and code" in page.locator(".errornote").inner_text()
    )
    assert page.url.startswith(live_server.url + reverse("admin:login"))
    page.get_by_label("Password").fill("correct horse battery")
    field = page.get_by_label("Code from your authenticator app")
    assert field.get_attribute("autocomplete") == "one-time-code"
    field.fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))
    assert (
        "Site administration" in page.content()
        or "Content and community" in page.content()
    )
    page.get_by_role("link", name="Two-factor sign-in").click()
    assert "Two-factor sign-in is on" in page.content()


def test_a_thai_title_gives_a_slug_with_its_marks(live_server, page, settings):
    """The admin's slug, made as the title is typed, keeps Thai vowel signs and tone
    marks (Django's own drops them). tests/test_editions.py saves such a slug."""
    from unact.editions import edition_slugify

    settings.ADMIN_REQUIRE_2FA = False
    StaffFactory(username="editor", groups=[EDITORS])
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))
    page.goto(live_server.url + reverse("admin:posts_post_add"))
    title = "สายด่วน ง่ายดี"
    page.locator("#id_title").press_sequentially(title)
    # Letters no key produces arrive without keyup events; a last key runs the update.
    page.locator("#id_title").press("End")
    slug = page.locator("#id_slug").input_value()
    assert slug == edition_slugify(title) == "สายด่วน-ง่ายดี"


def _sign_in(page, url, username):
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()


def test_contributor_submits_and_publisher_approves(live_server, browser, page):
    """A contributor writes a post and submits it; it stays off the site until a
    publisher, led there by the admin's index, approves and publishes it."""
    from posts.models import Post
    from unact.review import CONTRIBUTORS, PUBLISHERS

    StaffFactory(username="dara", first_name="Dara", groups=[CONTRIBUTORS])
    StaffFactory(username="mali", email="mali@un-act.example", groups=[PUBLISHERS])
    _sign_in(page, live_server.url + reverse("admin:posts_post_add"), "dara")
    page.wait_for_selector("#id_title")
    # Only "Draft" is offered to a contributor.
    assert page.locator("#id_status option").all_inner_texts() == ["Draft"]
    page.locator("#id_title").press_sequentially("Night shelter opens in Mae Sot")
    page.frame_locator("iframe.cke_wysiwyg_frame").locator("body").click()
    page.keyboard.type("The shelter takes in anyone who needs a bed tonight.")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_selector(".messagelist .success")
    assert "Waiting for review since" in page.content()
    post = Post.objects.get(slug="night-shelter-opens-in-mae-sot")
    assert post.status == Post.Status.DRAFT
    visitor = browser.new_page()
    response = visitor.goto(live_server.url + post.get_absolute_url())
    assert response.status == 404

    publisher = browser.new_context().new_page()
    _sign_in(publisher, live_server.url + reverse("admin:index"), "mali")
    publisher.get_by_role("link", name="1 item waits for your review").click()
    publisher.get_by_role("link", name="Night shelter opens in Mae Sot").click()
    publisher.wait_for_selector("input[name=_review_approve]")
    assert "submitted by Dara" in publisher.locator(".field-review_state").inner_text()
    publisher.get_by_role("button", name="Approve and publish").click()
    publisher.wait_for_selector(".messagelist .success")
    assert "is approved and published" in publisher.content()
    response = visitor.goto(live_server.url + post.get_absolute_url())
    assert response.status == 200
    assert "anyone who needs a bed tonight" in visitor.locator(".prose").inner_text()
    publisher.context.close()
    visitor.close()


def test_editor_keeps_a_draft_of_a_live_post_previews_it_on_a_phone_then_publishes(
    live_server, browser, page, screenshot
):
    """An editor rewrites a live post as a draft: visitors still read the live text;
    the preview at 360 px shows the new one, marked as unpublished; publishing it puts
    it before visitors."""
    from posts.models import Post

    from .factories import CommentFactory, PostFactory

    StaffFactory(username="sok", first_name="Sok", groups=[EDITORS])
    post = PostFactory(
        title="Boats leave Chiang Saen at dawn",
        slug="boats-leave-chiang-saen",
        summary="",
        body="<p>The ferry crossing is the old route.</p>",
    )
    CommentFactory(post=post, text="We took this boat last year.")
    _sign_in(
        page,
        live_server.url + reverse("admin:posts_post_change", args=[post.pk]),
        "sok",
    )
    page.wait_for_selector("#id_title")
    page.locator("#id_title").fill("Boats and buses leave Chiang Saen at dawn")
    page.locator("#id_summary").fill("")
    page.frame_locator("iframe.cke_wysiwyg_frame").locator("body").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("The bridge now carries most travellers across the river.")
    page.get_by_role("button", name="Save draft of changes").click()
    page.wait_for_selector(".messagelist .success")
    notice = page.locator(".draft-of-changes").inner_text()
    screenshot(page, "draft-of-changes-admin")
    assert "A draft of changes by Sok" in notice and "is waiting" in notice
    assert (
        page.locator("#id_title").input_value()
        == "Boats and buses leave Chiang Saen at dawn"
    )
    assert page.locator("#id_summary").input_value() == ""

    visitor = browser.new_context().new_page()
    visitor.goto(live_server.url + post.get_absolute_url())
    assert (
        "The ferry crossing is the old route." in visitor.locator(".prose").inner_text()
    )
    assert visitor.locator("h1").inner_text() == "Boats leave Chiang Saen at dawn"

    preview_href = page.get_by_role("link", name="Preview draft").get_attribute("href")
    phone = browser.new_context(
        viewport={"width": 360, "height": 740},
        storage_state=page.context.storage_state(),
    ).new_page()
    phone.goto(live_server.url + preview_href)
    assert (
        "Preview of unpublished changes" in phone.locator(".draft-banner").inner_text()
    )
    assert (
        phone.locator("h1").inner_text() == "Boats and buses leave Chiang Saen at dawn"
    )
    assert "bridge now carries most travellers" in phone.locator(".prose").inner_text()
    assert "We took this boat last year." in phone.content()
    # The live version is the same post, not a neighbour.
    assert phone.locator("nav.prev-next").count() == 0
    # Nothing wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "draft-of-changes-preview-360")

    page.get_by_role("button", name="Publish changes").first.click()
    page.wait_for_selector(".messagelist .success")
    visitor.goto(live_server.url + post.get_absolute_url())
    assert (
        visitor.locator("h1").inner_text()
        == "Boats and buses leave Chiang Saen at dawn"
    )
    assert (
        "bridge now carries most travellers" in visitor.locator(".prose").inner_text()
    )
    assert Post.objects.get(pk=post.pk).title.startswith("Boats and buses")
    phone.context.close()
    visitor.context.close()
