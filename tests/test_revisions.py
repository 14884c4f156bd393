"""Revisions of posts, publications and campaigns (django-reversion, unact/revisions.py):
kept on every admin save, compared field by field, restored as a new revision."""

import pytest
from reversion.models import Version

from django.core.files.storage import default_storage
from django.test import Client, TestCase
from django.urls import reverse

from newsletter.models import Campaign
from posts.models import Post
from posts.permissions import EDITORS, NEWSLETTER_MANAGERS
from publications.models import Publication

from .admin_forms import change_form_data, form_data
from .factories import (
    CampaignFactory,
    PostFactory,
    PublicationFactory,
    StaffFactory,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return StaffFactory(
        username="editor", first_name="Sokha", groups=[EDITORS, NEWSLETTER_MANAGERS]
    )


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def admin_url(item, view="change", *args):
    return reverse(
        f"admin:{item._meta.app_label}_{item._meta.model_name}_{view}",
        args=[item.pk, *args],
    )


def save(client, item, files=None, **changes):
    url = admin_url(item)
    data = {**change_form_data(client, url, **changes), **(files or {})}
    # Replaced files are deleted once the save commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    return item


def test_every_admin_save_of_a_post_keeps_a_revision_with_who_and_what(editor_client):
    post = PostFactory(
        title="Helpline opens", body="<p>The helpline answers by day.</p>"
    )
    save(editor_client, post, title="Helpline opens at night")
    save(editor_client, post, body="<p>The helpline answers day and night.</p>")
    versions = Version.objects.get_for_object(post).select_related("revision__user")
    assert versions.count() == 2
    assert {version.revision.user.username for version in versions} == {"editor"}
    assert [version.revision.get_comment() for version in versions] == [
        "Changed Body.",
        "Changed Title.",
    ]
    html = editor_client.get(admin_url(post, "history")).content.decode()
    assert (
        html.count('name="older"') == 2
        and "Changed Title." in html
        and "Compare the chosen revisions" in html
    )


def test_two_revisions_compare_field_by_field_with_rich_text_as_a_readable_diff(
    editor_client,
):
    post = PostFactory(
        title="Helpline opens",
        body="<p>The helpline answers by day.</p><p>Call 1300.</p>",
    )
    save(editor_client, post, title="First")
    save(
        editor_client,
        post,
        title="Helpline opens at night",
        body="<p>The helpline answers <strong>day and night</strong>.</p><p>Call 1300.</p>",
    )
    older, newer = Version.objects.get_for_object(post).order_by(
        "revision__date_created"
    )
    response = editor_client.get(
        admin_url(post, "compare"), {"older": newer.pk, "newer": older.pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>First</del> → <ins>Helpline opens at night</ins>" in html
    # Words, not markup: the body's change reads as text.
    assert (
        "The helpline answers <del>by</del><ins>day</ins> <del>day.</del><ins>and night.</ins>"
        in html
    )
    assert '<p class="diff-line">Call 1300.</p>' in html
    assert "&lt;strong&gt;" not in html
    assert (
        editor_client.get(
            admin_url(post, "compare"), {"older": older.pk, "newer": older.pk}
        ).status_code
        == 400
    )
    assert (
        editor_client.get(
            admin_url(post, "compare"), {"older": "x", "newer": "1"}
        ).status_code
        == 400
    )


def test_restoring_a_revision_saves_it_as_a_new_one(editor_client):
    post = PostFactory(title="The right title")
    save(editor_client, post, title="The right title")
    save(editor_client, post, title="A mistaken title")
    first = (
        Version.objects.get_for_object(post).order_by("revision__date_created").first()
    )
    url = admin_url(post, "revision", first.pk)
    form = editor_client.get(url)
    assert form.status_code == 200
    assert (
        Post.objects.get(pk=post.pk).title == "A mistaken title"
    )  # viewing changes nothing
    response = editor_client.post(url, form_data(form.content.decode()))
    assert response.status_code == 302, response.content.decode()[:3000]
    post.refresh_from_db()
    assert post.title == "The right title"
    versions = Version.objects.get_for_object(post)
    assert versions.count() == 3
    assert (
        versions.first()
        .revision.get_comment()
        .startswith("Reverted to previous version")
    )


def test_a_replaced_pdf_is_kept_for_its_revision_and_restored_with_it(editor_client):
    publication = PublicationFactory(
        slug="annual-report", external_url="", document=pdf_upload("draft.pdf")
    )
    save(
        editor_client,
        publication,
        files={"document": pdf_upload("first.pdf", title="First edition")},
    )
    first_name = publication.document.name
    save(
        editor_client,
        publication,
        files={"document": pdf_upload("second.pdf", title="Second edition")},
    )
    assert publication.document.name != first_name
    assert default_storage.exists(first_name)  # a revision still refers to it
    first = (
        Version.objects.get_for_object(publication)
        .order_by("revision__date_created")
        .first()
    )
    url = admin_url(publication, "revision", first.pk)
    data = form_data(editor_client.get(url).content.decode())
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert default_storage.exists(first_name)
    publication = Publication.objects.get(pk=publication.pk)
    assert publication.document.name == first_name
    download = Client().get(reverse("publications:download", args=[publication.slug]))
    assert download.status_code in (200, 302)


def test_a_pdf_no_revision_refers_to_is_still_deleted(editor_client):
    """Files uploaded before revisions existed go as before when replaced."""
    publication = PublicationFactory(
        slug="old-report", external_url="", document=pdf_upload("old.pdf")
    )
    old_name = publication.document.name
    assert default_storage.exists(old_name)
    save(editor_client, publication, files={"document": pdf_upload("new.pdf")})
    assert not default_storage.exists(old_name)


def test_campaign_drafts_keep_revisions(editor_client):
    campaign = CampaignFactory(subject="April newsletter")
    save(editor_client, campaign, subject="April 2016 newsletter")
    version = Version.objects.get_for_object(campaign).get()
    assert version.field_dict["subject"] == "April 2016 newsletter"
    assert Campaign.objects.get(pk=campaign.pk).subject == "April 2016 newsletter"
    assert editor_client.get(admin_url(campaign, "history")).status_code == 200
