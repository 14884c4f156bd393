from django.conf import settings
from django.core.management.base import BaseCommand

from posts.services import comment_data_purge


class Command(BaseCommand):
    help = (
        "Erase commenters' IP addresses and user agents older than COMMENTS_IP_RETENTION_DAYS, "
        "drop IP blocks of that age, and delete spam of that age. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would change; change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        result = comment_data_purge(dry_run=dry_run)
        prefix = "Would erase" if dry_run else "Erased"
        self.stdout.write(
            f"{prefix} IP address and user agent of {result.comments_anonymised} comment(s) "
            f"older than {settings.COMMENTS_IP_RETENTION_DAYS} days; "
            f"IP address of {result.blocks_anonymised} block(s) kept by email; "
            f"{result.blocks_deleted} IP-only block(s) and {result.spam_deleted} spam comment(s) "
            f"{'would be ' if dry_run else ''}deleted."
        )
