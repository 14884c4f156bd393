"""Structured data (schema.org, JSON-LD), absolute addresses and the sitemap base class.

Every absolute address starts with SITE_URL, the site's one public origin, never
with the Host header of a request (which a client chooses).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import sitemaps


def absolute(path):
    return path if path.startswith(("http://", "https://")) else settings.SITE_URL + path


def organization_data():
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": "UN-ACT — United Nations Action for Cooperation against Trafficking in Persons",
        "alternateName": settings.SITE_NAME,
        "url": settings.SITE_URL + "/",
        "logo": absolute(settings.STATIC_URL + "img/favicon.svg"),
        "areaServed": ["Cambodia", "China", "Lao PDR", "Myanmar", "Thailand", "Viet Nam"],
    }


class Sitemap(sitemaps.Sitemap):
    """Django's Sitemap, its addresses on SITE_URL rather than on the request's host."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc
