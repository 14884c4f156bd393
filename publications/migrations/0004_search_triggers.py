"""PostgreSQL: the triggers and GIN indexes that keep search vectors current (unact/search/indexing.py).

Nothing happens on other databases: SQLite's development search reads the content
columns directly.
"""

from django.db import migrations

from unact.search.indexing import search_index_install, search_index_uninstall


def install(apps, schema_editor):
    search_index_install(schema_editor.connection)


def uninstall(apps, schema_editor):
    search_index_uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("posts", "0005_post_search_vector"),
        ("publications", "0003_publication_search_vector"),
    ]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
