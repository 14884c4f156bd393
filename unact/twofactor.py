"""Two-factor sign-in for the admin (django-otp: TOTP apps and recovery codes).

Staff sign in with their username, password and a six-digit code from an
authenticator app, or one of their recovery codes. With ADMIN_REQUIRE_2FA on (the
default whenever DEBUG is off) the admin opens only to a session verified that way; a
member of staff without a device is led, after the password, to set one up (a QR code
drawn here as SVG, no third-party request). Whoever has set up a device must use it,
whatever the setting. A wrong or missing code counts toward django-axes' lock-out
exactly as a wrong password does, and gives the same message. A lost device is reset
by another administrator (the user list's action) or `manage.py reset_two_factor`.
"""

import base64
import re

import segno
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import logout, user_login_failed
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from unact.urlcache import reverse_memo

RECOVERY_CODE_COUNT = 10
_TOTP_CODE = re.compile(r"[0-9]{6}")
_RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")


def two_factor_required(user):
    """Whether this member of staff must give a second factor to use the admin."""
    return settings.ADMIN_REQUIRE_2FA or user_has_two_factor(user)


def user_has_two_factor(user):
    """Whether the user has set up a device; asked once per request (kept on request.user)."""
    if not hasattr(user, "_has_two_factor"):
        user._has_two_factor = any(True for _device in devices_for_user(user))
    return user._has_two_factor


def needs_enrolment(user):
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and two_factor_required(user)
        and not (user_has_two_factor(user))
    )


def _normalise(code):
    return re.sub(r"[\s-]", "", code or "").lower()


def device_for_code(user, code):
    """The user's device that accepts this code (and uses it up), or None.

    The code's shape picks the one device to try, so a code never counts as a failure
    against a device it was not meant for (django-otp throttles each device).
    """
    code = _normalise(code)
    if _TOTP_CODE.fullmatch(code):
        device_class = TOTPDevice
    elif _RECOVERY_CODE.fullmatch(code):
        device_class = StaticDevice
    else:
        return None
    with transaction.atomic():
        for device in device_class.objects.devices_for_user(
            user, confirmed=True
        ).select_for_update():
            if device.verify_token(code):
                return device
    return None


class TwoFactorAuthenticationForm(AdminAuthenticationForm):
    """The admin's log-in form with the one-time code beside the password."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=20,
        help_text=_(
            "Six digits; or one of your recovery codes. Leave empty if you have not set up two-factor sign-in yet."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
            }
        ),
    )
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter the correct %(username)s, password and code for a staff account. "
            "Note that the fields may be case-sensitive."
        ),
    }

    def clean(self):
        cleaned = super().clean()  # the password, checked (and counted) by django-axes
        user = self.get_user()
        if user is not None and user_has_two_factor(user):
            device = device_for_code(user, cleaned.get("otp_token"))
            if device is None:
                # The same failure as a wrong password, for the lock-out and for the reader.
                user_login_failed.send(
                    sender=__name__,
                    credentials={
                        settings.AXES_USERNAME_FORM_FIELD: user.get_username()
                    },
                    request=self.request,
                )
                self.user_cache = None
                raise self.get_invalid_login_error()
            # django_otp marks the session verified when Django's login() sees this.
            user.otp_device = device
        return cleaned


class EnrolmentForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code shown by the app"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_otp_token(self):
        code = _normalise(self.cleaned_data["otp_token"])
        if not (_TOTP_CODE.fullmatch(code) and self.device.verify_token(code)):
            raise ValidationError(
                _(
                    "That code does not match. Check the app shows “%(site)s”, wait for a new code and type it."
                ),
                code="invalid_token",
                params={"site": settings.OTP_TOTP_ISSUER},
            )
        return code


def recovery_codes_renew(*, user):
    """New recovery codes for the user (the old ones stop working); the codes, once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


def two_factor_reset(*, user, by=None):
    """Remove every device of the user (a lost phone): the next sign-in sets one up again."""
    count = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        count += 1
    if by is not None:
        LogEntry.objects.log_actions(
            user_id=by.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=str(_("Two-factor sign-in reset (lost device).")),
        )
    return count


def _qr_svg(uri):
    # segno draws the code as paths only (no text from the URI): safe to place inline.
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff"
    )
    return mark_safe(svg)  # nosec B308 B703


def _grouped(secret):
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
def enrolment_view(request, admin_site):
    """Set up an authenticator app: a QR code and its secret, then a code to confirm."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return redirect("admin:login")
    if request.method == "POST" and "sign_out" in request.POST:
        logout(request)
        return redirect("admin:login")
    context = {**admin_site.each_context(request), "title": _("Two-factor sign-in")}
    if user_has_two_factor(user):
        if not user.is_verified():
            return redirect("admin:login")
        if request.method == "POST" and "renew_codes" in request.POST:
            codes = recovery_codes_renew(user=user)
            return TemplateResponse(
                request,
                "admin/two_factor/recovery_codes.html",
                {**context, "codes": codes},
            )
        return TemplateResponse(request, "admin/two_factor/status.html", context)

    # One pending device per person, kept until confirmed, so reloading keeps the QR code.
    device = TOTPDevice.objects.filter(
        user=user, confirmed=False
    ).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False
    )
    form = EnrolmentForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = recovery_codes_renew(user=user)
        otp_login(request, device)
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[user],
            action_flag=CHANGE,
            change_message=str(_("Two-factor sign-in set up.")),
        )
        messages.success(
            request,
            _("Two-factor sign-in is on. Keep your recovery codes somewhere safe."),
        )
        return TemplateResponse(
            request, "admin/two_factor/recovery_codes.html", {**context, "codes": codes}
        )
    secret = base64.b32encode(device.bin_key).decode()
    context.update(
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _grouped(secret),
            "config_url": device.config_url,
            "is_required": settings.ADMIN_REQUIRE_2FA,
        }
    )
    return TemplateResponse(request, "admin/two_factor/setup.html", context)


class SecondFactorOnThePublicSiteMiddleware:
    """Staff powers on the public site (draft previews, staff comments) need the same
    sign-in as the admin: with ADMIN_REQUIRE_2FA, a session signed in with a password
    alone (its owner has not set up a device yet) is an anonymous visitor outside the
    admin, which itself leads that session to the set-up page. After OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.ADMIN_REQUIRE_2FA
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and not request.path_info.startswith(reverse_memo("admin:index"))
            and request.user.is_authenticated
            and not request.user.is_verified()
        ):
            request.user = AnonymousUser()
        return self.get_response(request)
