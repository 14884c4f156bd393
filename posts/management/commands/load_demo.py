from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from newsletter import demo as newsletter_demo
from posts import demo as posts_demo
from publications import demo as publications_demo

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "unact-demo"


class Command(BaseCommand):
    help = "Load the demo content of the old UN-ACT site. Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-admin", action="store_true", help="Do not create the demo admin account."
        )

    def handle(self, *args, no_admin=False, **options):
        admin = None
        if not no_admin:
            if not settings.DEBUG and not settings.TESTING:
                raise CommandError(
                    "Refusing to create the demo admin account with DEBUG off. "
                    "Use --no-admin, and createsuperuser for a real account."
                )
            admin = self.ensure_admin()
        with transaction.atomic():
            posts_demo.load(self.stdout, author=admin)
            publications_demo.load(self.stdout)
            newsletter_demo.load(self.stdout)
        if admin:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Admin: {settings.SITE_URL}{reverse('admin:index')} — user “{DEMO_USERNAME}”, "
                    f"password “{DEMO_PASSWORD}” (local demo only)."
                )
            )

    def ensure_admin(self):
        User = get_user_model()
        user = User.objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            user = User.objects.create_superuser(
                DEMO_USERNAME, email="admin@example.org", password=DEMO_PASSWORD
            )
        return user
