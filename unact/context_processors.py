from django.conf import settings

from unact.i18n import content_lang_attr


def site(request):
    """Site-wide values every template may use."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "QUICK_EXIT_URL": settings.QUICK_EXIT_URL,
        # ` lang="en"` on content elements when the page is in another language.
        "CONTENT_LANG": content_lang_attr(),
    }
