from unact.seo import Sitemap

from .models import Page


class PageSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Page.objects.published().only("path", "updated_at").order_by("path")

    def lastmod(self, item):
        return item.updated_at
