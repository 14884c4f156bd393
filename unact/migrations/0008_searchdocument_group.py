"""Search documents know their item's translation group.

The index's fill moved on to 0009 (it was here, and before that in 0005 and 0004): the
indexing code now also reads the publications' PDF text (publications 0011).

The fill runs the current indexing code (unact.search.services), not a frozen copy: the
index is derived data, and `manage.py rebuild_search_index` writes it the same way. It
needs every column that code reads, so it depends on each searched app's latest
migration; a later migration that adds such a column moves the fill after it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unact", "0007_alter_searchdocument_kind"),
        ("posts", "0009_post_language_post_source_updated_at_and_more"),
        ("publications", "0010_publication_source_updated_at_and_more"),
        ("newsletter", "0005_campaign_editions"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="group",
            field=models.UUIDField(blank=True, null=True),
        ),
    ]
