from django.db.models import Max
from django.urls import reverse

from unact.seo import EditionSitemap, Sitemap

from .models import Publication


class PublicationSitemap(EditionSitemap):
    changefreq = "monthly"
    model = Publication


class PublicationListSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["publications:list"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return Publication.objects.published().aggregate(last=Max("updated_at"))["last"]
