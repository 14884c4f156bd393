"""The filters of /publications/: kind, year, country and tag, combined, with counts."""

from urllib.parse import urlencode

from django import forms
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from taggit.models import TaggedItem

from .models import Country, Publication

FILTER_NAMES = ("kind", "year", "country", "tag")


class PublicationFilterForm(forms.Form):
    """Query-string filters; a malformed value is dropped, never an error page."""

    kind = forms.ChoiceField(choices=Publication.Kind.choices, required=False)
    year = forms.IntegerField(min_value=1900, max_value=2999, required=False)
    country = forms.SlugField(max_length=20, required=False)
    tag = forms.SlugField(max_length=100, required=False)

    def active_filters(self):
        """The well-formed, non-empty filters, in a fixed order."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: cleaned[name]
            for name in FILTER_NAMES
            if cleaned.get(name) not in (None, "")
        }


def apply_filters(queryset, filters, skip=None):
    """Narrow a publication queryset by every active filter except `skip`."""
    if "kind" in filters and skip != "kind":
        queryset = queryset.filter(kind=filters["kind"])
    if "year" in filters and skip != "year":
        queryset = queryset.filter(publication_date__year=filters["year"])
    if "country" in filters and skip != "country":
        queryset = queryset.filter(countries__code=filters["country"])
    if "tag" in filters and skip != "tag":
        queryset = queryset.filter(pk__in=_tagged_ids(filters["tag"]))
    return queryset


def _tagged_ids(tag_slug):
    return TaggedItem.objects.filter(
        content_type__app_label="publications",
        content_type__model="publication",
        tag__slug=tag_slug,
    ).values("object_id")


def facet_options(published, filters):
    """Options with counts for each filter, each counted under the other active filters.

    Four queries whatever the number of publications: one per filter.
    """

    def ids_without(name):
        return apply_filters(published, filters, skip=name).values("pk")

    kinds = dict(
        Publication.objects.filter(pk__in=ids_without("kind"))
        .values_list("kind")
        .annotate(count=Count("pk"))
        .values_list("kind", "count")
    )
    years = (
        Publication.objects.filter(pk__in=ids_without("year"))
        .annotate(year=ExtractYear("publication_date"))
        .values("year")
        .annotate(count=Count("pk"))
        .values_list("year", "count")
        .order_by("-year")
    )
    countries = Country.objects.annotate(
        count=Count("publications", filter=Q(publications__in=ids_without("country")))
    ).values_list("code", "name", "count")
    tags = (
        TaggedItem.objects.filter(
            content_type__app_label="publications",
            content_type__model="publication",
            object_id__in=ids_without("tag"),
        )
        .values("tag__slug", "tag__name")
        .annotate(count=Count("object_id"))
        .values_list("tag__slug", "tag__name", "count")
        .order_by("tag__name")
    )

    def option(name, value, label, count):
        return {
            "value": str(value),
            "label": label,
            "count": count,
            "selected": str(filters.get(name, "")) == str(value),
        }

    def keep(name, options):
        # Options with nothing to show are left out, except the one that is selected.
        return [item for item in options if item["count"] or item["selected"]]

    return {
        "kind": keep(
            "kind",
            [
                option("kind", value, label, kinds.get(value, 0))
                for value, label in Publication.Kind.choices
            ],
        ),
        "year": keep(
            "year", [option("year", year, str(year), count) for year, count in years]
        ),
        "country": keep(
            "country",
            [option("country", code, name, count) for code, name, count in countries],
        ),
        "tag": keep(
            "tag", [option("tag", slug, name, count) for slug, name, count in tags]
        ),
    }


def filter_query(filters, **changes):
    """The query string of these filters with some changed (None removes one)."""
    merged = {**filters, **changes}
    return urlencode(
        [
            (name, merged[name])
            for name in FILTER_NAMES
            if merged.get(name) not in (None, "")
        ]
    )
