from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from unact.drafts_admin import DraftAdminMixin
from unact.publishing_admin import EditionAdminMixin, PublishingAdminMixin
from unact.review_admin import ReviewAdminMixin
from unact.revisions import RevisionAdmin

from . import services
from .models import (
    COMMENT_MAX_LENGTH,
    BlockedCommenter,
    BlockedWord,
    Category,
    Comment,
    Image,
    Post,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Post)
class PostAdmin(
    DraftAdminMixin,
    EditionAdminMixin,
    ReviewAdminMixin,
    PublishingAdminMixin,
    RevisionAdmin,
):
    list_display = ["title", "category", "status_label", "publish_at", "author"]
    list_filter = ["status", "category", "allow_comments", "publish_at"]
    list_select_related = ["category", "author"]
    search_fields = ["title", "summary", "body"]
    date_hierarchy = "publish_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["category"]
    readonly_fields = ["created_at", "updated_at", "image_preview"]
    # A link typed without a scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "tags", "summary", "body"]}),
        (_("Language editions"), {"fields": ["language", "editions_panel"]}),
        (
            _("Media"),
            {
                "fields": [
                    "featured_image",
                    "image_preview",
                    "image_alt",
                    "video_url",
                    "external_url",
                ]
            },
        ),
        (_("Reader care"), {"fields": ["content_warning"]}),
        (
            _("Publishing"),
            {
                "fields": [
                    "status",
                    ("publish_at", "unpublish_at"),
                    "allow_comments",
                    "author",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_changeform_initial_data(self, request):
        return {
            "author": request.user.pk,
            **super().get_changeform_initial_data(request),
        }

    @admin.display(description=_("preview"))
    def image_preview(self, post):
        if not post.featured_image:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="max-width:240px;height:auto">',
            post.image_480.url,
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
        return format_html(
            '<img src="{}" alt="" style="max-width:120px;height:auto">', image.file.url
        )

    @admin.display(description=_("size"))
    def size(self, image):
        return f"{image.width} × {image.height}" if image.width else "—"

    @admin.display(description=_("address to insert"))
    def url(self, image):
        return image.file.url if image.file else "—"


# Comments -----------------------------------------------------------------------------


class StaffReplyForm(forms.Form):
    name = forms.CharField(
        label=_("Name shown"),
        max_length=80,
        help_text=_("Shown with the reply, which is marked as from the programme."),
    )
    text = forms.CharField(
        label=_("Reply"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
    )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    # The text and why it was held first, the one-click buttons last; posts/admin_comments.css
    # lets the text wrap by words within the table's box.
    list_display = [
        "excerpt_display",
        "held_because",
        "name",
        "status",
        "post",
        "created_at",
    ]
    list_display_links = ["excerpt_display"]
    list_filter = [
        "status",
        ("post", admin.RelatedOnlyFieldListFilter),
        "is_staff_reply",
        "created_at",
    ]
    list_select_related = ["post"]
    search_fields = ["name", "email", "text", "post__title"]
    date_hierarchy = "created_at"
    actions = ["approve", "mark_spam", "remove", "block_commenters"]
    readonly_fields = [
        "post_link",
        "parent",
        "moderation_reason_display",
        "email",
        "has_reply_notice",
        "is_staff_reply",
        "user",
        "ip_address",
        "user_agent",
        "created_at",
        "moderated_at",
        "moderated_by",
        "reply_link",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "status",
                    "moderation_reason_display",
                    "post_link",
                    "parent",
                    "reply_link",
                ]
            },
        ),
        (
            _("Comment"),
            {
                "fields": ["name", "text"],
                "description": _(
                    "Edit the text to remove someone's contact details before approving."
                ),
            },
        ),
        (
            _("Commenter (private)"),
            {
                "fields": [
                    "email",
                    "has_reply_notice",
                    "is_staff_reply",
                    "user",
                    "ip_address",
                    "user_agent",
                ]
            },
        ),
        (_("History"), {"fields": ["created_at", "moderated_at", "moderated_by"]}),
    ]

    class Media:
        css = {"all": ["css/admin_comments.css"]}

    def has_add_permission(self, request):
        # Comments come from the site; staff reply to one from its page here.
        return False

    def get_list_display(self, request):
        if not self.has_change_permission(request):
            return self.list_display
        return [*self.list_display, self._moderate_buttons(request)]

    def _moderate_buttons(self, request):
        """The column of one-click Approve and Spam buttons, for this request's list.

        The changelist is already a form (with the CSRF token), so these are its submit
        buttons with another address (formaction): they work without JavaScript, and the
        bulk actions stay. They bring the moderator back to the list as it was filtered.
        """
        filters = self.get_preserved_filters(request)
        choices = (
            (Comment.Status.APPROVED, _("Approve"), "moderate-approve"),
            (Comment.Status.SPAM, _("Spam"), "moderate-spam"),
        )

        @admin.display(description=_("moderate"))
        def moderate_buttons(comment):
            url = reverse("admin:posts_comment_moderate", args=[comment.pk]) + (
                f"?{filters}" if filters else ""
            )
            return format_html_join(
                "",
                '<button type="submit" class="button {}" formaction="{}" formmethod="post"'
                ' name="moderate_status" value="{}">{}</button>',
                (
                    (css, url, status, label)
                    for status, label, css in choices
                    if comment.status != status
                ),
            )

        return moderate_buttons

    @admin.display(description=_("comment"))
    def excerpt_display(self, comment):
        return comment.excerpt

    @admin.display(description=_("held because"))
    def held_because(self, comment):
        return comment.moderation_reason.replace("\n", " ") or "—"

    @admin.display(description=_("why it was held"))
    def moderation_reason_display(self, comment):
        if not comment.moderation_reason:
            return _("Nothing: no automatic check found a problem.")
        return format_html_join(
            "",
            "<p>{}</p>",
            ((line,) for line in comment.moderation_reason.splitlines()),
        )

    @admin.display(description=_("post"))
    def post_link(self, comment):
        return format_html(
            '<a href="{}">{}</a>', comment.post.get_absolute_url(), comment.post.title
        )

    @admin.display(description=_("reply"))
    def reply_link(self, comment):
        if comment.pk is None:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:posts_comment_reply", args=[comment.pk]),
            _("Reply as the programme"),
        )

    def save_model(self, request, obj, form, change):
        new_status = obj.status
        if change and "status" in form.changed_data:
            # The status goes through the service, which records who and sends reply notices.
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            services.comments_moderate(
                comments=Comment.objects.filter(pk=obj.pk),
                status=new_status,
                moderator=request.user,
            )
            obj.refresh_from_db()
        else:
            super().save_model(request, obj, form, change)

    def _moderate(self, request, queryset, status):
        return services.comments_moderate(
            comments=queryset, status=status, moderator=request.user
        )

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve(self, request, queryset):
        count = self._moderate(request, queryset, Comment.Status.APPROVED)
        message = ngettext(
            "%(count)d comment approved.", "%(count)d comments approved.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(
        description=_("Mark selected comments as spam"), permissions=["change"]
    )
    def mark_spam(self, request, queryset):
        count = self._moderate(request, queryset, Comment.Status.SPAM)
        message = ngettext(
            "%(count)d comment marked as spam.",
            "%(count)d comments marked as spam.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Remove selected comments"), permissions=["change"])
    def remove(self, request, queryset):
        count = self._moderate(request, queryset, Comment.Status.REMOVED)
        message = ngettext(
            "%(count)d comment removed.", "%(count)d comments removed.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(
        description=_("Block the commenters (email and IP) and mark as spam"),
        permissions=["change"],
    )
    def block_commenters(self, request, queryset):
        count = services.commenters_block(comments=queryset, moderator=request.user)
        self.message_user(
            request,
            ngettext("%d commenter blocked.", "%d commenters blocked.", count) % count,
            messages.SUCCESS,
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="posts_comment_reply",
            ),
            path(
                "<int:object_id>/moderate/",
                self.admin_site.admin_view(self.moderate_view),
                name="posts_comment_moderate",
            ),
            *super().get_urls(),
        ]

    def moderate_view(self, request, object_id):
        """One comment approved or marked as spam from its row of the list (POST, with the
        CSRF token the changelist form carries); back to the list with its filters."""
        changelist = reverse("admin:posts_comment_changelist")
        filters = request.GET.get("_changelist_filters", "")
        back = f"{changelist}?{filters}" if filters else changelist
        if request.method != "POST":
            return redirect(back)
        comment = get_object_or_404(Comment, pk=object_id)
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        status = request.POST.get("moderate_status")
        done = {
            Comment.Status.APPROVED: _("The comment by %(name)s is approved."),
            Comment.Status.SPAM: _("The comment by %(name)s is marked as spam."),
        }
        if status not in done:
            self.message_user(request, _("Choose Approve or Spam."), messages.ERROR)
            return redirect(back)
        self._moderate(request, Comment.objects.filter(pk=comment.pk), status)
        self.message_user(
            request, done[status] % {"name": comment.name}, messages.SUCCESS
        )
        return redirect(back)

    def reply_view(self, request, object_id):
        """A staff reply from the admin: published under the thread's first comment."""
        comment = get_object_or_404(
            Comment.objects.select_related("post", "parent"), pk=object_id
        )
        if not (
            self.has_change_permission(request, comment)
            and request.user.has_perm("posts.add_comment")
        ):
            raise PermissionDenied
        thread = comment.parent or comment
        if thread.status != Comment.Status.APPROVED:
            self.message_user(
                request,
                _(
                    "Approve the comment before replying to it, so the reply has something to answer."
                ),
                messages.ERROR,
            )
            return redirect("admin:posts_comment_change", comment.pk)
        form = StaffReplyForm(
            request.POST or None,
            initial={"name": _("%(site)s team") % {"site": settings.SITE_NAME}},
        )
        if request.method == "POST" and form.is_valid():
            reply = services.comment_create(
                post=comment.post,
                parent=thread,
                name=form.cleaned_data["name"],
                text=form.cleaned_data["text"],
                user=request.user,
            )
            if reply.status == Comment.Status.APPROVED:
                self.message_user(
                    request, _("Your reply is published."), messages.SUCCESS
                )
            else:
                self.message_user(
                    request,
                    _("Your reply was saved but is held: %(reason)s")
                    % {"reason": reply.moderation_reason},
                    messages.WARNING,
                )
            return redirect("admin:posts_comment_change", reply.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Reply to %(name)s") % {"name": thread.name},
            "comment": thread,
            "form": form,
        }
        return TemplateResponse(request, "admin/posts/comment/reply.html", context)


@admin.register(BlockedWord)
class BlockedWordAdmin(admin.ModelAdmin):
    list_display = ["phrase", "action", "created_at"]
    list_filter = ["action"]
    search_fields = ["phrase"]


@admin.register(BlockedCommenter)
class BlockedCommenterAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "email",
        "ip_address",
        "reason",
        "created_at",
        "created_by",
    ]
    search_fields = ["email", "ip_address", "reason"]
    readonly_fields = ["created_at", "created_by"]

    def save_model(self, request, obj, form, change):
        if not obj.created_by_id:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
