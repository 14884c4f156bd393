"""Filled the search index from the content already in the database.

The fill now runs in 0004_searchdocument_unpublish_at: it runs the current indexing
code (unact.search.services), which reads and writes columns that later migrations
add (the unpublishing time), so it must run after them.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("unact", "0001_search_document"),
        ("posts", "0007_remove_search_vector"),
        ("publications", "0007_remove_search_vector"),
        ("newsletter", "0002_newsletter_managers_permissions"),
    ]

    operations = []
