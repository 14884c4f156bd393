"""Tags (django-taggit) read in bulk, for every app's lists and feeds."""

from taggit.models import TaggedItem

from django.contrib.contenttypes.models import ContentType


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
