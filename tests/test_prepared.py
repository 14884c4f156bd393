"""Queries compiled once (unact/prepared.py) give what their querysets give, on SQLite
and PostgreSQL alike: converted values, the values of each run, no stale SQL."""

from datetime import timedelta

import pytest
from django.db import models
from django.utils import timezone

from posts.models import Comment, Post
from unact.prepared import Param, PreparedQuery

from .factories import CommentFactory, PostFactory

pytestmark = pytest.mark.django_db

FIELDS = ("pk", "name", "is_staff_reply", "created_at", "parent_id")


def comments_of(post_id):
    return Comment.objects.filter(post_id=post_id).visible_to().values_list(*FIELDS)


COMMENTS = PreparedQuery(lambda: comments_of(Param("post", models.IntegerField())))
LATER_POSTS = PreparedQuery(
    lambda: Post.objects.published(now=Param("now", models.DateTimeField()))
    .filter(publish_at__gt=Param("after", models.DateTimeField()), title__startswith=Param("start", models.CharField()))
    .order_by("publish_at")
    .values_list("slug", flat=False)
)


def test_rows_and_converted_values_are_those_of_the_queryset():
    post = PostFactory()
    parent = CommentFactory(post=post, is_staff_reply=True)
    CommentFactory(post=post, parent=parent)
    CommentFactory(post=post, status=Comment.Status.PENDING)
    CommentFactory()  # another post's
    rows = COMMENTS(post=post.pk)
    assert [tuple(row) for row in rows] == list(comments_of(post.pk))
    assert rows[0][2] is True and rows[1][2] is False  # booleans, also on SQLite
    assert timezone.is_aware(rows[0][3])  # datetimes, also on SQLite


def test_each_run_uses_its_own_values():
    now = timezone.now()
    for days, title in ((3, "Alpha one"), (2, "Alpha two"), (1, "Beta"), (-1, "Alpha future")):
        PostFactory(title=title, slug=title.lower().replace(" ", "-"), publish_at=now - timedelta(days=days))
    assert [row[0] for row in LATER_POSTS(now=now, after=now - timedelta(days=10), start="Alpha")] == [
        "alpha-one", "alpha-two"
    ]  # fmt: skip
    assert [row[0] for row in LATER_POSTS(now=now, after=now - timedelta(days=2, hours=1), start="Alpha")] == ["alpha-two"]
    assert [row[0] for row in LATER_POSTS(now=now + timedelta(days=2), after=now, start="Alpha")] == ["alpha-future"]
    assert LATER_POSTS(now=now, after=now, start="Gamma") == []


def test_a_missing_value_is_refused():
    with pytest.raises(ValueError, match="IS NULL"):
        COMMENTS(post=None)
    with pytest.raises(KeyError):
        COMMENTS()


@pytest.mark.django_db(transaction=True)
def test_a_new_database_session_prepares_the_statement_again(django_assert_num_queries):
    from django.db import connection

    post = PostFactory()
    CommentFactory(post=post)
    assert len(COMMENTS(post=post.pk)) == 1
    connection.close()  # the session, and what was prepared in it, is gone
    connection.ensure_connection()
    with django_assert_num_queries(1) as captured:  # PREPARE is not a query of the page's
        assert len(COMMENTS(post=post.pk)) == 1
    if connection.vendor == "postgresql":
        assert captured.captured_queries[0]["sql"].startswith("EXECUTE unact_prepared_")
