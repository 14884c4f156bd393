"""Email backends as third-party packages write them: no smtplib connection inside.

A provider's HTTP API backend (Anymail, django-ses, ...) subclasses BaseEmailBackend
and sends each EmailMessage itself; these stand for them in tests.
"""

from django.core.mail.backends.base import BaseEmailBackend

sent = []


class ProviderAPIBackend(BaseEmailBackend):
    """Accepts every message, as a provider's API answers 200; has no `.connection`."""

    def send_messages(self, email_messages):
        for message in email_messages:
            sent.append(message.message().as_bytes())
        return len(email_messages)


class FailingAPIBackend(BaseEmailBackend):
    """A provider's API that refuses every message (an expired API key)."""

    def send_messages(self, email_messages):
        raise RuntimeError("401 Unauthorized: API key expired")
