"""Structured data (schema.org, JSON-LD) for search engines and link previews."""

from django.conf import settings

from unact.seo import absolute


def post_structured_data(post, tags, image=None):
    """BlogPosting for blog posts, NewsArticle for everything else."""
    is_blog = post.category is not None and post.category.slug == "blog"
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting" if is_blog else "NewsArticle",
        "headline": post.title[:110],
        "description": post.summary,
        "datePublished": post.publish_at.isoformat(),
        "dateModified": post.updated_at.isoformat(),
        "mainEntityOfPage": absolute(post.get_absolute_url()),
        "url": absolute(post.get_absolute_url()),
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": settings.SITE_URL + "/",
        },
        "author": {"@type": "Organization", "name": settings.SITE_NAME},
        "keywords": [tag.name for tag in tags],
    }
    if post.category:
        data["articleSection"] = post.category.name
    if image:
        url, width, height = image
        data["image"] = {
            "@type": "ImageObject",
            "url": absolute(url),
            "width": width,
            "height": height,
        }
    return data
