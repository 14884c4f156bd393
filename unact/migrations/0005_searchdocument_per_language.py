"""One search document per item and language (a newsletter campaign has one per
edition). The index is filled again by 0008 (the fill moved there: it runs the current
indexing code, which reads the columns 0008 and the edition migrations add).
"""

from django.db import migrations, models


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
    ]
