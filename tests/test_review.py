"""Review before publishing (unact/review.py, unact/review_admin.py): contributors submit,
publishers approve or send back, editors keep full rights; nothing submitted is seen by
visitors before it is approved."""

import re
from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult
from reversion.models import Version

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posts.models import Post
from posts.permissions import EDITORS
from publications.models import Publication
from unact.models import ReviewRequest
from unact.review import CONTRIBUTORS, PUBLISHERS

from .admin_forms import change_form_data
from .factories import CategoryFactory, PostFactory, PublicationFactory, StaffFactory
from .test_comments import run_worker

pytestmark = pytest.mark.django_db

QUEUE = "/admin/unact/reviewrequest/"
# Session, user, permissions, the count and the page of requests with their users and
# kinds, the posts, the publications, the date hierarchy's years.
QUEUE_QUERIES = 12


@pytest.fixture
def contributor():
    return StaffFactory(
        username="dara",
        first_name="Dara",
        email="dara@un-act.example",
        groups=[CONTRIBUTORS],
    )


@pytest.fixture
def publisher():
    return StaffFactory(
        username="mali",
        first_name="Mali",
        email="mali@un-act.example",
        groups=[PUBLISHERS],
    )


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def contributor_client(contributor):
    return client_for(contributor)


@pytest.fixture
def publisher_client(publisher):
    return client_for(publisher)


def change_url(item):
    opts = item._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk])


def press(client, item, button, capture, **changes):
    """Post the item's change form as the page shows it, with a button pressed."""
    url = change_url(item)
    data = change_form_data(client, url, **changes)
    if button:
        data[button] = "pressed"
    with capture(execute=True):
        return client.post(url, data, follow=True)


def history(item):
    return [
        entry.get_change_message()
        for entry in LogEntry.objects.filter(object_id=str(item.pk)).order_by("pk")
    ]


def public_pages():
    return "".join(
        Client().get(address).content.decode()
        for address in (
            "/",
            "/posts/",
            "/feed/",
            "/sitemap.xml",
            "/search/?q=lanterns",
            "/publications/",
            "/publications/feed/",
        )
    )


def test_roles_are_groups_and_one_permission_decides_who_publishes():
    """Contributors may write but not publish; Publishers and Editors may publish."""

    def codenames(name):
        return set(
            Group.objects.get(name=name).permissions.values_list("codename", flat=True)
        )

    contributors, publishers, editors = map(
        codenames, (CONTRIBUTORS, PUBLISHERS, EDITORS)
    )
    assert {"add_post", "change_post", "add_publication", "change_publication"} <= (
        contributors
    )
    assert "publish_content" not in contributors
    assert not {"delete_post", "delete_publication"} & contributors
    assert {"publish_content", "change_post", "change_publication"} <= publishers
    assert {"publish_content", "change_post", "view_reviewrequest"} <= editors


def test_contributor_submits_publisher_approves_and_the_post_goes_live(
    contributor,
    contributor_client,
    publisher,
    publisher_client,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    """A contributor's new post waits as a draft, unseen by visitors; the publishers are
    emailed by the worker; an approval publishes it, records it, and tells the author."""
    category = CategoryFactory(name="News")
    add_url = reverse("admin:posts_post_add")
    page = contributor_client.get(add_url).content.decode()
    assert 'name="_review_submit"' in page
    assert 'value="published"' not in page, "no Published choice for a contributor"
    data = change_form_data(
        contributor_client,
        add_url,
        title="Lanterns for the night shelter",
        slug="lanterns-for-the-night-shelter",
        category=str(category.pk),
        summary="Volunteers brought lanterns.",
        body="<p>Volunteers brought lanterns to the shelter.</p>",
        _review_submit="Submit for review",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = contributor_client.post(add_url, data, follow=True)
    html = response.content.decode()
    assert "is submitted for review. The publishers are told by email." in html
    post = Post.objects.get(slug="lanterns-for-the-night-shelter")
    assert post.status == Post.Status.DRAFT
    review = ReviewRequest.objects.get()
    assert review.item == post and review.submitted_by == contributor
    assert review.state == ReviewRequest.State.PENDING
    assert "Waiting for review since" in html and "submitted by Dara" in html
    # Waiting is not published: no page, list, feed, sitemap or search shows it.
    assert Client().get(post.get_absolute_url()).status_code == 404
    assert "lanterns-for-the-night-shelter" not in public_pages()
    assert history(post) == ["Added. Submitted for review."]

    # The publishers hear of it from the worker, not from the request.
    assert not smtp_server.messages
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert len(smtp_server.messages) == 1
    email = smtp_server.messages[0]
    assert email["to"] == ["mali@un-act.example"]
    assert "Waiting for review: Lanterns for the night shelter" in str(
        email["message"]["Subject"]
    )
    body = email["message"].get_content()
    assert "Dara submitted the post" in body
    assert change_url(post) in body and QUEUE in body

    # The publisher sees what waits, who submitted it and when, and opens it.
    index = publisher_client.get(reverse("admin:index")).content.decode()
    assert "1 item waits for your review" in index
    queue = publisher_client.get(QUEUE).content.decode()
    assert "Lanterns for the night shelter" in queue and "dara" in queue
    page = publisher_client.get(change_url(post)).content.decode()
    assert "Waiting for review since" in page
    assert 'name="_review_approve"' in page and 'name="_review_send_back"' in page
    assert 'name="_review_submit"' not in page

    response = press(
        publisher_client, post, "_review_approve", django_capture_on_commit_callbacks
    )
    assert response.redirect_chain[-1][0] == QUEUE
    assert "is approved and published" in response.content.decode()
    post.refresh_from_db()
    review.refresh_from_db()
    assert post.is_published
    assert review.state == ReviewRequest.State.APPROVED
    assert review.reviewer == publisher and review.decided_at
    assert Client().get(post.get_absolute_url()).status_code == 200
    assert "lanterns-for-the-night-shelter" in public_pages()
    assert history(post)[-1] == "Approved and published."
    assert LogEntry.objects.order_by("pk").last().user == publisher
    newest = Version.objects.get_for_object(post).first()
    assert newest.field_dict["status"] == Post.Status.PUBLISHED
    assert "Approved and published." in newest.revision.comment
    assert (
        "Nothing waits for review."
        in publisher_client.get(reverse("admin:index")).content.decode()
    )

    run_worker()
    assert len(smtp_server.messages) == 2
    email = smtp_server.messages[1]
    assert email["to"] == ["dara@un-act.example"]
    assert "Approved and published" in str(email["message"]["Subject"])
    assert post.get_absolute_url() in email["message"].get_content()


def test_send_back_needs_a_comment_and_the_author_can_submit_again(
    contributor,
    contributor_client,
    publisher,
    publisher_client,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    """A send-back without a comment is refused; with one, the author is emailed it,
    sees it on the form, and a new submission opens a new request (history kept)."""
    post = PostFactory(
        title="Shelter lanterns", status=Post.Status.DRAFT, author=contributor
    )
    press(
        contributor_client, post, "_review_submit", django_capture_on_commit_callbacks
    )
    run_worker()
    assert len(smtp_server.messages) == 1

    response = press(
        publisher_client,
        post,
        "_review_send_back",
        django_capture_on_commit_callbacks,
        review_comment="   ",
    )
    assert "Say what needs to change: the author reads this comment." in (
        response.content.decode()
    )
    assert ReviewRequest.objects.get().state == ReviewRequest.State.PENDING

    response = press(
        publisher_client,
        post,
        "_review_send_back",
        django_capture_on_commit_callbacks,
        review_comment="Please name the shelter's district.",
    )
    assert response.redirect_chain[-1][0] == QUEUE
    assert "is sent back to its author with your comment" in response.content.decode()
    review = ReviewRequest.objects.get()
    assert review.state == ReviewRequest.State.SENT_BACK
    assert review.comment == "Please name the shelter's district."
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert history(post)[-1] == (
        "Sent back to the author: “Please name the shelter's district.”"
    )
    run_worker()
    email = smtp_server.messages[-1]
    assert email["to"] == ["dara@un-act.example"]
    assert "Sent back to you: Shelter lanterns" in str(email["message"]["Subject"])
    assert "Please name the shelter's district." in email["message"].get_content()

    page = contributor_client.get(change_url(post)).content.decode()
    assert "Sent back by Mali" in page
    assert "Please name the shelter&#x27;s district." in page
    assert 'name="_review_submit"' in page
    press(
        contributor_client,
        post,
        "_review_submit",
        django_capture_on_commit_callbacks,
        title="Shelter lanterns in Chiang Rai",
    )
    states = list(ReviewRequest.objects.order_by("pk").values_list("state", flat=True))
    assert states == [ReviewRequest.State.SENT_BACK, ReviewRequest.State.PENDING]
    assert history(post)[-1] == "Changed Title. Submitted for review."


def test_a_contributor_cannot_publish_by_any_path(
    contributor, contributor_client, publisher, django_capture_on_commit_callbacks
):
    """A crafted status, the publish action and a crafted approval are all refused."""
    post = PostFactory(
        title="Draft about hotlines", status=Post.Status.DRAFT, author=contributor
    )
    url = change_url(post)
    data = change_form_data(contributor_client, url, status="published")
    response = contributor_client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT

    changelist = reverse("admin:posts_post_changelist")
    assert 'value="publish"' not in contributor_client.get(changelist).content.decode()
    contributor_client.post(
        changelist, {"action": "publish", "_selected_action": [post.pk]}
    )
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT

    press(
        contributor_client, post, "_review_submit", django_capture_on_commit_callbacks
    )
    response = press(
        contributor_client,
        post,
        None,
        django_capture_on_commit_callbacks,
        _review_approve="Approve and publish",
    )
    assert "Your role cannot do this to this item." in response.content.decode()
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert ReviewRequest.objects.get().state == ReviewRequest.State.PENDING


def test_a_contributor_changes_only_the_drafts_they_created(
    contributor, contributor_client, django_capture_on_commit_callbacks
):
    """As a WordPress contributor: another's draft is read-only (its save, delete and
    submission refused); a new post is theirs, and so is a translation they make."""
    colleague = StaffFactory(username="sopheap", groups=[CONTRIBUTORS])
    theirs = PostFactory(
        title="Their draft", status=Post.Status.DRAFT, author=colleague
    )
    page = contributor_client.get(change_url(theirs)).content.decode()
    assert 'name="_save"' not in page and 'name="_review_submit"' not in page
    data = change_form_data(
        client_for(colleague), change_url(theirs), title="Changed by someone else"
    )
    assert contributor_client.post(change_url(theirs), data).status_code == 403
    delete = reverse("admin:posts_post_delete", args=[theirs.pk])
    assert contributor_client.post(delete, {"post": "yes"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == "Their draft" and not ReviewRequest.objects.exists()

    add_url = reverse("admin:posts_post_add")
    data = change_form_data(
        contributor_client,
        add_url,
        title="My own draft",
        slug="my-own-draft",
        category=str(CategoryFactory().pk),
        summary="Mine.",
        body="<p>Mine.</p>",
    )
    assert contributor_client.post(add_url, data).status_code == 302
    mine = Post.objects.get(slug="my-own-draft")
    assert mine.created_by == contributor
    assert 'name="_save"' in contributor_client.get(change_url(mine)).content.decode()


def test_a_contributor_views_but_cannot_change_a_live_post(contributor_client):
    """Published and scheduled posts are read-only to contributors; a POST is refused."""
    post = PostFactory(title="Live hotline numbers")
    page = contributor_client.get(change_url(post)).content.decode()
    assert "Live hotline numbers" in page
    assert 'name="_save"' not in page and 'name="_review_submit"' not in page
    response = contributor_client.post(
        change_url(post), {"title": "Changed by a contributor", "status": "draft"}
    )
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.title == "Live hotline numbers" and post.is_published
    delete_url = reverse("admin:posts_post_delete", args=[post.pk])
    assert contributor_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Post.objects.filter(pk=post.pk).exists()


def test_a_contributor_submits_a_publication_too(
    contributor, contributor_client, django_capture_on_commit_callbacks
):
    """Publications go through the same review; with no publisher's address the
    contributor is told to tell one."""
    publication = PublicationFactory(
        title="Border survey", status="draft", created_by=contributor
    )
    response = press(
        contributor_client,
        publication,
        "_review_submit",
        django_capture_on_commit_callbacks,
    )
    assert (
        "is submitted for review, but no publisher has an email address: tell one "
        "yourself." in response.content.decode()
    )
    assert ReviewRequest.objects.get().item == publication
    publication.refresh_from_db()
    assert publication.status == Publication.Status.DRAFT
    assert Client().get(publication.get_absolute_url()).status_code == 404


def test_an_editor_publishes_directly_which_approves_what_waited(
    contributor, contributor_client, django_capture_on_commit_callbacks
):
    """Editors keep full rights: publishing with the status field or the publish action
    approves a waiting request in their name."""
    editor = StaffFactory(username="editor", groups=[EDITORS])
    editor_client = client_for(editor)
    first = PostFactory(
        title="First draft", status=Post.Status.DRAFT, author=contributor
    )
    second = PostFactory(
        title="Second draft", status=Post.Status.DRAFT, author=contributor
    )
    for post in (first, second):
        press(
            contributor_client,
            post,
            "_review_submit",
            django_capture_on_commit_callbacks,
        )
    press(
        editor_client,
        first,
        "_save",
        django_capture_on_commit_callbacks,
        status="published",
    )
    editor_client.post(
        reverse("admin:posts_post_changelist"),
        {"action": "publish", "_selected_action": [second.pk]},
    )
    for post in (first, second):
        post.refresh_from_db()
        assert post.is_published
    assert set(ReviewRequest.objects.values_list("state", "reviewer")) == {
        (ReviewRequest.State.APPROVED, editor.pk)
    }
    assert history(first)[-1] == "Changed Status. Approved by publishing it."


def test_the_waiting_list_shows_each_role_its_part(
    contributor,
    contributor_client,
    publisher_client,
    django_capture_on_commit_callbacks,
):
    """Publishers see every pending request; contributors only their own, and no
    "Waiting for review" block on the index."""
    mine = PostFactory(title="My draft", status=Post.Status.DRAFT, author=contributor)
    press(
        contributor_client, mine, "_review_submit", django_capture_on_commit_callbacks
    )
    sopheap = StaffFactory(username="sopheap", groups=[CONTRIBUTORS])
    other = client_for(sopheap)
    theirs = PublicationFactory(
        title="Their publication", status="draft", created_by=sopheap
    )
    press(other, theirs, "_review_submit", django_capture_on_commit_callbacks)

    queue = publisher_client.get(QUEUE).content.decode()
    assert "My draft" in queue and "Their publication" in queue
    own = contributor_client.get(QUEUE).content.decode()
    assert "My draft" in own and "Their publication" not in own
    index = contributor_client.get(reverse("admin:index")).content.decode()
    assert "reviews-waiting" not in index
    # Decided requests leave the default list, and stay under "All".
    ReviewRequest.objects.for_item(mine).update(state="approved")
    queue = publisher_client.get(QUEUE).content.decode()
    assert "My draft" not in queue and "Their publication" in queue
    assert "My draft" in publisher_client.get(QUEUE + "?state=all").content.decode()


@pytest.mark.parametrize("count", [1, 5])
def test_the_waiting_list_costs_the_same_queries_for_any_number(
    publisher_client, contributor, django_assert_num_queries, count
):
    """Posts and publications alike: one query per kind of item, whatever their number."""
    items = [
        *PostFactory.create_batch(count, status=Post.Status.DRAFT),
        *PublicationFactory.create_batch(count, status="draft"),
    ]
    for item in items:
        ReviewRequest.objects.create(
            content_type=ContentType.objects.get_for_model(item),
            object_id=item.pk,
            submitted_by=contributor,
        )
    with django_assert_num_queries(QUEUE_QUERIES):
        response = publisher_client.get(QUEUE)
    html = response.content.decode()
    assert len(re.findall(r'href="/admin/posts/post/\d+/change/"', html)) == count
    assert len(re.findall(r'href="/admin/publications/publication/\d+/', html)) == count


def test_deleting_an_item_withdraws_its_request(
    contributor_client, publisher_client, django_capture_on_commit_callbacks
):
    post = PostFactory(title="Soon deleted", status=Post.Status.DRAFT)
    press(
        contributor_client, post, "_review_submit", django_capture_on_commit_callbacks
    )
    response = publisher_client.post(
        reverse("admin:posts_post_delete", args=[post.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not ReviewRequest.objects.exists()


def test_a_review_email_that_fails_is_tried_again_until_the_mail_server_answers(
    contributor_client,
    publisher,
    smtp_server,
    settings,
    django_capture_on_commit_callbacks,
):
    """The mail server is down when a contributor submits: the submission stands, the
    worker's try fails and queues another (later), which is sent once the server is back."""

    from .conftest import free_port

    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    add_url = reverse("admin:posts_post_add")
    data = change_form_data(
        contributor_client,
        add_url,
        title="Night ferry schedule",
        slug="night-ferry-schedule",
        category=str(CategoryFactory().pk),
        summary="The ferry runs at night.",
        body="<p>The ferry runs at night.</p>",
        _review_submit="Submit for review",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert contributor_client.post(add_url, data).status_code == 302
    run_worker()
    review = ReviewRequest.objects.get()
    assert review.state == ReviewRequest.State.PENDING
    assert review.publishers_notified_at is None
    failed, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert failed.status == "FAILED"
    assert retry.status == "READY" and retry.run_after > timezone.now()
    assert retry.args_kwargs == {"args": [review.pk], "kwargs": {"attempt": 2}}

    settings.EMAIL_PORT = real_port
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()
    assert len(smtp_server.messages) == 1
    assert "Waiting for review: Night ferry schedule" in str(
        smtp_server.messages[0]["message"]["Subject"]
    )
    review.refresh_from_db()
    assert review.publishers_notified_at is not None


def test_review_emails_stop_retrying_after_the_configured_tries(
    publisher, settings, caplog
):
    from unact.review_tasks import notify_publishers

    from .conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.REVIEW_EMAIL_RETRIES = 2
    review = ReviewRequest.objects.create(
        item=PostFactory(status=Post.Status.DRAFT), submitted_by=publisher
    )
    with pytest.raises(OSError):
        notify_publishers.call(review.pk, attempt=3)
    assert not DBTaskResult.objects.exists(), "no fourth try is queued"
    assert "failed (attempt 3)." in caplog.text


def test_the_migration_names_the_creator_of_earlier_items_from_the_admin_log(
    contributor, publisher
):
    """Items added before `created_by` existed get the user the admin's log names as
    having added them; an item the log does not name gets none."""
    from django.apps import apps
    from django.contrib.admin.models import ADDITION

    from unact.publishing import created_by_from_admin_log

    logged, unlogged = PostFactory(), PostFactory()
    post_type = ContentType.objects.get_for_model(Post)
    for user in (contributor, publisher):  # the earliest addition wins
        LogEntry.objects.create(
            user=user,
            content_type=post_type,
            object_id=str(logged.pk),
            object_repr=str(logged),
            action_flag=ADDITION,
        )
    LogEntry.objects.filter(user=publisher).update(
        action_time=LogEntry.objects.get(user=contributor).action_time
        + timedelta(seconds=1)
    )
    created_by_from_admin_log("posts", "post")(apps, None)
    logged.refresh_from_db()
    unlogged.refresh_from_db()
    assert logged.created_by == contributor and unlogged.created_by is None
