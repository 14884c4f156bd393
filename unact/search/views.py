from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from unact.pagination import note_corrected_page

from .forms import SearchForm, search_query_string
from .queries import (
    KIND_LABELS,
    SORT_DATE,
    SORT_RELEVANCE,
    TYPE_EDITION,
    TYPE_PAGE,
    TYPE_POST,
    TYPE_PUBLICATION,
    search_page,
    uses_operators,
)

# The longest query whose results page may be indexed (see `indexable`).
INDEXABLE_QUERY_LENGTH = 64


@require_safe
def search(request):
    query, was_cut, filters, sort = SearchForm(request.GET).search()
    context = {
        "query": query,
        "was_cut": was_cut,
        "filters": filters,
        "max_length": settings.SEARCH_MAX_QUERY_LENGTH,
    }
    if query:
        found = search_page(
            query,
            filters,
            request.GET.get("page"),
            settings.SEARCH_RESULTS_PER_PAGE,
            sort or SORT_RELEVANCE,
            language=get_language(),
        )
        note_corrected_page(request, found.page)
        url = reverse("search:results")
        context.update(
            page_obj=found.page,
            results=found.results,
            facets=_facet_links(query, filters, sort, found.facets, url),
            active_filters=_active_filters(query, filters, sort),
            sort_links=[
                {
                    "label": label,
                    "href": f"{url}?{search_query_string(query, filters, value)}",
                    "selected": sort == value,
                }
                for value, label in (
                    ("", _("Relevance")),
                    (SORT_DATE, _("Newest first")),
                )
            ],
            query_prefix=search_query_string(query, filters, sort),
            clear_query=search_query_string(
                query, filters, sort, type=None, category=None, kind=None, year=None
            ),
            indexable=indexable(query, was_cut, filters, found.page) and not sort,
        )
    return render(request, "search/search_results.html", context)


def indexable(query, was_cut, filters, page):
    """Whether search engines may index this results page (else it says noindex).

    Only the first page of a short query with results and no filter: every word of
    such a query (stop words aside) matched our own content, so text slipped into a
    search URL (spam) cannot make an indexable page, and filtered or later pages, which only repeat
    results, stay out of the index. Operators are excluded too: with `-word` or `or`
    a word can be in the query without being in any result.
    """
    return (
        page.number == 1
        and page.paginator.count > 0
        and not (filters.type or filters.category or filters.kind or filters.year)
        and not was_cut
        and len(query) <= INDEXABLE_QUERY_LENGTH
        and not uses_operators(query)
    )


def _facet_links(query, filters, sort, counts, url):
    """The filter groups, each option a link that keeps the query, the order and the other filters."""

    def link(label, count, selected, **changes):
        href = f"{url}?{search_query_string(query, filters, sort, **changes)}"
        return {"label": label, "count": count, "selected": selected, "href": href}

    types = [
        link(
            _("Posts"),
            counts["types"][TYPE_POST],
            filters.type == TYPE_POST,
            type=TYPE_POST,
            kind=None,
        ),
        link(
            _("Publications"),
            counts["types"][TYPE_PUBLICATION],
            filters.type == TYPE_PUBLICATION,
            type=TYPE_PUBLICATION,
            category=None,
        ),
        link(
            _("Newsletters"),
            counts["types"][TYPE_EDITION],
            filters.type == TYPE_EDITION,
            type=TYPE_EDITION,
            category=None,
            kind=None,
        ),
        link(
            _("Pages"),
            counts["types"][TYPE_PAGE],
            filters.type == TYPE_PAGE,
            type=TYPE_PAGE,
            category=None,
            kind=None,
        ),
    ]
    categories = (
        [
            link(
                option["label"],
                option["count"],
                filters.category == option["value"],
                category=option["value"],
                kind=None,
                type=None,
            )
            for option in counts["categories"]
        ]
        if filters.includes_posts()
        else []
    )
    kinds = (
        [
            link(
                option["label"],
                option["count"],
                filters.kind == option["value"],
                kind=option["value"],
                category=None,
                type=None,
            )
            for option in counts["kinds"]
        ]
        if filters.includes_publications()
        else []
    )
    years = [
        link(
            option["label"],
            option["count"],
            filters.year == option["value"],
            year=option["value"],
        )
        for option in counts["years"]
    ]
    groups = [
        (
            _("Type"),
            [option for option in types if option["count"] or option["selected"]],
        ),
        (_("Category"), categories),
        (_("Kind of publication"), kinds),
        (_("Year"), years),
    ]
    return [
        {"heading": heading, "options": options}
        for heading, options in groups
        if options
    ]


def _active_filters(query, filters, sort):
    """The filters in use, each with the link that removes it."""
    labels = {
        "type": {
            TYPE_POST: _("Posts"),
            TYPE_PUBLICATION: _("Publications"),
            TYPE_EDITION: _("Newsletters"),
        }.get(filters.type, ""),
        "category": filters.category,
        "kind": KIND_LABELS.get(filters.kind, ""),
        "year": str(filters.year or ""),
    }
    return [
        {
            "label": label,
            "remove_query": search_query_string(query, filters, sort, **{name: None}),
        }
        for name, label in labels.items()
        if getattr(filters, name)
    ]
