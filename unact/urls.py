from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from newsletter.sitemaps import CampaignSitemap, NewsletterPagesSitemap
from posts import views as post_views
from posts.feeds import LatestPostsAtomFeed, LatestPostsFeed
from posts.sitemaps import CategorySitemap, PostSitemap, StaticSitemap
from publications.sitemaps import PublicationListSitemap, PublicationSitemap
from unact.pages import views as page_views
from unact.pages.sitemaps import PageSitemap

from . import views
from .i18n import public_patterns
from .security import serve_media

sitemaps = {
    "static": StaticSitemap,
    "posts": PostSitemap,
    "categories": CategorySitemap,
}
sitemaps.update(
    {"publication-list": PublicationListSitemap, "publications": PublicationSitemap}
)
sitemaps.update(
    {"newsletter": NewsletterPagesSitemap, "newsletter-archive": CampaignSitemap}
)
sitemaps["pages"] = PageSitemap

# The public site, in each language: English without a prefix (every address it always
# had), the others under /th/, /km/... (unact/i18n.py, docs/translation.md).
urlpatterns = public_patterns(
    path("", post_views.home, name="home"),
    path("posts/", include("posts.urls")),
    path("publications/", include("publications.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("search/", include("unact.search.urls")),
    # Feeds and the sitemap take GET and HEAD only: a POST gets the readable 405.
    path("feed/", require_safe(LatestPostsFeed()), name="feed"),
    path("feed/atom/", require_safe(LatestPostsAtomFeed()), name="feed-atom"),
    path("safety/", TemplateView.as_view(template_name="safety.html"), name="safety"),
)
# One address each, whatever the language.
urlpatterns += [
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": sitemaps}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        f"{settings.ADMIN_URL}posts/image/browse/",
        # Under the admin's rules (staff, the second factor), as the admin's own views.
        admin.site.admin_view(post_views.image_browser),
        name="image-browser",
    ),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")),
            serve_media,
            name="media",
        )
    ]

if settings.BENCH_CEILING_VIEW:
    # The benchmark's ceiling (bench/page_bench.py); production never sets it.
    urlpatterns += [path("bench/ceiling/", views.bench_ceiling, name="bench-ceiling")]

# Editable pages (unact/pages/), in each language: /about/, /th/where-we-work/cambodia/.
# Last, so every address above wins; a page may not take their first segments
# (unact.pages.models.reserved_slugs).
urlpatterns += public_patterns(
    re_path(
        r"^(?P<path>[-a-zA-Z0-9_]+(?:/[-a-zA-Z0-9_]+){0,2})/$",
        page_views.page_detail,
        name="page",
    ),
)

handler500 = "unact.views.server_error"
