from django.http import Http404
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from .models import Page


def _may_preview(request):
    """Visitors see published pages; staff who may edit pages also see drafts."""
    return request.user.is_authenticated and request.user.has_perm("pages.change_page")


@require_safe
def page_detail(request, path):
    page = Page.objects.select_related("parent").filter(path=path).first()
    if page is None or not (page.is_published or _may_preview(request)):
        # The language switcher of the 404 page then leads to the front pages.
        request.no_page_here = True
        raise Http404(_("No page is published at this address."))
    context = {
        "page": page,
        "subpages": Page.objects.published()
        .filter(parent=page)
        .only("title", "path", "summary")
        .order_by("menu_order", "title"),
        "is_preview": not page.is_published,
    }
    response = render(request, "pages/page_detail.html", context)
    if context["is_preview"]:
        # Staff previews of drafts must never sit in any cache.
        add_never_cache_headers(response)
    return response
