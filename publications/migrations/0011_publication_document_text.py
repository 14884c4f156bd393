"""Publications keep their PDF's text, for search; the PDFs already stored are read here.

A PDF that cannot be read (or a file missing from storage) keeps an empty text and is
logged; the migration goes on. `manage.py rebuild_search_index` is not needed after it:
unact 0009 fills the index again.
"""

import logging

from django.db import migrations, models

logger = logging.getLogger(__name__)


def read_stored_pdfs(apps, schema_editor):
    from publications.services import pdf_text

    Publication = apps.get_model("publications", "Publication")
    for publication in Publication.objects.exclude(document="").only("document"):
        try:
            with publication.document.open("rb") as stored:
                text = pdf_text(data=stored.read())
        except OSError as error:
            logger.warning("PDF %s not read: %r", publication.document.name, error)
            continue
        if text:
            Publication.objects.filter(pk=publication.pk).update(document_text=text)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0010_publication_source_updated_at_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="document_text",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="Read from the PDF when it is uploaded, so search finds its words.",
                verbose_name="text of the PDF",
            ),
        ),
        migrations.RunPython(
            read_stored_pdfs, migrations.RunPython.noop, elidable=True
        ),
    ]
