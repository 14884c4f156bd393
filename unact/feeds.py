"""Feeds shared by every app."""

import io

from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.utils.http import http_date


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
        response.headers["Last-Modified"] = http_date(
            feedgen.latest_post_date().timestamp()
        )
        return response
