"""Security plumbing shared by every app: headers, the CSP per path, client IPs, media.

Nothing here knows about a particular app, so comments, publications and the
newsletter get the same headers and media policy without code of their own.
"""

import ipaddress
import mimetypes
import os
import posixpath
import re
from dataclasses import replace

from csp.middleware import CSPMiddleware

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import FileResponse, Http404, HttpResponse
from django.views import static

from unact.urlcache import reverse_memo

# Types a browser may display; everything else is sent as a download.
SNIFF_PROOF_TYPES = {
    "image/svg+xml": "application/octet-stream",
    "text/html": "application/octet-stream",
}


def admin_prefix():
    """The admin's URL prefix (ADMIN_URL), e.g. "/admin/" (asked on every request: memoised)."""
    return reverse_memo("admin:index")


def permissions_policy(features):
    """The Permissions-Policy header for {feature: [origins]} ([] switches it off)."""

    def allowlist(origins):
        return " ".join(
            origin if origin == "self" else f'"{origin}"' for origin in origins
        )

    return ", ".join(
        f"{feature}=({allowlist(origins)})" for feature, origins in features.items()
    )


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with one policy for the admin and one for everything else.

    Under the admin prefix the header carries CONTENT_SECURITY_POLICY_ADMIN (CKEditor 4
    needs 'unsafe-inline'), never no header; the admin never gets a nonce, because a
    nonce would void 'unsafe-inline'. Elsewhere the strict CONTENT_SECURITY_POLICY.
    Every response also gets Permissions-Policy and Cross-Origin-Resource-Policy,
    which Django's SecurityMiddleware does not send.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or not request.path_info.startswith(admin_prefix()):
            return parts
        if parts.config is None:
            parts = replace(
                parts, config=settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
            )
        return replace(parts, nonce=None)

    def process_response(self, request, response):
        response = super().process_response(request, response)
        response.setdefault(
            "Permissions-Policy", permissions_policy(settings.PERMISSIONS_POLICY)
        )
        # Images in newsletters (webmail) and feed readers load from other sites.
        shared = request.path_info.startswith((settings.STATIC_URL, settings.MEDIA_URL))
        response.setdefault(
            "Cross-Origin-Resource-Policy",
            "cross-origin" if shared else settings.CROSS_ORIGIN_RESOURCE_POLICY,
        )
        if request.path_info.startswith(admin_prefix()):
            # Admin pages never belong in a search engine, whatever robots.txt says.
            response.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response


def is_cross_site(request):
    """True when the browser says this request was sent by a page of another site.

    A token-free defence against cross-site request forgery for the forms that
    carry no CSRF token (the newsletter signup, docs/caching.md, "Public forms"). Browsers
    send Sec-Fetch-Site (Fetch Metadata) on every request, and Origin on every POST;
    either one of another site is refused. A request with neither header did not come
    from a current browser's cross-site form, and is allowed.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site in ("same-origin", "none"):
        return False
    if fetch_site == "cross-site":
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    try:
        own = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return True
    return origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS


def _valid_ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""


def client_ip(request):
    """The visitor's IP: REMOTE_ADDR, or the address TRUSTED_PROXY_COUNT proxies saw
    ("" when neither is an IP address: it is stored in IP address columns)."""
    remote_addr = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return _valid_ip(hops[-proxies]) or remote_addr
    return remote_addr


def media_headers(name):
    """(content type, Content-Disposition) for a stored file: only images and PDFs inline."""
    content_type, encoding = mimetypes.guess_type(posixpath.basename(name))
    content_type = content_type or "application/octet-stream"
    if encoding:
        # A .svgz or .tar.gz is an archive to download, never something to render.
        content_type = "application/octet-stream"
    if content_type in settings.MEDIA_INLINE_TYPES:
        return content_type, "inline"
    filename = posixpath.basename(name).replace('"', "").replace("\\", "")
    return SNIFF_PROOF_TYPES.get(
        content_type, content_type
    ), f'attachment; filename="{filename}"'


def serve_media(request, path):
    """Serve an uploaded file from MEDIA_ROOT with a safe type and disposition.

    Odd paths (null bytes, traversal, directories) are a 404, never an error.
    """
    if "\x00" in path or "\\" in path:
        raise Http404("Not found")
    try:
        response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    except (ValueError, OSError) as error:
        raise Http404("Not found") from error
    if response.status_code == 200:
        response["Accept-Ranges"] = "bytes"
        response = _byte_range(request, response) or response
    content_type, disposition = media_headers(path)
    response["Content-Type"] = content_type
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    if path.startswith(settings.IMAGEKIT_CACHEFILE_DIR.rstrip("/") + "/"):
        # A rendition's name is a hash of its source's (random) name and its spec:
        # new content always gets a new name, so browsers may keep it for a year.
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


class _Slice:
    """The next `length` bytes of an open file, read as FileResponse reads a file."""

    def __init__(self, file, length):
        self.file, self.left = file, length

    def read(self, size=-1):
        data = self.file.read(self.left if size < 0 else min(size, self.left))
        self.left -= len(data)
        return data

    def close(self):
        self.file.close()


_SINGLE_RANGE = re.compile(r"bytes=(\d{0,18})-(\d{0,18})")


def _byte_range(request, response):
    """The part of a served file that a `Range: bytes=a-b` header asks for (206), or
    416 when it starts past the end; None (the whole file) for anything else: several
    ranges, a malformed header, or an If-Range the file no longer matches. Safari plays
    a <video> only from a server that answers ranges; Django's static.serve does not."""
    match = _SINGLE_RANGE.fullmatch(request.headers.get("Range", "").strip())
    if not match or match.group(1) == match.group(2) == "":
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range != response.get("Last-Modified"):
        return None
    stream = response.file_to_stream
    size = os.fstat(stream.fileno()).st_size
    first, last = match.group(1), match.group(2)
    if first == "":  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
        if last and int(last) < start:
            return None  # not a valid range: ignored, as RFC 9110 says
    if start >= size or end < start:
        stream.close()
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused

    stream.seek(start)
    partial = FileResponse(_Slice(stream, end - start + 1), status=206)
    for header in ("Last-Modified", "Accept-Ranges", "Cache-Control"):
        if header in response:
            partial[header] = response[header]
    partial["Content-Range"] = f"bytes {start}-{end}/{size}"
    partial["Content-Length"] = str(end - start + 1)
    return partial


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out admin login sees (429): what happened and what to do."""
    from django.contrib import admin
    from django.shortcuts import render

    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, seconds // 60)
    context = {
        **admin.site.each_context(request),
        "cooloff_minutes": minutes,
        "title": None,
    }
    response = render(request, "admin/lockout.html", context, status=429)
    # The longest wait: the lock ends one cool-off after the last failed attempt.
    response["Retry-After"] = str(max(1, seconds))
    response["Cache-Control"] = "no-store"
    return response


def axes_username(request, credentials=None):
    """The username django-axes records, cut to Django's 150 characters.

    Axes stores it in a 255-character column; a longer hostile value would make
    PostgreSQL refuse the row and the log-in page answer 500.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = request.POST.get(field) if request.method == "POST" else None
    return str(username)[:150] if username is not None else None
