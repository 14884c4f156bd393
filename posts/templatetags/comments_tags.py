import html
import re

from django import template
from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import conditional_escape, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from unact.templatetags.site_tags import field_widget, time_html

register = template.Library()

LINK_REL = "nofollow ugc noopener"
_WORD_DOT_WORD = re.compile(r"(?<=\w)\.\w")


def _may_hold_link(text):
    """Whether urlize might find a link: a scheme, www., an @ or a dot inside a word."""
    return (
        "@" in text
        or "://" in text
        or ("." in text and (_WORD_DOT_WORD.search(text) is not None or "www." in text.lower()))
    )


@register.filter(is_safe=True)
def comment_text(text):
    """Plain comment text as HTML: escaped, links made clickable but not trusted, lines kept."""
    text = str(text)
    if _may_hold_link(text):
        # urlize escapes everything that is not a link, and the link text and address too.
        markup = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
        markup = markup.replace(' rel="nofollow">', f' rel="{LINK_REL}">')
    else:
        # Nothing urlize would link (no scheme, no www., no @, no dot inside a word):
        # escaping alone gives the same HTML, several times faster.
        markup = html.escape(text)
    # The text was escaped (by urlize or escape); only <br> is added.
    return mark_safe(markup.replace("\r\n", "\n").replace("\n", "<br>"))  # nosec B308 B703


@register.simple_tag
def comment_list(comments, can_reply=False, page_query=""):
    """The comment threads of one page as <ol class="comment-list">, each with its replies.

    Written out here rather than with an {% include %} per comment: on a post with a
    long discussion, the template engine's work per comment (an include, its context,
    a dozen variable lookups) was most of the page's time. Every value is escaped as
    the template would escape it; the comment text goes through comment_text.
    can_reply: comments_open; page_query: the query string of this comments page
    ("" or "?comments=N"), which the reply links keep.
    """
    if not comments:
        return ""
    strings = {
        "from_site": gettext("From %(SITE_NAME)s") % {"SITE_NAME": html.escape(settings.SITE_NAME)},
        "pending": html.escape(gettext("Your comment is awaiting moderation. Only you can see it for now.")),
        "reply": html.escape(gettext("Reply")),
        "reply_to": gettext("to %(name)s"),
        "reply_href": f"{page_query}&amp;reply_to=" if page_query else "?reply_to=",
        "language": translation.get_language(),
        "timezone": timezone.get_current_timezone_name(),
    }
    parts = ['<ol class="comment-list">']
    for thread in comments:
        parts.append("\n<li>")
        parts.append(_comment_html(thread, strings, can_reply))
        replies = getattr(thread, "visible_replies", None)
        if replies:
            parts.append('\n<ol class="comment-replies">')
            for reply in replies:
                parts.append("<li>")
                parts.append(_comment_html(reply, strings, False))
                parts.append("</li>")
            parts.append("</ol>")
        parts.append("\n</li>")
    parts.append("\n</ol>")
    return mark_safe("".join(parts))  # nosec B308 B703: every value is escaped in _comment_html


def _comment_html(comment, strings, can_reply):
    pk = int(comment.pk)
    name = html.escape(comment.name)
    css = "comment"
    if comment.is_staff_reply:
        css += " comment-staff"
    is_pending = comment.status == "pending"
    if is_pending:
        css += " comment-pending"
    parts = [
        (
            f'<article class="{css}" id="comment-{pk}">\n  <header class="comment-meta">\n'
            f'    <strong class="comment-author">{name}</strong>'
        )
    ]
    if comment.is_staff_reply:
        parts.append(f'\n    <span class="badge">{strings["from_site"]}</span>')
    # {% timestamp comment.created_at "DATETIME_FORMAT" %}, memoised in posts_tags.
    when = time_html(comment.created_at, "DATETIME_FORMAT", strings["language"], strings["timezone"])
    parts.append(f'\n    <a class="comment-date" href="#comment-{pk}">{when}</a>\n  </header>')
    if is_pending:
        parts.append(f'\n  <p class="comment-note">{strings["pending"]}</p>')
    parts.append(f'\n  <div class="comment-text">{comment_text(comment.text)}</div>')
    if can_reply and comment.status == "approved":
        reply_to = strings["reply_to"] % {"name": name}
        parts.append(
            f'\n  <p class="comment-actions"><a href="{strings["reply_href"]}{pk}#comment-form">'
            f'{strings["reply"]}<span class="visually-hidden"> {reply_to}</span></a></p>'
        )
    parts.append("\n</article>")
    return "".join(parts)


@register.simple_tag
def comment_form_field(field):
    """One text field of the comment form: its label, its errors (<id>_error), the widget
    and its help (<id>_helptext), which the widget names in aria-describedby.

    Written out here for the same reason as comment_list: through the template engine,
    the three fields cost more than the rest of the form.
    """
    auto_id = conditional_escape(field.auto_id)
    errors = field.errors
    parts = [
        (
            f'<div class="field{" field-error" if errors else ""}">\n'
            f'      <label for="{conditional_escape(field.id_for_label)}">{conditional_escape(field.label)}</label>'
        )
    ]
    if errors:
        items = "".join(f"<li>{conditional_escape(error)}</li>" for error in errors)
        parts.append(f'\n      <ul class="errorlist" id="{auto_id}_error">{items}</ul>')
    parts.append(f"\n      {field_widget(field)}")
    if field.help_text:
        parts.append(f'\n      <p class="help" id="{auto_id}_helptext">{conditional_escape(field.help_text)}</p>')
    parts.append("\n    </div>")
    return mark_safe("".join(parts))  # nosec B308 B703: every value is escaped above


@register.simple_tag
def pending_comment_count():
    """How many comments wait for moderation (for the admin index)."""
    from posts.models import Comment

    return Comment.objects.pending().count()
