"""Comments on posts: the visitor's form, moderation, spam defences and privacy."""

import re
import threading
import time
from datetime import timedelta

import feedparser
import pytest
from django_tasks_db.models import DBTaskResult

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from posts.forms import comment_form_token
from posts.models import BlockedCommenter, BlockedWord, Comment, Post
from posts.permissions import MODERATORS
from posts.services import client_ip
from posts.tasks import notify_moderators

from .factories import (
    BlockedCommenterFactory,
    BlockedWordFactory,
    CommentFactory,
    PostFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def comment_data(post, **overrides):
    """What the form sends, as if it had been open for half a minute."""
    data = {
        "name": "Mai",
        "email": "",
        "text": "Thank you for writing about the referral system.",
        "website": "",
        "parent": "",
        "issued": comment_form_token(post.pk, issued_at=time.time() - 30),
    }
    data.update(overrides)
    return data


def post_comment(client, post, ip="198.51.100.10", **overrides):
    return client.post(
        reverse("posts:comment", args=[post.slug]),
        comment_data(post, **overrides),
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def moderator():
    return StaffFactory(
        username="moderator", email="moderator@un-act.example", groups=[MODERATORS]
    )


def run_worker():
    """Run the real database worker over everything queued, then return."""
    from unittest import mock

    # The worker closes connections that are not in autocommit mode, which is every
    # connection inside a test's transaction; the test database must stay open.
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections"
    ):
        call_command(
            "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0
        )


# Moderation flow ------------------------------------------------------------------------


def test_moderation_flow_end_to_end(
    client, moderator, smtp_server, django_capture_on_commit_callbacks
):
    """A new comment waits, moderators get one email, an approval publishes it."""
    post = PostFactory(title="Safe migration in Lao PDR")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(
            client,
            post,
            name="Noy",
            text="Very useful.\nThank you.",
            email="Noy@Example.org",
        )
    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url() + "#comments"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.email == "noy@example.org"
    assert comment.ip_address == "198.51.100.10"

    html = client.get(response["Location"]).content.decode()
    assert "Thank you. Your comment is awaiting moderation" in html
    assert "Very useful." in html and "Only you can see it for now." in html
    other_visitor = Client()
    assert (
        "Very useful."
        not in other_visitor.get(post.get_absolute_url()).content.decode()
    )

    assert not smtp_server.messages  # sent by the worker, not the request
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert len(smtp_server.messages) == 1
    email = smtp_server.messages[0]
    assert email["to"] == ["moderator@un-act.example"]
    assert "Safe migration in Lao PDR" in email["message"]["Subject"]
    body = email["message"].get_content()
    assert f"/admin/posts/comment/{comment.pk}/change/" in body
    assert "noy@example.org" not in body and "198.51.100.10" not in body
    run_worker()
    assert len(smtp_server.messages) == 1, "one email per comment"

    admin_client = Client()
    admin_client.force_login(moderator)
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "1 comment waits for moderation" in index
    response = admin_client.post(
        reverse("admin:posts_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk]},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (
        comment.status == Comment.Status.APPROVED and comment.moderated_by == moderator
    )
    assert (
        "No comments wait for moderation."
        in admin_client.get(reverse("admin:index")).content.decode()
    )

    html = other_visitor.get(post.get_absolute_url()).content.decode()
    assert "Very useful.<br>Thank you." in html
    assert "1 comment" in html
    assert "1 comment" in other_visitor.get(reverse("posts:list")).content.decode()


def test_spam_comment_gets_same_answer_and_no_moderation_email(
    client, moderator, django_capture_on_commit_callbacks
):
    post = PostFactory()
    BlockedWordFactory(phrase="casino", action=BlockedWord.Action.SPAM)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_comment(client, post, text="Best casino bonus here")
    assert Comment.objects.get().status == Comment.Status.SPAM
    assert not callbacks
    assert "awaiting moderation" in client.get(response["Location"]).content.decode()
    assert "casino" not in client.get(post.get_absolute_url()).content.decode()


def test_returning_commenter_is_published_at_once(
    client, django_capture_on_commit_callbacks
):
    """An email that already has an approved comment skips moderation, as in WordPress."""
    post = PostFactory()
    CommentFactory(email="somchai@example.org", status=Comment.Status.APPROVED)
    response = post_comment(
        client, post, email="SOMCHAI@example.org", text="Me again, thanks."
    )
    comment = Comment.objects.get(text="Me again, thanks.")
    assert comment.status == Comment.Status.APPROVED
    assert response["Location"] == comment.get_absolute_url()
    assert (
        "Your comment is published."
        in client.get(post.get_absolute_url()).content.decode()
    )


def test_known_email_with_only_pending_or_spam_comments_still_waits(client):
    post = PostFactory()
    CommentFactory(email="new@example.org", status=Comment.Status.PENDING)
    CommentFactory(email="new@example.org", status=Comment.Status.SPAM)
    post_comment(client, post, email="new@example.org", text="Hello")
    assert Comment.objects.get(text="Hello").status == Comment.Status.PENDING


def test_returning_commenter_with_spam_rule_is_still_held(client):
    post = PostFactory()
    CommentFactory(email="somchai@example.org")
    post_comment(
        client,
        post,
        email="somchai@example.org",
        text="http://a.example.com http://b.example.com http://c.example.com",
    )
    comment = Comment.objects.get(post=post)
    assert comment.status == Comment.Status.PENDING
    assert "3 links (more than 2)" in comment.moderation_reason


# Spam rules -----------------------------------------------------------------------------


def test_honeypot_refuses_with_message_and_keeps_text(client):
    post = PostFactory()
    response = post_comment(
        client, post, website="http://spam.example", text="Kept text 123abc", name="Bot"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Leave this field empty" in html and "was not sent" in html
    assert "Kept text 123abc" in html and 'value="Bot"' in html
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "issued, message",
    [
        (lambda post: comment_form_token(post.pk), "faster than a person can write"),
        (
            lambda post: comment_form_token(post.pk, issued_at=time.time() - 2 * 86400),
            "opened a long time ago",
        ),
        (
            lambda post: (
                comment_form_token(post.pk, issued_at=time.time() - 30)[:-3] + "abc"
            ),
            "damaged",
        ),
        (
            lambda post: comment_form_token(post.pk + 1000, issued_at=time.time() - 30),
            "damaged",
        ),
        (
            lambda post: "",
            "Almost done: please check your comment and send it again",
        ),  # no ticket: a second step
        (lambda post: "not-a-token", "damaged"),
    ],
    ids=["too-fast", "too-old", "tampered", "other-post", "missing", "garbage"],
)
def test_signed_timestamp_refuses_bad_forms(client, issued, message):
    post = PostFactory()
    response = post_comment(
        client, post, issued=issued(post), text="My words stay here"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "My words stay here" in html
    assert not Comment.objects.exists()


def test_too_fast_form_can_be_sent_again_later(client, settings):
    """The refused form keeps its token, so sending again after the wait succeeds."""
    settings.COMMENTS_MIN_FORM_SECONDS = 60
    post = PostFactory()
    token = comment_form_token(post.pk)
    assert post_comment(client, post, issued=token).status_code == 400
    assert (
        f'value="{token}"' in post_comment(client, post, issued=token).content.decode()
    )
    # The wait is over (shortened rather than slept through, so a busy machine cannot
    # make the test flaky): the same token is now accepted.
    settings.COMMENTS_MIN_FORM_SECONDS = 0
    assert post_comment(client, post, issued=token).status_code == 302


def test_expired_form_gets_a_fresh_token(client):
    post = PostFactory()
    old = comment_form_token(post.pk, issued_at=time.time() - 2 * 86400)
    html = post_comment(client, post, issued=old).content.decode()
    assert f'value="{old}"' not in html and 'name="issued" value="' in html


def test_rate_limit_per_ip(client, settings):
    """Five comments in ten minutes from one address; the sixth gets a readable 429."""
    post = PostFactory()
    for number in range(5):
        assert post_comment(client, post, text=f"Comment {number}").status_code == 302
    response = post_comment(client, post, text="The sixth, kept for later")
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    html = response.content.decode()
    assert (
        "several comments in a short time" in html
        and "The sixth, kept for later" in html
    )
    assert Comment.objects.count() == 5
    # Another address is not limited.
    assert (
        post_comment(
            client, post, ip="198.51.100.99", text="From elsewhere"
        ).status_code
        == 302
    )


def test_rate_limit_ignores_forged_forwarded_for(client):
    """Without trusted proxies, X-Forwarded-For cannot dodge the limit."""
    post = PostFactory()
    for number in range(6):
        response = client.post(
            reverse("posts:comment", args=[post.slug]),
            comment_data(post, text=f"Comment {number}"),
            REMOTE_ADDR="198.51.100.10",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}",
        )
    assert response.status_code == 429
    assert set(Comment.objects.values_list("ip_address", flat=True)) == {
        "198.51.100.10"
    }


def test_client_ip_behind_trusted_proxies(rf, settings):
    request = rf.get(
        "/",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5, 10.0.0.1",
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.5"
    settings.TRUSTED_PROXY_COUNT = (
        5  # fewer hops than proxies: the header is not believed
    )
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert (
        client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="junk"))
        == "10.0.0.2"
    )


def test_staff_are_not_rate_limited(client, settings):
    settings.COMMENTS_RATE_LIMIT = 1
    post = PostFactory()
    client.force_login(StaffFactory())
    assert post_comment(client, post, text="One").status_code == 302
    assert post_comment(client, post, text="Two").status_code == 302


@pytest.mark.parametrize(
    "action, status", [("hold", Comment.Status.PENDING), ("spam", Comment.Status.SPAM)]
)
def test_too_many_links(client, settings, action, status):
    settings.COMMENTS_TOO_MANY_LINKS_ACTION = action
    post = PostFactory()
    CommentFactory(email="known@example.org")
    post_comment(
        client,
        post,
        email="known@example.org",
        text="See https://a.example.org and www.b.org",
    )
    assert (
        Comment.objects.get(post=post).status == Comment.Status.APPROVED
    )  # two links are fine
    post_comment(
        client,
        post,
        email="known@example.org",
        text="http://a.example.com www.b.org c.example.net/x http://d.io",
    )
    comment = Comment.objects.filter(post=post).last()
    assert comment.status == status
    assert "4 links (more than 2)" in comment.moderation_reason


@pytest.mark.parametrize(
    "phrase, action, text, status",
    [
        (
            "casino",
            BlockedWord.Action.HOLD,
            "Try the CASINO tonight",
            Comment.Status.PENDING,
        ),
        (
            "casino",
            BlockedWord.Action.SPAM,
            "Try the casino tonight",
            Comment.Status.SPAM,
        ),
        (
            "cheap loans",
            BlockedWord.Action.SPAM,
            "Cheap Loans for everyone",
            Comment.Status.SPAM,
        ),
        ("คาสิโน", BlockedWord.Action.SPAM, "เล่นคาสิโนออนไลน์", Comment.Status.SPAM),
        (
            "casino",
            BlockedWord.Action.SPAM,
            "Occasional visits by casinos",
            Comment.Status.APPROVED,
        ),
    ],
)
def test_blocklist_words(client, phrase, action, text, status):
    post = PostFactory()
    BlockedWordFactory(phrase=phrase, action=action)
    CommentFactory(email="known@example.org")
    post_comment(client, post, email="known@example.org", text=text)
    comment = Comment.objects.get(post=post)
    assert comment.status == status
    if status != Comment.Status.APPROVED:
        assert f"Blocklist word: “{phrase}”" in comment.moderation_reason


PERSONAL_DATA = [
    ("Call my sister on 081-234-5678 please", "a phone number"),
    ("Her number is 02 123 4567", "a phone number"),
    ("โทร ๐๘๑ ๒๓๔ ๕๖๗๘", "a phone number"),
    ("Ring +855 12 345 678", "a phone number"),
    ("Số điện thoại 0912 345 678", "a phone number"),
    ("Lao number 020 5555 1234", "a phone number"),
    ("她的电话 13800138000", "a phone number"),
    ("Myanmar +95 9 123 456 789", "a phone number"),
    ("Write to her: lin.aung@example.com", "an email address"),
    ("Write to lin [at] example.com", "an email address"),
    ("Follow @kham_2001 on Facebook", "a social media handle"),
    ("LINE id: somchai99", "a messaging app id"),
    ("Add her on WhatsApp +66 81 234 5678", "a messaging app id"),
    ("Telegram: helpme123", "a messaging app id"),
    ("WeChat: mei_li88", "a messaging app id"),
    ("Zalo 0912345678", "a messaging app id"),
    ("My LINE is https://line.me/ti/p/abc", "a messaging app id"),
    ("加我微信 abc12345", "a messaging app id"),
]


@pytest.mark.parametrize("text, kind", PERSONAL_DATA)
def test_personal_data_is_always_held_with_reason(client, text, kind):
    """Even a known commenter's comment waits, and the admin says why."""
    post = PostFactory()
    CommentFactory(email="known@example.org")
    post_comment(client, post, email="known@example.org", text=text)
    comment = Comment.objects.get(post=post)
    assert comment.status == Comment.Status.PENDING
    assert (
        "personal data" in comment.moderation_reason
        and kind in comment.moderation_reason
    )


@pytest.mark.parametrize(
    "text",
    [
        "Between 2015 and 2020, 30% of 1,200 people returned.",
        "The report (2019-2023) is on page 14.",
        "I work on the line between policy and practice.",
        "The hotline 1300 answers all night.",
        "Signal the change we need!",
    ],
)
def test_ordinary_text_is_not_taken_for_personal_data(client, text):
    post = PostFactory()
    CommentFactory(email="known@example.org")
    post_comment(client, post, email="known@example.org", text=text)
    assert Comment.objects.get(post=post).status == Comment.Status.APPROVED


def test_staff_replies_with_personal_data_are_held_too(client):
    post = PostFactory()
    parent = CommentFactory(post=post)
    client.force_login(StaffFactory())
    post_comment(client, post, parent=parent.pk, text="Call us on 081 234 5678")
    assert Comment.objects.get(parent=parent).status == Comment.Status.PENDING


def test_admin_shows_why_a_comment_was_held(client, moderator):
    post = PostFactory()
    post_comment(Client(), post, text="Her LINE id: somchai99")
    comment = Comment.objects.get()
    client.force_login(moderator)
    changelist = client.get(reverse("admin:posts_comment_changelist")).content.decode()
    assert "Seems to contain personal data: a messaging app id" in changelist
    change = client.get(
        reverse("admin:posts_comment_change", args=[comment.pk])
    ).content.decode()
    assert "Seems to contain personal data" in change


def test_blocked_commenter_by_email_and_by_ip(client):
    post = PostFactory()
    BlockedCommenterFactory(email="spammer@example.com")
    BlockedCommenterFactory(email="", ip_address="192.0.2.66")
    post_comment(client, post, email="Spammer@example.com", text="By email")
    post_comment(client, post, ip="192.0.2.66", text="By address")
    post_comment(client, post, ip="192.0.2.67", text="Someone else")
    statuses = dict(Comment.objects.values_list("text", "status"))
    assert statuses == {
        "By email": Comment.Status.SPAM,
        "By address": Comment.Status.SPAM,
        "Someone else": Comment.Status.PENDING,
    }


def test_moderator_blocks_a_commenter_from_the_admin(client, moderator):
    post = PostFactory()
    abusive = CommentFactory(
        post=post,
        email="troll@example.org",
        ip_address="192.0.2.9",
        status=Comment.Status.PENDING,
    )
    client.force_login(moderator)
    client.post(
        reverse("admin:posts_comment_changelist"),
        {"action": "block_commenters", "_selected_action": [abusive.pk]},
    )
    abusive.refresh_from_db()
    assert abusive.status == Comment.Status.SPAM
    block = BlockedCommenter.objects.get()
    assert (
        block.email == "troll@example.org"
        and block.ip_address == "192.0.2.9"
        and block.created_by == moderator
    )
    post_comment(
        Client(), post, ip="192.0.2.10", email="troll@example.org", text="Again"
    )
    assert Comment.objects.get(text="Again").status == Comment.Status.SPAM


def test_bulk_actions_spam_and_remove(client, moderator):
    first, second = CommentFactory.create_batch(2, status=Comment.Status.PENDING)
    client.force_login(moderator)
    url = reverse("admin:posts_comment_changelist")
    client.post(url, {"action": "mark_spam", "_selected_action": [first.pk]})
    client.post(url, {"action": "remove", "_selected_action": [second.pk]})
    assert Comment.objects.get(pk=first.pk).status == Comment.Status.SPAM
    assert Comment.objects.get(pk=second.pk).status == Comment.Status.REMOVED
    assert (
        client.get(url + "?status__exact=spam&q=" + first.name)
        .content.decode()
        .count(first.excerpt)
        == 1
    )


def _changelist_form(html):
    """The changelist form's CSRF token and the formaction of each row's buttons."""
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    buttons = re.findall(r'<button type="submit" class="button (moderate-\w+)" formaction="([^"]+)" formmethod="post"'
                         r' name="moderate_status" value="(\w+)">([^<]+)</button>', html)  # fmt: skip
    return token, buttons


def test_moderation_queue_approves_or_spams_a_comment_in_one_click(moderator):
    """Each row has Approve and Spam buttons: submit buttons of the changelist form (its
    CSRF token) sent to the row's own address, so they work without JavaScript; the
    moderator comes back to the list as it was filtered."""
    held = CommentFactory(
        status=Comment.Status.PENDING,
        name="Noy",
        moderation_reason="Seems to contain a phone number",
    )
    spam = CommentFactory(status=Comment.Status.PENDING, name="Bot")
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    url = reverse("admin:posts_comment_changelist") + "?status__exact=pending"
    html = client.get(url).content.decode()
    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', html)
    assert (
        headers[:3] == ["excerpt_display", "held_because", "name"]
        and headers[-1] == "moderate_buttons"
    )
    assert (
        "Seems to contain a phone number" in html and "css/admin_comments.css" in html
    )
    token, buttons = _changelist_form(html)
    assert [(css, status, label) for css, _url, status, label in buttons] == [
        ("moderate-approve", "approved", "Approve"),
        ("moderate-spam", "spam", "Spam"),
    ] * 2
    approve = next(
        action
        for css, action, status, _ in buttons
        if status == "approved" and f"/{held.pk}/" in action
    )
    action = approve.replace("&amp;", "&")
    assert (
        action
        == reverse("admin:posts_comment_moderate", args=[held.pk])
        + "?_changelist_filters=status__exact%3Dpending"
    )
    # Without the form's token, nothing changes.
    assert client.post(action, {"moderate_status": "approved"}).status_code == 403
    response = client.post(
        action,
        {"csrfmiddlewaretoken": token, "moderate_status": "approved", "action": ""},
    )
    assert response.status_code == 302 and response.headers["Location"] == url
    spam_action = next(
        action
        for _, action, status, _ in buttons
        if status == "spam" and f"/{spam.pk}/" in action
    )
    client.post(
        spam_action.replace("&amp;", "&"),
        {"csrfmiddlewaretoken": token, "moderate_status": "spam"},
    )
    held.refresh_from_db()
    spam.refresh_from_db()
    assert held.status == Comment.Status.APPROVED and held.moderated_by == moderator
    assert spam.status == Comment.Status.SPAM
    page = client.get(url, follow=True).content.decode()
    assert "The comment by Bot is marked as spam." in page
    # The bulk actions stay.
    assert 'value="approve"' in page and 'value="mark_spam"' in page


def test_one_click_moderation_needs_the_change_permission(client):
    from django.contrib.auth.models import Permission

    comment = CommentFactory(status=Comment.Status.PENDING)
    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    html = client.get(reverse("admin:posts_comment_changelist")).content.decode()
    assert comment.excerpt in html and "moderate_status" not in html
    moderate = reverse("admin:posts_comment_moderate", args=[comment.pk])
    assert client.post(moderate, {"moderate_status": "approved"}).status_code == 403
    assert (
        client.get(moderate).status_code == 302
    )  # an address typed by hand: back to the list
    client.logout()
    assert (
        client.post(moderate, {"moderate_status": "approved"}).status_code == 302
    )  # to the login
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
    ],
    ids=["fetch-metadata", "origin", "null-origin"],
)
def test_a_comment_posted_from_another_site_is_refused_and_keeps_its_text(headers):
    """Public pages carry no CSRF token; a browser's cross-site post is refused by its
    Fetch Metadata or Origin, as the newsletter signup's is."""
    post = PostFactory()
    client = Client(enforce_csrf_checks=True)
    typed = comment_data(post, text="Forged from another site")
    response = client.post(reverse("posts:comment", args=[post.slug]), typed, **headers)
    assert response.status_code == 403
    html = response.content.decode()
    assert "sent from another web site" in html and "Forged from another site" in html
    assert not Comment.objects.exists()
    same_site = client.post(reverse("posts:comment", args=[post.slug]), typed, HTTP_SEC_FETCH_SITE="same-origin",
                            HTTP_ORIGIN="http://testserver")  # fmt: skip
    assert same_site.status_code == 302 and Comment.objects.count() == 1


def test_signed_in_staff_keep_the_csrf_token():
    post = PostFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffFactory())
    html = client.get(post.get_absolute_url()).content.decode()
    assert "csrfmiddlewaretoken" in html
    response = client.post(
        reverse("posts:comment", args=[post.slug]), comment_data(post)
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_a_comment_whose_token_failed_comes_back_with_its_text_and_goes_through_when_sent_again():
    # A signed-in browser that did not send the CSRF cookie back (blocked or cleared cookies).
    post = PostFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffFactory())
    url = reverse("posts:comment", args=[post.slug])
    typed = comment_data(
        post, name="Mai", text="Words typed on a slow phone must not be lost."
    )
    refused = client.post(url, typed)
    assert refused.status_code == 403
    html = refused.content.decode()
    assert (
        "Words typed on a slow phone must not be lost." in html
        and 'value="Mai"' in html
    )
    assert "did not send back the security cookie" in html and 'role="alert"' in html
    assert "CSRF verification failed" not in html
    assert not Comment.objects.exists()
    # The page came with a fresh token and its cookie: sending again works.
    assert "csrftoken" in refused.cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    sent = client.post(url, {**typed, "csrfmiddlewaretoken": token})
    assert sent.status_code == 302
    assert Comment.objects.get().text == "Words typed on a slow phone must not be lost."


def test_any_other_form_whose_token_failed_gets_a_page_that_says_what_to_do():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("admin:login"), {"username": "editor", "password": "secret"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert (
        "This form could not be sent" in html and "allow cookies for this site" in html
    )
    assert (
        "CSRF verification failed" not in html
        and '<meta name="robots" content="noindex">' in html
    )


# Replies --------------------------------------------------------------------------------


def test_staff_reply_on_the_site_is_marked_from_the_programme(client):
    post = PostFactory()
    parent = CommentFactory(post=post, text="Where can I get help?")
    staff = StaffFactory()
    client.force_login(staff)
    form_html = client.get(
        post.get_absolute_url() + f"?reply_to={parent.pk}"
    ).content.decode()
    assert f"Reply to {parent.name}" in form_html
    response = post_comment(
        client,
        post,
        parent=parent.pk,
        name="UN-ACT team",
        text="Please call the 1300 hotline.",
    )
    reply = Comment.objects.get(parent=parent)
    assert (
        reply.status == Comment.Status.APPROVED
        and reply.is_staff_reply
        and reply.user == staff
    )
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "From UN-ACT" in html and "comment-replies" in html
    assert response["Location"].endswith(f"#comment-{reply.pk}")


def test_moderator_replies_from_the_admin_and_commenter_is_told(
    client, moderator, smtp_server, django_capture_on_commit_callbacks
):
    parent = CommentFactory(
        email="asker@example.org", has_reply_notice=True, text="Is the helpline free?"
    )
    client.force_login(moderator)
    url = reverse("admin:posts_comment_reply", args=[parent.pk])
    assert "Is the helpline free?" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"name": "UN-ACT team", "text": "Yes, it is free."})
    reply = Comment.objects.get(parent=parent)
    assert reply.status == Comment.Status.APPROVED and reply.is_staff_reply
    run_worker()
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["to"] == ["asker@example.org"]
    body = smtp_server.messages[0]["message"].get_content()
    assert "Yes, it is free." in body and f"#comment-{reply.pk}" in body


@pytest.mark.parametrize("edition", ["english", "thai"])
def test_the_reply_notice_is_in_the_language_the_commenter_read(
    client, moderator, django_capture_on_commit_callbacks, mailoutbox, edition
):
    """A visitor who commented on a Thai page (an English post read under /th/, or a
    Thai edition) is told of a reply in Thai, with the Thai page's address (found from
    outside: the notice was always in English, its Thai translation never used)."""
    if edition == "english":
        post = PostFactory(title="Referral in the region", slug="referral")
        page = "/th/posts/referral/"
    else:
        post = PostFactory(title="การส่งต่อในภูมิภาค", slug="การส่งต่อ", language="th")
        page = post.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{page}comment/",
            comment_data(
                post,
                email="asker@example.org",
                has_reply_notice="on",
                text="Is the helpline free?",
            ),
            REMOTE_ADDR="198.51.100.10",
        )
    assert response.status_code == 302
    parent = Comment.objects.get()
    # A moderator approves it, then replies from the admin.
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:posts_comment_changelist"),
            {"action": "approve", "_selected_action": [parent.pk]},
        )
        client.post(
            reverse("admin:posts_comment_reply", args=[parent.pk]),
            {"name": "UN-ACT team", "text": "Yes, it is free."},
        )
    mailoutbox.clear()
    run_worker()
    [notice] = [
        message for message in mailoutbox if message.to == ["asker@example.org"]
    ]
    reply = Comment.objects.get(parent=parent)
    with translation.override("th"):
        subject = gettext("[%(site)s] A reply to your comment on “%(post)s”") % {
            "site": settings.SITE_NAME,
            "post": post.title,
        }
        read_more = gettext("Read the conversation:")
        thai_page = post.get_absolute_url()
    assert notice.subject == subject
    assert "someone replied" not in notice.body and thai_page.startswith("/th/posts/")
    assert (
        f"{read_more} {settings.SITE_URL}{thai_page}#comment-{reply.pk}" in notice.body
    )


def test_reply_notice_only_when_asked_and_on_approval(
    client, moderator, django_capture_on_commit_callbacks, mailoutbox
):
    post = PostFactory()
    asked = CommentFactory(post=post, email="asked@example.org", has_reply_notice=True)
    silent = CommentFactory(post=post, email="silent@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, post, parent=silent.pk, text="A reply nobody is told of")
        post_comment(client, post, parent=asked.pk, text="A reply that waits")
    run_worker()
    assert [m.to for m in mailoutbox] == [["moderator@un-act.example"]] * 2
    mailoutbox.clear()
    client.force_login(moderator)
    pending = Comment.objects.get(text="A reply that waits")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:posts_comment_changelist"),
            {"action": "approve", "_selected_action": [pending.pk]},
        )
    run_worker()
    assert [m.to for m in mailoutbox] == [["asked@example.org"]]


@pytest.mark.parametrize(
    "case",
    ["other-post", "pending", "spam", "reply-to-reply", "unknown", "not-a-number"],
)
def test_refused_replies(client, case):
    post = PostFactory()
    parents = {
        "other-post": lambda: CommentFactory().pk,
        "pending": lambda: CommentFactory(post=post, status=Comment.Status.PENDING).pk,
        "spam": lambda: CommentFactory(post=post, status=Comment.Status.SPAM).pk,
        "reply-to-reply": lambda: (
            CommentFactory(post=post, parent=CommentFactory(post=post)).pk
        ),
        "unknown": lambda: 999999,
        "not-a-number": lambda: "abc",
    }
    parent = parents[case]()
    response = post_comment(client, post, parent=parent, text="My reply text")
    assert response.status_code == 400
    html = response.content.decode()
    assert "My reply text" in html
    if case != "not-a-number":
        assert "You can only reply to a published comment on this post." in html
    assert not Comment.objects.filter(text="My reply text").exists()


# Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"text": "   "}, "Write your comment before sending it."),
        ({"text": "x" * 5001}, "up to 5000 characters long; this one has 5001"),
        ({"email": "noy@"}, "This email address looks incomplete"),
        ({"name": ""}, "Give a name to show with your comment"),
        ({"name": "   "}, "Give a name to show with your comment"),
        (
            {"has_reply_notice": "on", "email": ""},
            "Give an email address to be told of replies.",
        ),
    ],
)
def test_invalid_form_shows_errors_and_keeps_input(client, overrides, message):
    post = PostFactory()
    data = {
        "name": "Noy Phommachanh",
        "email": "noy@example.org",
        "text": "My thoughtful words",
        **overrides,
    }
    response = post_comment(client, post, **data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    for field in ("name", "email", "text"):
        if data[field].strip() and field not in overrides:
            assert data[field] in html
    assert not Comment.objects.exists()


def test_exactly_5000_characters_is_accepted(client):
    post = PostFactory()
    assert post_comment(client, post, text="x" * 5000).status_code == 302


def test_a_name_on_several_lines_is_kept_on_one(client):
    """A name is one line wherever it is shown (pages, moderators' emails): line breaks
    and tabs typed or forged into it become single spaces."""
    post = PostFactory()
    response = post_comment(client, post, name="Mai\r\nBcc: x@evil.example\t ")
    assert response.status_code == 302
    assert Comment.objects.get().name == "Mai Bcc: x@evil.example"


@pytest.mark.parametrize(
    "post_kwargs",
    [{"draft": True}, {"scheduled": True}],
    ids=["draft", "scheduled"],
)
def test_comment_on_unpublished_post_is_404(client, post_kwargs):
    post = PostFactory(**post_kwargs)
    assert post_comment(client, post).status_code == 404
    assert (
        client.post(reverse("posts:comment", args=["no-such-post"]), {}).status_code
        == 404
    )


def test_staff_cannot_comment_on_a_draft_either(client):
    post = PostFactory(draft=True)
    client.force_login(StaffFactory(is_superuser=True))
    assert post_comment(client, post).status_code == 404
    assert (
        "Comments open when the post is published."
        in client.get(post.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize("closed_by", ["switch", "age"])
def test_closed_post_shows_comments_and_refuses_new_ones(client, closed_by):
    if closed_by == "switch":
        post = PostFactory(allow_comments=False)
    else:
        post = PostFactory(publish_at=timezone.now() - timedelta(days=181))
    CommentFactory(post=post, text="An earlier comment")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "An earlier comment" in html and "Comments are closed on this post." in html
    assert 'id="comment-form"' not in html
    response = post_comment(client, post, text="Too late but heartfelt")
    assert response.status_code == 403
    html = response.content.decode()
    assert (
        "Comments are closed on this post." in html and "Too late but heartfelt" in html
    )
    assert Comment.objects.count() == 1


def test_a_comment_sent_after_comments_were_switched_off_is_told_and_keeps_its_text(
    client,
):
    """A post whose comments were switched off while a visitor was writing (it has no
    comments, so its page shows no comments section) answers the comment with the
    reason and the typed text, not a bare post page (found from outside)."""
    post = PostFactory(allow_comments=False)
    assert (
        "Comments are closed"
        not in client.get(post.get_absolute_url()).content.decode()
    )
    response = post_comment(client, post, text="Written before it closed")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Comments are closed on this post." in html
    assert "Written before it closed" in html
    assert not Comment.objects.exists()


def test_a_name_or_text_with_a_direction_override_cannot_reorder_what_follows(client):
    """A commenter's name, and the excerpt of the comment a reply answers, are isolated
    from the text beside them (dir="auto"): a right-to-left override in them, or a name
    in a right-to-left script, cannot turn the date or the links after them around
    (found from outside, a name with U+202E showed the comment's date reversed)."""
    post = PostFactory()
    comment = CommentFactory(post=post, name="\u202eMai", text="\u202eIs it free?")
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<strong class="comment-author" dir="auto">\u202eMai</strong>' in html
    html = client.get(
        post.get_absolute_url(), {"reply_to": comment.pk}
    ).content.decode()
    assert f'<a href="#comment-{comment.pk}" dir="auto">\u202eIs it free?</a>' in html


def test_a_comment_sent_twice_is_stored_and_announced_once(
    client, moderator, django_capture_on_commit_callbacks, mailoutbox
):
    """The same comment sent again by the same person (a double tap on a slow phone, or
    a resend while the first answer was on its way) is one comment, one moderation
    email, and both answers lead to it (found from outside: two identical comments)."""
    post = PostFactory()
    data = comment_data(post, name="Dara", text="Where can I report a job offer?")
    url = reverse("posts:comment", args=[post.slug])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, data, REMOTE_ADDR="198.51.100.10")
        again = client.post(url, data, REMOTE_ADDR="198.51.100.10")
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    comment = Comment.objects.get()
    assert client.session["posts.own_pending_comments"] == [comment.pk]
    run_worker()
    assert [message.to for message in mailoutbox] == [["moderator@un-act.example"]]
    # Another comment, or the same words under a post of their own, are not repeats.
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(client, post, name="Dara", text="And who answers the hotline?")
        post_comment(client, PostFactory(), name="Dara", text=data["text"])
    assert Comment.objects.count() == 3


def test_closing_age_is_configurable(client, settings):
    post = PostFactory(publish_at=timezone.now() - timedelta(days=181))
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0  # never close
    assert post_comment(client, post).status_code == 302
    settings.COMMENTS_CLOSE_AFTER_DAYS = 7
    assert (
        post_comment(
            client, PostFactory(publish_at=timezone.now() - timedelta(days=8))
        ).status_code
        == 403
    )


def test_post_without_comments_allowed_and_none_shows_nothing(client):
    post = PostFactory(allow_comments=False)
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'id="comments"' not in html


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"text": "\x00null byte"},
        {"name": "\x00", "text": "x"},
        {"parent": "1e9999"},
        {"parent": "-1"},
        {"issued": "a" * 10000},
        {"issued": "eyJ4Ijp0cnVlfQ:1abc:xyz"},
        {"has_reply_notice": "maybe"},
        {"email": "a@" + "b" * 300 + ".com"},
    ],
)
def test_no_input_gives_a_server_error(client, data):
    post = PostFactory()
    response = client.post(reverse("posts:comment", args=[post.slug]), data)
    assert response.status_code in {302, 400}


def test_a_reloaded_comment_address_leads_back_to_the_form(client):
    """After a form error the address bar shows /posts/<slug>/comment/#comment-form;
    reloading or sharing it leads to the form on the post page (the same comments page),
    not to an empty 405."""
    post = PostFactory()
    response = post_comment(client, post, name="")
    assert response.status_code == 400
    address = reverse("posts:comment", args=[post.slug])
    assert (
        client.get(address).headers["Location"]
        == f"{post.get_absolute_url()}#comment-form"
    )
    assert client.head(address).status_code == 302
    reloaded = client.get(address + "?comments=2", follow=True)
    assert reloaded.redirect_chain == [
        (f"{post.get_absolute_url()}?comments=2#comment-form", 302)
    ]
    assert (
        reloaded.status_code == 200 and 'id="comment-form"' in reloaded.content.decode()
    )
    draft = PostFactory(status=Post.Status.DRAFT)
    assert client.get(reverse("posts:comment", args=[draft.slug])).status_code == 404


@pytest.mark.parametrize(
    "method, url",
    [
        ("post", "/"),
        ("post", "/posts/"),
        ("put", "/posts/{slug}/comment/"),
        ("get", "/newsletter/subscribe/"),
        ("delete", "/search/?q=x"),
        ("post", "/posts/{slug}/"),
    ],
)
def test_a_405_is_a_readable_page_with_the_way_back(client, method, url):
    """A method an address does not take gets a page a visitor can read, with the way back."""
    post = PostFactory()
    response = getattr(client, method)(url.format(slug=post.slug))
    assert response.status_code == 405 and response.headers["Allow"]
    html = response.content.decode()
    assert "Nothing to show at this address" in html and 'href="/"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/posts/",
        "/th/posts/",
        "/posts/{slug}/",
        "/safety/",
        "/publications/",
        "/feed/",
        "/th/feed/atom/",
        "/publications/feed/",
        "/sitemap.xml",
    ],
)
def test_a_post_to_a_page_is_a_readable_405_from_a_real_browser_too(url):
    """A browser's POST carries no CSRF token for these pages (nor do they take one):
    the answer is the readable 405, not the page about a missing security cookie."""
    post = PostFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post(url.format(slug=post.slug), {"q": "x"})
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    html = response.content.decode()
    with translation.override(response["Content-Language"]):
        assert gettext("Nothing to show at this address") in html
    assert gettext("security cookie") not in html and "security cookie" not in html


def test_a_form_that_takes_posts_still_needs_its_token():
    """Where the address does take the POST (the confirmation page's button), a missing
    token is still refused, with the page that says what to do."""
    from newsletter.tokens import confirmation_token

    from .factories import SubscriberFactory

    subscriber = SubscriberFactory(status="pending", confirmed_at=None)
    client = Client(enforce_csrf_checks=True)
    url = reverse("newsletter:confirm", args=[confirmation_token(subscriber)])
    response = client.post(url)
    assert (
        response.status_code == 403 and "security cookie" in response.content.decode()
    )
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"


@pytest.mark.parametrize(
    "widget, value, attrs",
    [
        (
            "TextInput",
            'a "b" <c> & d',
            {
                "id": "id_name",
                "required": True,
                "maxlength": "80",
                "aria-invalid": "true",
            },
        ),
        (
            "TextInput",
            None,
            {"autocomplete": "off", "tabindex": "-1", "disabled": False},
        ),
        ("TextInput", "<i>kept</i>", {"data-x": "&amp;"}),
        (
            "EmailInput",
            "x@example.org",
            {"id": "id_email", "aria-describedby": "id_email_error id_email_helptext"},
        ),
        ("HiddenInput", 5, {}),
        ("HiddenInput", "", {}),
        ("CheckboxInput", True, {"id": "id_notice"}),
        ("CheckboxInput", False, {"id": "id_notice"}),
        ("CheckboxInput", "on", {}),
        (
            "Textarea",
            "line 1\n<b>&amp;</b>",
            {"id": "id_text", "rows": 6, "required": True},
        ),
        ("Textarea", "", {}),
    ],
)
def test_comment_form_widgets_write_what_djangos_templates_write(widget, value, attrs):
    from django import forms
    from django.utils.safestring import mark_safe

    from posts import markup as widgets

    if value == "<i>kept</i>":
        value = mark_safe(value)
    ours, djangos = getattr(widgets, widget)(), getattr(forms, widget)()
    assert ours.render("field", value, attrs) == djangos.render("field", value, attrs)


def test_comment_form_fields_name_their_errors_and_help():
    """Each field: its label for the input, errors in <id>_error and help in <id>_helptext,
    both named by the input's aria-describedby; values and messages escaped."""
    from posts.forms import CommentForm
    from posts.markup import comment_form_field

    post = PostFactory()
    blank = CommentForm(post=post)
    html = comment_form_field(blank["name"])
    assert (
        html.startswith('<div class="field">')
        and '<label for="id_name">Name</label>' in html
    )
    assert 'aria-describedby="id_name_helptext"' in html and "errorlist" not in html
    assert (
        '<p class="help" id="id_name_helptext">Shown with your comment. A pseudonym is fine.</p>'
        in html
    )
    sent = CommentForm({"name": "", "email": "noy@", "text": "<b>x</b> & y"}, post=post)
    sent.is_valid()
    email = comment_form_field(sent["email"])
    assert email.startswith('<div class="field field-error">')
    assert (
        '<ul class="errorlist" id="id_email_error"><li>This email address looks incomplete'
        in email
    )
    assert (
        'aria-describedby="id_email_error id_email_helptext"' in email
        and 'aria-invalid="true"' in email
    )
    assert 'value="noy@"' in email
    text = comment_form_field(sent["text"])
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y</textarea>" in text and "<b>x</b>" not in text
    assert "_helptext" not in text  # no help, so none named


# Display and privacy --------------------------------------------------------------------

XSS_ATTEMPTS = [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    (
        '<img src=x onerror="alert(1)">',
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;",
    ),
    ("javascript:alert(1)", "javascript:alert(1)"),
    ('"><svg onload=alert(1)>', "&quot;&gt;&lt;svg onload=alert(1)&gt;"),
    ('<a href="http://evil.example">click</a>', "&lt;a href=&quot;"),
    ("{{ SECRET_KEY }} {% debug %}", "{{ SECRET_KEY }} {% debug %}"),
    ("&lt;b&gt; already escaped", "&amp;lt;b&amp;gt; already escaped"),
]


@pytest.mark.parametrize("text, escaped", XSS_ATTEMPTS)
def test_comment_text_is_escaped(client, text, escaped):
    post = PostFactory()
    CommentFactory(post=post, text=text, name=text[:80])
    html = client.get(post.get_absolute_url()).content.decode()
    assert escaped in html
    assert (
        "<script>alert" not in html and "<svg" not in html and "<img src=x" not in html
    )
    assert 'href="javascript:' not in html


def test_links_in_comments_are_not_trusted(client):
    post = PostFactory()
    CommentFactory(
        post=post,
        text="Read https://www.unodc.org/report\nand tell me\n\nwhat you think",
    )
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<a href="https://www.unodc.org/report" rel="nofollow ugc noopener">' in html
    assert "and tell me<br><br>what you think" in html


@pytest.mark.parametrize(
    "text",
    [
        "Plain words. More words (12).",
        "see www.unodc.org",
        "WWW.UNODC.ORG now",
        "mail me at a@b.example",
        "ftp://x and http://y",
        "unodc.org/report",
        "ends with www.",
        "ช่วยด้วย.ครับ",
        "a .b and a. b",
        "<b>x</b> & y.z",
    ],
)
def test_comment_text_escapes_or_links_as_urlize_would(text):
    """The shortcut for text without anything link-like gives urlize's own result."""
    from django.utils.html import urlize

    from posts.markup import LINK_REL, comment_text

    expected = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True).replace(
        ' rel="nofollow">', f' rel="{LINK_REL}">'
    )
    assert comment_text(text) == expected


def test_emails_never_appear_in_public_pages_feeds_or_sitemap(client):
    post = PostFactory()
    CommentFactory(post=post, email="hidden-commenter@example.org", text="Public words")
    for url in [
        post.get_absolute_url(),
        reverse("posts:list"),
        reverse("home"),
        reverse("feed"),
        reverse("feed-atom"),
        reverse("sitemap"),
    ]:
        content = client.get(url).content.decode()
        assert "hidden-commenter" not in content, url
        assert "203.0.113.7" not in content, url
    assert "Public words" in client.get(post.get_absolute_url()).content.decode()


def test_feed_still_parses_with_comment_counts(client):
    post = PostFactory(title="Counted post")
    CommentFactory.create_batch(3, post=post)
    feed = feedparser.parse(client.get(reverse("feed")).content)
    assert feed.entries[0].title == "Counted post"


def test_removed_parent_hides_its_replies_and_counts_match(client):
    post = PostFactory()
    parent = CommentFactory(post=post, text="Parent words")
    CommentFactory(post=post, parent=parent, text="Reply words")
    CommentFactory(post=post, text="Waiting words", status=Comment.Status.PENDING)
    assert "2 comments" in client.get(reverse("posts:list")).content.decode()
    assert "2 comments" in client.get(post.get_absolute_url()).content.decode()
    parent.status = Comment.Status.REMOVED
    parent.save()
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Reply words" not in html and "Parent words" not in html
    assert (
        "comment"
        not in client.get(reverse("posts:list"))
        .content.decode()
        .split("Read More")[0]
        .split("</time>")[1]
    )


def test_comment_counts_survive_tag_pages_distinct(client):
    post = PostFactory(tags=["advocacy", "migration"])
    CommentFactory.create_batch(3, post=post)
    html = client.get(reverse("posts:tag", args=["advocacy"])).content.decode()
    assert "3 comments" in html


def test_purge_comment_data(settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    old_time = timezone.now() - timedelta(days=31)
    old = CommentFactory(created_at=old_time)
    recent = CommentFactory(created_at=timezone.now() - timedelta(days=29))
    old_spam = CommentFactory(created_at=old_time, status=Comment.Status.SPAM)
    email_block = BlockedCommenterFactory(
        email="kept@example.org", ip_address="192.0.2.1", created_at=old_time
    )
    ip_block = BlockedCommenterFactory(
        email="", ip_address="192.0.2.2", created_at=old_time
    )
    new_block = BlockedCommenterFactory(email="", ip_address="192.0.2.3")

    call_command("purge_comment_data", "--dry-run")
    assert Comment.objects.get(pk=old.pk).ip_address == "203.0.113.7"

    call_command("purge_comment_data")
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.ip_address is None and old.user_agent == "" and old.email and old.text
    assert recent.ip_address == "203.0.113.7" and recent.user_agent
    assert not Comment.objects.filter(pk=old_spam.pk).exists()
    email_block.refresh_from_db()
    assert email_block.ip_address is None and email_block.email == "kept@example.org"
    assert not BlockedCommenter.objects.filter(pk=ip_block.pk).exists()
    assert BlockedCommenter.objects.filter(pk=new_block.pk).exists()
    call_command(
        "purge_comment_data"
    )  # running again changes nothing and does not fail


# Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("comments", [0, 30])
def test_list_query_count_is_constant(client, django_assert_num_queries, comments):
    posts = PostFactory.create_batch(5, tags=["advocacy"])
    for number in range(comments):
        CommentFactory(post=posts[number % 5])
    # The count and the page (comment counts are stored on posts).
    with django_assert_num_queries(2):
        response = client.get(reverse("posts:list"))
    if comments:
        assert response.content.decode().count("6 comments") == 5


@pytest.mark.parametrize("comments", [0, 30])
def test_detail_query_count_is_constant(client, django_assert_num_queries, comments):
    post = PostFactory(tags=["advocacy"])
    parents = CommentFactory.create_batch(comments // 2, post=post)
    for parent in parents:
        CommentFactory(post=post, parent=parent)
    # post, tags, previous, next, comments with their replies (none to read when the
    # stored count is 0), related publications
    with django_assert_num_queries(6 if comments else 5):
        response = client.get(post.get_absolute_url())
    if comments:
        assert "30 comments" in response.content.decode()
    # Rendered again: the threads and the form come from {% cache %}, the threads unread.
    with django_assert_num_queries(5):
        again = client.get(post.get_absolute_url())
    assert again.content == response.content


def test_comment_threads_are_written_once_until_a_change_visitors_can_see(
    client, moderator, monkeypatch
):
    """The threads' markup is kept ({% cache %}) while the content stays the same, for
    each language and comment page; a comment edited, approved or removed is shown at
    once; a visitor's own waiting comment is on their page only."""
    from posts import markup, services

    written = []
    comment_list = markup.comment_list
    monkeypatch.setattr(
        markup, "comment_list", lambda *args: written.append(1) or comment_list(*args)
    )
    post = PostFactory()
    comment = CommentFactory(post=post, text="First words")
    url = post.get_absolute_url()
    assert "First words" in client.get(url).content.decode()
    assert "First words" in Client().get(url).content.decode()
    assert len(written) == 1
    assert "First words" in client.get("/th" + url).content.decode()
    assert len(written) == 2, "each language has its own copy"

    comment.text = "Edited words"
    comment.save()
    html = client.get(url).content.decode()
    assert "Edited words" in html and "First words" not in html

    visitor = Client()
    assert post_comment(visitor, post, text="Waiting words").status_code == 302
    waiting = Comment.objects.get(text="Waiting words")
    assert "Waiting words" in visitor.get(url).content.decode()
    assert "Waiting words" not in client.get(url).content.decode()
    services.comments_moderate(
        comments=Comment.objects.filter(pk=waiting.pk),
        status=Comment.Status.SPAM,
        moderator=moderator,
    )
    assert "Waiting words" not in visitor.get(url).content.decode()

    services.comments_moderate(
        comments=Comment.objects.filter(pk=comment.pk),
        status=Comment.Status.PENDING,
        moderator=moderator,
    )
    assert "Edited words" not in Client().get(url).content.decode()


def test_only_the_plain_comment_form_is_kept(client, monkeypatch):
    """An anonymous visitor's empty form is the same for everyone and kept ({% cache %});
    a reply form, a form with errors and a signed-in user's form are written each time."""
    from posts import markup

    written = []
    form_field = markup.comment_form_field
    monkeypatch.setattr(
        markup,
        "comment_form_field",
        lambda field: written.append(field.name) or form_field(field),
    )
    post = PostFactory()
    parent = CommentFactory(post=post, name="Dara")
    url = post.get_absolute_url()
    for _ in range(2):
        html = client.get(url).content.decode()
        assert "Leave a comment" in html and 'name="issued" value=""' in html
    assert written.count("text") == 1
    for _ in range(2):
        assert (
            "Reply to Dara"
            in client.get(f"{url}?reply_to={parent.pk}").content.decode()
        )
    assert written.count("text") == 3
    for _ in range(2):
        html = post_comment(client, post, text="").content.decode()
        assert 'class="field field-error"' in html
    assert written.count("text") == 5
    staff = Client()
    staff.force_login(StaffFactory())
    for _ in range(2):
        html = staff.get(url).content.decode()
        assert "csrfmiddlewaretoken" in html and 'name="issued" value=""' not in html
    assert written.count("text") == 7


# Comment pages ---------------------------------------------------------------------------


@pytest.fixture(params=["read at once", "page by page"])
def thread_pages(request, settings, monkeypatch):
    """Three threads a page; seven threads, the third with a reply. Both ways of reading
    comments: all of a post's at once (the usual), or one page's (beyond 500 comments)."""
    from posts import views

    settings.COMMENTS_PER_PAGE = 3
    if request.param == "page by page":
        monkeypatch.setattr(views, "COMMENTS_READ_AT_ONCE", 0)
    post = PostFactory()
    threads = [
        CommentFactory(
            post=post, name=f"Thread {number}", text=f"Words of thread {number}"
        )
        for number in range(1, 8)
    ]
    reply = CommentFactory(
        post=post, parent=threads[2], name="Replier", text="A reply to thread 3"
    )
    return post, threads, reply


def shown_threads(html):
    import re

    return re.findall(r'<div class="comment-text">Words of thread (\d)', html)


def test_comment_pages_hold_whole_threads_oldest_first(client, thread_pages):
    post, threads, _reply = thread_pages
    url = post.get_absolute_url()
    html = client.get(url).content.decode()
    assert shown_threads(html) == ["1", "2", "3"]
    assert "A reply to thread 3" in html
    assert (
        '<h2 id="comments-heading">8 comments</h2>' in html
    )  # every visible comment, not the page's
    assert "Comment page 1 of 3" in html
    assert 'aria-label="Comment pages"' in html
    assert (
        f'<a rel="next" href="{url}?comments=2#comments">' in html
        and 'rel="prev"' not in html.split("comment-list")[1]
    )

    html = client.get(url + "?comments=2").content.decode()
    assert shown_threads(html) == ["4", "5", "6"] and "A reply to thread 3" not in html
    assert f'<a rel="prev" href="{url}#comments">' in html
    assert f'<a rel="next" href="{url}?comments=3#comments">' in html
    # The reply links and the form keep the page.
    assert f'href="?comments=2&amp;reply_to={threads[3].pk}#comment-form"' in html
    assert (
        f'action="{reverse("posts:comment", args=[post.slug])}?comments=2#comment-form"'
        in html
    )

    html = client.get(url + "?comments=3").content.decode()
    assert (
        shown_threads(html) == ["7"]
        and 'rel="next" href' not in html.split("comment-list")[1]
    )


@pytest.mark.parametrize(
    "value, page",
    [
        ("abc", 1),
        ("0", 1),
        ("-2", 1),
        ("1.5", 1),
        ("", 1),
        ("99", 3),
        ("9" * 40, 3),
        ("9" * 5000, 1),
        ("²", 1),
    ],
)
def test_any_comment_page_number_gives_a_page(client, thread_pages, value, page):
    post, _threads, _reply = thread_pages
    response = client.get(post.get_absolute_url(), {"comments": value})
    assert response.status_code == 200
    assert f"Comment page {page} of 3" in response.content.decode()


def test_comment_pages_point_search_engines_to_the_post(client, thread_pages, settings):
    post, _threads, _reply = thread_pages
    html = client.get(post.get_absolute_url() + "?comments=2").content.decode()
    assert (
        f'<link rel="canonical" href="{settings.SITE_URL}{post.get_absolute_url()}">'
        in html
    )


def test_replying_to_a_comment_on_another_page(client, thread_pages):
    post, threads, reply = thread_pages
    url = post.get_absolute_url()
    html = client.get(url, {"reply_to": threads[6].pk}).content.decode()
    assert shown_threads(html) == ["1", "2", "3"]
    assert "Reply to Thread 7" in html
    assert f'<input type="hidden" name="parent" value="{threads[6].pk}">' in html
    assert (
        f'<a href="{url}?comments=3#comment-{threads[6].pk}" dir="auto">Words of thread 7</a>'
        in html
    )
    # On its own page the link stays on the page.
    html = client.get(url, {"comments": 3, "reply_to": threads[6].pk}).content.decode()
    assert (
        f'<a href="#comment-{threads[6].pk}" dir="auto">Words of thread 7</a>' in html
    )
    # Replies to replies, to waiting comments or to unknown ones are not offered.
    pending = CommentFactory(post=post, status=Comment.Status.PENDING)
    for reply_to in (reply.pk, pending.pk, 10**30, "x"):
        response = client.get(url, {"reply_to": reply_to})
        assert response.status_code == 200
        assert "Leave a comment" in response.content.decode()


def test_after_sending_the_visitor_lands_on_the_page_that_shows_the_comment(
    client, thread_pages
):
    post, threads, _reply = thread_pages
    url = post.get_absolute_url()
    CommentFactory(email="known@example.org")  # approved before: published at once
    response = post_comment(
        client,
        post,
        parent=threads[4].pk,
        email="known@example.org",
        text="On page two",
    )
    reply = Comment.objects.get(text="On page two")
    assert reply.status == Comment.Status.APPROVED
    assert (
        response["Location"]
        == f"{url}?comments=2#comment-{reply.pk}"
        == reply.get_absolute_url()
    )
    assert "On page two" in client.get(response["Location"]).content.decode()

    response = post_comment(
        client, post, email="known@example.org", text="A new thread"
    )
    thread = Comment.objects.get(text="A new thread")
    assert (
        response["Location"]
        == f"{url}?comments=3#comment-{thread.pk}"
        == thread.get_absolute_url()
    )

    # A held comment: the page it will be on, at the comments (spam gets the same answer).
    response = post_comment(client, post, text="Held words", ip="198.51.100.99")
    held = Comment.objects.get(text="Held words")
    assert held.status == Comment.Status.PENDING
    assert response["Location"] == f"{url}?comments=3#comments"
    html = client.get(response["Location"]).content.decode()
    assert "Held words" in html and "Only you can see it for now." in html
    assert "Held words" not in Client().get(url + "?comments=3").content.decode()
    BlockedWordFactory(phrase="casino", action=BlockedWord.Action.SPAM)
    response = Client().post(
        reverse("posts:comment", args=[post.slug]),
        comment_data(post, text="casino"),
        REMOTE_ADDR="198.51.100.98",
    )
    assert response["Location"] == f"{url}?comments=3#comments"


def test_a_visitors_waiting_comments_count_in_their_pages_only(client, thread_pages):
    post, _threads, _reply = thread_pages
    url = post.get_absolute_url()
    for number in (1, 2):
        post_comment(client, post, text=f"Waiting {number}", ip=f"198.51.100.{number}")
    html = client.get(url + "?comments=3").content.decode()
    assert "Waiting 1" in html and "Waiting 2" in html and "Comment page 3 of 3" in html
    assert (
        '<h2 id="comments-heading">8 comments</h2>' in html
    )  # they are not counted yet
    assert "Waiting" not in Client().get(url + "?comments=3").content.decode()


def test_comment_addresses_for_emails_and_the_admin(thread_pages):
    post, threads, reply = thread_pages
    url = post.get_absolute_url()
    assert threads[0].get_absolute_url() == f"{url}#comment-{threads[0].pk}"
    assert reply.get_absolute_url() == f"{url}#comment-{reply.pk}"
    assert threads[3].get_absolute_url() == f"{url}?comments=2#comment-{threads[3].pk}"
    assert threads[6].get_absolute_url() == f"{url}?comments=3#comment-{threads[6].pk}"


def test_a_form_with_errors_stays_on_its_comment_page(client, thread_pages):
    post, _threads, _reply = thread_pages
    response = client.post(
        reverse("posts:comment", args=[post.slug]) + "?comments=2",
        comment_data(post, name=""),
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 400
    assert shown_threads(response.content.decode()) == ["4", "5", "6"]


def test_comment_page_query_count_is_constant(
    client, django_assert_num_queries, thread_pages
):
    post, _threads, _reply = thread_pages
    from posts import views

    # post, tags, previous, next, comments (the threads, then the page's rows when
    # read page by page), related publications
    expected = 6 if views.COMMENTS_READ_AT_ONCE else 7
    for page in (1, 2, 3):
        with django_assert_num_queries(expected):
            client.get(post.get_absolute_url(), {"comments": page})
    CommentFactory.create_batch(10, post=post)
    with django_assert_num_queries(expected):
        client.get(post.get_absolute_url(), {"comments": 4})


# Email failures -------------------------------------------------------------------------


def test_failing_smtp_never_loses_the_comment(
    client, moderator, settings, django_capture_on_commit_callbacks
):
    """With nothing listening on the SMTP port, the comment is stored and a retry is queued."""
    from .conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 2
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(client, post, text="Please keep me")
    assert response.status_code == 302
    run_worker()
    comment = Comment.objects.get()
    assert (
        comment.status == Comment.Status.PENDING
        and comment.moderators_notified_at is None
    )
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert results[0].status == "FAILED"
    assert results[1].status == "READY" and results[1].run_after > timezone.now()
    assert results[1].args_kwargs["kwargs"] == {"attempt": 2}


def test_notification_goes_out_once_the_smtp_server_is_back(moderator, smtp_server):
    comment = CommentFactory(status=Comment.Status.PENDING)
    real_port = smtp_server.controller.port
    from django.conf import settings as django_settings

    from .conftest import free_port

    django_settings.EMAIL_PORT = free_port()
    with pytest.raises(OSError):
        notify_moderators.call(comment.pk)
    comment.refresh_from_db()
    assert comment.moderators_notified_at is None
    django_settings.EMAIL_PORT = real_port
    assert notify_moderators.call(comment.pk, attempt=2) == "sent to 1"
    assert (
        notify_moderators.call(comment.pk, attempt=3)
        == "already notified or no longer pending"
    )
    assert len(smtp_server.messages) == 1


def test_no_moderation_email_once_approved(moderator):
    comment = CommentFactory(status=Comment.Status.APPROVED)
    assert notify_moderators.call(comment.pk) == "already notified or no longer pending"
    assert not mail.outbox


# Staff roles ----------------------------------------------------------------------------


def test_moderators_group_can_moderate_comments():
    codenames = set(
        Group.objects.get(name=MODERATORS).permissions.values_list(
            "codename", flat=True
        )
    )
    assert {
        "change_comment",
        "view_comment",
        "delete_comment",
        "add_blockedword",
        "add_blockedcommenter",
    } <= codenames


def test_non_staff_cannot_reach_the_moderation_admin(client):
    client.force_login(UserFactory())
    assert client.get(reverse("admin:posts_comment_changelist")).status_code == 302


def test_admin_reply_refused_on_unapproved_comment(client, moderator):
    pending = CommentFactory(status=Comment.Status.PENDING)
    client.force_login(moderator)
    response = client.get(
        reverse("admin:posts_comment_reply", args=[pending.pk]), follow=True
    )
    assert "Approve the comment before replying" in response.content.decode()


def test_admin_status_change_goes_through_moderation(client, moderator):
    comment = CommentFactory(status=Comment.Status.PENDING, text="Call 081 234 5678")
    client.force_login(moderator)
    response = client.post(
        reverse("admin:posts_comment_change", args=[comment.pk]),
        {
            "status": "approved",
            "name": comment.name,
            "text": "Call the hotline instead",
        },
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (
        comment.status == Comment.Status.APPROVED and comment.moderated_by == moderator
    )
    assert comment.text == "Call the hotline instead"


def test_card_lists_read_the_stored_comment_count():
    post = PostFactory()
    CommentFactory.create_batch(2, post=post)
    assert [
        (card.pk, card.comment_count) for card in Post.objects.published().for_cards()
    ] == [(post.pk, 2)]


def test_stored_comment_count_follows_every_change(client, moderator):
    """Post.comment_count counts what visitors see, through saves, moderation and deletes."""

    def stored():
        return Post.objects.get(pk=post.pk).comment_count

    post = PostFactory()
    parent = CommentFactory(post=post, status=Comment.Status.PENDING)
    reply = CommentFactory(post=post, parent=parent, status=Comment.Status.APPROVED)
    assert stored() == 0  # a reply under a comment nobody may see yet is hidden too
    moderate = reverse("admin:posts_comment_changelist")
    client.force_login(moderator)
    client.post(moderate, {"action": "approve", "_selected_action": [parent.pk]})
    assert stored() == 2
    client.post(moderate, {"action": "mark_spam", "_selected_action": [parent.pk]})
    assert stored() == 0
    client.post(moderate, {"action": "approve", "_selected_action": [parent.pk]})
    CommentFactory(post=post, status=Comment.Status.APPROVED)
    assert stored() == 3
    reply.delete()
    assert stored() == 2
    assert "2 comments" in client.get(reverse("posts:list")).content.decode()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Concurrency is tested on PostgreSQL."
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_comments_leave_an_exact_count():
    """Twenty transactions adding approved comments to one post at once: the count is 20."""
    post = PostFactory()
    barrier = threading.Barrier(20)
    errors = []

    def comment(number):
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                CommentFactory(
                    post=post, status=Comment.Status.APPROVED, text=f"Comment {number}"
                )
                time.sleep(0.05)  # hold the transaction open while the others count
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=comment, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert (
        Post.objects.get(pk=post.pk).comment_count
        == Comment.objects.filter(post=post).count()
        == 20
    )


def test_rate_limit_is_shared_through_redis(client, settings):
    """With REDIS_URL, the count lives in Redis: a second app server sees the first's."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"unact-comments-test-{time.time_ns()}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.COMMENTS_RATE_LIMIT = 2
    post = PostFactory()
    try:
        assert post_comment(client, post, text="One").status_code == 302
        # Another app server: a fresh client talking to the same Redis.
        from django.core.cache import caches

        caches["default"].close()
        assert post_comment(Client(), post, text="Two").status_code == 302
        assert post_comment(Client(), post, text="Three").status_code == 429
    finally:
        client_redis = redis.Redis.from_url(url)
        for key in client_redis.scan_iter(f"{prefix}:*"):
            client_redis.delete(key)
