from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from publications.models import Publication

from .queries import (
    SORT_DATE,
    TYPE_EDITION,
    TYPE_PAGE,
    TYPE_POST,
    TYPE_PUBLICATION,
    SearchFilters,
    clean_query,
)

FILTER_NAMES = ("type", "category", "kind", "year")
QUERY_NAMES = (*FILTER_NAMES, "sort")


class SearchForm(forms.Form):
    """The query string of /search/: any text is accepted; malformed filters are dropped."""

    q = forms.CharField(required=False, strip=False)
    type = forms.ChoiceField(
        choices=[
            (TYPE_POST, _("Posts")),
            (TYPE_PUBLICATION, _("Publications")),
            (TYPE_EDITION, _("Newsletters")),
            (TYPE_PAGE, _("Pages")),
        ],
        required=False,
    )
    category = forms.SlugField(max_length=100, required=False)
    kind = forms.ChoiceField(choices=Publication.Kind.choices, required=False)
    year = forms.IntegerField(min_value=1900, max_value=2999, required=False)
    # Relevance unless "date" (newest first); anything else is relevance.
    sort = forms.ChoiceField(choices=[(SORT_DATE, _("Newest first"))], required=False)

    def search(self):
        """(query, was_cut, filters, sort): never an error, whatever the visitor sent."""
        self.is_valid()
        raw = self.data.get("q", "") if hasattr(self.data, "get") else ""
        query, was_cut = clean_query(str(raw), settings.SEARCH_MAX_QUERY_LENGTH)
        cleaned = {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name in FILTER_NAMES and value not in (None, "")
        }
        return (
            query,
            was_cut,
            SearchFilters(**cleaned),
            getattr(self, "cleaned_data", {}).get("sort", ""),
        )


def search_query_string(query, filters, sort="", **changes):
    """The query string of a search with some filters (or the order) changed (None removes one)."""
    values = {name: getattr(filters, name) for name in FILTER_NAMES}
    values["sort"] = sort
    values.update(changes)
    pairs = [("q", query)] + [
        (name, values[name]) for name in QUERY_NAMES if values[name] not in (None, "")
    ]
    return urlencode(pairs)
