"""Structured data (schema.org, JSON-LD) and absolute addresses shared by every app."""

from django.conf import settings


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
