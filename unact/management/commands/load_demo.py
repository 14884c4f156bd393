from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.module_loading import module_has_submodule

from unact.auth import DEMO_PASSWORD, DEMO_ROLE_ACCOUNTS, DEMO_USERNAME

# The staff groups (posts/permissions.py, unact/review.py) the demo account belongs
# to, so it sees every role's work and receives the moderators' and publishers' notices.
STAFF_GROUPS = ("Editors", "Moderators", "Newsletter managers", "Publishers")


class Command(BaseCommand):
    help = "Load the demo content of the old UN-ACT site. Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-admin",
            action="store_true",
            help="Do not create the demo admin account.",
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
            self.ensure_role_accounts()
        with transaction.atomic():
            # Each app's demo module (<app>/demo.py), in INSTALLED_APPS order: posts
            # before the publications that link to them.
            for module in demo_modules():
                module.load(self.stdout, author=admin)
        if admin:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Admin: {settings.SITE_URL}{reverse('admin:index')} — user “{DEMO_USERNAME}”, "
                    f"password “{DEMO_PASSWORD}” (local demo only)."
                )
            )
            self.stdout.write(
                "To try review before publishing, sign in as "
                + " or ".join(
                    f"“{name}” ({group})" for name, group in DEMO_ROLE_ACCOUNTS.items()
                )
                + " with the same password."
            )

    def ensure_admin(self):
        User = get_user_model()
        user = User.objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            user = User.objects.create_superuser(
                DEMO_USERNAME, email="admin@example.org", password=DEMO_PASSWORD
            )
        user.groups.add(*Group.objects.filter(name__in=STAFF_GROUPS))
        return user

    def ensure_role_accounts(self):
        """A staff account in each review role's group (unact/review.py), not superusers."""
        User = get_user_model()
        for username, group in DEMO_ROLE_ACCOUNTS.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username,
                    email=f"{username}@example.org",
                    password=DEMO_PASSWORD,
                    is_staff=True,
                )
            user.groups.add(Group.objects.get(name=group))


def demo_modules():
    """The `demo` module of every installed app that has one."""
    return [
        import_module(f"{config.name}.demo")
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, "demo")
    ]
