"""Keep Post.comment_count equal to the post's visible comments, whoever changes them."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save


def comment_counts_changed(post_ids):
    """Recount the visible comments of these posts.

    The posts are locked first (FOR NO KEY UPDATE, which a comment's foreign key does not
    conflict with): a concurrent transaction recounting the same post waits until ours
    commits, and its count, a fresh statement, then sees our comments too.
    """
    from .models import Post

    post_ids = sorted(set(post_ids))
    if not post_ids:
        return
    with transaction.atomic():
        posts = Post.objects.filter(pk__in=post_ids)
        list(
            posts.select_for_update(no_key=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        posts.refresh_comment_counts()


def _on_comment_change(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return  # loaddata: the fixture's posts carry their counts
    comment_counts_changed([instance.post_id])


def connect_signals():
    from .models import Comment

    post_save.connect(
        _on_comment_change, sender=Comment, dispatch_uid="posts-comment-count-save"
    )
    post_delete.connect(
        _on_comment_change, sender=Comment, dispatch_uid="posts-comment-count-delete"
    )
