"""Bulk actions appear in each object's history with who and what: publish/unpublish,
comment moderation and blocking, campaign sends."""

import pytest
from reversion.models import Version

from django.test import Client
from django.urls import reverse

from posts.models import Comment
from posts.permissions import EDITORS, MODERATORS, NEWSLETTER_MANAGERS

from .factories import (
    CampaignFactory,
    CommentFactory,
    PublicationFactory,
    StaffFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(
        StaffFactory(username="dara", groups=[EDITORS, MODERATORS, NEWSLETTER_MANAGERS])
    )
    return client


def history(client, item):
    meta = item._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[item.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_bulk_publish_appears_in_each_publications_history_with_a_revision(
    staff_client,
):
    drafts = PublicationFactory.create_batch(2, status="draft")
    response = staff_client.post(
        reverse("admin:publications_publication_changelist"),
        {"action": "publish", "_selected_action": [item.pk for item in drafts]},
    )
    assert response.status_code == 302
    for publication in drafts:
        html = history(staff_client, publication)
        assert "Changed Status." in html and "dara" in html
        version = Version.objects.get_for_object(publication).get()
        assert version.revision.user.username == "dara"
        assert (
            version.revision.get_comment() == "Status set to “Published” (bulk action)."
        )
        assert version.field_dict["status"] == "published"


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("approve", "Status set to “Approved”."),
        ("mark_spam", "Status set to “Spam”."),
        ("remove", "Status set to “Removed”."),
        ("block_commenters", "Commenter blocked (email and IP address)."),
    ],
)
def test_comment_moderation_actions_appear_in_the_comments_history(
    staff_client, action, message
):
    comments = CommentFactory.create_batch(2, pending=True)
    response = staff_client.post(
        reverse("admin:posts_comment_changelist"),
        {"action": action, "_selected_action": [comment.pk for comment in comments]},
    )
    assert response.status_code == 302
    for comment in comments:
        html = history(staff_client, comment)
        assert message in html and "dara" in html
    if action == "block_commenters":
        assert "Status set to “Spam”." in history(staff_client, comments[0])
        assert Comment.objects.filter(status="spam").count() == 2


def test_campaign_sends_appear_in_its_history(staff_client, mailoutbox):
    SubscriberFactory.create_batch(3)
    campaign = CampaignFactory(subject="April 2016 newsletter")
    staff_client.post(
        reverse("admin:newsletter_campaign_send_test", args=[campaign.pk]),
        {"email": "dara@example.org"},
    )
    response = staff_client.post(
        reverse("admin:newsletter_campaign_send", args=[campaign.pk]),
        {"confirm": "yes"},
    )
    assert response.status_code == 302
    html = history(staff_client, campaign)
    assert "Test sent to dara@example.org (English)." in html
    assert "Sending started to 3 confirmed subscribers." in html
