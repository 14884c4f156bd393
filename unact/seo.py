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


class EditionSitemap(Sitemap):
    """The pages of a model with language editions (unact/editions.py): in each
    language, the group's edition in it or else its English edition, as lists show
    them; each page's alternates are the addresses of the group's real editions."""

    model = None

    def items(self):
        return (
            self.model.objects.published()
            .only("slug", "updated_at", "language", "translation_key")
            .order_by("pk")
        )

    def _items(self):
        groups = {}
        for edition in self.items():
            groups.setdefault(edition.translation_key, {})[edition.language] = edition
        self._groups = groups
        english = settings.LANGUAGE_CODE
        return [
            (editions.get(code) or editions[english], code)
            for code in self._languages()
            for editions in groups.values()
            if code in editions or english in editions
        ]

    def lastmod(self, item):
        return item.updated_at

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        if not self.alternates:
            return urls
        english = settings.LANGUAGE_CODE
        for url in urls:
            editions = self._groups[url["item"][0].translation_key]
            alternates = []
            for code in self._languages():
                shown = editions.get(code) or editions.get(english)
                if shown is not None:
                    location = absolute(shown.url_in(code))
                    alternates.append({"location": location, "lang_code": code})
                    if code == english:
                        alternates.append(
                            {"location": location, "lang_code": "x-default"}
                        )
            url["alternates"] = alternates
        return urls
