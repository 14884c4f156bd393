"""Validators shared by every app that accepts something from a visitor."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.deconstruct import deconstructible
from django.utils.regex_helper import _lazy_re_compile
from django.utils.translation import gettext_lazy as _


@deconstructible
class EmailAddressValidator(EmailValidator):
    """An address that mail from the internet can reach, written the plain way.

    Django's own validator accepts what RFC 5321 allows: `x@localhost`, IP literals
    (`x@[127.0.0.1]`) and quoted local parts (`"<b>hi</b>"@example.org`). None of
    them is a subscriber's real address; the last one carries markup into every
    place that shows addresses. Only dot-atom local parts on a domain with a dot.
    """

    message = _("Enter an email address like name@example.org.")
    # RFC 5322 dot-atom only: no quoted strings.
    user_regex = _lazy_re_compile(
        r"^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*\Z",
        flags=re.IGNORECASE,
    )

    def __init__(self):
        super().__init__(allowlist=[])

    def __call__(self, value):
        value = str(value or "")
        if "@" in value:
            user_part, domain_part = value.rsplit("@", 1)
            if user_part.startswith('"'):
                raise ValidationError(
                    _(
                        "Enter the address without quotation marks, like name@example.org."
                    ),
                    code="quoted",
                    params={"value": value},
                )
            # An address cut short ("dara@") gets the plain example, below.
            if domain_part and (domain_part.startswith("[") or "." not in domain_part):
                raise ValidationError(
                    _(
                        "Enter an address on a mail domain of the internet, like "
                        "name@example.org (not localhost or an IP address)."
                    ),
                    code="not_public",
                    params={"value": value},
                )
        super().__call__(value)

    def validate_domain_part(self, domain_part):
        # No IP literals and no allowlisted single-label names such as localhost.
        return bool(self.domain_regex.match(domain_part))

    def __eq__(self, other):
        return isinstance(other, EmailAddressValidator)


validate_email_address = EmailAddressValidator()
