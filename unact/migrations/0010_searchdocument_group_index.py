# The index that lets search find a matching document's siblings (other editions).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("unact", "0009_fill_search_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="searchdocument",
            name="group",
            field=models.UUIDField(blank=True, db_index=True, null=True),
        ),
    ]
