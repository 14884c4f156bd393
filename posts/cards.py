"""Lists of post cards (home, all posts, a category, a tag, a year, the feeds).

Each list is a PreparedQuery (unact/prepared.py), compiled once per process: a page of
published posts, newest first, each with its category, and the number of them all (a
subquery the database runs once), in one statement. Building the page and count
querysets afresh cost more than the database's work. The values that change are
Params, `now` (the present) among them; pages take `limit` and `offset`.
"""

from django.db.models import DateTimeField, F, Func, IntegerField, Subquery
from taggit.models import TaggedItem

from unact.prepared import Param, PreparedQuery, model_columns

from .models import Category, Post

# What a card shows: every column but the body and the search vector.
CARD_COLUMNS = model_columns(Post, exclude={"body"})
CATEGORY_COLUMNS = model_columns(Category)
CATEGORY_FIELDS = tuple(f"category__{column}" for column in CATEGORY_COLUMNS)


def cards_query(lookups=dict):
    """The query of one kind of list: published posts matching lookups() (Params as values)."""

    def build():
        visible = Post.objects.published(now=Param("now", DateTimeField())).filter(**lookups())
        total = visible.order_by().annotate(total=Func(F("pk"), function="COUNT")).values("total")
        return visible.annotate(list_total=Subquery(total)).values_list(*CARD_COLUMNS, *CATEGORY_FIELDS, "list_total")

    return PreparedQuery(build, paged=True)


ALL_CARDS = cards_query()
CATEGORY_CARDS = cards_query(lambda: {"category_id": Param("category", IntegerField())})
# A subquery, not a join with distinct(): DISTINCT over whole rows cost a hundred
# milliseconds at a thousand posts.
TAG_CARDS = cards_query(lambda: {
    "pk__in": TaggedItem.objects.filter(
        content_type_id=Param("content_type", IntegerField()), tag_id=Param("tag", IntegerField())
    ).values("object_id")
})  # fmt: skip
YEAR_CARDS = cards_query(
    lambda: {"publish_at__gte": Param("start", DateTimeField()), "publish_at__lt": Param("end", DateTimeField())}
)


def post_with_category(columns, values):
    """A Post from a row of its columns followed by its category's (None when it has none)."""
    post = Post.from_db("default", columns, values[: len(columns)])
    category = values[len(columns) : len(columns) + len(CATEGORY_COLUMNS)]
    post.category = Category.from_db("default", CATEGORY_COLUMNS, category) if category[0] is not None else None
    return post


def post_from_row(row):
    """A card's Post (with its category) from a row of a cards query."""
    return post_with_category(CARD_COLUMNS, row)


def latest_posts(count, now):
    """The newest published posts (the feeds)."""
    return [post_from_row(row) for row in ALL_CARDS(limit=count, offset=0, now=now)]
