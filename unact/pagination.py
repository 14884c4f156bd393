"""The one way lists are paginated: bad or out-of-range page numbers give a valid page.

paginate() takes a queryset (Django's Paginator counts it). A list that comes a page at
a time with its total, from one statement (search, lists of post cards), goes through
PageRows: the page most likely asked for is fetched first, and the paginator finds its
count and that page there.
"""

from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, queryset, per_page=None, count=None):
    """A page of the queryset for the request's ?page=. A caller that already knows how
    many items there are passes `count`, saving a query."""
    paginator = Paginator(queryset, per_page or settings.POSTS_PER_PAGE)
    if count is not None:
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


def page_guess(number):
    """The page number the paginator will most likely settle on, before the count is known."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 100_000 else 1


class PageRows:
    """What Paginator asks of a list: its count, and the page's slice.

    The page asked for comes with the count; another slice (a page number beyond the
    last page) is fetched, fetch(start, limit), when the paginator asks for it.
    """

    def __init__(self, total, offset, rows, fetch):
        self.total, self.offset, self.rows, self.fetch = total, offset, rows, fetch

    def count(self):
        return self.total

    def __len__(self):
        return self.total

    def __getitem__(self, index):
        start = index.start or 0
        if start == self.offset:
            return self.rows
        if start >= self.total:
            return []
        return self.fetch(start, index.stop - start)
