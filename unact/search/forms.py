from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from publications.models import Publication

from .queries import TYPE_POST, TYPE_PUBLICATION, SearchFilters, clean_query

FILTER_NAMES = ("type", "category", "kind", "year")


class SearchForm(forms.Form):
    """The query string of /search/: any text is accepted; malformed filters are dropped."""

    q = forms.CharField(required=False, strip=False)
    type = forms.ChoiceField(
        choices=[(TYPE_POST, _("Posts")), (TYPE_PUBLICATION, _("Publications"))], required=False
    )
    category = forms.SlugField(max_length=100, required=False)
    kind = forms.ChoiceField(choices=Publication.Kind.choices, required=False)
    year = forms.IntegerField(min_value=1900, max_value=2999, required=False)

    def search(self):
        """(query, was_cut, filters): never an error, whatever the visitor sent."""
        self.is_valid()
        raw = self.data.get("q", "") if hasattr(self.data, "get") else ""
        query, was_cut = clean_query(str(raw), settings.SEARCH_MAX_QUERY_LENGTH)
        cleaned = {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name in FILTER_NAMES and value not in (None, "")
        }
        return query, was_cut, SearchFilters(**cleaned)


def search_query_string(query, filters, **changes):
    """The query string of a search with some filters changed (None removes one)."""
    values = {name: getattr(filters, name) for name in FILTER_NAMES}
    values.update(changes)
    pairs = [("q", query)] + [(name, values[name]) for name in FILTER_NAMES if values[name] not in (None, "")]
    return urlencode(pairs)
