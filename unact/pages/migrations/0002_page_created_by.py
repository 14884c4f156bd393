# Who created each page (contributors change only their own drafts), filled from the admin's log.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from unact.publishing import created_by_from_admin_log


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("pages", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="page",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.RunPython(
            created_by_from_admin_log("pages", "page"), migrations.RunPython.noop
        ),
    ]
