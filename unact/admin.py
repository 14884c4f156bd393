from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.redirects.models import Redirect
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .redirects import RedirectForm
from .review_admin import ReviewRequestAdmin  # noqa: F401 (registers it)
from .twofactor import two_factor_reset

# contrib.redirects' own admin asks staff to pick a site and checks nothing.
admin.site.unregister(Redirect)
# Devices hold secrets; staff manage their own from "Two-factor sign-in", and an
# administrator resets someone else's from the user list.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)
User = get_user_model()
admin.site.unregister(User)


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    form = RedirectForm
    list_display = ["old_path", "new_path"]
    search_fields = ["old_path", "new_path"]
    fields = ["old_path", "new_path", "is_external"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Django's user admin, with each person's two-factor state and its reset."""

    list_display = [*UserAdmin.list_display, "two_factor"]
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        confirmed_app = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return (
            super().get_queryset(request).annotate(has_two_factor=Exists(confirmed_app))
        )

    @admin.display(description=_("two-factor"), boolean=True, ordering="has_two_factor")
    def two_factor(self, user):
        return user.has_two_factor

    @admin.action(
        description=_("Reset two-factor sign-in (lost device)"), permissions=["change"]
    )
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            two_factor_reset(user=user, by=request.user)
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in reset for %d person: they set it up again at their next sign-in.",
                "Two-factor sign-in reset for %d people: they set it up again at their next sign-in.",
                count,
            )
            % count,
            messages.SUCCESS,
        )
