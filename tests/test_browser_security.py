"""The Content-Security-Policy as Chromium enforces it: nothing the site needs is blocked."""

import pytest

from django.contrib.auth import get_user_model

from .factories import PostFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def watch(page):
    """Collect CSP violations from the console and from securitypolicyviolation events."""
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    return console


def violations(page, console):
    return console + page.evaluate("window.__cspViolations || []")


def test_ckeditor_loads_in_the_admin_without_a_csp_violation(
    live_server, page, screenshot
):
    get_user_model().objects.create_superuser(
        "editor", "editor@example.org", "a long passphrase 42"
    )
    console = watch(page)
    page.goto(live_server.url + "/admin/posts/post/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "a long passphrase 42")
    page.click("input[type=submit]")
    page.wait_for_selector("iframe.cke_wysiwyg_frame")
    editor_body = page.frame_locator("iframe.cke_wysiwyg_frame").locator("body")
    editor_body.click()
    page.keyboard.type("Typed under the admin policy.")
    page.click("a.cke_button__bold")
    assert page.evaluate("Object.keys(CKEDITOR.instances).length") == 1
    # The image dialog and its "Browse Server" button (inline script and style) work too.
    page.click("a.cke_button__image")
    page.wait_for_selector(".cke_dialog_title")
    with page.expect_popup() as popup_info:
        page.locator(
            ".cke_dialog a.cke_dialog_ui_button", has_text="Browse Server"
        ).first.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.locator("h1").inner_text() == "Image library"
    popup_console = watch(popup)
    popup.reload()
    assert violations(popup, popup_console) == []
    popup.close()
    screenshot(page, "admin-ckeditor-under-csp")
    assert violations(page, console) == []


def test_a_public_page_with_a_video_has_no_csp_violation(live_server, page, screenshot):
    post = PostFactory(
        title="Survivors speak",
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        with_image=True,
    )
    console = watch(page)
    blocked = []
    # No third-party request leaves the test: the video host answers from here.
    page.route(
        "https://www.youtube-nocookie.com/**",
        lambda route: route.fulfill(body="<p>player</p>", content_type="text/html"),
    )
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    # Leaving a page aborts its pending requests; count failures on the post page only.
    page.goto(live_server.url + post.get_absolute_url())
    page.wait_for_load_state("networkidle")
    page.on("requestfailed", lambda request: blocked.append(request.url))
    assert page.locator("img").count() >= 1
    page.click(".video-facade")
    page.wait_for_selector(".video iframe")
    frame_src = page.get_attribute(".video iframe", "src")
    assert frame_src.startswith("https://www.youtube-nocookie.com/embed/")
    page.wait_for_timeout(300)
    screenshot(page, "public-post-under-csp")
    assert violations(page, console) == []
    assert blocked == []


def test_the_strict_policy_really_blocks_inline_script(live_server, page):
    """The public policy is enforced, not decorative: an injected inline script does not run."""
    console = watch(page)
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.__ran = true";
        document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran === true") is False
    assert any("script-src" in violation for violation in violations(page, console))
