"""Forms that visitors send from pages any cache may hold.

A page that is the same bytes for every anonymous visitor cannot carry a per-visitor
CSRF token, so public forms (the comment form, the newsletter signup) are protected
otherwise: a POST that a browser marks as sent by another site is refused
(unact.security.is_cross_site, Fetch Metadata and Origin). Signed-in users' pages are
never cached and keep Django's CSRF token and check.

What a visitor may send is small: a body over PUBLIC_POST_MAX_BYTES, or any file part,
is answered 413 before Django reads it (PublicPostLimitMiddleware). Staff, signed in,
may upload what their forms allow (PDFs, images).
"""

from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect


def public_form(view):
    """For a view receiving a form from a cached public page: Django's CSRF check for
    signed-in users (their pages carry the token), none for anyone else; the view
    refuses cross-site posts itself with is_cross_site(), so that it can keep what was
    typed."""
    with_token = csrf_protect(view)

    @wraps(view)
    def protected(request, *args, **kwargs):
        if request.user.is_authenticated:
            return with_token(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return csrf_exempt(protected)


def _is_staff(request):
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def _too_large():
    limit = settings.PUBLIC_POST_MAX_BYTES // 1024
    message = _(
        "This form sent more than this site accepts (%(limit)d KB, and no files). "
        "Nothing was saved. Go back, shorten the text and send it again."
    ) % {"limit": limit}
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class PublicPostLimitMiddleware:
    """413 for a request body from anyone but staff that is larger than
    PUBLIC_POST_MAX_BYTES (judged by its Content-Length, before a byte of it is read) or
    that carries a file part (its small body read to tell). Sits after
    AuthenticationMiddleware and before any view or CSRF check reads the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS") or _is_staff(request):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body without a length it understands
        if length > settings.PUBLIC_POST_MAX_BYTES:
            return _too_large()
        if request.content_type == "multipart/form-data" and length and request.FILES:
            return _too_large()
        return self.get_response(request)
