from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from unact.feeds import BufferedFeed
from unact.seo import absolute
from unact.tagging import attach_tag_names

from .models import Publication


class LatestPublicationsFeed(BufferedFeed):
    """New publications; each PDF is attached as an enclosure."""

    title = _("UN-ACT: publications")
    page_url_name = "publications:list"
    feed_url_name = "publications:feed"
    description = _(
        "Reports, newsletters, briefs and videos from UN-ACT, countering human trafficking in the Greater Mekong Sub-region."
    )

    def items(self):
        return attach_tag_names(
            Publication.objects.published()
            .for_language(get_language())
            .defer("description", "document_text")[:20]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_kind_display()] + item.tag_names

    def item_author_name(self):
        return settings.SITE_NAME

    def item_enclosure_url(self, item):
        if not item.document:
            return None
        # The counted download, not the file under MEDIA_URL. Enclosures must be
        # absolute; Django's Feed adds the domain to links only.
        return absolute(reverse("publications:download", kwargs={"slug": item.slug}))

    def item_enclosure_length(self, item):
        return item.file_size if item.document else None

    def item_enclosure_mime_type(self, item):
        return "application/pdf" if item.document else None
