from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from posts.models import Post
from unact.drafts_admin import DraftAdminMixin
from unact.publishing_admin import EditionAdminMixin, PublishingAdminMixin
from unact.review_admin import ReviewAdminMixin
from unact.revisions import RevisionAdmin

from .forms import PublicationAdminForm
from .models import Country, Publication
from .services import publication_delete, publication_save


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    search_fields = ["name", "code"]


@admin.register(Publication)
class PublicationAdmin(
    DraftAdminMixin,
    EditionAdminMixin,
    ReviewAdminMixin,
    PublishingAdminMixin,
    RevisionAdmin,
):
    form = PublicationAdminForm
    list_display = [
        "cover_thumbnail",
        "title",
        "kind",
        "publication_date",
        "status_label",
        "download_count",
    ]
    list_display_links = ["cover_thumbnail", "title"]
    list_filter = ["status", "kind", "countries", "language", "publication_date"]
    search_fields = ["title", "summary", "description", "slug"]
    date_hierarchy = "publication_date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["related_posts"]
    readonly_fields = [
        "cover_preview",
        "file_details",
        "download_count",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "summary", "description"]}),
        (_("Language editions"), {"fields": ["language", "editions_panel"]}),
        (
            _("File or link"),
            {
                "fields": [
                    "document",
                    "file_details",
                    "video",
                    "captions",
                    "external_url",
                ]
            },
        ),
        (_("Cover"), {"fields": ["cover", "cover_preview"]}),
        (
            _("Details"),
            {
                "fields": [
                    ("publication_date", "unpublish_at"),
                    "countries",
                    "tags",
                    "related_posts",
                ]
            },
        ),
        (
            _("Publishing"),
            {"fields": ["status", "download_count", "created_at", "updated_at"]},
        ),
    ]

    def item_addresses(self, publication):
        # The PDF's own address is linked from feeds and emails too.
        return [
            publication.get_absolute_url(),
            reverse("publications:download", args=[publication.slug]),
        ]

    def save_model(self, request, obj, form, change):
        publication_save(publication=obj)

    def delete_model(self, request, obj):
        publication_delete(publication=obj)

    def delete_queryset(self, request, queryset):
        for publication in queryset:
            publication_delete(publication=publication)

    @admin.display(description=_("cover"))
    def cover_thumbnail(self, publication):
        if not publication.cover:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="width:64px;height:auto">',
            publication.cover_320.url,
        )

    @admin.display(description=_("cover preview"))
    def cover_preview(self, publication):
        if not publication.cover:
            return "—"
        note = (
            _("made from the first page of the PDF")
            if publication.has_generated_cover
            else _("uploaded")
        )
        return format_html(
            '<img src="{}" alt="" style="max-width:240px;height:auto"><br>{}',
            publication.cover_640.url,
            note,
        )

    @admin.display(description=_("file"))
    def file_details(self, publication):
        if not publication.document:
            return "—"
        return format_html(
            '<a href="{}">{}</a> — {}, {}; {}',
            publication.document.url,
            publication.document.name.rsplit("/", 1)[-1],
            filesizeformat(publication.file_size or 0),
            ngettext("%d page", "%d pages", publication.page_count or 0)
            % (publication.page_count or 0),
            self._searchable_text(publication),
        )

    def _searchable_text(self, publication):
        # Editors learn whether search can find the PDF's words: a scanned PDF has none.
        if publication.document_text:
            return _("its text is searchable (%(count)s characters)") % {
                "count": f"{len(publication.document_text):,}"
            }
        return _(
            "no text found in it (scanned pages?): search finds it by its title, summary and description only"
        )

    def get_queryset(self, request):
        # The PDF's text can be long; the list and the form never show it whole.
        return super().get_queryset(request).defer("document_text")


class RelatedPublicationInline(admin.TabularInline):
    """On a post's page: the publications it announces (the other side of related_posts)."""

    model = Publication.related_posts.through
    extra = 1
    autocomplete_fields = ["publication"]
    verbose_name = _("related publication")
    verbose_name_plural = _("related publications")


# Posts name their publications from the post form too; the link is one table, seen from both sides.
_post_admin = admin.site.get_model_admin(Post)
_post_admin.inlines = [*_post_admin.inlines, RelatedPublicationInline]
