from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from unact.twofactor import two_factor_reset


class Command(BaseCommand):
    help = (
        "Remove a person's two-factor devices and recovery codes (a lost phone). They sign in "
        "with their password next time and set up a new authenticator app."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No account named {username!r}.") from None
        count = two_factor_reset(user=user)
        self.stdout.write(
            f"Removed {count} device(s) of {username}; they set up a new one at their next sign-in."
        )
