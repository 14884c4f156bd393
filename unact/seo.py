"""Structured data (schema.org, JSON-LD), absolute addresses and the sitemap base class.

Every absolute address starts with SITE_URL, the site's one public origin, never
with the Host header of a request (which a client chooses).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import sitemaps

from .i18n import public_languages


def absolute(path):
    return (
        path if path.startswith(("http://", "https://")) else settings.SITE_URL + path
    )


def organization_data():
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": "UN-ACT — United Nations Action for Cooperation against Trafficking in Persons",
        "alternateName": settings.SITE_NAME,
        "url": settings.SITE_URL + "/",
        "logo": absolute(settings.STATIC_URL + "img/favicon.svg"),
        "areaServed": [
            "Cambodia",
            "China",
            "Lao PDR",
            "Myanmar",
            "Thailand",
            "Viet Nam",
        ],
    }


class Sitemap(sitemaps.Sitemap):
    """Django's Sitemap, its addresses on SITE_URL rather than on the request's host,
    each page once per public language with its other languages (hreflang) and
    x-default (the English page) beside it."""

    i18n = True
    x_default = True

    @property
    def alternates(self):
        return len(self._languages()) > 1

    def _languages(self):
        return [code for code, _name in public_languages()]

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            # Django finds x-default by cutting "/en/" out of the address; English has
            # no prefix here, so x-default is the English alternate as it is.
            english = next(
                (
                    a["location"]
                    for a in url["alternates"]
                    if a["lang_code"] == settings.LANGUAGE_CODE
                ),
                None,
            )
            for alternate in url["alternates"]:
                if alternate["lang_code"] == "x-default" and english:
                    alternate["location"] = english
        return urls

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc
