from django.db.models import Max
from django.urls import reverse

from unact.seo import Sitemap

from .models import Campaign


class CampaignSitemap(Sitemap):
    """Sent editions in the public archive; an edition does not change once sent."""

    changefreq = "yearly"

    def items(self):
        return Campaign.objects.archived().only("slug", "sent_at")

    def lastmod(self, item):
        return item.sent_at


class NewsletterPagesSitemap(Sitemap):
    """The newsletter page and the archive change when an edition is sent."""

    changefreq = "monthly"

    def items(self):
        return ["newsletter:page", "newsletter:archive"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        if not hasattr(self, "_last_sent_at"):
            self._last_sent_at = Campaign.objects.archived().aggregate(
                last=Max("sent_at")
            )["last"]
        return self._last_sent_at
