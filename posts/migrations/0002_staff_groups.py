from django.db import migrations

from posts.permissions import (
    EDITORS,
    MODERATORS,
    NEWSLETTER_MANAGERS,
    grant_model_permissions,
)


def create_groups(apps, schema_editor):
    grant_model_permissions(apps, EDITORS, "posts", ["post", "category", "image"])
    grant_model_permissions(apps, EDITORS, "taggit", ["tag"])
    Group = apps.get_model("auth", "Group")
    for name in (MODERATORS, NEWSLETTER_MANAGERS):
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0001_initial"),
        (
            "taggit",
            "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx",
        ),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
