"""The admin's publish and unpublish actions, for every Publishable model, and who may
use them: only staff who may publish (unact.review.may_publish) publish, unpublish, set
the status to published, or change an item that is live; and the language editions of
posts and publications (EditionAdminMixin)."""

import reversion

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from unact.editions import (
    edition_translate,
    group_editions,
    is_outdated,
    language_name,
    original_of,
)
from unact.publishing import Publishable, publishables_set_status
from unact.redirects import redirects_follow_move
from unact.review import is_live, may_publish, reviews_close_published


class PublishingAdminMixin:
    """Adds "Publish selected …" and "Unpublish selected …" to a ModelAdmin's actions,
    and a status column that tells a scheduled or expired item from a published one. A published
    item whose slug changes leaves permanent redirects at its old addresses."""

    actions = ["publish", "unpublish"]

    def has_publish_permission(self, request):
        """The publish and unpublish actions: for those who may publish (one rule)."""
        return may_publish(request.user) and self.has_change_permission(request)

    def _seen_not_changed(self, request, obj):
        """Without the right to publish (a contributor), a live item and someone else's
        draft are seen, not changed or deleted: as WordPress's contributors, who edit
        only their own posts until they are published."""
        if obj is None or may_publish(request.user):
            return False
        return is_live(obj) or obj.created_by_id != request.user.pk

    def has_change_permission(self, request, obj=None):
        if self._seen_not_changed(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._seen_not_changed(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not may_publish(request.user):
            # Offered "Draft" only: a form posted with "published" is refused as an
            # invalid choice, whatever the page showed.
            kwargs["choices"] = [
                (Publishable.Status.DRAFT, Publishable.Status.DRAFT.label)
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def item_addresses(self, item):
        """The paths where visitors reach the item (links to them live on elsewhere)."""
        return [item.get_absolute_url()]

    def save_form(self, request, form, change):
        item = super().save_form(request, form, change)
        if is_live(item) and not may_publish(request.user):
            raise PermissionDenied
        if not change and item.created_by_id is None:
            item.created_by = request.user
        if change:
            # Read before the save: the addresses visitors know if the item is live now.
            live = self.model.objects.published().filter(pk=item.pk).first()
            item._addresses_before_change = self.item_addresses(live) if live else []
        return item

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        item = form.instance
        old_addresses = getattr(item, "_addresses_before_change", None)
        if old_addresses:
            for old_path, new_path in zip(
                old_addresses, self.item_addresses(item), strict=True
            ):
                redirects_follow_move(old_path=old_path, new_path=new_path)

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, item):
        if item.is_expired:
            return _("Expired")
        if item.is_scheduled:
            return _("Scheduled")
        if item.is_published and item.unpublish_at:
            return _("Published until %(when)s") % {
                "when": date_format(
                    timezone.localtime(item.unpublish_at), "SHORT_DATETIME_FORMAT"
                )
            }
        return item.get_status_display()

    def _set_status(self, request, queryset, status):
        changed = publishables_set_status(queryset=queryset, status=status)
        if changed:
            # The same history entry as a save of the status in the change form.
            field = self.model._meta.get_field("status")
            self._keep_revisions(request, changed, status)
            if status == Publishable.Status.PUBLISHED:
                # Publishing an item that waited for review approves its request.
                reviews_close_published(items=changed, user=request.user)
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=changed,
                action_flag=CHANGE,
                change_message=[
                    {"changed": {"fields": [str(capfirst(field.verbose_name))]}}
                ],
            )
        return len(changed)

    def _keep_revisions(self, request, items, status):
        """A bulk status change keeps a revision of each item, as a save in its form does."""
        if not reversion.is_registered(self.model):
            return
        label = Publishable.Status(status).label
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(
                str(_("Status set to “%(status)s” (bulk action).") % {"status": label})
            )
            for item in self.model.objects.filter(pk__in=[item.pk for item in items]):
                reversion.add_to_revision(item)

    def _name(self, count):
        meta = self.model._meta
        return meta.verbose_name if count == 1 else meta.verbose_name_plural

    @admin.action(
        description=_("Publish selected %(verbose_name_plural)s"),
        permissions=["publish"],
    )
    def publish(self, request, queryset):
        count = self._set_status(request, queryset, Publishable.Status.PUBLISHED)
        self.message_user(
            request,
            ngettext(
                "%(count)d %(name)s published.", "%(count)d %(name)s published.", count
            )
            % {"count": count, "name": self._name(count)},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish selected %(verbose_name_plural)s (back to draft)"),
        permissions=["publish"],
    )
    def unpublish(self, request, queryset):
        count = self._set_status(request, queryset, Publishable.Status.DRAFT)
        self.message_user(
            request,
            ngettext(
                "%(count)d %(name)s moved to draft.",
                "%(count)d %(name)s moved to draft.",
                count,
            )
            % {"count": count, "name": self._name(count)},
            messages.SUCCESS,
        )


class EditionAdminMixin:
    """Language editions in a ModelAdmin (unact/editions.py): a language column and
    filter, the group's editions side by side on the change form with "Add
    translation" per missing language, and the "older than the original" mark."""

    class Media:
        # After Django's urlify.js: a slug typed from a Thai title keeps its marks.
        js = ["js/admin_urlify.js"]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "language_label"]

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return filters if "language" in filters else [*filters, "language"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "editions_panel"]

    @admin.display(description=_("language"), ordering="language")
    def language_label(self, item):
        return language_name(item.language)

    def get_urls(self):
        meta = self.model._meta
        return [
            path(
                "<path:object_id>/translate/<str:language>/",
                self.admin_site.admin_view(self.translate_view),
                name=f"{meta.app_label}_{meta.model_name}_translate",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("editions"))
    def editions_panel(self, item):
        if item is None or item.pk is None:
            return _("Save this first; then translations can be added here.")
        meta = self.model._meta
        editions = group_editions(item)
        original = original_of(editions)
        rows = []
        for edition in editions:
            marks = []
            if edition.pk == original.pk:
                marks.append(_("original"))
            elif is_outdated(edition, original):
                marks.append(_("older than the original"))
            if edition.pk == item.pk:
                marks.append(_("this edition"))
            rows.append(
                (
                    language_name(edition.language),
                    reverse(
                        f"admin:{meta.app_label}_{meta.model_name}_change",
                        args=[edition.pk],
                    ),
                    edition.title,
                    self.status_label(edition),
                    date_format(
                        timezone.localtime(edition.updated_at), "SHORT_DATETIME_FORMAT"
                    ),
                    ", ".join(str(mark) for mark in marks),
                )
            )
        table = format_html(
            '<table class="editions"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th><th></th></tr></thead><tbody>{}</tbody></table>",
            _("Language"),
            _("Title"),
            _("Status"),
            _("Updated"),
            format_html_join(
                "",
                '<tr><td>{}</td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td>'
                "<td><strong>{}</strong></td></tr>",
                rows,
            ),
        )
        present = {edition.language for edition in editions}
        missing = [
            (
                reverse(
                    f"admin:{meta.app_label}_{meta.model_name}_translate",
                    args=[item.pk, code],
                ),
                name,
            )
            for code, name in settings.LANGUAGES
            if code not in present
        ]
        if not missing:
            return table
        return format_html(
            "{}<p>{} {}</p>",
            table,
            _("Add translation:"),
            format_html_join(" · ", '<a class="addlink" href="{}">{}</a>', missing),
        )

    def translate_view(self, request, object_id, language):
        """GET: what will be created; POST: a draft edition in `language` prefilled
        from this one, then its change form."""
        source = self.get_object(request, object_id)
        if source is None:
            raise Http404
        if not (
            self.has_add_permission(request)
            and self.has_change_permission(request, source)
        ):
            raise PermissionDenied
        if language not in dict(settings.LANGUAGES):
            raise Http404
        existing = self.model._default_manager.filter(
            translation_key=source.translation_key, language=language
        ).first()
        meta = self.model._meta
        if existing is not None:
            return redirect(
                f"admin:{meta.app_label}_{meta.model_name}_change", existing.pk
            )
        if request.method == "POST":
            edition = edition_translate(
                source=source, language=language, user=request.user
            )
            self.log_addition(
                request,
                edition,
                [{"added": {}}],
            )
            if reversion.is_registered(self.model):
                with reversion.create_revision():
                    reversion.set_user(request.user)
                    reversion.set_comment(
                        str(
                            _("Translation added from “%(title)s”.") % {"title": source}
                        )
                    )
                    reversion.add_to_revision(edition)
            self.message_user(
                request,
                _(
                    "A draft in %(language)s was made from “%(title)s”. Translate its "
                    "title, slug, summary, text and alt text, then publish it."
                )
                % {"language": language_name(language), "title": source},
                messages.SUCCESS,
            )
            return redirect(
                f"admin:{meta.app_label}_{meta.model_name}_change", edition.pk
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": meta,
            "source": source,
            "language_name": language_name(language),
            "title": _("Add translation"),
        }
        return TemplateResponse(request, "admin/edition_translate.html", context)

    def save_form(self, request, form, change):
        # An edition saved from the original's current version is no longer older.
        item = super().save_form(request, form, change)
        editions = list(
            self.model._default_manager.filter(translation_key=item.translation_key)
        )
        original = original_of(editions)
        if original is not None and original.pk != item.pk:
            item.source_updated_at = original.updated_at
        return item
