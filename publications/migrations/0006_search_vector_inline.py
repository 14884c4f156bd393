"""Formerly: the search vectors of posts and publications kept in the table row.

Those columns are gone (unact/0001_search_document and the migrations after it).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("publications", "0005_cover_clean_image_field")]

    operations = []
