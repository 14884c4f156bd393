"""The consent sentence visitors agree to, versioned: every subscriber records both."""

from django.utils.translation import gettext_lazy as _

# Change the text? Add a new version and point CURRENT_VERSION at it; earlier
# subscribers keep the version and the exact text they agreed to.
CONSENT_TEXTS = {
    "2025-1": _(
        "I agree to receive the UN-ACT newsletter by email. I can leave at any time "
        "with the link in every email. My address is used for nothing else."
    ),
}
CURRENT_VERSION = "2025-1"


def current_consent():
    return CURRENT_VERSION, str(CONSENT_TEXTS[CURRENT_VERSION])
