import pytest

from .factories import PostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


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
