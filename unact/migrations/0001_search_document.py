"""The search index table (unact.SearchDocument) and, on PostgreSQL, its GIN index.

Also drops what search used before, where a database has it: the triggers and
functions that kept vectors inside posts_post and publications_publication (their
columns go in posts/0007 and publications/0007, which come after this).
"""

import django.contrib.postgres.search
from django.db import migrations, models


OLD_SEARCH = """
DROP TRIGGER IF EXISTS unact_search_taggeditem ON taggit_taggeditem;
DROP TRIGGER IF EXISTS unact_search_tag_rename ON taggit_tag;
DROP TRIGGER IF EXISTS posts_post_search_vector ON posts_post;
DROP TRIGGER IF EXISTS publications_publication_search_vector ON publications_publication;
DROP FUNCTION IF EXISTS unact_taggeditem_touch();
DROP FUNCTION IF EXISTS unact_tag_rename_touch();
DROP FUNCTION IF EXISTS posts_post_search_vector();
DROP FUNCTION IF EXISTS publications_publication_search_vector();
DROP FUNCTION IF EXISTS unact_tag_text(text, text, bigint);
DROP FUNCTION IF EXISTS unact_html_to_text(text);
DROP INDEX IF EXISTS posts_post_search_gin;
DROP INDEX IF EXISTS publications_publication_search_gin;
"""
# The vector is kept in the row (STORAGE MAIN): ranking reads the vector of every match,
# and with the body beside it the row passes 2 kB, when PostgreSQL would otherwise
# compress the vector (decompressed at every read) or move it out of line. The texts
# go out of line instead; they are read for the page's ten results only. Measured on
# the benchmark data (1,210 matches for "trafficking"): the page's query went from
# 6.5 ms to 2.3 ms, the facet counts from 4.0 ms to 1.0 ms.
GIN_INDEX = """
CREATE INDEX unact_searchdocument_vector_gin ON unact_searchdocument USING gin (search_vector);
ALTER TABLE unact_searchdocument ALTER COLUMN search_vector SET STORAGE MAIN;
"""


def postgresql_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("posts", "0006_post_comment_count"),
        ("publications", "0006_search_vector_inline"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("post", "Post"),
                            ("publication", "Publication"),
                            ("edition", "Edition"),
                        ],
                        max_length=12,
                    ),
                ),
                ("object_id", models.PositiveBigIntegerField()),
                ("language", models.CharField(blank=True, max_length=10)),
                ("url", models.CharField(max_length=300)),
                ("title", models.CharField(max_length=300)),
                ("summary", models.TextField(blank=True)),
                (
                    "body",
                    models.TextField(
                        blank=True, help_text="Plain text of the body, for excerpts."
                    ),
                ),
                ("category", models.SlugField(blank=True, max_length=100)),
                ("category_name", models.CharField(blank=True, max_length=100)),
                ("publication_kind", models.CharField(blank=True, max_length=20)),
                ("published_at", models.DateTimeField()),
                (
                    "date",
                    models.DateField(
                        help_text="The local day of publication (shown, and the year facet)."
                    ),
                ),
                ("year", models.PositiveSmallIntegerField()),
                (
                    "config",
                    models.CharField(
                        help_text="PostgreSQL text-search configuration.", max_length=20
                    ),
                ),
                ("title_words", models.TextField(blank=True)),
                ("summary_words", models.TextField(blank=True)),
                ("body_words", models.TextField(blank=True)),
                (
                    "search_vector",
                    django.contrib.postgres.search.SearchVectorField(
                        editable=False, null=True
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "object_id"), name="search_document_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(postgresql_only(OLD_SEARCH), migrations.RunPython.noop),
        migrations.RunPython(
            postgresql_only(GIN_INDEX),
            postgresql_only("DROP INDEX IF EXISTS unact_searchdocument_vector_gin"),
        ),
    ]
