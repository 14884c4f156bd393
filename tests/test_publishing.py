"""What posts and publications share (unact/publishing.py, unact/publishing_admin.py,
includes/social_meta.html): one rule for "published", one pair of admin actions, one
social-meta head."""

from datetime import timedelta

import pytest
import time_machine

from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse
from django.utils import timezone

from posts.models import Post
from posts.permissions import EDITORS
from publications.models import Publication
from unact.publishing import Publishable

from .factories import PostFactory, PublicationFactory, StaffFactory, image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(StaffFactory(username="editor", groups=[EDITORS]))
    return client


def test_posts_and_publications_share_one_publishable_model():
    for model in (Post, Publication):
        assert issubclass(model, Publishable)
        assert model.Status is Publishable.Status
        for name in ("status", "created_at", "updated_at"):
            field = model._meta.get_field(name)
            assert field.model is model and field.name == name


def test_a_post_is_published_at_its_moment_a_publication_on_its_day():
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        post = PostFactory(title="Later today", publish_at=now + timedelta(minutes=5))
        publication = PublicationFactory(
            title="Tomorrow", publication_date=timezone.localdate() + timedelta(days=1)
        )
        assert post.is_scheduled and not post.is_published
        assert publication.is_scheduled and not publication.is_published
        assert not Post.objects.published().exists()
        assert not Publication.objects.published().exists()
    with time_machine.travel(now + timedelta(minutes=6), tick=False):
        assert list(Post.objects.published()) == [post]
        post.refresh_from_db()
        assert post.is_published and not post.is_scheduled
    with time_machine.travel(now + timedelta(days=1, hours=1), tick=False):
        assert list(Publication.objects.published()) == [publication]
        publication.refresh_from_db()
        assert publication.is_published
    draft = PublicationFactory(draft=True)
    assert not draft.is_published and not draft.is_scheduled


@pytest.mark.parametrize(
    "factory, changelist, single, plural",
    [
        (PostFactory, "admin:posts_post_changelist", "post", "posts"),
        (
            PublicationFactory,
            "admin:publications_publication_changelist",
            "publication",
            "publications",
        ),
    ],
)
def test_publish_and_unpublish_actions_are_the_same_for_both(
    editor_client, factory, changelist, single, plural
):
    """Each action changes only what needs it, says how many, and leaves history."""
    drafts = [factory(draft=True), factory(draft=True)]
    already = factory()
    url = reverse(changelist)
    html = editor_client.get(url).content.decode()
    assert (
        f"Publish selected {plural}" in html
        and f"Unpublish selected {plural} (back to draft)" in html
    )
    selected = [item.pk for item in [*drafts, already]]
    response = editor_client.post(
        url, {"action": "publish", "_selected_action": selected}, follow=True
    )
    assert f"2 {plural} published." in response.content.decode()
    model = type(already)
    assert model.objects.published().count() == 3
    entries = LogEntry.objects.filter(
        action_flag=CHANGE, change_message__contains="Status"
    )
    assert sorted(int(entry.object_id) for entry in entries) == sorted(
        item.pk for item in drafts
    )
    response = editor_client.post(
        url, {"action": "unpublish", "_selected_action": [already.pk]}, follow=True
    )
    assert f"1 {single} moved to draft." in response.content.decode()
    assert model.objects.published().count() == 2


def test_post_and_publication_pages_share_their_social_meta(client):
    post = PostFactory(
        title="Safe migration",
        summary="How to migrate safely.",
        featured_image=image_upload(),
        image_alt="A boat",
    )
    publication = PublicationFactory(
        title="Mekong study", summary="What we found.", cover=image_upload()
    )
    for item, alt in ((post, "A boat"), (publication, "Cover of Mekong study")):
        html = client.get(item.get_absolute_url()).content.decode()
        assert '<meta property="og:type" content="article">' in html
        assert f'<meta property="og:title" content="{item.title}">' in html
        assert f'<meta name="twitter:description" content="{item.summary}">' in html
        assert '<meta property="og:image" content="http' in html
        assert f'<meta property="og:image:alt" content="{alt}">' in html
        assert '<meta name="twitter:card" content="summary_large_image">' in html
        assert '<meta property="article:published_time" content="20' in html
