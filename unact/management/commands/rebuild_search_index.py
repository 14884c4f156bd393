from django.core.management.base import BaseCommand
from django.db import connection

from unact.search.services import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Rewrite the search triggers with the current SEARCH_CONFIG and recompute the "
        "search vector of every post and publication (PostgreSQL). Safe to run at any time."
    )

    def handle(self, *args, **options):
        counts = search_index_rebuild()
        if not counts:
            self.stdout.write(
                f"Nothing to do on {connection.vendor}: the development search reads the content directly."
            )
            return
        for table, count in counts.items():
            self.stdout.write(f"{table}: {count} rows reindexed.")
        self.stdout.write(self.style.SUCCESS("Search index rebuilt."))
