"""The admin site, its index grouped by role.

Editors, moderators and newsletter managers see the content they work on; the
technical sections (accounts, log-in records of django-axes, background task
results) are listed apart, after the content, and only to superusers.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

# App labels of the sections only administrators of the site itself use.
TECHNICAL_APPS = {"auth", "axes", "django_tasks_database"}
# Sections whose library names mean nothing to staff.
SECTION_NAMES = {"taggit": _("Tags")}


class PortalAdminSite(admin.AdminSite):
    site_header = "UN-ACT portal"
    site_title = "UN-ACT admin"
    index_title = _("Content and community")

    def get_app_list(self, request, app_label=None):
        """Content sections first (alphabetically), technical ones after, for superusers only."""
        app_list = super().get_app_list(request, app_label)
        if not request.user.is_superuser:
            app_list = [app for app in app_list if app["app_label"] not in TECHNICAL_APPS]
        for app in app_list:
            app["name"] = SECTION_NAMES.get(app["app_label"], app["name"])
        return sorted(app_list, key=lambda app: (app["app_label"] in TECHNICAL_APPS, str(app["name"]).lower()))

    def index(self, request, extra_context=None):
        response = super().index(request, extra_context)
        app_list = response.context_data["app_list"]
        response.context_data["app_list"] = [app for app in app_list if app["app_label"] not in TECHNICAL_APPS]
        response.context_data["technical_app_list"] = [app for app in app_list if app["app_label"] in TECHNICAL_APPS]
        return response


class PortalAdminConfig(AdminConfig):
    default_site = "unact.adminsite.PortalAdminSite"
