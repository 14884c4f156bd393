"""Search documents keep their item's unpublishing time. The index is filled again
by 0005 (the fill moved there: it runs the current indexing code, which reads the
columns 0005 and the apps' edition migrations add)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unact", "0003_editors_manage_redirects"),
        ("posts", "0008_unpublish_at"),
        ("publications", "0009_unpublish_at"),
        ("newsletter", "0004_subscriber_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="unpublish_at",
            field=models.DateTimeField(
                blank=True, help_text="Found until then; blank: always.", null=True
            ),
        ),
    ]
