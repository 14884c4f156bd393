from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from posts.views import paginate
from publications.models import Publication

from .forms import SearchForm, search_query_string
from .queries import TYPE_POST, TYPE_PUBLICATION, facets, load_results, result_rows


@require_safe
def search(request):
    query, was_cut, filters = SearchForm(request.GET).search()
    context = {"query": query, "was_cut": was_cut, "filters": filters, "max_length": settings.SEARCH_MAX_QUERY_LENGTH}
    if query:
        page = paginate(request, result_rows(query, filters), per_page=settings.SEARCH_RESULTS_PER_PAGE)
        context.update(
            page_obj=page,
            results=load_results(page.object_list, query),
            facets=_facet_links(query, filters, facets(query, filters)),
            active_filters=_active_filters(query, filters),
            query_prefix=search_query_string(query, filters),
            clear_query=search_query_string(query, filters, type=None, category=None, kind=None, year=None),
        )
    return render(request, "search/search_results.html", context)


def _facet_links(query, filters, counts):
    """Each filter option as a link that keeps the query and the other filters."""

    def link(count, selected, **changes):
        return {"count": count, "selected": selected, "query": search_query_string(query, filters, **changes)}

    types = [
        {"label": _("Posts"), **link(counts["types"][TYPE_POST], filters.type == TYPE_POST, type=TYPE_POST, kind=None)},
        {
            "label": _("Publications"),
            **link(counts["types"][TYPE_PUBLICATION], filters.type == TYPE_PUBLICATION, type=TYPE_PUBLICATION, category=None),
        },
    ]
    categories = [
        {"label": option["label"], **link(option["count"], filters.category == option["value"], category=option["value"], kind=None, type=None)}
        for option in counts["categories"]
    ]
    kinds = [
        {"label": option["label"], **link(option["count"], filters.kind == option["value"], kind=option["value"], category=None, type=None)}
        for option in counts["kinds"]
    ]
    years = [
        {"label": option["label"], **link(option["count"], filters.year == option["value"], year=option["value"])}
        for option in counts["years"]
    ]
    return {
        "types": [option for option in types if option["count"] or option["selected"]],
        "categories": categories if filters.includes_posts() else [],
        "kinds": kinds if filters.includes_publications() else [],
        "years": years,
    }


def _active_filters(query, filters):
    """The filters in use, each with the link that removes it."""
    kind_labels = dict(Publication.Kind.choices)
    labels = {
        "type": {TYPE_POST: _("Posts"), TYPE_PUBLICATION: _("Publications")}.get(filters.type, ""),
        "category": filters.category,
        "kind": kind_labels.get(filters.kind, ""),
        "year": str(filters.year or ""),
    }
    return [
        {"label": label, "remove_query": search_query_string(query, filters, **{name: None})}
        for name, label in labels.items()
        if getattr(filters, name)
    ]
