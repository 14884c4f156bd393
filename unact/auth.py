"""The demo account, and the log-in backend that keeps it out of production.

`make run` creates the account DEMO_USERNAME / DEMO_PASSWORD (manage.py load_demo)
in the local database, and one account per review role (DEMO_ROLE_ACCOUNTS) with the
same password; `make serve` or a copied database may run the same rows
with DEBUG off. The backend refuses the demo password whenever DEBUG is off, and
drops a session of the demo account while its password is still the demo one, so the
published password opens nothing on a production server.
"""

from functools import lru_cache

from django.conf import settings
from django.contrib.auth import backends
from django.contrib.auth.hashers import check_password

DEMO_USERNAME = "admin"
# Accounts to try review before publishing under `make run`: {username: group}.
DEMO_ROLE_ACCOUNTS = {"contributor": "Contributors", "publisher": "Publishers"}
DEMO_USERNAMES = frozenset({DEMO_USERNAME, *DEMO_ROLE_ACCOUNTS})
DEMO_PASSWORD = "unact-demo"


@lru_cache(maxsize=256)
def is_demo_password(encoded):
    """True when a stored password hash is the demo password (one hash per process)."""
    return bool(encoded) and check_password(DEMO_PASSWORD, encoded)


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend; with DEBUG off the demo password never signs anyone in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.DEBUG and password == DEMO_PASSWORD:
            return None
        return super().authenticate(
            request, username=username, password=password, **kwargs
        )

    def get_user(self, user_id):
        user = super().get_user(user_id)
        if (
            user is not None
            and not settings.DEBUG
            and user.get_username() in DEMO_USERNAMES
            and is_demo_password(user.password)
        ):
            return None  # a session opened under `make run` ends here
        return user
