"""On SQLite, English documents' words are stored as their stems (search's matching on
SQLite stems English as PostgreSQL's english configuration does): the index is written
again there. PostgreSQL's rows are unchanged, so nothing runs on it.

As 0009, the fill runs the current indexing code (the index is derived data, and
`manage.py rebuild_search_index` writes it the same way), after each searched app's
latest migration.
"""

from django.db import migrations


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        return
    from unact.search.services import search_index_rebuild

    search_index_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("unact", "0011_change_draft"),
        ("posts", "0011_comment_language"),
        ("publications", "0012_publication_created_by"),
        ("newsletter", "0005_campaign_editions"),
        ("pages", "0002_page_created_by"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
