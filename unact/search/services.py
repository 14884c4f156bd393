from django.db import connection, transaction

from .indexing import search_index_install


def search_index_rebuild():
    """Rewrite the search triggers with the current SEARCH_CONFIG and recompute every vector.

    Returns {table: rows recomputed}; {} on SQLite, whose search needs no index.
    """
    with transaction.atomic():
        return search_index_install(connection)
