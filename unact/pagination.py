"""The one way lists are paginated: bad or out-of-range page numbers give a valid page.

Such a page is not stored by the page cache (unact/pagecache.py): only the addresses of
real pages (`?page=3`, not `?page=abc` or `?page=99999`) may make cache entries, so
made-up page numbers cannot fill the cache.
"""

from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset, per_page=None, count=None):
    """A page of the queryset for the request's ?page=. A caller that already knows how
    many items there are passes `count`, saving a query."""
    paginator = Paginator(queryset, per_page or settings.POSTS_PER_PAGE)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(request.GET.get("page"))
    note_corrected_page(request, page)
    return page


def note_corrected_page(request, page):
    """Mark a request whose ?page= is not the address of the page it got (`abc`, `01`,
    `99999`): it is answered, but the page cache never stores it."""
    asked = request.GET.get("page")
    if asked is not None and asked != str(page.number):
        request.page_number_corrected = True
