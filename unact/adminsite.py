"""The admin site, its index grouped by role.

Editors, publishers, contributors, moderators and newsletter managers see the content
they work on (publishers and editors first what waits for review); the
technical sections (accounts, log-in records of django-axes, background task
results) are listed apart, after the content, and only to superusers.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

# App labels of the sections only administrators of the site itself use.
TECHNICAL_APPS = {"auth", "axes", "django_tasks_database", "sites"}
# Sections whose library names mean nothing to staff.
SECTION_NAMES = {"taggit": _("Tags"), "unact": _("Review")}


class PortalAdminSite(admin.AdminSite):
    site_header = "UN-ACT portal"
    site_title = "UN-ACT admin"
    index_title = _("Content and community")
    # Password and one-time code (unact/twofactor.py).
    login_template = "admin/login_two_factor.html"

    @property
    def login_form(self):
        from unact.twofactor import TwoFactorAuthenticationForm

        return TwoFactorAuthenticationForm

    def has_permission(self, request):
        """Active staff; with ADMIN_REQUIRE_2FA, signed in with a second factor too.

        (Whoever has a device gives its code at sign-in whatever the setting: the log-in
        form asks for it, so a session needs no device lookup here.)"""
        if not super().has_permission(request):
            return False
        return not settings.ADMIN_REQUIRE_2FA or request.user.is_verified()

    def login(self, request, extra_context=None):
        from unact.twofactor import needs_enrolment

        # Signed in with a password, but a second factor is required and none is set up.
        if needs_enrolment(request.user):
            return redirect("admin:two_factor")
        return super().login(request, extra_context)

    def get_urls(self):
        from unact.twofactor import enrolment_view

        return [
            path(
                "two-factor/",
                lambda request: enrolment_view(request, self),
                name="two_factor",
            ),
            *super().get_urls(),
        ]

    def get_app_list(self, request, app_label=None):
        """Content sections first (alphabetically), technical ones after, for superusers only."""
        app_list = super().get_app_list(request, app_label)
        if not request.user.is_superuser:
            app_list = [
                app for app in app_list if app["app_label"] not in TECHNICAL_APPS
            ]
        for app in app_list:
            app["name"] = SECTION_NAMES.get(app["app_label"], app["name"])
        return sorted(
            app_list,
            key=lambda app: (
                app["app_label"] in TECHNICAL_APPS,
                str(app["name"]).lower(),
            ),
        )

    def index(self, request, extra_context=None):
        from unact.models import ReviewRequest
        from unact.review import may_publish

        response = super().index(request, extra_context)
        if may_publish(request.user):
            response.context_data["reviews_waiting"] = (
                ReviewRequest.objects.pending().count()
            )
        app_list = response.context_data["app_list"]
        response.context_data["app_list"] = [
            app for app in app_list if app["app_label"] not in TECHNICAL_APPS
        ]
        response.context_data["technical_app_list"] = [
            app for app in app_list if app["app_label"] in TECHNICAL_APPS
        ]
        return response


class PortalAdminConfig(AdminConfig):
    default_site = "unact.adminsite.PortalAdminSite"
