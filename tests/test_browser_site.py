import pytest

from .factories import PostFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_shift_three_times_leaves_the_page_for_good(live_server, page, settings):
    settings.QUICK_EXIT_URL = live_server.url + "/healthz"
    post = PostFactory(title="A survivor's story")
    page.goto(live_server.url + "/")
    page.goto(live_server.url + post.get_absolute_url())
    for _press in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url("**/healthz")
    # The post page was replaced: Back does not return to it.
    page.go_back()
    assert post.get_absolute_url() not in page.url


def test_exit_button_replaces_the_page(live_server, page, settings):
    settings.QUICK_EXIT_URL = live_server.url + "/healthz"
    page.goto(live_server.url + "/safety/")
    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url("**/healthz")


def test_each_shift_press_is_announced_and_the_count_expires(
    live_server, page, settings
):
    """As in GOV.UK's pattern: "press 2 more times", then "1 more", and after a pause the
    count starts again; typing a capital letter between presses is not an exit."""
    settings.QUICK_EXIT_URL = live_server.url + "/healthz"
    page.clock.install()  # the page's timers run on a clock the test moves
    page.goto(live_server.url + "/safety/")
    status = page.locator("[data-quick-exit-status]")
    page.keyboard.press("Shift")
    assert status.inner_text() == "Shift, press 2 more times to exit."
    page.keyboard.press("Shift")
    assert status.inner_text() == "Shift, press 1 more time to exit."
    page.keyboard.press("Shift+A")  # a capital letter: the count starts again
    assert status.inner_text() == ""
    page.keyboard.press("Shift")
    assert status.inner_text() == "Shift, press 2 more times to exit."
    page.clock.run_for(4900)
    assert status.inner_text() == "Shift, press 2 more times to exit."
    page.clock.run_for(200)
    assert status.inner_text() == "Exit this page expired."
    assert page.url.endswith("/safety/")


def test_video_facade_works_from_the_keyboard_and_loads_the_player_only_then(
    live_server, page
):
    post = PostFactory(
        body='<p>Watch:</p><p><iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="Safe migration"></iframe></p>'
    )
    page.route(
        "https://www.youtube-nocookie.com/**",
        lambda route: route.fulfill(body="<p>player</p>", content_type="text/html"),
    )
    page.goto(live_server.url + post.get_absolute_url())
    assert page.locator("iframe").count() == 0
    facade = page.locator(".video-facade")
    assert (
        "Play the video" in facade.inner_text()
        and "Safe migration" in facade.inner_text()
    )
    facade.focus()
    assert (
        page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    )  # focus is visible
    page.keyboard.press("Enter")
    frame = page.locator(
        "iframe[src^='https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ']"
    )
    frame.wait_for()
    assert frame.get_attribute("title") == "Safe migration"
    assert page.evaluate("document.activeElement.tagName") == "IFRAME"


def test_publication_filters_work_from_the_keyboard(live_server, page):
    from .factories import PublicationFactory

    PublicationFactory(title="Brief on recruitment fees", kind="brief")
    PublicationFactory(title="Annual report 2016", kind="annual-report")
    page.goto(live_server.url + "/publications/")
    page.focus("#filter-kind")
    page.select_option("#filter-kind", "brief")
    for _select in ("year", "country", "topic", "button"):
        page.keyboard.press("Tab")
    assert (
        page.evaluate("document.activeElement.textContent").strip()
        == "Show publications"
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/publications/?kind=brief")
    assert (
        "Brief on recruitment fees" in page.content()
        and "Annual report 2016" not in page.content()
    )
