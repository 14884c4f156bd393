"""Drafts of changes in the admin (unact/drafts.py holds the rules and the storage).

DraftAdminMixin goes first in a post's or publication's admin bases. On a live item
(published, scheduled or expired), staff who may publish get "Save draft of changes"
beside "Publish changes" (the usual save, relabelled). A draft save validates the form
as a save does (errors are shown and nothing typed is lost) but writes only the draft
and a history entry: no revision of the item, no search index or page cache change.
While a draft exists the form opens with its values, says whose draft it is and when it
was saved, and links to its preview, its comparison with the live version and "Discard
draft". Publishing the form applies the draft and removes it.

Contributors keep seeing live items read-only (unact/publishing_admin.py): their
changes to a live item go through a publisher.
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from unact.drafts import (
    draft_compare,
    draft_files_for_publishing,
    draft_initial,
    draft_live_changed,
    draft_of,
    draft_remove,
    draft_save,
)
from unact.editions import is_public
from unact.review import is_live, may_publish
from unact.review_admin import person_label, when_label

SAVE_DRAFT = "_save_draft"
# A hidden field of a form opened on a draft: which draft, as last saved.
DRAFT_LOADED = "_draft_loaded"


def draft_stamp(draft):
    return f"{draft.pk}:{draft.updated_at.isoformat()}"


def _joined(*parts):
    """One history entry from the admin's change message (a list) and our sentences."""
    texts = [
        LogEntry(change_message=json.dumps(part)).get_change_message()
        if isinstance(part, list)
        else str(part or "")
        for part in parts
    ]
    return " ".join(text for text in texts if text)


class _DraftSaved(Exception):  # noqa: N818 - control flow, not an error
    """Raised once a draft is stored, to answer without saving the item."""

    def __init__(self, response):
        super().__init__()
        self.response = response


def _refusing_changes(formset_class):
    """The inline's formset class, refusing any change: related rows are other items'
    rows, saved only when the change is published."""

    class DraftFormSet(formset_class):
        def clean(self):
            super().clean()
            if any(form.has_changed() for form in self.forms):
                raise forms.ValidationError(
                    _(
                        "A draft of changes keeps this page's own fields only. Undo "
                        "the changes here, or publish the changes to save them."
                    ),
                    code="draft_inline_changed",
                )

    DraftFormSet.__name__ = formset_class.__name__
    return DraftFormSet


class DraftAdminMixin:
    """Drafts of changes to live items; see the module's docstring."""

    change_form_template = "admin/drafts/change_form.html"

    # The request -------------------------------------------------------------------

    @staticmethod
    def _is_draft_save(request):
        return request.method == "POST" and SAVE_DRAFT in request.POST

    def _draft(self, request, item):
        """The item's draft (looked up once per request), or None where drafts are not
        loaded (a revision being reviewed and restored, an item seen read-only).

        A posted form applies the draft only if it was opened on that very draft
        (DRAFT_LOADED): a form opened before someone saved a draft neither publishes
        that draft's files nor removes it.
        """
        if item is None or item.pk is None or getattr(request, "_drafts_off", False):
            return None
        if not self.has_change_permission(request, item):
            return None  # a live item seen read-only shows the live values
        cache = request.__dict__.setdefault("_change_drafts", {})
        if item.pk not in cache:
            draft = draft_of(item)
            if (
                draft is not None
                and request.method == "POST"
                and request.POST.get(DRAFT_LOADED) != draft_stamp(draft)
            ):
                draft = None
            cache[item.pk] = draft
        return cache[item.pk]

    def may_save_draft(self, request, item):
        """Whether this user may keep a draft of changes to this item."""
        return (
            item is not None
            and item.pk is not None
            and is_live(item)
            and may_publish(request.user)
            and self.has_change_permission(request, item)
        )

    def _may_discard(self, request, item):
        """Whether this user may discard the item's draft: a live item's only if they
        may publish."""
        return self.has_change_permission(request, item) and (
            may_publish(request.user) or not is_live(item)
        )

    def _changeform_view(self, request, object_id, form_url, extra_context):
        # Django's change form runs in one transaction; a stored draft answers from
        # inside it (save_form below), so the draft is kept.
        if self._is_draft_save(request):
            item = self.get_object(request, unquote(object_id)) if object_id else None
            if not self.may_save_draft(request, item):
                raise PermissionDenied
            # A draft changes nothing visitors see: the page cache keeps its version.
            request.page_content_unchanged = True
        try:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        except _DraftSaved as saved:
            return saved.response

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Reviewing an old revision shows that revision, not the draft.
        request._drafts_off = True
        return super().revision_view(request, object_id, version_id, extra_context)

    # The form ------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        draft = self._draft(request, obj)
        if draft is None:
            return form_class
        fresh = self.model._default_manager.get(pk=obj.pk)
        initial = draft_initial(
            item=fresh, draft=draft, form_fields=form_class.base_fields
        )
        file_names = {
            name
            for name, field in form_class.base_fields.items()
            if isinstance(field, forms.FileField)
        }

        class DraftLoadedForm(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # A form opened shows the draft; a posted one is compared with the live
                # item (the history says what changed), except for files: one kept by
                # the draft stays unless replaced or cleared.
                self.initial.update(
                    initial
                    if not self.is_bound
                    else {name: initial[name] for name in file_names if name in initial}
                )

        DraftLoadedForm.__name__ = form_class.__name__
        return DraftLoadedForm

    def get_formsets_with_inlines(self, request, obj=None):
        for formset_class, inline in super().get_formsets_with_inlines(request, obj):
            if self._is_draft_save(request):
                formset_class = _refusing_changes(formset_class)
            yield formset_class, inline

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        request._draft_formsets = formsets
        return formsets, inline_instances

    # Saving ----------------------------------------------------------------------

    def save_form(self, request, form, change):
        item = super().save_form(request, form, change)
        if not change:
            return item
        if self._is_draft_save(request):
            formsets = getattr(request, "_draft_formsets", [])
            if not all(formset.is_valid() for formset in formsets):
                return item  # Django shows the errors; nothing is saved
            live = self.model._default_manager.get(pk=item.pk)
            draft_save(item=live, form=form, user=request.user)
            # The formsets are unchanged (refused otherwise) and not saved.
            message = self.construct_change_message(request, form, [])
            self.log_change(
                request,
                live,
                _joined(_("Saved a draft of changes (not published)."), message),
            )
            raise _DraftSaved(self._draft_saved_response(request, live))
        draft = self._draft(request, item)
        if draft is not None:
            draft_files_for_publishing(item=item, draft=draft)
        return item

    def _draft_saved_response(self, request, item):
        self.message_user(
            request,
            _(
                "A draft of changes to “%(title)s” is saved. Visitors still see the "
                "live version until you publish the changes."
            )
            % {"title": item},
            messages.SUCCESS,
        )
        return redirect(self._admin_url("change", item))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        draft = self._draft(request, form.instance) if change else None
        if draft is not None:
            draft_remove(draft=draft)
            form.draft_event = _("Published the draft of changes saved by %(who)s.") % {
                "who": person_label(draft.updated_by)
            }

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        event = getattr(form, "draft_event", None)
        if not event:
            return message
        return _joined(message, event)

    # The page --------------------------------------------------------------------

    def preview_url(self, item):
        """The public page of the item with its draft applied (posts and publications
        name it `<app>:changes-preview`), under the item's language."""
        language = item.language if is_public(item.language) else None
        with translation.override(language or translation.get_language()):
            return reverse(
                f"{self.model._meta.app_label}:changes-preview", args=[item.pk]
            )

    def _admin_url(self, name, item):
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_{name}", args=[item.pk]
        )

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        draft = self._draft(request, obj)
        if draft is not None:
            context["change_draft"] = {
                "stamp": draft_stamp(draft),
                "who": person_label(draft.updated_by),
                "when": when_label(draft.updated_at),
                "preview_url": self.preview_url(obj),
                "compare_url": self._admin_url("draft_compare", obj),
                "discard_url": self._admin_url("draft_discard", obj),
                "live_changed": draft_live_changed(item=obj, draft=draft),
                "may_discard": self._may_discard(request, obj),
            }
        if change and self.may_save_draft(request, obj):
            context["draft_buttons"] = True
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/draft/compare/",
                self.admin_site.admin_view(self.draft_compare_view),
                name=f"{opts.app_label}_{opts.model_name}_draft_compare",
            ),
            path(
                "<path:object_id>/draft/discard/",
                self.admin_site.admin_view(self.draft_discard_view),
                name=f"{opts.app_label}_{opts.model_name}_draft_discard",
            ),
            *super().get_urls(),
        ]

    def _item_and_draft(self, request, object_id):
        item = self.get_object(request, unquote(object_id))
        if item is None:
            raise Http404
        if not self.has_view_or_change_permission(request, item):
            raise PermissionDenied
        return item, draft_of(item)

    def _no_draft(self, request, item):
        self.message_user(
            request,
            _("“%(title)s” has no draft of changes (it was published or discarded).")
            % {"title": item},
            messages.WARNING,
        )
        return redirect(self._admin_url("change", item))

    def draft_compare_view(self, request, object_id):
        item, draft = self._item_and_draft(request, object_id)
        if draft is None:
            return self._no_draft(request, item)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": item,
            "title": _("Draft of changes to “%s” compared with the live version")
            % item,
            "changes": draft_compare(item=item, draft=draft),
            "draft_who": person_label(draft.updated_by),
            "draft_when": draft.updated_at,
            "live_changed": draft_live_changed(item=item, draft=draft),
            "preview_url": self.preview_url(item),
        }
        return TemplateResponse(request, "admin/drafts/compare.html", context)

    def draft_discard_view(self, request, object_id):
        item, draft = self._item_and_draft(request, object_id)
        if not self._may_discard(request, item):
            raise PermissionDenied
        if draft is None:
            return self._no_draft(request, item)
        if request.method == "POST":
            request.page_content_unchanged = True
            draft_remove(draft=draft)
            self.log_change(
                request,
                item,
                str(
                    _("Discarded the draft of changes saved by %(who)s.")
                    % {"who": person_label(draft.updated_by)}
                ),
            )
            self.message_user(
                request,
                _("The draft of changes to “%(title)s” is discarded.")
                % {"title": item},
                messages.SUCCESS,
            )
            return redirect(self._admin_url("change", item))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": item,
            "title": _("Discard the draft of changes to “%s”?") % item,
            "draft_who": person_label(draft.updated_by),
            "draft_when": draft.updated_at,
            "compare_url": self._admin_url("draft_compare", item),
        }
        return TemplateResponse(request, "admin/drafts/discard.html", context)
