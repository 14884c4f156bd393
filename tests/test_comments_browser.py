"""Comments in Chromium: a visitor comments, a moderator approves, the visitor sees it."""

import pytest
from playwright.sync_api import expect

from posts.models import Comment
from posts.permissions import MODERATORS

from .factories import CommentFactory, PostFactory, StaffFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_visitor_comment_moderated_and_published(
    page, live_server, screenshot, settings, browser
):
    # A person needs more than 3 seconds to write; Playwright does not.
    settings.COMMENTS_MIN_FORM_SECONDS = 0
    post = PostFactory(title="Safe migration: what families should know")
    StaffFactory(
        username="moderator", email="moderator@un-act.example", groups=[MODERATORS]
    )

    page.goto(live_server.url + post.get_absolute_url())
    expect(page.get_by_role("heading", name="Leave a comment")).to_be_visible()
    # The honeypot sits off-screen: people never see it, bots fill it.
    assert page.get_by_label("Leave this field empty").bounding_box()["x"] < 0

    # A validation error keeps what was typed.
    page.get_by_label("Comment", exact=True).fill(
        "My brother went to work abroad.\nHow can we check the agency?"
    )
    page.get_by_label("Email (optional)").fill("noy@")
    page.get_by_role("button", name="Send comment").click()
    # Each message sits above its field (the summary at the top of the form repeats it as a link).
    field_errors = page.locator(".comment-form .errorlist")
    expect(
        field_errors.get_by_text("Give a name to show with your comment")
    ).to_be_visible()
    expect(
        field_errors.get_by_text("This email address looks incomplete")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Name: Give a name to show")).to_be_visible()
    assert page.get_by_label("Comment", exact=True).input_value() == (
        "My brother went to work abroad.\nHow can we check the agency?"
    )
    assert page.get_by_label("Email (optional)").input_value() == "noy@"
    screenshot(page, "comments-1-validation-error")

    page.get_by_label("Name", exact=True).fill("Noy")
    page.get_by_label("Email (optional)").fill("noy@example.org")
    page.get_by_role("button", name="Send comment").click()
    expect(
        page.get_by_text("Thank you. Your comment is awaiting moderation")
    ).to_be_visible()
    expect(page.get_by_text("Only you can see it for now.")).to_be_visible()
    screenshot(page, "comments-2-awaiting-moderation")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING

    # The moderator, in another browser context, approves it in the admin.
    moderator_context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = moderator_context.new_page()
    admin.goto(live_server.url + "/admin/login/")
    admin.get_by_label("Username").fill("moderator")
    admin.get_by_label("Password").fill("correct horse battery")
    admin.get_by_role("button", name="Log in").click()
    expect(admin.get_by_text("1 comment waits for moderation")).to_be_visible()
    screenshot(admin, "comments-3-admin-index")
    admin.get_by_role("link", name="1 comment waits for moderation").click()
    expect(admin.get_by_text("Select comment to change")).to_be_visible()
    screenshot(admin, "comments-3b-admin-queue")
    admin.locator(f'input[name="_selected_action"][value="{comment.pk}"]').check()
    admin.select_option('select[name="action"]', "approve")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_text("1 comment approved.")).to_be_visible()
    screenshot(admin, "comments-4-admin-approved")
    moderator_context.close()

    page.reload()
    comment_article = page.locator(f"#comment-{comment.pk}")
    expect(comment_article.get_by_text("How can we check the agency?")).to_be_visible()
    expect(page.get_by_role("heading", name="1 comment")).to_be_visible()
    assert page.get_by_text("Only you can see it for now.").count() == 0
    assert "noy@example.org" not in page.content()
    screenshot(page, "comments-5-published")


def test_visitor_pages_through_a_long_discussion_and_replies_on_page_two(
    page, live_server, screenshot, settings
):
    settings.COMMENTS_MIN_FORM_SECONDS = 0
    settings.COMMENTS_PER_PAGE = 2
    post = PostFactory(title="Recruitment agencies: what readers found")
    threads = [
        CommentFactory(
            post=post, name=f"Reader {number}", text=f"Story number {number}."
        )
        for number in range(1, 5)
    ]

    page.goto(live_server.url + post.get_absolute_url())
    expect(page.get_by_role("heading", name="4 comments")).to_be_visible()
    pages = page.get_by_role("navigation", name="Comment pages")
    expect(pages.get_by_text("Comment page 1 of 2")).to_be_visible()
    expect(page.get_by_text("Story number 3.")).to_have_count(0)
    pages.get_by_role("link", name="Newer comments").click()
    expect(page.get_by_text("Story number 3.")).to_be_visible()
    expect(page.get_by_text("Story number 1.")).to_have_count(0)
    assert page.url.endswith("?comments=2#comments")
    screenshot(page, "comments-6-second-page")

    page.get_by_role("link", name="Reply to Reader 3").click()
    expect(page.get_by_role("heading", name="Reply to Reader 3")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Noy")
    page.get_by_label("Comment", exact=True).fill("The same happened to my cousin.")
    page.get_by_role("button", name="Send reply").click()
    expect(
        page.get_by_text("Thank you. Your comment is awaiting moderation")
    ).to_be_visible()
    assert "?comments=2" in page.url
    reply = page.locator(f"#comment-{threads[2].pk} ~ .comment-replies")
    expect(reply.get_by_text("The same happened to my cousin.")).to_be_visible()
    expect(reply.get_by_text("Only you can see it for now.")).to_be_visible()
    pages.get_by_role("link", name="Older comments").click()
    expect(page.get_by_text("Story number 1.")).to_be_visible()


def test_a_comment_sent_after_the_cookies_were_cleared_goes_through(
    page, live_server, screenshot, settings
):
    # A shared phone's browser cleared its cookies while the page stayed open: the public
    # form needs none (no CSRF token; cross-site posts are refused by Fetch Metadata).
    settings.COMMENTS_MIN_FORM_SECONDS = 0
    post = PostFactory(title="Border crossings: questions from readers")
    page.goto(live_server.url + post.get_absolute_url())
    page.get_by_label("Name", exact=True).fill("Lan")
    page.get_by_label("Comment", exact=True).fill(
        "Where can my cousin ask for help in Mae Sot?"
    )
    expect(page.locator("input[name=issued]")).not_to_have_value("")
    page.context.clear_cookies()
    page.get_by_role("button", name="Send comment").click()
    expect(
        page.get_by_text("Thank you. Your comment is awaiting moderation")
    ).to_be_visible()
    assert Comment.objects.get().text == "Where can my cousin ask for help in Mae Sot?"


def test_visitors_of_a_cached_post_page_comment_with_and_without_javascript(
    page, browser, live_server, settings, screenshot
):
    """The cached page is the same for everyone and holds no ticket: with JavaScript the
    form fetches one when it is first used; without, a second step gives it one."""
    settings.COMMENTS_MIN_FORM_SECONDS = 1
    settings.PAGE_CACHE_SECONDS = 600
    post = PostFactory(title="Cached and compressed: a reader's question")
    url = live_server.url + post.get_absolute_url()
    assert page.goto(url).headers["x-cache"] == "miss"
    visitor = browser.new_context().new_page()  # another visitor: a hit
    response = visitor.goto(url)
    assert (
        response.headers["x-cache"] == "hit"
        and response.headers["content-encoding"] == "gzip"
    )
    assert (
        "public" in response.headers["cache-control"] and not visitor.context.cookies()
    )
    expect(
        visitor.get_by_role(
            "heading", name="Cached and compressed: a reader's question"
        )
    ).to_be_visible()
    visitor.get_by_label("Name", exact=True).fill("Kham")
    visitor.get_by_label("Comment", exact=True).fill(
        "Is the hotline free to call from Laos?"
    )
    expect(visitor.locator("input[name=issued]")).not_to_have_value("")
    visitor.wait_for_timeout(
        1100
    )  # the real browser's clock: a person takes longer than this
    visitor.get_by_role("button", name="Send comment").click()
    expect(
        visitor.get_by_text("Thank you. Your comment is awaiting moderation")
    ).to_be_visible()
    visitor.context.close()

    without_script = browser.new_context(java_script_enabled=False).new_page()
    assert without_script.goto(url).headers["x-cache"] == "hit"
    without_script.get_by_label("Name", exact=True).fill("Noy")
    without_script.get_by_label("Comment", exact=True).fill(
        "Can I call from a Thai number?"
    )
    without_script.get_by_role("button", name="Send comment").click()
    expect(without_script.get_by_text("Almost done")).to_be_visible()
    assert (
        without_script.get_by_label("Comment", exact=True).input_value()
        == "Can I call from a Thai number?"
    )
    screenshot(without_script, "comments-second-step")
    without_script.wait_for_timeout(1100)
    without_script.get_by_role("button", name="Send comment").click()
    expect(
        without_script.get_by_text("Thank you. Your comment is awaiting moderation")
    ).to_be_visible()
    without_script.context.close()
    assert sorted(Comment.objects.values_list("name", flat=True)) == ["Kham", "Noy"]


def test_moderation_queue_fits_its_box_and_moderates_in_one_click_without_javascript(
    browser, live_server, screenshot
):
    """The comment wraps by words, the table is no wider than its box, "Held because" is on
    screen, and Approve / Spam work in one click with JavaScript off."""
    StaffFactory(
        username="moderator", email="moderator@un-act.example", groups=[MODERATORS]
    )
    post = PostFactory(
        title="Recruitment agencies in Mae Sot: a guide for families who ask us"
    )
    long_text = " ".join(
        ["My cousin paid an agency a large fee and never got the promised job"] * 4
    )
    held = CommentFactory(post=post, name="Noy", text=long_text, status=Comment.Status.PENDING,
                          moderation_reason="Seems to contain personal data: a phone number")  # fmt: skip
    spam = CommentFactory(
        post=post,
        name="Bot",
        text="Cheap visas, fast money",
        status=Comment.Status.PENDING,
    )
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    admin = context.new_page()
    admin.goto(live_server.url + "/admin/login/")
    admin.get_by_label("Username").fill("moderator")
    admin.get_by_label("Password").fill("correct horse battery")
    admin.get_by_role("button", name="Log in").click()
    admin.goto(live_server.url + "/admin/posts/comment/?status__exact=pending")
    table, box = (
        admin.locator("#result_list").bounding_box(),
        admin.locator("#changelist").bounding_box(),
    )
    assert table["x"] + table["width"] <= box["x"] + box["width"] + 1
    held_because = admin.get_by_role("columnheader", name="Held because").bounding_box()
    assert held_because["x"] + held_because["width"] <= 1280
    comment_cell = admin.locator(".field-excerpt_display").nth(1).bounding_box()
    assert comment_cell["width"] >= 150  # whole words per line, not one word a line
    assert admin.locator("td.field-post").first.bounding_box()["width"] >= 100
    screenshot(admin, "comments-7-moderation-queue")

    admin.locator(
        f'button.moderate-approve[formaction*="/{held.pk}/moderate/"]'
    ).click()
    expect(admin.get_by_text("The comment by Noy is approved.")).to_be_visible()
    assert "status__exact=pending" in admin.url
    admin.locator(f'button.moderate-spam[formaction*="/{spam.pk}/moderate/"]').click()
    expect(admin.get_by_text("The comment by Bot is marked as spam.")).to_be_visible()
    held.refresh_from_db()
    spam.refresh_from_db()
    assert (held.status, spam.status) == (Comment.Status.APPROVED, Comment.Status.SPAM)
    context.close()


def test_approve_and_spam_are_on_screen_beside_the_admin_navigation(
    browser, live_server, screenshot
):
    """With JavaScript on (the admin's navigation open beside the list, the filters on
    the other side) on a 1280 px screen, the whole queue fits the list's box: Approve and
    Spam are visible without scrolling the table sideways, and work in one click."""
    StaffFactory(
        username="moderator", email="moderator@un-act.example", groups=[MODERATORS]
    )
    post = PostFactory(
        title="Recruitment agencies in Mae Sot: a guide for families who ask us"
    )
    held = CommentFactory(post=post, name="Noy", text=" ".join(["My cousin paid an agency a large fee"] * 4),
                          status=Comment.Status.PENDING,
                          moderation_reason="Seems to contain personal data: a phone number")  # fmt: skip
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = context.new_page()
    admin.goto(live_server.url + "/admin/login/")
    admin.get_by_label("Username").fill("moderator")
    admin.get_by_label("Password").fill("correct horse battery")
    admin.get_by_role("button", name="Log in").click()
    admin.goto(live_server.url + "/admin/posts/comment/?status__exact=pending")
    expect(admin.locator("#nav-sidebar")).to_be_visible()
    results = admin.locator("#changelist .results").bounding_box()
    table = admin.locator("#result_list").bounding_box()
    assert table["x"] + table["width"] <= results["x"] + results["width"] + 1
    for button in ("moderate-approve", "moderate-spam"):
        box = admin.locator(f"button.{button}").bounding_box()
        assert box["x"] + box["width"] <= results["x"] + results["width"]
    screenshot(admin, "comments-8-moderation-queue-beside-navigation")
    admin.locator(
        f'button.moderate-approve[formaction*="/{held.pk}/moderate/"]'
    ).click()
    expect(admin.get_by_text("The comment by Noy is approved.")).to_be_visible()
    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    context.close()
