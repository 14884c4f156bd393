import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from . import markup
from .models import COMMENT_MAX_LENGTH, Comment

FORM_TOKEN_SALT = "posts.comment-form"


def comment_form_token(post_id, issued_at=None):
    """A signed note of which post's form was shown, and when (to the millisecond)."""
    issued_at = time.time() if issued_at is None else issued_at
    return signing.dumps(
        {"post": post_id, "at": round(issued_at, 3)}, salt=FORM_TOKEN_SALT
    )


class CommentForm(forms.Form):
    """A visitor's comment or reply; refuses bots (honeypot, timing) with a clear message."""

    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        widget=markup.TextInput,
        help_text=_("Shown with your comment. A pseudonym is fine."),
        error_messages={
            "required": _(
                "Give a name to show with your comment (a pseudonym is fine)."
            )
        },
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        max_length=254,
        widget=markup.EmailInput,
        help_text=_(
            "Never shown. Lets us recognise you next time and tell you of replies if you ask."
        ),
        error_messages={
            "invalid": _(
                "This email address looks incomplete, for example name@example.org."
            )
        },
    )
    text = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=markup.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Write your comment before sending it."),
            "max_length": _(
                "Comments can be up to %(limit_value)d characters long; this one has %(show_value)d."
            ),
        },
    )
    has_reply_notice = forms.BooleanField(
        label=_("Email me when someone replies to this comment"),
        required=False,
        widget=markup.CheckboxInput,
    )
    parent = forms.IntegerField(required=False, widget=markup.HiddenInput)
    # Hidden from people by CSS; bots that fill every field fill this one too.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=markup.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    issued = forms.CharField(widget=markup.HiddenInput, required=False)

    def __init__(self, *args, post, **kwargs):
        self.post = post
        self.parent_comment = None
        # A form on a page that may be cached renders no ticket: one frozen in the cached
        # page would let a bot post at once (the page fetches a fresh one when used).
        self.is_cacheable = False
        super().__init__(*args, **kwargs)

    @property
    def token(self):
        """The token to render: none on a cacheable page, the one sent back while still
        usable, else a new one."""
        if self.is_cacheable:
            return ""
        if self.is_bound and not self.errors.get("issued") and self.data.get("issued"):
            if not self.has_error(
                "__all__", code="form_tampered"
            ) and not self.has_error("__all__", code="form_expired"):
                return self.data["issued"]
        return comment_form_token(self.post.pk)

    def clean_name(self):
        # One line wherever it is shown, the moderators' emails too.
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(
                self.fields["name"].error_messages["required"], code="required"
            )
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_text(self):
        text = self.cleaned_data["text"].replace("\r\n", "\n").strip()
        if not text:
            raise forms.ValidationError(
                self.fields["text"].error_messages["required"], code="required"
            )
        return text

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        # One level of replies, only to published comments of this post.
        parent = (
            Comment.objects.approved()
            .filter(pk=parent_id, post=self.post, parent__isnull=True)
            .first()
        )
        if parent is None:
            raise forms.ValidationError(
                _("You can only reply to a published comment on this post."),
                code="invalid_parent",
            )
        self.parent_comment = parent
        return parent

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("website"):
            raise forms.ValidationError(
                _(
                    "Your comment was not sent because the field “Leave this field empty” was "
                    "filled in (password managers sometimes do this). Empty it and send again; "
                    "your text is still here."
                ),
                code="honeypot",
            )
        self._check_token(cleaned_data.get("issued") or "")
        if cleaned_data.get("has_reply_notice") and not cleaned_data.get("email"):
            self.add_error(
                "email",
                forms.ValidationError(
                    _("Give an email address to be told of replies."), code="required"
                ),
            )
        return cleaned_data

    def _check_token(self, token):
        if not token:
            # Sent from a cached page whose script did not fetch a ticket (no JavaScript):
            # the form comes back with one, and sending it again a few seconds later works.
            raise forms.ValidationError(
                _(
                    "Almost done: please check your comment and send it again in a few seconds. Your text is still here."
                ),
                code="confirm",
            )
        try:
            issued = signing.loads(token, salt=FORM_TOKEN_SALT)
            issued_at, post_id = float(issued["at"]), issued["post"]
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            issued_at, post_id = None, None
        if post_id != self.post.pk:
            raise forms.ValidationError(
                _(
                    "The form was damaged on its way to us. Please send it again; your text is still here."
                ),
                code="form_tampered",
            )
        age = time.time() - issued_at
        if age < settings.COMMENTS_MIN_FORM_SECONDS:
            raise forms.ValidationError(
                _(
                    "That was faster than a person can write. Please check your comment and send "
                    "it again in a few seconds."
                ),
                code="too_fast",
            )
        if age > settings.COMMENTS_MAX_FORM_AGE_SECONDS:
            raise forms.ValidationError(
                _(
                    "This form was opened a long time ago. Please send it again; your text is still here."
                ),
                code="form_expired",
            )
