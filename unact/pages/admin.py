from django.contrib import admin
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from unact.publishing_admin import PublishingAdminMixin
from unact.revisions import RevisionAdmin

from .models import FrontPage, Page


@admin.register(Page)
class PageAdmin(PublishingAdminMixin, RevisionAdmin):
    list_display = [
        "title",
        "address",
        "parent",
        "status_label",
        "in_main_menu",
        "in_footer",
        "menu_order",
        "publish_at",
    ]
    list_filter = ["status", "in_main_menu", "in_footer", "parent"]
    list_select_related = ["parent"]
    list_editable = ["menu_order"]
    search_fields = ["title", "summary", "body", "editor_note"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["parent"]
    readonly_fields = ["address", "created_at", "updated_at", "image_preview"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "parent", "address", "summary", "body"]}),
        (_("Image"), {"fields": ["image", "image_preview", "image_alt"]}),
        (
            _("Menus"),
            {
                "fields": [("in_main_menu", "in_footer"), "menu_order", "menu_label"],
                "description": _(
                    "Published pages ticked here appear in the header or footer menu, "
                    "after the fixed links, lowest order first."
                ),
            },
        ),
        (_("For staff only"), {"fields": ["editor_note"]}),
        (
            _("Publishing"),
            {
                "fields": [
                    "status",
                    ("publish_at", "unpublish_at"),
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def item_addresses(self, item):
        """The page's address and its subpages' (they move with it)."""
        addresses = [item.get_absolute_url()]
        level = [item]
        while level:
            level = list(
                Page.objects.filter(parent__in=level)
                .order_by("pk")
                .select_related("parent")
            )
            addresses += [child.get_absolute_url() for child in level]
        return addresses

    @admin.display(description=_("address"), ordering="path")
    def address(self, page):
        if not page.path:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', page.get_absolute_url(), page.get_absolute_url()
        )

    @admin.display(description=_("preview"))
    def image_preview(self, page):
        if not page.image:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="max-width:240px;height:auto">',
            page.image_480.url,
        )


@admin.register(FrontPage)
class FrontPageAdmin(RevisionAdmin):
    fields = ["intro", "featured_post", "featured_publication", "featured_page"]
    autocomplete_fields = ["featured_page"]
    raw_id_fields = ["featured_post", "featured_publication"]

    def has_delete_permission(self, request, obj=None):
        return False

    # One front page: added once, then changed. The list and the add form open it
    # once it exists (checked here, not in has_add_permission, which every admin
    # page's navigation asks).
    def _existing(self, request):
        front = FrontPage.objects.order_by("pk").first()
        if front is not None and self.has_view_or_change_permission(request, front):
            return redirect("admin:pages_frontpage_change", front.pk)
        return None

    def changelist_view(self, request, extra_context=None):
        return self._existing(request) or super().changelist_view(
            request, extra_context
        )

    def add_view(self, request, form_url="", extra_context=None):
        return self._existing(request) or super().add_view(
            request, form_url, extra_context
        )
