"""The HTML of posts that is written in Python rather than in templates, all of it here.

Only where the page benchmark showed the template engine's cost (docs/posts.md,
"Markup written in Python"): the cards of the lists, the comment threads of a post
page (up to fifty threads and their replies) and the comment form's fields and widgets. Everything is built
with format_html / format_html_join, which escape every value as a template would.
"""

import re

from django import forms
from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.html import escape, format_html, format_html_join, urlize
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from unact.i18n import content_lang_attr
from unact.templatetags.site_tags import (
    field_widget,
    picture,
    teaser,
    time_html,
    timestamp,
)

LINK_REL = "nofollow ugc noopener"


_WORD_DOT_WORD = re.compile(r"(?<=\w)\.\w")  # linear: one look-behind character


def _may_hold_link(text):
    """Whether urlize might find a link: a scheme, www., an @ or a dot inside a word."""
    return (
        "@" in text
        or "://" in text
        or (
            "." in text
            and (_WORD_DOT_WORD.search(text) is not None or "www." in text.lower())
        )
    )


def comment_text(text):
    """Plain comment text as HTML: escaped, links made clickable but not trusted, lines kept."""
    text = str(text)
    if _may_hold_link(text):
        # urlize escapes everything that is not a link, and the link text and address too.
        markup = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
        markup = markup.replace(' rel="nofollow">', f' rel="{LINK_REL}">')
    else:
        # Nothing urlize would link: escaping alone gives the same HTML, several times faster.
        markup = escape(text)
    # The text was escaped (by urlize or escape); only <br> is added.
    markup = markup.replace("\r\n", "\n").replace("\n", "<br>")
    return SafeString(markup)  # nosec B703


# Comment threads ----------------------------------------------------------------------

# dir="auto" isolates the visitor's name: a right-to-left name or override must not
# reorder the date after it.
COMMENT = """<article class="{css}" id="comment-{pk}">
  <header class="comment-meta">
    <strong class="comment-author" dir="auto">{name}</strong>{badge}
    <a class="comment-date" href="#comment-{pk}">{when}</a>
  </header>{note}
  <div class="comment-text">{text}</div>{reply}
</article>"""
BADGE = '\n    <span class="badge">{}</span>'
PENDING_NOTE = '\n  <p class="comment-note">{}</p>'
# Written once a page (href and word), then once a comment (the {{pk}} and {{to}} left).
REPLY_LINK = (
    '\n  <p class="comment-actions"><a href="{href}{{pk}}#comment-form">{reply}'
    '<span class="visually-hidden"> {{to}}</span></a></p>'
)
NOTHING = SafeString("")
CSS = {  # (is_staff_reply, is_pending)
    (False, False): SafeString("comment"),
    (True, False): SafeString("comment comment-staff"),
    (False, True): SafeString("comment comment-pending"),
    (True, True): SafeString("comment comment-staff comment-pending"),
}


def comment_list(comments, can_reply=False, page_query=""):
    """The comment threads of one page as <ol class="comment-list">, each with its replies.

    Written here rather than with an {% include %} per comment: on a post with a long
    discussion, the template engine's work per comment was most of the page's time
    (fifty comments: 2.1 ms through templates, 0.9 ms here).
    can_reply: comments_open; page_query: the query string of this comments page
    ("" or "?comments=N"), which the reply links keep.
    """
    if not comments:
        return ""
    # What is the same for every comment of the page, written once.
    page = {
        "badge": format_html(
            BADGE, gettext("From %(SITE_NAME)s") % {"SITE_NAME": settings.SITE_NAME}
        ),
        "note": format_html(
            PENDING_NOTE,
            gettext(
                "Your comment is awaiting moderation. Only you can see it for now."
            ),
        ),
        "reply_link": format_html(
            REPLY_LINK,
            href=f"{page_query}&reply_to=" if page_query else "?reply_to=",
            reply=gettext("Reply"),
        ),
        "language": translation.get_language(),
        "timezone": timezone.get_current_timezone_name(),
    }
    threads = format_html_join(
        "",
        "\n<li>{}{}\n</li>",
        (
            (_comment(thread, page, can_reply), _replies(thread, page))
            for thread in comments
        ),
    )
    return format_html('<ol class="comment-list">{}\n</ol>', threads)


def _replies(thread, page):
    replies = getattr(thread, "visible_replies", None)
    if not replies:
        return NOTHING
    items = format_html_join(
        "", "<li>{}</li>", ((_comment(reply, page, False),) for reply in replies)
    )
    return format_html('\n<ol class="comment-replies">{}</ol>', items)


def _comment(comment, page, can_reply):
    is_pending = comment.status == "pending"
    reply = NOTHING
    if can_reply and comment.status == "approved":
        reply = format_html(
            page["reply_link"],
            pk=comment.pk,
            to=gettext("to %(name)s") % {"name": comment.name},
        )
    return format_html(
        COMMENT,
        css=CSS[comment.is_staff_reply, is_pending],
        pk=comment.pk,
        name=comment.name,
        badge=page["badge"] if comment.is_staff_reply else NOTHING,
        # {% timestamp comment.created_at "DATETIME_FORMAT" %}, memoised in site_tags.
        when=time_html(
            comment.created_at, "DATETIME_FORMAT", page["language"], page["timezone"]
        ),
        note=page["note"] if is_pending else NOTHING,
        text=comment_text(comment.text),
        reply=reply,
    )


# The comment form's fields --------------------------------------------------------------

FIELD = """<div class="field{error_class}">
      <label for="{label_for}">{label}</label>{errors}
      {widget}{help}
    </div>"""


def comment_form_field(field):
    """One text field of the comment form: its label, its errors (<id>_error), the widget
    and its help (<id>_helptext), which the widget names in aria-describedby.

    Written here for the same reason as comment_list: through {% include %}, the three
    fields cost 1 ms a post page more (a tenth of its time).
    """
    errors = field.errors
    return format_html(
        FIELD,
        error_class=" field-error" if errors else "",
        label_for=field.id_for_label,
        label=field.label,
        errors=format_html(
            '\n      <ul class="errorlist" id="{}_error">{}</ul>',
            field.auto_id,
            format_html_join("", "<li>{}</li>", ((error,) for error in errors)),
        )
        if errors
        else NOTHING,
        widget=field_widget(field),
        help=format_html(
            '\n      <p class="help" id="{}_helptext">{}</p>',
            field.auto_id,
            field.help_text,
        )
        if field.help_text
        else NOTHING,
    )


# The comment form's widgets -------------------------------------------------------------
# Django renders each widget through templates (input.html including attrs.html, a loop
# and two conditions per attribute): for the comment form under every post, 1.2 ms a
# page against 0.15 ms for these. They write the same markup as Django's templates
# (tests/test_comments.py compares them), every value escaped.


def _attributes(attrs):
    """django/forms/widgets/attrs.html: True gives a bare name, False leaves it out."""
    return format_html_join(
        "",
        "{}{}",
        (
            (
                format_html(" {}", name),
                "" if value is True else format_html('="{}"', value),
            )
            for name, value in attrs.items()
            if value is not False
        ),
    )


class DirectInputMixin:
    """django/forms/widgets/input.html, for inputs that use that template unchanged."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value_html = (
            ""
            if widget["value"] is None
            else format_html(' value="{}"', widget["value"])
        )
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            value_html,
            _attributes(widget["attrs"]),
        )


class TextInput(DirectInputMixin, forms.TextInput):
    pass


class EmailInput(DirectInputMixin, forms.EmailInput):
    pass


class HiddenInput(DirectInputMixin, forms.HiddenInput):
    pass


class CheckboxInput(DirectInputMixin, forms.CheckboxInput):
    pass


class Textarea(forms.Textarea):
    """django/forms/widgets/textarea.html."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            widget["name"],
            _attributes(widget["attrs"]),
            widget["value"] or "",
        )


# Post cards -------------------------------------------------------------------------------

CARD = """<article class="card">{image}
  <div class="card-body">
    <h2 class="card-title"{lang}><a href="{url}">{title}</a></h2>
    <p class="meta">
      {when}{category}{comments}
    </p>{warning}
    <p class="teaser"{lang}>{teaser}</p>
    <p><a class="read-more" href="{url}">{read_more}<span class="visually-hidden"> {about}</span></a></p>
  </div>
</article>"""
CARD_IMAGE = (
    '\n  <a class="card-image" href="{}" tabindex="-1" aria-hidden="true">{}</a>'
)
CARD_CATEGORY = '\n       · <a href="{}"{}>{}</a>'
CARD_COMMENTS = '\n       · <a href="{}#comments">{}</a>'
CARD_WARNING = '\n    <p class="content-warning"><strong>{}</strong> {}</p>'


def post_card(post, eager=False):
    """A post's card in a list (home, posts, category, tag and year pages): its image,
    title, date, category, comment count, content warning and teaser.

    Written here rather than as an {% include %} per card: the include, its {% with %},
    a dozen variable lookups and the translation tags cost 0.05 ms a card more than this
    (0.95 ms against 0.48 ms for a page of ten), a tenth of a list page's time. The words are the templates' msgids.
    eager: the first card, whose image is fetched at once (see site_tags.picture).
    """
    url = post.get_absolute_url()
    image = ""
    if post.featured_image:
        renditions = picture(
            post.image_renditions(),
            post.image_alt,
            "(max-width: 760px) 100vw, 240px",
            eager,
        )
        image = format_html(CARD_IMAGE, url, renditions)
    category = post.category
    lang = content_lang_attr(post.language)
    return format_html(
        CARD,
        image=image,
        url=url,
        title=post.title,
        when=timestamp(post.publish_at),
        # A category has one name, written in the site's language.
        category=format_html(
            CARD_CATEGORY,
            category.get_absolute_url(),
            content_lang_attr(),
            category.name,
        )
        if category
        else "",
        comments=format_html(CARD_COMMENTS, url, comment_count_text(post.comment_count))
        if post.comment_count
        else "",
        warning=format_html(
            CARD_WARNING,
            gettext("Content warning:"),
            format_html("<span{}>{}</span>", lang, post.content_warning)
            if lang
            else post.content_warning,
        )
        if post.content_warning
        else "",
        teaser=teaser(post.summary),
        read_more=gettext("Read More"),
        about=_about(post.title),
        lang=lang,
    )


def comment_count_text(count):
    """“1 comment”, “12 comments”: the wording of {% blocktranslate count %}, without its cost."""
    return ngettext("%(counter)s comment", "%(counter)s comments", count) % {
        "counter": formats.localize(count)
    }


def _about(title):
    """What {% blocktranslate with title=… %}about “{{ title }}”{% endblocktranslate %}
    writes: the same msgid, and English when the translation does not format."""
    try:
        return gettext("about “%(title)s”") % {"title": title}
    except (KeyError, ValueError):
        return f"about “{title}”"
