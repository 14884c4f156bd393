"""Site-wide middleware: a readable 405 page, and gzip for text only."""

from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render

# What gains from gzip: pages, feeds, the sitemap, text files. Images, films and PDFs
# are compressed already.
COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
)


class ReadableMethodNotAllowedMiddleware:
    """A 405 (a POST to a page, a form's address opened by hand) as a page people can
    read, with the way back, instead of Django's empty body. The Allow header stays."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response["Allow"]
        return page


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for text only. A film, a cover or a PDF is sent as it is
    stored, with its Content-Length (download progress) and the exact bytes a Range
    asks for; gzipping them again would cost CPU on every request and gain nothing."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if response.status_code == 206 or not content_type.startswith(
            COMPRESSIBLE_TYPES
        ):
            return response
        return super().process_response(request, response)
