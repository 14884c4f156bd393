"""Feeds shared by every app."""

import io

from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.http import http_date

from unact.seo import absolute


class BufferedFeed(Feed):
    """A Feed written to a string, then sent whole, whose addresses start with SITE_URL.

    Django's Feed writes each XML event straight to the HttpResponse: about a thousand
    small writes for twenty items, which cost more than building the items. The rest is
    Feed.__call__ as Django has it (Last-Modified for conditional GETs included).

    Django's Feed puts the Site row's domain and the request's scheme before relative
    links; the links here are absolute already, from SITE_URL, as in pages and the
    sitemap (the Site row follows SITE_URL only when migrate runs).
    """

    # The page the feed follows (its <link>) and the feed's own address, by URL name.
    page_url_name = None
    feed_url_name = None

    def link(self):
        return absolute(reverse(self.page_url_name))

    def feed_url(self):
        return absolute(reverse(self.feed_url_name))

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def __call__(self, request, *args, **kwargs):
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist:
            raise Http404("Feed object does not exist.") from None
        feedgen = self.get_feed(obj, request)
        buffer = io.StringIO()
        feedgen.write(buffer, "utf-8")
        response = HttpResponse(buffer.getvalue(), content_type=feedgen.content_type)
        response.headers["Last-Modified"] = http_date(
            feedgen.latest_post_date().timestamp()
        )
        return response
