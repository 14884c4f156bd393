from django.db.models import Max
from django.urls import reverse

from unact.seo import EditionSitemap, Sitemap

from .models import Category, Post


class PostSitemap(EditionSitemap):
    changefreq = "monthly"
    model = Post


class CategorySitemap(Sitemap):
    """A category page changes when one of its published posts does."""

    changefreq = "weekly"

    def items(self):
        return (
            Category.objects.filter(posts__in=Post.objects.published())
            .annotate(last_changed_at=Max("posts__updated_at"))
            .order_by("name")
        )

    def lastmod(self, item):
        return item.last_changed_at


class StaticSitemap(Sitemap):
    """The front page and the list of all posts change with the newest published post."""

    changefreq = "daily"

    def items(self):
        return ["home", "posts:list"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        if not hasattr(self, "_last_changed_at"):
            self._last_changed_at = Post.objects.published().aggregate(
                last=Max("updated_at")
            )["last"]
        return self._last_changed_at
