"""The emails of the mailing list: confirmation and campaign, HTML plus plain text.

No tracking of any kind: no pixels, no redirected links, no per-recipient IDs in
URLs other than the signed unsubscribe link.
"""

import re
import textwrap
from html import unescape
from urllib.parse import urlsplit

import nh3

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from unact.richtext import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, html_to_text
from unact.video import embed_url, page_url

from .models import email_language
from .tokens import confirmation_token, language_token, unsubscribe_token

UNSUBSCRIBE_MARKER = "__UNSUBSCRIBE_URL__"
LANGUAGE_MARKER = "__LANGUAGE_URL__"
TOKEN_MARKER = "__TOKEN__"
TO_MARKER = "recipient-marker@example.invalid"
MESSAGE_ID_MARKER = "<message-id-marker@example.invalid>"
_BLOCK_START = re.compile(
    r"(?<!\n)<(p|h[1-6]|ul|ol|li|table|tr|td|th|blockquote|figure|div)\b"
)
# Mail clients drop <style> blocks unevenly; these inline styles carry the look.
INLINE_STYLES = {
    "p": "margin:0 0 16px;font-size:16px;line-height:1.6;color:#1c2430;",
    "h2": "margin:24px 0 12px;font-size:22px;line-height:1.3;color:#073f6e;",
    "h3": "margin:20px 0 10px;font-size:18px;line-height:1.3;color:#073f6e;",
    "h4": "margin:16px 0 8px;font-size:16px;line-height:1.3;color:#073f6e;",
    "a": "color:#0a5a9c;text-decoration:underline;",
    "ul": "margin:0 0 16px;padding-left:24px;",
    "ol": "margin:0 0 16px;padding-left:24px;",
    "li": "margin:0 0 6px;font-size:16px;line-height:1.6;",
    "blockquote": "margin:16px 0;padding:4px 16px;border-left:4px solid #d8dee6;color:#505b69;",
    "img": "display:block;max-width:100%;height:auto;border:0;",
    "table": "border-collapse:collapse;width:100%;margin:0 0 16px;",
    "th": "border:1px solid #d8dee6;padding:6px;text-align:left;",
    "td": "border:1px solid #d8dee6;padding:6px;",
    "figcaption": "font-size:14px;color:#505b69;",
}
_TAG = re.compile(r"<({})(?=[\s>/])".format("|".join(INLINE_STYLES)))
_RELATIVE_URL = re.compile(r'(\s(?:src|href)=")/(?!/)')
# An iframe and everything up to its end tag (its content is raw text to a parser).
_IFRAME = re.compile(
    r"<iframe\b([^>]*)>.*?(?:</iframe\s*>|\Z)", re.IGNORECASE | re.DOTALL
)
_ATTRIBUTE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')
EMAIL_TAGS = ALLOWED_TAGS - {"iframe"}


def without_iframes(body):
    """Rich text fit for an email: each video becomes a linked picture; no iframe.

    Mail programs do not play iframes, and nothing inside one may reach a reader:
    the iframe goes with all its content, then nh3 drops whatever is left of one.
    """

    def link(match):
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        embed = embed_url(unescape(attributes.get("src", "")))
        if not embed:
            return ""
        title = unescape(attributes.get("title", "")) or _("Video")
        watch = f"{_('Watch the video')}: {title}"
        # A play picture from this site, not the video site's thumbnail: opening the
        # email asks nothing of YouTube or Vimeo (docs/newsletter.md).
        return format_html(
            '<a href="{0}"><img src="{1}" alt="{2}" width="560" height="315"></a>'
            '<a href="{0}">{2}</a>',
            page_url(embed),
            static("img/email-video.png"),
            watch,
        )

    return nh3.clean(
        _IFRAME.sub(link, body or ""),
        tags=EMAIL_TAGS,
        clean_content_tags={"iframe", "script", "style"},
        attributes={
            tag: ALLOWED_ATTRIBUTES[tag]
            for tag in ALLOWED_ATTRIBUTES
            if tag in EMAIL_TAGS
        },
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def absolute_url(path):
    return f"{settings.SITE_URL}{path}"


def site_domain():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def email_html(body):
    """Sanitised rich text made fit for mail clients: absolute URLs, inline styles."""
    body = _RELATIVE_URL.sub(rf"\1{settings.SITE_URL}/", body)
    return _TAG.sub(
        lambda match: f'<{match.group(1)} style="{INLINE_STYLES[match.group(1)]}"', body
    )


def token_url(name, token):
    """The absolute address of a newsletter link carrying `token`, under the active
    language's prefix."""
    return absolute_url(reverse(name, kwargs={"token": token}))


def unsubscribe_url(subscriber_id):
    """The signed unsubscribe link."""
    return token_url("newsletter:unsubscribe", unsubscribe_token(subscriber_id))


def language_url(subscriber_id):
    """The signed link to the page where a subscriber chooses their emails' language."""
    return token_url("newsletter:language", language_token(subscriber_id))


def confirmation_email(subscriber):
    """The confirmation email, in the subscriber's language, its links under that
    language's addresses (/th/newsletter/confirm/…)."""
    with translation.override(subscriber.email_language):
        confirmation_url = absolute_url(
            reverse(
                "newsletter:confirm", kwargs={"token": confirmation_token(subscriber)}
            )
        )
        context = {
            "subscriber_name": subscriber.name,
            "confirmation_url": confirmation_url,
            "unsubscribe_url": unsubscribe_url(subscriber.pk),
            "language_url": language_url(subscriber.pk),
            "max_age_days": settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400,
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
        }
        message = EmailMultiAlternatives(
            subject=_("Please confirm your subscription to the %(site)s newsletter")
            % {"site": settings.SITE_NAME},
            body=render_to_string("newsletter/email/confirmation.txt", context),
            from_email=settings.NEWSLETTER_FROM_EMAIL,
            to=[subscriber.email],
        )
        message.attach_alternative(
            render_to_string("newsletter/email/confirmation.html", context), "text/html"
        )
    return message


class CampaignFrame:
    """A campaign rendered in one language's frame (header and footer strings, links
    under that language's addresses) around the edition that language's readers get
    (theirs, or the campaign's own English one), with markers for each recipient's
    own links."""

    def __init__(self, campaign, language, edition):
        with translation.override(language):
            body = without_iframes(edition.body)
            context = {
                "campaign": edition,
                "body_html": email_html(body),
                "body_text": html_to_text_blocks(body),
                "browser_url": absolute_url(campaign.get_absolute_url()),
                "unsubscribe_url": UNSUBSCRIBE_MARKER,
                "language_url": LANGUAGE_MARKER,
                "content_language": edition.language,
                "SITE_NAME": settings.SITE_NAME,
                "SITE_URL": settings.SITE_URL,
            }
            # Block tags start new lines: no line nears SMTP's 998-byte limit, so
            # the parts travel as 8bit text and the per-recipient template works.
            self.html = short_lines(
                _BLOCK_START.sub(
                    r"\n<\1",
                    render_to_string("newsletter/email/campaign.html", context),
                )
            )
            self.text = render_to_string("newsletter/email/campaign.txt", context)
            # Each recipient's links are these with their own signed token: reverse()
            # once per frame, not twice per message.
            self.unsubscribe_link = token_url("newsletter:unsubscribe", TOKEN_MARKER)
            self.language_link = token_url("newsletter:language", TOKEN_MARKER)
        self.language = language
        self.subject = edition.subject
        # What the Delivery records: the language of the edition sent.
        self.edition_language = edition.language
        self.template = None  # the wire form with markers, built on first use


class CampaignEmail:
    """Renders a campaign once per language, then makes each recipient's message cheaply."""

    def __init__(self, campaign):
        self.campaign = campaign
        self.domain = site_domain()
        self.list_id = f"{settings.SITE_NAME} newsletter <newsletter.{self.domain}>"
        self._frames = {}
        self._editions = None

    def editions(self):
        """The campaign's editions in other languages, read once: [CampaignEdition]."""
        if self._editions is None:
            self._editions = list(self.campaign.editions.all())
        return self._editions

    def frame(self, language=None):
        language = email_language(language or settings.LANGUAGE_CODE)
        if language not in self._frames:
            self._frames[language] = CampaignFrame(
                self.campaign,
                language,
                self.campaign.edition(language, self.editions()),
            )
        return self._frames[language]

    def message_id(self, delivery_id):
        return f"<newsletter.{self.campaign.pk}.{delivery_id}@{self.domain}>"

    def recipient_links(self, subscriber_id, frame):
        """The unsubscribe and language links of one recipient, under the addresses
        of the frame's language."""
        return (
            frame.unsubscribe_link.replace(
                TOKEN_MARKER, unsubscribe_token(subscriber_id)
            ),
            frame.language_link.replace(TOKEN_MARKER, language_token(subscriber_id)),
        )

    def message_bytes(self, *, email, subscriber_id, delivery_id, language=None):
        """The wire form of one recipient's message, as message() would build it.

        The MIME structure is built once per batch and language with markers, then
        each recipient's address, Message-ID, unsubscribe and language links replace
        the markers: the email package is slow, and this keeps sending near the SMTP
        ceiling. Falls back to the full build whenever the shortcut would not be exact.
        """
        frame = self.frame(language)
        if frame.template is None:
            frame.template = self._build_template(frame)
        if frame.template and email.isascii():
            unsubscribe, change_language = self.recipient_links(subscriber_id, frame)
            return (
                frame.template.replace(TO_MARKER.encode(), email.encode())
                .replace(
                    MESSAGE_ID_MARKER.encode(), self.message_id(delivery_id).encode()
                )
                .replace(UNSUBSCRIBE_MARKER.encode(), unsubscribe.encode())
                .replace(LANGUAGE_MARKER.encode(), change_language.encode())
            )
        message = self.message(
            email=email,
            subscriber_id=subscriber_id,
            delivery_id=delivery_id,
            language=frame.language,
        )
        return message.message().as_bytes(linesep="\r\n")

    def _build_template(self, frame):
        message = self.message(
            email=TO_MARKER,
            subscriber_id=None,
            delivery_id=None,
            language=frame.language,
        )
        message.extra_headers["Message-ID"] = MESSAGE_ID_MARKER
        data = message.message().as_bytes(linesep="\r\n")
        headers = data.split(b"\r\n\r\n", 1)[0]
        safe = (
            b"quoted-printable" not in data.lower()
            and b"base64" not in data.lower()
            and data.count(TO_MARKER.encode()) == 1
            and headers.count(MESSAGE_ID_MARKER.encode()) == 1
            and headers.count(f"List-Unsubscribe: <{UNSUBSCRIBE_MARKER}>".encode()) == 1
            and data.count(UNSUBSCRIBE_MARKER.encode())
            == 1
            + frame.text.count(UNSUBSCRIBE_MARKER)
            + frame.html.count(UNSUBSCRIBE_MARKER)
            and data.count(LANGUAGE_MARKER.encode())
            == frame.text.count(LANGUAGE_MARKER) + frame.html.count(LANGUAGE_MARKER)
        )
        return data if safe else b""

    def message(
        self,
        *,
        email,
        subscriber_id,
        delivery_id=None,
        subject_prefix="",
        language=None,
    ):
        frame = self.frame(language)
        if subscriber_id is None:
            link, change_language = UNSUBSCRIBE_MARKER, LANGUAGE_MARKER
        else:
            link, change_language = self.recipient_links(subscriber_id, frame)
        # One Message-ID per delivery: a resend after a crash carries the same
        # one, so clients that de-duplicate show it once.
        message_id = self.message_id(delivery_id) if delivery_id else None
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": self.list_id,
        }
        if message_id:
            headers["Message-ID"] = message_id
        message = EmailMultiAlternatives(
            subject=subject_prefix + frame.subject,
            body=frame.text.replace(UNSUBSCRIBE_MARKER, link).replace(
                LANGUAGE_MARKER, change_language
            ),
            from_email=settings.NEWSLETTER_FROM_EMAIL,
            to=[email],
            headers=headers,
        )
        message.attach_alternative(
            frame.html.replace(UNSUBSCRIBE_MARKER, link).replace(
                LANGUAGE_MARKER, change_language
            ),
            "text/html",
        )
        return message


def short_lines(text, limit=300):
    """Break lines at spaces so none passes `limit` characters (900 bytes in UTF-8)."""
    lines = []
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            if cut <= 0:
                break
            lines.append(line[:cut])
            line = line[cut + 1 :]
        lines.append(line)
    return "\n".join(lines)


def html_to_text_blocks(value):
    """Plain text of rich text, one paragraph per block, links spelled out."""
    value = re.sub(
        r'<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>', r"\2 (\1)", value or "", flags=re.S
    )
    value = _RELATIVE_URL.sub(rf"\1{settings.SITE_URL}/", value)
    value = re.sub(r"<li[^>]*>", "- ", value)
    blocks = re.split(r"</(?:p|h\d|blockquote|li|figure|tr)>", value)
    paragraphs = [html_to_text(block) for block in blocks]
    wrap = textwrap.TextWrapper(
        width=76, break_long_words=False, break_on_hyphens=False
    )
    return "\n\n".join(wrap.fill(paragraph) for paragraph in paragraphs if paragraph)
