"""Drafts of changes to live posts and publications (issue 18).

Editing an item visitors can see does not change what they see until a publisher
publishes the change: "Save draft of changes" keeps the change form's values in one
ChangeDraft row beside the item (unact/models.py), and the live row, its search entry,
the page cache's content version and its comment count stay as they are. The change
form then loads the draft's values; "Preview draft" renders the public page with them
applied (never cached); "Publish changes" saves the form the normal way (a revision, a
history entry, the search index, redirects on a slug change) and removes the draft;
"Discard draft" removes it. One draft per item (a database constraint).

Files uploaded into a draft are stored (an image re-encoded without metadata, as any
upload is) under the field's own folder and listed in the draft's "uploads"; the live
row keeps its own file. Publishing hands them to the item's save as fresh uploads (a PDF
is then read and stripped, as an upload is) and deletes the draft's copies; discarding
deletes them. A file a draft names is never deleted by the publications' clean-up
(`file_in_drafts`).

The admin side is unact/drafts_admin.py; the previews are posts.views and
publications.views (`*_changes_preview`).
"""

import json
import logging
import os
from types import SimpleNamespace

from taggit.utils import edit_string_for_tags

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.base import DeserializationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unact.images import renditions_delete
from unact.models import ChangeDraft
from unact.revisions import file_in_revisions, revisions_compare

logger = logging.getLogger(__name__)


def draft_of(item):
    """The item's draft of changes, or None."""
    if item is None or item.pk is None:
        return None
    return (
        ChangeDraft.objects.for_item(item)
        .select_related("created_by", "updated_by")
        .first()
    )


def _form_model_fields(model, form):
    """The model's fields the form edits: (concrete non-file, file, many-to-many, tags)."""
    concrete, files, many = [], [], []
    tags = None
    for name in form.fields:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field (the review comment)
            continue
        if field.many_to_many and not field.serialize:
            tags = field  # django-taggit's manager, kept as names
        elif field.many_to_many:
            many.append(field)
        elif isinstance(field, models.FileField):
            files.append(field)
        elif field.concrete:
            concrete.append(field)
    return concrete, files, many, tags


def _live_updated_at(item):
    return (
        type(item)
        ._default_manager.filter(pk=item.pk)
        .values_list("updated_at", flat=True)
        .first()
    )


def draft_save(*, item, form, user):
    """Keep a valid change form's values as the item's draft of changes; the live row
    is not written. The draft (a new one, or the item's existing one updated)."""
    model = type(item)
    concrete, file_fields, many, tags_field = _form_model_fields(model, form)
    existing = draft_of(item)
    previous = existing.data if existing else {}
    uploads = list(previous.get("uploads", []))
    instance = form.instance
    fields = json.loads(
        serializers.serialize(
            "json", [instance], fields=[field.name for field in concrete]
        )
    )[0]["fields"]
    files, stored_now = {}, []
    for field in file_fields:
        value = form.cleaned_data.get(field.name)
        if isinstance(value, UploadedFile):
            # Stored as the field stores an upload (an image is re-encoded without its
            # metadata), under another name: the live file is not replaced.
            holder = model(slug=getattr(instance, "slug", ""))
            field_file = field.attr_class(holder, field, None)
            field_file.save(value.name, value, save=False)
            files[field.name] = field_file.name
            stored_now.append(field_file.name)
        else:
            files[field.name] = getattr(value, "name", None) or ""
    data = {
        "fields": fields,
        "files": files,
        "m2m": {
            field.name: sorted(obj.pk for obj in form.cleaned_data.get(field.name, []))
            for field in many
        },
        "tags": sorted(form.cleaned_data.get(tags_field.name) or [])
        if tags_field
        else None,
        "uploads": uploads + stored_now,
    }
    # An upload replaced by a newer one in the same draft is no longer needed.
    kept = set(files.values())
    unused = [name for name in data["uploads"] if name not in kept]
    data["uploads"] = [name for name in data["uploads"] if name in kept]
    now = timezone.now()
    with transaction.atomic():
        if existing is None:
            draft = ChangeDraft.objects.create(
                content_type=ContentType.objects.get_for_model(model),
                object_id=item.pk,
                data=data,
                base_updated_at=_live_updated_at(item) or now,
                created_by=user,
                created_at=now,
                updated_by=user,
                updated_at=now,
            )
        else:
            existing.data = data
            existing.updated_by = user
            existing.updated_at = now
            existing.save(update_fields=["data", "updated_by", "updated_at"])
            draft = existing
        transaction.on_commit(lambda: _delete_uploads(model, unused))
    return draft


def draft_apply(*, item, draft, derived=True):
    """Set the draft's values on the item in memory (never saved): the item as it will
    be once the draft is published (with `derived`, what its save fills in too).
    Returns (m2m {name: [pk]}, tag names or None)."""
    model = type(item)
    data = draft.data
    fields = data.get("fields", {})
    if fields:
        serialized = json.dumps(
            [{"model": model._meta.label_lower, "pk": item.pk, "fields": fields}]
        )
        try:
            drafted = next(
                serializers.deserialize("json", serialized, ignorenonexistent=True)
            ).object
        except DeserializationError:
            # Values the model can no longer read (its fields changed since): the
            # live values stand, and the comparison shows nothing for them.
            logger.warning("Draft %s could not be read; live values shown.", draft.pk)
            fields, drafted = {}, None
        for name in fields:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue  # removed from the model since the draft was saved
            value = getattr(drafted, field.attname)
            if field.many_to_one and value is not None:
                if not field.related_model._default_manager.filter(pk=value).exists():
                    value = None  # chosen in the draft, deleted since
            if field.is_relation and field.is_cached(item):
                field.delete_cached_value(item)
            setattr(item, field.attname, value)
    for name, stored in data.get("files", {}).items():
        setattr(item, name, stored or None)
    if derived and hasattr(item, "fill_derived_fields"):
        item.fill_derived_fields()
    return data.get("m2m", {}), data.get("tags")


def draft_initial(*, item, draft, form_fields):
    """The change form's initial values with the draft applied (the item is changed in
    memory): the editor continues where the draft left off."""
    from django.forms.models import model_to_dict

    # A summary left blank stays blank in the form: it follows the text until saved.
    m2m, tags = draft_apply(item=item, draft=draft, derived=False)
    model = type(item)
    names = [name for name in form_fields if name not in m2m and name != "tags"]
    initial = {
        name: value
        for name, value in model_to_dict(item, fields=names).items()
        if not model._meta.get_field(name).many_to_many
    }
    initial.update(m2m)
    if tags is not None:
        initial["tags"] = edit_string_for_tags([SimpleNamespace(name=n) for n in tags])
    return initial


def draft_files_for_publishing(*, item, draft):
    """Before publishing: each file the draft uploaded becomes a fresh upload of the
    item, so its save stores (and reads) it as it would a new file."""
    uploads = set(draft.data.get("uploads", []))
    for name in draft.data.get("files", {}):
        current = getattr(item, name)
        if current and current.name in uploads and getattr(current, "_committed", True):
            storage = current.storage
            setattr(
                item,
                name,
                File(
                    storage.open(current.name, "rb"),
                    name=os.path.basename(current.name),
                ),
            )


def draft_remove(*, draft):
    """Remove a draft (published or discarded) and the files only it uploaded."""
    model = draft.content_type.model_class()
    uploads = list(draft.data.get("uploads", []))
    draft.delete()
    transaction.on_commit(lambda: _delete_uploads(model, uploads))


def drafts_delete(*, model, pks):
    """Remove the drafts of deleted items, with their uploads."""
    for draft in ChangeDraft.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=pks
    ):
        draft_remove(draft=draft)


def item_deleted(sender, instance, **kwargs):
    """post_delete of posts and publications (connected in unact/apps.py): an item's
    draft goes with it however it is deleted (the admin, a service, the shell)."""
    drafts_delete(model=sender, pks=[instance.pk])


def file_in_drafts(*, model, name):
    """Whether a draft of an item of the model names this stored file."""
    drafts = ChangeDraft.objects.filter(
        content_type=ContentType.objects.get_for_model(model)
    ).values_list("data", flat=True)
    return any(name in (data.get("files") or {}).values() for data in drafts)


def _delete_uploads(model, names):
    """Delete a draft's uploaded files that nothing else uses (and their renditions):
    no row, no other draft and no revision."""
    file_fields = [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]
    for name in filter(None, names):
        used = any(
            model._default_manager.filter(**{field.name: name}).exists()
            or file_in_revisions(model=model, field_name=field.name, name=name)
            for field in file_fields
        )
        if used or file_in_drafts(model=model, name=name):
            continue
        storage = file_fields[0].storage
        storage.delete(name)
        renditions_delete(storage, name)


def draft_live_changed(*, item, draft):
    """Whether the live version was saved after the draft was started."""
    return item.updated_at is not None and item.updated_at > draft.base_updated_at


def _field_dict(item, m2m=None):
    values = {
        field.name: field.value_from_object(item)
        for field in item._meta.concrete_fields
    }
    for field in item._meta.many_to_many:
        if not field.serialize:
            continue
        if m2m is not None and field.name in m2m:
            values[field.name] = list(m2m[field.name])
        else:
            values[field.name] = [obj.pk for obj in getattr(item, field.name).all()]
    return values


def draft_compare(*, item, draft):
    """What the draft changes, field by field (as revisions are compared)."""
    model = type(item)
    live = _field_dict(item)
    live_tags = (
        sorted(tag.name for tag in item.tags.all()) if hasattr(item, "tags") else None
    )
    drafted = model._default_manager.get(pk=item.pk)
    m2m, tags = draft_apply(item=drafted, draft=draft)
    new = _field_dict(drafted, m2m)
    # Only what the form edits is compared: the rest is the live row's own.
    edited = (
        set(draft.data.get("fields", {})) | set(draft.data.get("files", {})) | set(m2m)
    )
    new = {name: value for name, value in new.items() if name in edited}
    changes = revisions_compare(
        model=model,
        older=SimpleNamespace(field_dict=live),
        newer=SimpleNamespace(field_dict=new),
    )
    if tags is not None and live_tags is not None and sorted(tags) != live_tags:
        changes.append(
            {
                "label": str(_("tags")),
                "old": ", ".join(live_tags) or "—",
                "new": ", ".join(sorted(tags)) or "—",
            }
        )
    return changes
