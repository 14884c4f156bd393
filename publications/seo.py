"""Structured data (schema.org, JSON-LD) for publications."""

from django.conf import settings
from django.urls import reverse

from unact.seo import absolute

REPORT_KINDS = {"annual-report", "research-report", "brief"}


def publication_structured_data(publication, tags, countries, image=None):
    """Report for reports and briefs, VideoObject for videos, CreativeWork for the rest."""
    url = absolute(publication.get_absolute_url())
    schema_type = "CreativeWork"
    if publication.kind in REPORT_KINDS:
        schema_type = "Report"
    elif publication.video or publication.video_embed_url:
        schema_type = "VideoObject"
    data = {
        "@context": "https://schema.org",
        "@type": schema_type,
        "name": publication.title,
        "headline": publication.title[:110],
        "description": publication.summary,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": publication.publication_date.isoformat(),
        "dateModified": publication.updated_at.isoformat(),
        "inLanguage": publication.language,
        "genre": publication.get_kind_display(),
        "keywords": [tag.name for tag in tags],
        "author": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": settings.SITE_URL + "/",
        },
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": settings.SITE_URL + "/",
        },
    }
    if countries:
        data["spatialCoverage"] = [
            {"@type": "Country", "name": country.local_name} for country in countries
        ]
    if publication.document:
        data["encoding"] = {
            "@type": "MediaObject",
            "encodingFormat": "application/pdf",
            "contentUrl": absolute(
                reverse("publications:download", kwargs={"slug": publication.slug})
            ),
        }
        if publication.file_size:
            data["encoding"]["contentSize"] = f"{publication.file_size} B"
    if schema_type == "VideoObject":
        if publication.video:
            data["contentUrl"] = absolute(publication.video.url)
        else:
            data["embedUrl"] = publication.video_embed_url
        data["uploadDate"] = publication.publication_date.isoformat()
    if image:
        image_url, width, height = image
        data["image"] = {
            "@type": "ImageObject",
            "url": absolute(image_url),
            "width": width,
            "height": height,
        }
        data["thumbnailUrl"] = absolute(image_url)
    return data
