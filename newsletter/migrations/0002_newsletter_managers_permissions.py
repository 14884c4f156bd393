from django.db import migrations

from posts.permissions import NEWSLETTER_MANAGERS, grant_model_permissions


def grant(apps, schema_editor):
    grant_model_permissions(
        apps, NEWSLETTER_MANAGERS, "newsletter", ["subscriber", "campaign"]
    )
    grant_model_permissions(
        apps, NEWSLETTER_MANAGERS, "newsletter", ["delivery"], actions=("view",)
    )
    # The CSV export of subscribers is for newsletter managers alone.
    grant_model_permissions(
        apps, NEWSLETTER_MANAGERS, "newsletter", ["subscriber"], actions=("export",)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_initial"),
        ("posts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
