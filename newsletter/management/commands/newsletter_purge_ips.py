from django.conf import settings
from django.core.management.base import BaseCommand

from newsletter.services import subscriber_ips_purge


class Command(BaseCommand):
    help = "Erase the client IP of newsletter consents older than NEWSLETTER_IP_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Override the retention period."
        )

    def handle(self, *args, days=None, **options):
        erased = subscriber_ips_purge(older_than_days=days)
        retention = settings.NEWSLETTER_IP_RETENTION_DAYS if days is None else days
        self.stdout.write(f"Erased {erased} IP addresses older than {retention} days.")
