"""Search documents keep their item's unpublishing time.

The index was filled again here by the current indexing code (unact.search.services),
not a frozen copy: the index is derived data, and `manage.py rebuild_search_index`
writes it the same way. It needs every column that code reads, so it depends on each
searched app's latest migration; a later migration that adds such a column moves the
fill after it, as 0005 did (the campaigns' editions).
"""

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
