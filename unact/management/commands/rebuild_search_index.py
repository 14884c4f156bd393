import sys

from django.core.management.base import BaseCommand

from unact.search.services import search_index_rebuild


class Command(BaseCommand):
    help = (
        "Write the search index again from every published post, publication and newsletter "
        "edition (after a restore, a change of SEARCH_CONFIG or of the word splitting, or "
        "writes made with queryset.update() outside the services). Searches see the old index "
        "until it is done."
    )

    def handle(self, *args, **options):
        interactive = (
            self.stdout.isatty()
            if hasattr(self.stdout, "isatty")
            else sys.stdout.isatty()
        )
        counts = search_index_rebuild(
            progress=self._progress_bar if interactive else None
        )
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count} documents indexed.")
        self.stdout.write(self.style.SUCCESS("Search index rebuilt."))

    def _progress_bar(self, kind, done, total, width=40):
        filled = width * done // total if total else width
        self.stdout.write(
            f"\r{kind:<12} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
            ending="",
        )
        if done >= total:
            self.stdout.write("")
