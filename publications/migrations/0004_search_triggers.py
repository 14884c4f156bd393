"""Formerly: the triggers that kept search vectors in posts and publications current.

Search now has an index table of its own (unact.SearchDocument, migration
unact/0001_search_document, which drops these triggers where they were installed).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        (
            "taggit",
            "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx",
        ),
        ("posts", "0005_post_search_vector"),
        ("publications", "0003_publication_search_vector"),
    ]

    operations = []
