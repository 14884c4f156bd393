from django.db.models import Max
from django.urls import reverse

from unact.seo import Sitemap

from .models import Publication


class PublicationSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Publication.objects.published().only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class PublicationListSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["publications:list"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Publication.objects.published().aggregate(last=Max("updated_at"))["last"]
