"""Redirects from old addresses (Django's contrib.redirects), kept free of loops and chains.

Two kinds of rows live in the one table: those staff add by hand (the old site's
addresses), checked by RedirectForm, and those the admin makes when a published item's
slug changes (redirects_follow_move). RedirectFallbackMiddleware answers a 404 with the
matching redirect, so a redirect never hides a live page.
"""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _site_host():
    return urlsplit(settings.SITE_URL).netloc.lower()


def local_path(address):
    """The address as a path on this site, or None when it points elsewhere.

    A full URL on SITE_URL's host counts as local; so does a path.
    """
    parts = urlsplit(address)
    if not parts.scheme and not parts.netloc:
        return address
    if parts.scheme in {"http", "https"} and parts.netloc.lower() == _site_host():
        path = parts.path or "/"
        return f"{path}?{parts.query}" if parts.query else path
    return None


def redirects_follow_move(*, old_path, new_path):
    """A published item moved from old_path to new_path: a permanent redirect from the old
    address, older redirects that led to it now lead to the new one (no chain), and none
    left from the new address (which is live again)."""
    if old_path == new_path:
        return
    site = Site.objects.get_current()
    redirects = Redirect.objects.filter(site=site)
    redirects.filter(new_path=old_path).update(new_path=new_path)
    redirects.filter(old_path=new_path).delete()
    redirects.update_or_create(
        site=site, old_path=old_path, defaults={"new_path": new_path}
    )


def _bad_address():
    return ValidationError(
        _(
            "Give a path on this site starting with “/”, or a full address starting with https://."
        ),
        code="bad_address",
    )


class RedirectForm(forms.ModelForm):
    """Staff's redirects: from a path on this site, to a path here or (ticked) another site."""

    is_external = forms.BooleanField(
        label=_("The new address is on another site"),
        required=False,
        help_text=_(
            "Tick to send visitors away from the portal, to the address given."
        ),
    )

    class Meta:
        model = Redirect
        fields = ["old_path", "new_path"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.new_path:
            self.fields["is_external"].initial = (
                local_path(self.instance.new_path) is None
            )

    def clean_old_path(self):
        old_path = self.cleaned_data["old_path"].strip()
        path = local_path(old_path)
        if path is None or not path.startswith("/"):
            raise ValidationError(
                _(
                    "Give the old address as a path on this site, starting with “/” (for example /about-us/)."
                ),
                code="not_a_path",
            )
        return path

    def clean(self):
        cleaned = super().clean()
        old_path, new_path = (
            cleaned.get("old_path"),
            cleaned.get("new_path", "").strip(),
        )
        if old_path is None:
            return cleaned
        if new_path:
            path = local_path(new_path)
            if path is None:
                if urlsplit(new_path).scheme not in {"http", "https"}:
                    self.add_error(
                        "new_path",
                        _bad_address(),
                    )
                    return cleaned
                if not cleaned.get("is_external"):
                    self.add_error(
                        "is_external",
                        ValidationError(
                            _(
                                "“%(address)s” is on another site: tick the box to confirm you mean to send visitors there."
                            ),
                            code="external_unconfirmed",
                            params={"address": new_path},
                        ),
                    )
                    return cleaned
            elif not path.startswith("/"):
                self.add_error(
                    "new_path",
                    _bad_address(),
                )
                return cleaned
            else:
                new_path = path
                if new_path == old_path:
                    self.add_error(
                        "new_path",
                        ValidationError(
                            _("An address cannot redirect to itself."), code="loop"
                        ),
                    )
                    return cleaned
        cleaned["new_path"] = new_path
        self._check_chain(old_path, new_path)
        return cleaned

    def _check_chain(self, old_path, new_path):
        others = Redirect.objects.filter(site=Site.objects.get_current()).exclude(
            pk=self.instance.pk
        )
        onward = (
            others.filter(old_path=new_path).first()
            if new_path.startswith("/")
            else None
        )
        if onward is not None:
            self.add_error(
                "new_path",
                ValidationError(
                    _(
                        "“%(new)s” itself redirects to “%(next)s”: point this redirect at “%(next)s”, "
                        "so visitors are not sent twice."
                    ),
                    code="chain" if onward.new_path != old_path else "loop",
                    params={"new": new_path, "next": onward.new_path or _("(gone)")},
                ),
            )
        leading_here = others.filter(new_path=old_path).first()
        if leading_here is not None:
            self.add_error(
                "old_path",
                ValidationError(
                    _(
                        "“%(other)s” already redirects to “%(old)s”: change that redirect to lead to the "
                        "new address instead, so visitors are not sent twice."
                    ),
                    code="chain",
                    params={"other": leading_here.old_path, "old": old_path},
                ),
            )

    def save(self, commit=True):
        self.instance.new_path = self.cleaned_data["new_path"]
        if not self.instance.site_id:
            self.instance.site = Site.objects.get_current()
        return super().save(commit)


def site_follow_settings(**kwargs):
    """After migrate: the current Site (SITE_ID) carries SITE_URL's host and SITE_NAME."""
    site_id = getattr(settings, "SITE_ID", None)
    if site_id is None:
        return
    Site.objects.update_or_create(
        pk=site_id, defaults={"domain": _site_host(), "name": settings.SITE_NAME}
    )
    Site.objects.clear_cache()
