from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _, ngettext

from .models import Category, Image, Post


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "status_label", "publish_at", "author"]
    list_filter = ["status", "category", "allow_comments", "publish_at"]
    list_select_related = ["category", "author"]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category"]
    actions = ["publish", "unpublish"]
    readonly_fields = ["created_at", "updated_at", "image_preview"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "tags", "summary", "body"]}),
        (_("Media"), {"fields": ["featured_image", "image_preview", "image_alt", "video_url", "external_url"]}),
        (_("Reader care"), {"fields": ["content_warning"]}),
        (_("Publishing"), {"fields": ["status", "publish_at", "allow_comments", "author", "created_at", "updated_at"]}),
    ]

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, post):
        if post.is_scheduled:
            return _("Scheduled")
        return post.get_status_display()

    @admin.display(description=_("preview"))
    def image_preview(self, post):
        if not post.featured_image:
            return "—"
        return format_html('<img src="{}" alt="" style="max-width:240px;height:auto">', post.image_480.url)

    def _log_status_change(self, request, posts):
        """Bulk actions leave the same history entry as a save in the change form."""
        from django.contrib.admin.models import CHANGE, LogEntry

        if posts:
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=posts,
                action_flag=CHANGE,
                change_message=[{"changed": {"fields": [str(capfirst(Post._meta.get_field("status").verbose_name))]}}],
            )

    @admin.action(description=_("Publish selected posts"), permissions=["change"])
    def publish(self, request, queryset):
        changing = list(queryset.exclude(status=Post.Status.PUBLISHED))
        updated = Post.objects.filter(pk__in=[post.pk for post in changing]).update(
            status=Post.Status.PUBLISHED, updated_at=timezone.now()
        )
        self._log_status_change(request, changing)
        self.message_user(
            request,
            ngettext("%d post published.", "%d posts published.", updated) % updated,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected posts (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        changing = list(queryset.filter(status=Post.Status.PUBLISHED))
        updated = Post.objects.filter(pk__in=[post.pk for post in changing]).update(
            status=Post.Status.DRAFT, updated_at=timezone.now()
        )
        self._log_status_change(request, changing)
        self.message_user(
            request,
            ngettext("%d post moved to draft.", "%d posts moved to draft.", updated) % updated,
            messages.SUCCESS,
        )


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "title", "alt", "size", "created_at"]
    search_fields = ["title", "alt"]
    readonly_fields = ["thumbnail", "size", "url"]
    fields = ["title", "file", "alt", "thumbnail", "size", "url"]

    def save_model(self, request, obj, form, change):
        if not obj.uploaded_by_id:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("image"))
    def thumbnail(self, image):
        if not image.file:
            return "—"
        return format_html('<img src="{}" alt="" style="max-width:120px;height:auto">', image.file.url)

    @admin.display(description=_("size"))
    def size(self, image):
        return f"{image.width} × {image.height}" if image.width else "—"

    @admin.display(description=_("address to insert"))
    def url(self, image):
        return image.file.url if image.file else "—"
