from django import forms
from django.utils.translation import gettext_lazy as _

from unact.i18n import public_languages
from unact.validators import validate_email_address

from .consent import CONSENT_TEXTS, CURRENT_VERSION
from .models import Subscriber, normalize_email

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class EmailAddressField(forms.EmailField):
    """An address field checked by the project's one rule (unact.validators), alone:
    Django's looser validate_email would repeat the same message beside it."""

    default_validators = [validate_email_address]


class SignupForm(forms.Form):
    email = EmailAddressField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.org."),
        },
    )
    name = forms.CharField(
        label=_("Name (optional)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXTS[CURRENT_VERSION],
        error_messages={
            "required": _("Tick the box to agree, or we cannot send the newsletter.")
        },
    )
    source = forms.ChoiceField(
        choices=[
            (Subscriber.Source.FOOTER, "footer"),
            (Subscriber.Source.PAGE, "page"),
        ],
        initial=Subscriber.Source.FOOTER,
        widget=forms.HiddenInput,
        required=False,
    )

    def __init__(self, *args, prefix_id="signup", **kwargs):
        kwargs.setdefault("auto_id", f"{prefix_id}-%s")
        super().__init__(*args, **kwargs)

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])

    def clean_name(self):
        # One line: it greets the subscriber in every email, where a line break would
        # let it write lines of its own.
        return " ".join(self.cleaned_data["name"].split())

    def clean_source(self):
        return self.cleaned_data.get("source") or Subscriber.Source.FOOTER


class SubscriberImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8 CSV whose first line names the columns: email, consent_source, and "
            "optionally name, consented_at (YYYY-MM-DD). Nothing is imported unless every "
            "row is valid; addresses already on the list are left as they are."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB; split it into smaller files."),
                code="too_large",
            )
        return upload


class CampaignTestForm(forms.Form):
    """The address a test of a campaign goes to (a staff member's, or one typed)."""

    email = EmailAddressField(label=_("Send a test to"), max_length=254)


class LanguageForm(forms.Form):
    """The language of a subscriber's emails: one of the public site's languages."""

    language = forms.ChoiceField(label=_("Language"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "language-%s")
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = public_languages()
