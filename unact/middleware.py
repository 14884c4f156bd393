"""Site-wide answers to requests no view takes."""

from django.shortcuts import render


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
