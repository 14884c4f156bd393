"""Fills the search index from the content already in the database.

It runs the current indexing code (unact.search.services), not a frozen copy: the
index is derived data, and `manage.py rebuild_search_index` writes it the same way.
"""

from django.db import migrations


def fill(apps, schema_editor):
    from unact.search.services import search_index_rebuild

    search_index_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("unact", "0001_search_document"),
        ("posts", "0007_remove_search_vector"),
        ("publications", "0007_remove_search_vector"),
        ("newsletter", "0002_newsletter_managers_permissions"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
