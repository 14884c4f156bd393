"""Drafts of changes to live posts and publications (unact/drafts.py, unact/drafts_admin.py):
the live version stays as visitors see it until a publisher publishes the change."""

import re
from datetime import timedelta

import pytest
from reversion.models import Version

from django.contrib.admin.models import LogEntry
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from posts.models import Post
from posts.permissions import EDITORS
from unact import pagecache
from unact.models import ChangeDraft, SearchDocument
from unact.review import CONTRIBUTORS, PUBLISHERS

from .admin_forms import change_form_data
from .factories import (
    CommentFactory,
    PostFactory,
    PublicationFactory,
    StaffFactory,
    image_upload,
    pdf_upload,
)
from .test_search import result_titles

pytestmark = pytest.mark.django_db

LIVE_BODY = "<p>Lanterns of the delta: the live text every visitor reads.</p>"
DRAFT_BODY = "<p>Kingfishers over the river: the rewritten text, not yet published.</p>"


@pytest.fixture
def editor():
    return StaffFactory(username="sok", first_name="Sok", groups=[EDITORS])


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def live_post():
    post = PostFactory(
        title="Lanterns on the river",
        slug="lanterns-on-the-river",
        body=LIVE_BODY,
        tags=["safe-migration"],
    )
    CommentFactory(post=post, text="A reader's approved comment stays on the page.")
    return post


def change_url(item):
    opts = item._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk])


def draft_url(item, name):
    opts = item._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_draft_{name}", args=[item.pk]
    )


def preview_url(item):
    return reverse(f"{item._meta.app_label}:changes-preview", args=[item.pk])


def post_form(client, item, button, files=None, **changes):
    """Post the change form as the page shows it, with these fields changed and a
    button pressed."""
    url = change_url(item)
    data = change_form_data(client, url, **changes)
    data[button] = "pressed"
    return client.post(url, {**data, **(files or {})})


def visitor_page(item):
    response = Client().get(item.get_absolute_url())
    return response.status_code, response.content.decode()


def history(item):
    return [
        (entry.user.get_username(), entry.get_change_message())
        for entry in LogEntry.objects.filter(object_id=str(item.pk)).order_by("pk")
    ]


def found(query):
    """The titles of the search results for query, as a visitor gets them."""
    return result_titles(Client().get("/search/", {"q": query}).content.decode())


def test_a_draft_of_changes_leaves_the_live_post_as_visitors_see_it(
    editor_client, live_post, django_capture_on_commit_callbacks
):
    """Saving a draft changes no page, search entry, revision, cache version or count."""
    _status, before = visitor_page(live_post)
    revisions = Version.objects.get_for_object(live_post).count()
    version = pagecache.content_version()
    search_before = list(SearchDocument.objects.values_list("title", "body"))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(
            editor_client,
            live_post,
            "_save_draft",
            title="Kingfishers over the river",
            body=DRAFT_BODY,
            tags="safe-migration, rivers",
        )
    assert response.status_code == 302
    assert response["Location"] == change_url(live_post)

    live_post.refresh_from_db()
    assert live_post.title == "Lanterns on the river" and live_post.body == LIVE_BODY
    status, after = visitor_page(live_post)
    assert status == 200
    assert "Lanterns of the delta" in after and "Kingfishers" not in after
    assert "A reader&#x27;s approved comment" in after or "A reader's" in after
    assert list(SearchDocument.objects.values_list("title", "body")) == search_before
    assert found("lanterns") == ["Lanterns on the river"]
    assert found("kingfishers") == []
    assert Version.objects.get_for_object(live_post).count() == revisions
    assert pagecache.content_version() == version
    assert sorted(live_post.tags.names()) == ["safe-migration"]
    assert live_post.comment_count == 1
    draft = ChangeDraft.objects.get()
    assert draft.data["tags"] == ["rivers", "safe-migration"]
    assert history(live_post)[-1] == (
        "sok",
        "Saved a draft of changes (not published). Changed Title, Tags and Body.",
    )


def test_the_form_reopens_on_the_draft_with_its_links(editor_client, live_post):
    """The editor continues where the draft left off, and sees whose draft it is."""
    post_form(
        editor_client, live_post, "_save_draft", title="Kingfishers over the river"
    )
    html = editor_client.get(change_url(live_post)).content.decode()
    assert 'value="Kingfishers over the river"' in html
    assert "A draft of changes by Sok" in html and "is waiting" in html
    assert preview_url(live_post) in html
    assert draft_url(live_post, "compare") in html
    assert draft_url(live_post, "discard") in html
    assert 'value="Publish changes"' in html and 'name="_save_draft"' in html
    assert "The live version changed" not in html


def test_preview_shows_the_draft_as_it_will_look_never_cached(editor_client, live_post):
    """The real post page with the draft applied, its real comments, marked a preview."""
    post_form(
        editor_client,
        live_post,
        "_save_draft",
        title="Kingfishers over the river",
        summary="",
        body=DRAFT_BODY,
        tags="safe-migration, rivers",
    )
    response = editor_client.get(preview_url(live_post))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Kingfishers over the river</h1>" in html
    assert "the rewritten text, not yet published" in html
    assert "Lanterns of the delta" not in html
    assert "Preview of unpublished changes" in html
    assert "approved comment stays on the page" in html
    assert ">rivers<" in html
    assert "no-cache" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize("who", ["anonymous", "moderator"])
def test_preview_needs_the_right_to_change_posts(client, live_post, editor_client, who):
    """Visitors and staff who may not edit posts do not see drafts of changes."""
    post_form(editor_client, live_post, "_save_draft", body=DRAFT_BODY)
    if who == "moderator":
        client.force_login(StaffFactory(username="moderator", groups=["Moderators"]))
    response = client.get(preview_url(live_post))
    assert response.status_code == 404
    assert "not yet published" not in response.content.decode()


def test_publishing_applies_the_draft_and_removes_it(
    editor_client, live_post, django_capture_on_commit_callbacks
):
    """ "Publish changes" saves the draft's values the normal way: page, search, revision."""
    post_form(
        editor_client,
        live_post,
        "_save_draft",
        title="Kingfishers over the river",
        summary="",
        body=DRAFT_BODY,
    )
    revisions = Version.objects.get_for_object(live_post).count()
    version = pagecache.content_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(editor_client, live_post, "_save")
    assert response.status_code == 302
    live_post.refresh_from_db()
    assert live_post.title == "Kingfishers over the river"
    _status, html = visitor_page(live_post)
    assert "the rewritten text, not yet published" in html
    assert found("kingfishers") == ["Kingfishers over the river"]
    assert found("lanterns") == []
    assert not ChangeDraft.objects.exists()
    assert Version.objects.get_for_object(live_post).count() == revisions + 1
    assert pagecache.content_version() != version
    assert history(live_post)[-1] == (
        "sok",
        "Changed Title, Summary and Body. Published the draft of changes saved by Sok.",
    )


def test_discarding_removes_the_draft_and_keeps_the_live_post(editor_client, live_post):
    post_form(editor_client, live_post, "_save_draft", title="Kingfishers")
    page = editor_client.get(draft_url(live_post, "discard"))
    assert "will be deleted" in page.content.decode()
    version = pagecache.content_version()
    response = editor_client.post(draft_url(live_post, "discard"))
    assert response.status_code == 302
    assert not ChangeDraft.objects.exists()
    assert pagecache.content_version() == version
    live_post.refresh_from_db()
    assert live_post.title == "Lanterns on the river"
    html = editor_client.get(change_url(live_post)).content.decode()
    assert 'value="Lanterns on the river"' in html and "is waiting" not in html
    assert history(live_post)[-1] == (
        "sok",
        "Discarded the draft of changes saved by Sok.",
    )
    assert editor_client.get(preview_url(live_post)).status_code == 302


def test_compare_with_live_shows_each_changed_field(editor_client, live_post):
    post_form(
        editor_client,
        live_post,
        "_save_draft",
        title="Kingfishers over the river",
        body=DRAFT_BODY,
    )
    html = editor_client.get(draft_url(live_post, "compare")).content.decode()
    assert re.search(
        r"<del>Lanterns on the river</del> → <ins>Kingfishers over the river</ins>",
        html,
    )
    assert "<ins>Kingfishers" in html and "Body" in html
    assert "Slug" not in html


def test_an_invalid_draft_shows_errors_and_keeps_what_was_typed(
    editor_client, live_post
):
    response = post_form(
        editor_client,
        live_post,
        "_save_draft",
        title="",
        body=DRAFT_BODY,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This field is required" in html
    assert "Kingfishers over the river: the rewritten text" in html
    assert not ChangeDraft.objects.exists()


def test_the_live_version_changed_after_the_draft_was_started(editor_client, live_post):
    """Someone publishes a change meanwhile: the draft's page says so, with compare."""
    post_form(editor_client, live_post, "_save_draft", title="Kingfishers")
    Post.objects.filter(pk=live_post.pk).update(
        summary="Changed by someone else",
        updated_at=timezone.now() + timedelta(seconds=5),
    )
    html = editor_client.get(change_url(live_post)).content.decode()
    assert "The live version changed after this draft was started" in html
    assert draft_url(live_post, "compare") in html
    compare = editor_client.get(draft_url(live_post, "compare")).content.decode()
    assert "The live version changed after this draft was started" in compare


def test_deleting_a_post_deletes_its_draft(editor_client, live_post):
    post_form(editor_client, live_post, "_save_draft", title="Kingfishers")
    editor_client.force_login(
        StaffFactory(username="root", is_superuser=True, groups=[EDITORS])
    )
    response = editor_client.post(
        reverse("admin:posts_post_delete", args=[live_post.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not ChangeDraft.objects.exists()
    assert editor_client.get(preview_url(live_post)).status_code == 404


def test_a_post_deleted_outside_the_admin_takes_its_draft_along(
    editor_client, live_post
):
    """A bulk delete, the shell or a service: the draft never outlives its item."""
    post_form(editor_client, live_post, "_save_draft", title="Kingfishers")
    assert ChangeDraft.objects.count() == 1
    Post.objects.filter(pk=live_post.pk).delete()
    assert not ChangeDraft.objects.exists()


def test_contributors_see_no_draft_button_and_cannot_post_one(client, live_post):
    client.force_login(StaffFactory(username="dara", groups=[CONTRIBUTORS]))
    html = client.get(change_url(live_post)).content.decode()
    assert "Save draft of changes" not in html
    response = client.post(change_url(live_post), {"_save_draft": "1", "title": "X"})
    assert response.status_code == 403
    assert not ChangeDraft.objects.exists()


def test_a_draft_post_has_no_draft_of_changes_button(editor_client):
    post = PostFactory(draft=True)
    html = editor_client.get(change_url(post)).content.decode()
    assert "Save draft of changes" not in html and 'value="Save"' in html
    response = post_form(editor_client, post, "_save_draft", title="Changed")
    assert response.status_code == 403


def test_one_draft_per_item(editor_client, live_post):
    post_form(editor_client, live_post, "_save_draft", title="First")
    post_form(editor_client, live_post, "_save_draft", title="Second")
    draft = ChangeDraft.objects.get()
    assert draft.data["fields"]["title"] == "Second"


def test_the_public_page_costs_the_same_queries_with_a_draft(editor_client, live_post):
    """A draft adds no query to the live page visitors read."""
    anonymous = Client()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = anonymous.get(live_post.get_absolute_url())
        assert response.status_code == 200
        return len(captured.captured_queries)

    queries()  # the first request of a process builds the frame's menus
    before = queries()
    post_form(editor_client, live_post, "_save_draft", title="Kingfishers")
    assert ChangeDraft.objects.exists()
    assert queries() == before > 0


def test_an_image_uploaded_into_a_draft_replaces_the_live_one_only_when_published(
    editor_client, django_capture_on_commit_callbacks
):
    post = PostFactory(with_image=True)
    live_name = post.featured_image.name
    with django_capture_on_commit_callbacks(execute=True):
        post_form(
            editor_client,
            post,
            "_save_draft",
            files={"featured_image": image_upload("river.jpg", color="blue")},
        )
    post.refresh_from_db()
    assert post.featured_image.name == live_name
    draft_name = ChangeDraft.objects.get().data["files"]["featured_image"]
    assert draft_name != live_name and default_storage.exists(draft_name)
    preview = editor_client.get(preview_url(post)).content.decode()
    assert draft_name.rsplit(".", 1)[0].rsplit("/", 1)[-1] in preview
    with django_capture_on_commit_callbacks(execute=True):
        post_form(editor_client, post, "_save")
    post.refresh_from_db()
    assert post.featured_image.name not in (live_name, draft_name)
    assert default_storage.exists(post.featured_image.name)
    assert not default_storage.exists(draft_name)
    assert not ChangeDraft.objects.exists()


def test_a_pdf_uploaded_into_a_draft_is_kept_apart_then_discarded(
    editor_client, django_capture_on_commit_callbacks
):
    publication = PublicationFactory(title="Annual report", slug="annual-report")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(
            editor_client,
            publication,
            "_save_draft",
            files={"document": pdf_upload("new.pdf", title="New findings")},
            summary="New summary in the draft",
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    publication.refresh_from_db()
    assert not publication.document
    draft_name = ChangeDraft.objects.get().data["files"]["document"]
    assert default_storage.exists(draft_name)
    _status, html = visitor_page(publication)
    assert "New summary in the draft" not in html
    preview = editor_client.get(preview_url(publication)).content.decode()
    assert (
        "New summary in the draft" in preview
        and "Preview of unpublished changes" in preview
    )
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(draft_url(publication, "discard"))
    assert not default_storage.exists(draft_name)
    publication.refresh_from_db()
    assert not publication.document


def test_a_pdf_in_a_draft_is_read_when_published(
    editor_client, django_capture_on_commit_callbacks
):
    publication = PublicationFactory(title="Annual report", slug="annual-report")
    with django_capture_on_commit_callbacks(execute=True):
        post_form(
            editor_client,
            publication,
            "_save_draft",
            files={"document": pdf_upload("new.pdf", pages=2)},
        )
    draft_name = ChangeDraft.objects.get().data["files"]["document"]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(editor_client, publication, "_save")
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.document and publication.document.name != draft_name
    assert publication.page_count == 2
    assert not default_storage.exists(draft_name)
    assert not ChangeDraft.objects.exists()


def test_publication_draft_of_countries_and_tags(editor_client):
    from publications.models import Country

    publication = PublicationFactory(tags=["labour"])
    country = Country.objects.order_by("position").first()
    data = change_form_data(
        editor_client, change_url(publication), tags="labour, fishing"
    )
    data["countries"] = [str(country.pk)]
    data["_save_draft"] = "1"
    response = editor_client.post(change_url(publication), data)
    assert response.status_code == 302
    assert not publication.countries.exists()
    preview = editor_client.get(preview_url(publication)).content.decode()
    assert country.name in preview and "fishing" in preview
    post_form(editor_client, publication, "_save")
    assert list(publication.countries.all()) == [country]
    assert sorted(publication.tags.names()) == ["fishing", "labour"]


def test_publishers_may_keep_drafts_too(client, live_post):
    client.force_login(StaffFactory(username="mali", groups=[PUBLISHERS]))
    response = post_form(client, live_post, "_save_draft", title="Kingfishers")
    assert response.status_code == 302
    assert ChangeDraft.objects.exists()


def test_reviewing_an_old_revision_shows_the_revision_not_the_draft(
    editor_client, live_post
):
    version = Version.objects.get_for_object(live_post).first()
    if version is None:
        post_form(editor_client, live_post, "_save", summary="A summary")
        version = Version.objects.get_for_object(live_post).first()
    post_form(editor_client, live_post, "_save_draft", title="Kingfishers")
    url = reverse("admin:posts_post_revision", args=[live_post.pk, version.pk])
    html = editor_client.get(url).content.decode()
    assert 'value="Kingfishers"' not in html


def test_a_draft_with_changed_related_publications_is_refused_nothing_lost(
    editor_client, live_post
):
    """Related publications are rows of the other side: saved only when published."""
    publication = PublicationFactory(title="Border crossings report")
    data = change_form_data(
        editor_client, change_url(live_post), title="Kingfishers over the river"
    )
    prefix = next(
        name[: -len("-TOTAL_FORMS")] for name in data if name.endswith("-TOTAL_FORMS")
    )
    data[f"{prefix}-0-publication"] = str(publication.pk)
    data["_save_draft"] = "1"
    response = editor_client.post(change_url(live_post), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "A draft of changes keeps this page&#x27;s own fields only" in html
    assert 'value="Kingfishers over the river"' in html
    assert not ChangeDraft.objects.exists()
    assert not publication.related_posts.exists()


def test_previews_and_draft_pages_of_nothing_answer_without_an_error(
    editor_client, live_post
):
    """No draft, no such item, absurd numbers: a 404 or a way back, never a 500."""
    for url in (
        "/posts/preview/99999999999999999999999/",
        "/publications/preview/99999999999999999999999/",
        "/posts/preview/424242/",
    ):
        assert editor_client.get(url).status_code == 404, url
    assert editor_client.get(preview_url(live_post)).status_code == 302
    for name in ("compare", "discard"):
        response = editor_client.get(draft_url(live_post, name), follow=True)
        assert response.status_code == 200
        assert "has no draft of changes" in response.content.decode()
    missing = "/admin/posts/post/424242/draft/compare/"
    assert editor_client.get(missing).status_code == 404


def test_a_form_opened_before_the_draft_was_saved_leaves_the_draft_waiting(
    editor_client, live_post, django_capture_on_commit_callbacks
):
    """Someone publishing from a page opened earlier publishes what they typed; the
    draft saved meanwhile (and its files) keeps waiting, with the "changed" warning."""
    stale = change_form_data(editor_client, change_url(live_post), summary="Earlier")
    with django_capture_on_commit_callbacks(execute=True):
        post_form(
            editor_client,
            live_post,
            "_save_draft",
            files={"featured_image": image_upload("river.jpg")},
            image_alt="A river at dusk",
            title="Kingfishers over the river",
        )
    draft_name = ChangeDraft.objects.get().data["files"]["featured_image"]
    stale["_save"] = "1"
    response = editor_client.post(change_url(live_post), stale)
    assert response.status_code == 302
    live_post.refresh_from_db()
    assert live_post.summary == "Earlier"
    assert live_post.title == "Lanterns on the river"
    assert not live_post.featured_image
    assert ChangeDraft.objects.exists() and default_storage.exists(draft_name)
    assert "Published the draft" not in history(live_post)[-1][1]
    html = editor_client.get(change_url(live_post)).content.decode()
    assert "The live version changed after this draft was started" in html


def test_a_file_a_draft_names_is_not_deleted_when_the_live_one_is_replaced(
    editor_client, django_capture_on_commit_callbacks
):
    """The clean-up of replaced publication files spares a file a draft still names."""
    from publications.services import publication_save

    publication = PublicationFactory(document=pdf_upload("first.pdf"))
    first = publication.document.name
    post_form(editor_client, publication, "_save_draft", summary="Kept with the PDF")
    assert ChangeDraft.objects.get().data["files"]["document"] == first
    assert not Version.objects.get_for_object(publication).exists()
    publication.document = pdf_upload("second.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        publication_save(publication=publication)
    assert publication.document.name != first
    assert default_storage.exists(first)


def test_publishing_a_draft_that_moves_the_post_leaves_a_redirect(
    editor_client, live_post
):
    old_address = live_post.get_absolute_url()
    post_form(editor_client, live_post, "_save_draft", slug="kingfishers")
    assert Client().get(old_address).status_code == 200
    post_form(editor_client, live_post, "_save")
    live_post.refresh_from_db()
    assert live_post.slug == "kingfishers"
    response = Client().get(old_address)
    assert response.status_code == 301
    assert response["Location"].endswith(live_post.get_absolute_url())


@pytest.mark.parametrize("state", ["scheduled", "expired"])
def test_scheduled_and_expired_items_take_drafts_of_changes_too(editor_client, state):
    now = timezone.now()
    if state == "scheduled":
        item = PublicationFactory(scheduled=True, title="Coming report")
    else:
        item = PostFactory(
            title="Coming report",
            publish_at=now - timedelta(days=3),
            unpublish_at=now - timedelta(days=1),
        )
    html = editor_client.get(change_url(item)).content.decode()
    assert 'name="_save_draft"' in html
    response = post_form(editor_client, item, "_save_draft", title="Renamed report")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Coming report"
    compare = editor_client.get(draft_url(item, "compare")).content.decode()
    assert "<del>Coming report</del> → <ins>Renamed report</ins>" in compare
    preview = editor_client.get(preview_url(item)).content.decode()
    assert "Renamed report" in preview and "Preview of unpublished changes" in preview


def test_a_contributor_sees_the_live_values_not_the_draft(
    client, editor_client, live_post
):
    """Contributors see live items read-only: the live version, without the draft."""
    post_form(
        editor_client, live_post, "_save_draft", title="Kingfishers over the river"
    )
    client.force_login(StaffFactory(username="dara", groups=[CONTRIBUTORS]))
    html = client.get(change_url(live_post)).content.decode()
    assert "Lanterns on the river" in html
    assert "Kingfishers" not in html and "is waiting" not in html
    # Contributors may preview drafts of posts (they may edit drafts).
    assert client.get(preview_url(live_post)).status_code == 200
