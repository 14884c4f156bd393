from django import template

from posts import markup

register = template.Library()


@register.filter(is_safe=True)
def comment_text(text):
    """Plain comment text as HTML: escaped, links made clickable but not trusted, lines kept."""
    return markup.comment_text(text)


@register.simple_tag
def comment_list(comments, can_reply=False, page_query=""):
    """The comment threads of one page, each with its replies (posts/markup.py)."""
    return markup.comment_list(comments, can_reply, page_query)


@register.simple_tag
def comment_form_field(field):
    """One text field of the comment form with its label, errors and help (posts/markup.py)."""
    return markup.comment_form_field(field)


@register.simple_tag
def pending_comment_count():
    """How many comments wait for moderation (for the admin index)."""
    from posts.models import Comment

    return Comment.objects.pending().count()
