from django.db import migrations

from posts.permissions import MODERATORS, grant_model_permissions


def grant_comment_permissions(apps, schema_editor):
    grant_model_permissions(
        apps, MODERATORS, "posts", ["comment", "blockedword", "blockedcommenter"]
    )


class Migration(migrations.Migration):
    dependencies = [("posts", "0003_comments"), ("posts", "0002_staff_groups")]

    operations = [
        migrations.RunPython(grant_comment_permissions, migrations.RunPython.noop)
    ]
