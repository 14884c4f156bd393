from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Category, Post


class PostSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Post.objects.published().only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class CategorySitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Category.objects.filter(posts__in=Post.objects.published()).distinct()


class StaticSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["home", "posts:list"]

    def location(self, item):
        return reverse(item)
