import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from unact.revisions import RevisionAdmin

from . import services
from .forms import CampaignTestForm, SubscriberImportForm
from .models import Campaign, CampaignEdition, Delivery, Subscriber

EXPORT_COLUMNS = [
    "email", "name", "status", "language", "source", "consent_source", "consent_version",
    "consented_at", "confirmed_at", "unsubscribed_at",
]  # fmt: skip


# OWASP "CSV injection": a cell starting with one of these is a formula to a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Echo:
    def write(self, value):
        return value


def spreadsheet_cell(value):
    """A value as a spreadsheet shows it, never run as a formula: a leading ' makes it text."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "name",
        "status",
        "language",
        "source",
        "consented_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    list_filter = [
        "status",
        "language",
        "source",
        "consent_version",
        "consented_at",
        "confirmed_at",
    ]
    search_fields = ["email", "name", "consent_source"]
    date_hierarchy = "consented_at"
    readonly_fields = [
        "status", "source", "consent_source", "consent_version", "consent_text", "consented_at",
        "confirmed_at", "unsubscribed_at", "ip_address", "created_at", "updated_at",
    ]  # fmt: skip
    fields = ["email", "name", "language", *readonly_fields]
    actions = ["export_csv", "unsubscribe_selected"]
    change_list_template = "admin/newsletter/subscriber/change_list.html"
    list_per_page = 100

    def has_add_permission(self, request):
        # Addresses join by double opt-in or by a CSV import with a consent source.
        return False

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="newsletter_subscriber_import",
            ),
            path(
                "export/",
                self.admin_site.admin_view(self.export_all_view),
                name="newsletter_subscriber_export",
            ),
            *super().get_urls(),
        ]

    def has_export_permission(self, request):
        return request.user.has_perm("newsletter.export_subscriber")

    def has_import_permission(self, request):
        return request.user.has_perm("newsletter.add_subscriber")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_export_permission(request):
            actions.pop("export_csv", None)
        return actions

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_export": self.has_export_permission(request),
            "may_import": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def _csv_response(self, queryset):
        writer = csv.writer(Echo())

        def rows():
            yield writer.writerow(EXPORT_COLUMNS)
            for subscriber in queryset.order_by("pk").iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        spreadsheet_cell(getattr(subscriber, column))
                        for column in EXPORT_COLUMNS
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = (
            f'attachment; filename="subscribers-{stamp}.csv"'
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("Export selected subscribers as CSV"))
    def export_csv(self, request, queryset):
        if not self.has_export_permission(request):
            raise PermissionDenied
        return self._csv_response(queryset)

    def export_all_view(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return self._csv_response(changelist.get_queryset(request))

    @admin.action(
        description=gettext_lazy("Unsubscribe selected subscribers"),
        permissions=["change"],
    )
    def unsubscribe_selected(self, request, queryset):
        for subscriber in queryset:
            services.subscriber_unsubscribe(subscriber=subscriber)
        self.message_user(
            request, _("%(count)d subscribers unsubscribed.") % {"count": len(queryset)}
        )

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        report = None
        form = SubscriberImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report = services.subscribers_import(data=form.cleaned_data["file"].read())
            if report.ok:
                self.message_user(
                    request,
                    _(
                        "%(created)d subscribers imported; %(listed)d were already on the list and were left as they are."
                    )
                    % {"created": report.created, "listed": len(report.already_listed)},
                    messages.SUCCESS,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import subscribers from CSV"),
            "form": form,
            "report": report,
        }
        status = 400 if report is not None and not report.ok else 200
        return render(
            request, "admin/newsletter/subscriber/import.html", context, status=status
        )


class DeliveryFailedFilter(admin.SimpleListFilter):
    title = gettext_lazy("outcome")
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [("failed", _("Failed")), ("resent", _("Resent after a crash"))]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(status=Delivery.Status.FAILED)
        if self.value() == "resent":
            return queryset.filter(is_resent_after_crash=True)
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "subscriber",
        "campaign",
        "status",
        "language",
        "attempts",
        "sent_at",
        "error",
        "is_resent_after_crash",
    ]
    list_filter = ["status", DeliveryFailedFilter, "language", "campaign"]
    list_select_related = ["subscriber", "campaign"]
    search_fields = ["subscriber__email", "error"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CampaignEditionInline(admin.StackedInline):
    """The campaign's editions in other languages, below its own (English) fields.
    Read-only, like the campaign, once sending starts."""

    model = CampaignEdition
    fields = ["language", "subject", "preheader", "body", "publication_url"]
    extra = 0

    def _is_draft(self, obj):
        return obj is None or obj.status == Campaign.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_delete_permission(request, obj)

    def get_fields(self, request, obj=None):
        if not self._is_draft(obj):
            # Shown as sent (rendered), like the campaign's own body.
            return [
                "language",
                "subject",
                "preheader",
                "body_as_sent",
                "publication_url",
            ]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        if not self._is_draft(obj):
            return self.get_fields(request, obj)
        return []

    @admin.display(description=gettext_lazy("Body"))
    def body_as_sent(self, edition):
        return body_as_sent(edition)


def body_as_sent(item):
    """A campaign's or an edition's body as the email showed it: sanitised rich text,
    cleaned again without iframes, rendered."""
    from .emails import without_iframes

    body = mark_safe(without_iframes(item.body))  # nosec B703 B308
    return format_html('<div class="campaign-body">{}</div>', body)


@admin.register(Campaign)
class CampaignAdmin(RevisionAdmin):
    list_display = [
        "subject",
        "sending_state",
        "recipient_count",
        "sent_count",
        "failed_count",
        "sent_at",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["subject"]
    prepopulated_fields = {"slug": ["subject"]}
    actions = ["send_test", "send_to_subscribers"]
    change_form_template = "admin/newsletter/campaign/change_form.html"
    inlines = [CampaignEditionInline]
    content_fields = ["subject", "slug", "preheader", "body", "publication_url"]
    sending_fields = [
        "status",
        "progress",
        "send_started_at",
        "sent_at",
        "failed_deliveries",
    ]
    readonly_fields = sending_fields

    class Media:
        css = {"all": ["css/admin-campaign.css"]}
        # Keeps unsaved changes from being lost by "Send a test" and "Send to all…".
        js = ["js/admin_campaign.js"]

    def get_fieldsets(self, request, obj=None):
        content = self.content_fields
        if obj is not None and obj.status != Campaign.Status.DRAFT:
            # Shown as it was sent (rendered, as in the email), not as editable HTML.
            content = [name if name != "body" else "body_as_sent" for name in content]
        return [
            (None, {"fields": content}),
            (gettext_lazy("Sending"), {"fields": self.sending_fields}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Campaign.Status.DRAFT:
            # What was sent stays as it was sent: the archive shows the same text.
            return [
                name
                for _title, options in self.get_fieldsets(request, obj)
                for name in options["fields"]
            ]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # A campaign that is sending or sent is read-only: its page shows the result.
        if obj is not None and obj.status != Campaign.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == Campaign.Status.SENDING:
            return False
        return super().has_delete_permission(request, obj)

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.status != Campaign.Status.DRAFT:
            return {}
        return super().get_prepopulated_fields(request, obj)

    def get_urls(self):
        return [
            path(
                "<int:pk>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="newsletter_campaign_progress",
            ),
            path(
                "<int:pk>/send/",
                self.admin_site.admin_view(self.send_view),
                name="newsletter_campaign_send",
            ),
            path(
                "<int:pk>/send-test/",
                self.admin_site.admin_view(self.send_test_view),
                name="newsletter_campaign_send_test",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and obj.status == Campaign.Status.DRAFT:
            context["test_form"] = CampaignTestForm(
                initial={"email": request.user.email}
            )
            context["may_send"] = super().has_change_permission(request, obj)
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    @admin.display(description=gettext_lazy("Body"))
    def body_as_sent(self, campaign):
        return body_as_sent(campaign)

    @admin.display(description=gettext_lazy("Status"), ordering="status")
    def sending_state(self, campaign):
        if campaign.is_stalled:
            return format_html(
                '<strong class="errornote-inline">{}</strong><br>{}',
                _("Not progressing"),
                _("Attempts without progress: %(attempts)d. Last error: %(error)s")
                % {
                    "attempts": campaign.failing_attempts,
                    "error": campaign.last_error
                    or _("none recorded; is the worker running?"),
                },
            )
        if campaign.status == Campaign.Status.SENDING:
            return _("Sending: %(sent)d of %(total)d sent") % {
                "sent": campaign.sent_count,
                "total": campaign.recipient_count,
            }
        return campaign.get_status_display()

    @admin.display(description=gettext_lazy("Progress"))
    def progress(self, campaign):
        if campaign.pk is None:
            return "—"
        return render_to_string(
            "admin/newsletter/campaign/progress.html",
            {
                "campaign": campaign,
                "progress": services.campaign_progress(campaign),
                "progress_url": reverse(
                    "admin:newsletter_campaign_progress", args=[campaign.pk]
                ),
            },
        )

    @admin.display(description=gettext_lazy("Failed deliveries"))
    def failed_deliveries(self, campaign):
        if campaign.pk is None:
            return "—"
        failed = list(
            campaign.deliveries.filter(status=Delivery.Status.FAILED)
            .select_related("subscriber")
            .only("subscriber__email", "error", "attempts")[:20]
        )
        if not failed:
            return _("None")
        link = (
            reverse("admin:newsletter_delivery_changelist")
            + f"?campaign__id__exact={campaign.pk}&outcome=failed"
        )
        return render_to_string(
            "admin/newsletter/campaign/failed.html", {"failed": failed, "link": link}
        )

    def progress_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        campaign = get_object_or_404(Campaign, pk=pk)
        response = HttpResponse(self.progress(campaign))
        response["Cache-Control"] = "no-store"
        return response

    def _send_test(self, request, campaign, email):
        try:
            languages = services.campaign_send_test(campaign=campaign, email=email)
        except Exception as error:  # noqa: BLE001 - show the mail server's problem to staff
            self.message_user(
                request,
                _("The test of “%(subject)s” could not be sent: %(error)s")
                % {"subject": campaign.subject, "error": error},
                messages.ERROR,
            )
        else:
            names = ", ".join(name for _code, name in languages)
            self.message_user(
                request,
                ngettext(
                    "Test of “%(subject)s” sent to %(email)s: %(count)d email, in %(languages)s.",
                    "Test of “%(subject)s” sent to %(email)s: %(count)d emails, one per edition: %(languages)s.",
                    len(languages),
                )
                % {
                    "subject": campaign.subject,
                    "email": email,
                    "count": len(languages),
                    "languages": names,
                },
            )
            self.log_change(
                request,
                campaign,
                _("Test sent to %(email)s (%(languages)s).")
                % {"email": email, "languages": names},
            )

    @admin.action(description=gettext_lazy("Send a test to me"), permissions=["change"])
    def send_test(self, request, queryset):
        if not request.user.email:
            self.message_user(
                request,
                _("Your account has no email address; add one first."),
                messages.ERROR,
            )
            return
        for campaign in queryset:
            self._send_test(request, campaign, request.user.email)

    @method_decorator(require_POST)
    def send_test_view(self, request, pk):
        """The campaign page's "Send a test": to the address typed (the staff member's by default)."""
        campaign = get_object_or_404(Campaign, pk=pk)
        if not self.has_view_permission(
            request, campaign
        ) or not super().has_change_permission(request, campaign):
            raise PermissionDenied
        form = CampaignTestForm(request.POST)
        if form.is_valid():
            self._send_test(request, campaign, form.cleaned_data["email"])
        else:
            self.message_user(
                request,
                _("No test sent: %(errors)s")
                % {"errors": " ".join(form.errors["email"])},
                messages.ERROR,
            )
        return redirect("admin:newsletter_campaign_change", campaign.pk)

    @admin.action(
        description=gettext_lazy("Send to all confirmed subscribers"),
        permissions=["change"],
    )
    def send_to_subscribers(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose exactly one campaign to send."), messages.ERROR
            )
            return None
        return redirect("admin:newsletter_campaign_send", pk=queryset.get().pk)

    def send_view(self, request, pk):
        campaign = get_object_or_404(Campaign, pk=pk)
        if not super().has_change_permission(request, campaign):
            raise PermissionDenied
        change_url = reverse("admin:newsletter_campaign_change", args=[campaign.pk])
        if campaign.status != Campaign.Status.DRAFT:
            self.message_user(
                request,
                _("This campaign was already sent or is sending."),
                messages.WARNING,
            )
            return redirect(change_url)
        recipient_count = services.campaign_recipient_count(campaign)
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            if recipient_count == 0:
                self.message_user(
                    request,
                    _("No confirmed subscriber: nothing to send."),
                    messages.ERROR,
                )
            elif services.campaign_send(campaign=campaign):
                self.message_user(
                    request,
                    _("Sending to %(count)d subscribers has started.")
                    % {"count": recipient_count},
                )
                self.log_change(
                    request,
                    campaign,
                    _("Sending started to %(count)d confirmed subscribers.")
                    % {"count": recipient_count},
                )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Send “%(subject)s”?") % {"subject": campaign.subject},
            "campaign": campaign,
            "recipient_count": recipient_count,
            "by_edition": services.campaign_recipients_by_edition(campaign),
            "change_url": change_url,
        }
        return render(request, "admin/newsletter/campaign/send_confirm.html", context)
