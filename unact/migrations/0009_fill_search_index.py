"""The search index is filled again, now with the text of each publication's PDF.

The fill runs the current indexing code (unact.search.services), not a frozen copy: the
index is derived data, and `manage.py rebuild_search_index` writes it the same way. It
needs every column that code reads, so it depends on each searched app's latest
migration; a later migration that adds such a column moves the fill after it (it was
in 0008, 0005 and 0004 before).
"""

from django.db import migrations


def fill(apps, schema_editor):
    from unact.search.services import search_index_rebuild

    search_index_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("unact", "0008_searchdocument_group"),
        ("posts", "0009_post_language_post_source_updated_at_and_more"),
        ("publications", "0011_publication_document_text"),
        ("newsletter", "0005_campaign_editions"),
        ("pages", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
