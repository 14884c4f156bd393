"""Revisions of content (django-reversion): kept on every admin save, compared, restored.

RevisionAdmin is django-reversion's VersionAdmin with the object's history page showing
both lists staff need: the revisions (who, when, what; pick two to compare, or one to
restore) and every logged change, bulk actions included. Restoring goes through the
change form, so it is saved (and recorded) as a new revision; nothing is lost.
"""

import difflib
import json
import re
from html import unescape

from reversion.admin import VersionAdmin
from reversion.models import Version

from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from unact.richtext import SanitizedRichTextField

# Where rich text breaks into lines for the diff: block elements.
_BLOCK_BREAK = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|blockquote|figure|figcaption|table|tr|br|hr)\b[^>]*>",
    re.I,
)
_WORDS = re.compile(r"\s+|[^\s]+")


def rich_text_lines(html):
    """The readable text of rich text, one block per line."""
    text = unescape(strip_tags(_BLOCK_BREAK.sub("\n", html or "")))
    return [line.strip() for line in text.splitlines() if line.strip()]


def word_diff(old, new):
    """[(kind, text)] with kind "same", "removed" or "added", word by word."""
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
    pieces = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(("same", "".join(old_words[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(old_words[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(new_words[j1:j2])))
    return pieces


def text_diff(old_lines, new_lines):
    """[[(kind, text)]], one list per line: whole lines added or removed, changed lines
    word by word."""
    rows = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend([("same", line)] for line in old_lines[i1:i2])
        elif tag == "replace" and i2 - i1 == j2 - j1:
            rows.extend(
                word_diff(old, new)
                for old, new in zip(old_lines[i1:i2], new_lines[j1:j2], strict=True)
            )
        else:
            rows.extend([("removed", line)] for line in old_lines[i1:i2])
            rows.extend([("added", line)] for line in new_lines[j1:j2])
    return rows


def _display(field, value):
    """A stored value as staff read it."""
    if value in (None, "", []):
        return "—"
    if field.many_to_many:
        related = field.related_model._default_manager.filter(pk__in=value)
        return ", ".join(sorted(str(item) for item in related)) or "—"
    if field.many_to_one or field.one_to_one:
        item = field.related_model._default_manager.filter(pk=value).first()
        return str(item) if item is not None else _("(deleted: %(pk)s)") % {"pk": value}
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.FileField):
        return getattr(value, "name", value) or "—"
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    return str(value)


def revisions_compare(*, model, older, newer):
    """Field by field, what changed from the older version to the newer: a list of
    {"label", "rows"} for rich and long text (a line-by-line diff) or {"label", "old",
    "new"} for the rest."""
    old_values, new_values = older.field_dict, newer.field_dict
    changes = []
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if (
            field.auto_created
            or not field.editable
            or not field.serialize
            or field.name not in new_values
        ):
            continue
        old, new = old_values.get(field.name), new_values.get(field.name)
        if field.many_to_many:
            old, new = sorted(old or []), sorted(new or [])
        if isinstance(field, models.FileField):
            old, new = getattr(old, "name", old) or "", getattr(new, "name", new) or ""
        if old == new:
            continue
        label = str(field.verbose_name)
        if isinstance(field, SanitizedRichTextField):
            changes.append(
                {
                    "label": label,
                    "rows": text_diff(rich_text_lines(old), rich_text_lines(new)),
                }
            )
        elif isinstance(field, models.TextField):
            changes.append(
                {
                    "label": label,
                    "rows": text_diff(
                        (old or "").splitlines(), (new or "").splitlines()
                    ),
                }
            )
        else:
            changes.append(
                {
                    "label": label,
                    "old": _display(field, old),
                    "new": _display(field, new),
                }
            )
    return changes


def file_in_revisions(*, model, field_name, name):
    """Whether a revision of any item of the model refers to this stored file."""
    # The serialised JSON holds the name (escaped as JSON escapes it): a cheap first sieve.
    candidates = Version.objects.get_for_model(model).filter(
        serialized_data__contains=json.dumps(name)[1:-1]
    )
    for version in candidates.iterator():
        try:
            value = version.field_dict.get(field_name)
        except Exception:  # noqa: BLE001 - a revision of an older schema: read its raw name
            value = name if name in version.serialized_data else None
        if getattr(value, "name", value) == name:
            return True
    return False


class RevisionAdmin(VersionAdmin):
    """VersionAdmin with history (revisions and logged changes) and a comparison view."""

    object_history_template = "admin/revisions/object_history.html"

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{opts.app_label}_{opts.model_name}_compare",
            ),
            *super().get_urls(),
        ]

    def _versions(self, object_id):
        return Version.objects.get_for_object_reference(
            self.model, unquote(object_id)
        ).select_related("revision", "revision__user")

    def history_view(self, request, object_id, extra_context=None):
        item = self.get_object(request, unquote(object_id))
        if item is None or not self.has_view_or_change_permission(request, item):
            raise PermissionDenied if item is not None else Http404
        opts = self.model._meta
        versions = list(
            self._versions(object_id).order_by("-revision__date_created", "-pk")
        )
        for version in versions:
            version.restore_url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                args=[quote(version.object_id), version.pk],
            )
        log_entries = (
            LogEntry.objects.filter(
                object_id=str(item.pk),
                content_type=ContentType.objects.get_for_model(self.model),
            )
            .select_related("user")
            .order_by("-action_time")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change history: %s") % item,
            "subtitle": None,
            "versions": versions,
            "action_list": log_entries,
            "module_name": str(opts.verbose_name_plural).capitalize(),
            "object": item,
            "opts": opts,
            "preserved_filters": self.get_preserved_filters(request),
            "compare_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_compare",
                args=[quote(item.pk)],
            ),
            "can_restore": self.has_change_permission(request, item),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)

    def compare_view(self, request, object_id):
        item = self.get_object(request, unquote(object_id))
        if item is None or not self.has_view_or_change_permission(request, item):
            raise PermissionDenied if item is not None else Http404
        versions = self._versions(object_id)
        try:
            chosen = [int(request.GET.get(name, "")) for name in ("older", "newer")]
        except ValueError:
            chosen = []
        if len(set(chosen)) != 2:
            return TemplateResponse(
                request,
                "admin/revisions/compare.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "object": item,
                    "title": _("Compare revisions"),
                    "error": _("Choose two different revisions to compare."),
                },
                status=400,
            )
        older, newer = sorted(
            (get_object_or_404(versions, pk=pk) for pk in chosen),
            key=lambda version: version.revision.date_created,
        )
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "object": item,
            "title": _("Compare revisions of “%s”") % item,
            "older": older,
            "newer": newer,
            "changes": revisions_compare(model=self.model, older=older, newer=newer),
            "restore_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                args=[quote(older.object_id), older.pk],
            ),
            "history_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history",
                args=[quote(item.pk)],
            ),
            "can_restore": self.has_change_permission(request, item),
        }
        return TemplateResponse(request, "admin/revisions/compare.html", context)
