"""One search document per item and language (a newsletter campaign has one per
edition), and the index filled again.

The fill moves here from 0004 (see its docstring): the indexing code now reads the
campaigns' editions (newsletter 0005), so it runs after that migration.
"""

from django.db import migrations, models


def fill(apps, schema_editor):
    from unact.search.services import search_index_rebuild

    search_index_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("unact", "0004_searchdocument_unpublish_at"),
        ("newsletter", "0005_campaign_editions"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="searchdocument",
            name="search_document_unique",
        ),
        migrations.AddConstraint(
            model_name="searchdocument",
            constraint=models.UniqueConstraint(
                fields=("kind", "object_id", "language"),
                name="search_document_unique_per_language",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
