"""Structured data (schema.org, JSON-LD) for the newsletter's public archive."""

from django.conf import settings

from unact.seo import absolute


def campaign_structured_data(campaign, edition=None):
    """An edition of the newsletter: a PublicationIssue of the periodical, in the
    language of the edition shown (the campaign's own English one by default)."""
    edition = edition or campaign
    url = absolute(campaign.get_absolute_url())
    organization = {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": settings.SITE_URL + "/",
    }
    data = {
        "@context": "https://schema.org",
        "@type": "PublicationIssue",
        "name": edition.subject,
        "description": edition.summary,
        "inLanguage": edition.language,
        "url": url,
        "mainEntityOfPage": url,
        "dateModified": campaign.updated_at.isoformat(),
        "author": organization,
        "publisher": organization,
        "isPartOf": {
            "@type": "Periodical",
            "name": f"{settings.SITE_NAME} newsletter",
            "publisher": organization,
        },
    }
    if campaign.sent_at:
        data["datePublished"] = campaign.sent_at.isoformat()
    return data
