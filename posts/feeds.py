import io

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _

from .cards import latest_posts
from .models import attach_tag_names


class BufferedFeed(Feed):
    """A Feed written to a string, then sent whole.

    Django's Feed writes each XML event straight to the HttpResponse: about a thousand
    small writes for twenty items, which cost more than building the items. The rest is
    Feed.__call__ as Django has it (Last-Modified for conditional GETs included).
    """

    def __call__(self, request, *args, **kwargs):
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist:
            raise Http404("Feed object does not exist.") from None
        feedgen = self.get_feed(obj, request)
        buffer = io.StringIO()
        feedgen.write(buffer, "utf-8")
        response = HttpResponse(buffer.getvalue(), content_type=feedgen.content_type)
        response.headers["Last-Modified"] = http_date(feedgen.latest_post_date().timestamp())
        return response


class LatestPostsFeed(BufferedFeed):
    title = _("UN-ACT: news and blog")
    link = reverse_lazy("posts:list")
    description = _("News, blog posts and publications of UN-ACT, countering human trafficking in the Greater Mekong Sub-region.")

    def items(self):
        return attach_tag_names(latest_posts(20, timezone.now()))

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        if item.content_warning:
            return _("Content warning: %(warning)s. %(summary)s") % {
                "warning": item.content_warning,
                "summary": item.summary,
            }
        return item.summary

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        names = [item.category.name] if item.category else []
        return names + item.tag_names

    def item_author_name(self):
        return settings.SITE_NAME


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description
