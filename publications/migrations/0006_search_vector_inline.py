"""PostgreSQL: search vectors kept in the table row (STORAGE MAIN).

Ranking reads the vector of every match; out of line (TOAST), each read was an
index lookup and another page (see unact/search/indexing.py). STORAGE applies to
rows as they are written, so the two tables are then rewritten with VACUUM FULL,
which moves the vectors into the rows and leaves no dead rows behind (an UPDATE of
every row would double the table until a vacuum). VACUUM FULL locks each table
while it runs: well under a second for tens of thousands of rows. It cannot run in
a transaction, hence `atomic = False`. Nothing happens on other databases.
"""

from django.db import migrations

from unact.search.indexing import search_index_install

TABLES = ("posts_post", "publications_publication")


def inline(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    search_index_install(connection, refill=False)  # the triggers, now with SET STORAGE MAIN
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM FULL {table}")  # fixed table names


def out_of_line(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN search_vector SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("publications", "0005_cover_clean_image_field")]

    operations = [migrations.RunPython(inline, out_of_line, elidable=False)]
