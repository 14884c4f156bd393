"""Signed tokens for the links in emails (django.core.signing; no database table)."""

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


class InvalidToken(Exception):
    """A token that was tampered with, has expired or no longer matches."""


def confirmation_token(subscriber):
    # The signup time ties the link to this signup: after leaving, an old
    # confirmation link cannot subscribe the address again.
    return signing.dumps(
        [subscriber.pk, int(subscriber.consented_at.timestamp())], salt=CONFIRM_SALT
    )


def read_confirmation_token(token):
    try:
        subscriber_id, stamp = signing.loads(
            token, salt=CONFIRM_SALT, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE
        )
        return int(subscriber_id), int(stamp)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidToken(str(error)) from error


def unsubscribe_token(subscriber_id):
    """Never expires: links in old emails must keep working (RFC 8058)."""
    return signing.dumps(subscriber_id, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token):
    try:
        return int(signing.loads(token, salt=UNSUBSCRIBE_SALT))
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidToken(str(error)) from error


LANGUAGE_SALT = "newsletter.language"


def language_token(subscriber_id):
    """For the "change the language of these emails" link; never expires, like the
    unsubscribe link, and is not accepted in its place (another salt)."""
    return signing.dumps(subscriber_id, salt=LANGUAGE_SALT)


def read_language_token(token):
    try:
        return int(signing.loads(token, salt=LANGUAGE_SALT))
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidToken(str(error)) from error
