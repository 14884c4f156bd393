"""Tags (django-taggit) read in bulk, for every app's lists and feeds."""

from taggit.models import Tag, TaggedItem

from django.contrib.contenttypes.models import ContentType
from django.utils.text import slugify


def attach_tag_names(objects):
    """Give each object of a list `tag_names`, in one query for the whole list.

    For feeds and lists: taggit's prefetch builds an ORM queryset per object, which
    cost more than the rest of a feed together.
    """
    objects = list(objects)
    names = {obj.pk: [] for obj in objects}
    if objects:
        rows = (
            TaggedItem.objects.filter(
                content_type=ContentType.objects.get_for_model(objects[0]),
                object_id__in=names,
            )
            .order_by("tag__name")
            .values_list("object_id", "tag__name")
        )
        for object_id, name in rows:
            names[object_id].append(name)
    for obj in objects:
        obj.tag_names = names[obj.pk]
    return objects


def tags_named(names):
    """Tags by name, ordered by name, for a preview: the stored ones, and unsaved ones
    (with the slug they would get) for names no item uses yet."""
    stored = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return sorted(
        (
            stored.get(name) or Tag(name=name, slug=slugify(name, allow_unicode=True))
            for name in set(names)
        ),
        key=lambda tag: tag.name,
    )
