"""Signals that keep the search index current (connected by unact.apps.UnactConfig.ready).

Saves and deletes of posts, publications and newsletter campaigns (and of a
campaign's editions in other languages), a renamed
category, tags added to or removed from an item, and a renamed tag each write the
documents concerned again through unact.search.services. Writes that send no
signal (`queryset.update()`, `bulk_create`) call `search_documents_refresh` in the
service that makes them; `rebuild_search_index` repairs anything else.
"""

from taggit.models import Tag, TaggedItem

from django.db.models.signals import m2m_changed, post_delete, post_save


def _searched_models():
    from .services import SOURCES

    return SOURCES


def _item_changed(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: rebuild_search_index afterwards
        return
    from .services import search_document_update

    search_document_update(instance=instance)


def _category_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from posts.models import Post

    from .services import search_documents_refresh

    search_documents_refresh(
        model=Post,
        pks=Post.objects.filter(category=instance).values_list("pk", flat=True),
    )


def _tags_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from .services import search_document_update

    if not reverse and type(instance) in _searched_models():
        search_document_update(instance=instance)


def _tag_saved(sender, instance, raw=False, created=False, **kwargs):
    if raw or created:
        return
    from .services import search_documents_refresh

    for model in _searched_models():
        if hasattr(model, "tags"):
            tagged = TaggedItem.objects.filter(
                tag=instance,
                content_type__app_label=model._meta.app_label,
                content_type__model=model._meta.model_name,
            )
            search_documents_refresh(
                model=model, pks=tagged.values_list("object_id", flat=True)
            )


def connect():
    from posts.models import Category

    for model in _searched_models():
        post_save.connect(
            _item_changed, sender=model, dispatch_uid=f"search-save-{model._meta.label}"
        )
        post_delete.connect(
            _item_changed,
            sender=model,
            dispatch_uid=f"search-delete-{model._meta.label}",
        )
    # A campaign's edition in another language is part of its campaign's documents.
    from newsletter.models import CampaignEdition

    post_save.connect(
        _item_changed, sender=CampaignEdition, dispatch_uid="search-save-edition"
    )
    post_delete.connect(
        _item_changed, sender=CampaignEdition, dispatch_uid="search-delete-edition"
    )
    post_save.connect(_category_saved, sender=Category, dispatch_uid="search-category")
    m2m_changed.connect(_tags_changed, sender=TaggedItem, dispatch_uid="search-tags")
    post_save.connect(_tag_saved, sender=Tag, dispatch_uid="search-tag-rename")
