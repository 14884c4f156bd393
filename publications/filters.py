"""The filters of /publications/: kind, year, country and topic, combined, with counts.

Each filter is one condition (a Q). The page of cards applies them all; the options of
each filter are counted under the other active filters, the four counts in one
statement (a UNION ALL of four grouped counts, built by the ORM), kept in the cache
until the content changes; the number of matches is read from the kind counts, since
every publication has one kind. Two queries at most, one when the counts are stored.
"""

import hashlib
from urllib.parse import urlencode

from taggit.models import TaggedItem

from django import forms
from django.db.models import CharField, Count, IntegerField, Q, Value
from django.db.models.functions import ExtractYear
from django.utils.translation import get_language

from unact import pagecache

from .models import Country, Publication, country_name

FILTER_NAMES = ("kind", "year", "country", "tag")


class PublicationFilterForm(forms.Form):
    """Query-string filters; a malformed value is dropped, never an error page."""

    kind = forms.ChoiceField(choices=Publication.Kind.choices, required=False)
    year = forms.IntegerField(min_value=1900, max_value=2999, required=False)
    country = forms.SlugField(max_length=20, required=False)
    # Any text: a topic's slug is in the script of its name (Thai, Khmer, Burmese…),
    # and it is only ever compared with the slugs taggit made.
    tag = forms.CharField(max_length=100, required=False)

    def active_filters(self):
        """The well-formed, non-empty filters, in a fixed order."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: cleaned[name]
            for name in FILTER_NAMES
            if cleaned.get(name) not in (None, "")
        }


def _tagged_publications(slug):
    return TaggedItem.objects.filter(
        content_type__app_label=Publication._meta.app_label,
        content_type__model=Publication._meta.model_name,
        tag__slug=slug,
    ).values("object_id")


def filter_conditions(filters):
    """One condition per active filter, by name."""
    conditions = {}
    if "kind" in filters:
        conditions["kind"] = Q(kind=filters["kind"])
    if "year" in filters:
        conditions["year"] = Q(publication_date__year=filters["year"])
    if "country" in filters:
        links = Publication.countries.through.objects.filter(
            country__code=filters["country"]
        )
        conditions["country"] = Q(pk__in=links.values("publication_id"))
    if "tag" in filters:
        conditions["tag"] = Q(pk__in=_tagged_publications(filters["tag"]))
    return conditions


class FilteredPublications:
    """The published publications that match the active filters, for the list page."""

    def __init__(self, filters):
        self.filters = filters
        self.conditions = filter_conditions(filters)

    def matching(self, but=None):
        """The published publications under every active filter except `but`."""
        conditions = [q for name, q in self.conditions.items() if name != but]
        return (
            Publication.objects.published()
            .for_language(get_language())
            .filter(*conditions)
        )

    def page_queryset(self):
        """The matches with the fields their cards show, newest first."""
        return self.matching().only(*CARD_FIELDS)

    def facet_options(self):
        """Options with counts for each filter, each counted under the other active
        filters, and the number of publications that match them all."""
        return _options(self.filters, self._facet_rows())

    def _facet_rows(self):
        """The counts, from the cache when they were stored under the current content
        version (unact.pagecache: any change visitors can see turns it over, and so
        does the day a scheduled publication appears), else counted.

        Counting costs more than the rest of the page (the union below is planned anew
        every time); the counts are the same for every visitor. Only filters whose
        values all exist are stored, so made-up values cannot fill the cache.
        """
        key = (
            # Each language lists its own editions, so counts are kept per language.
            f"publications:facets:{get_language()}:"
            + hashlib.sha256(filter_query(self.filters).encode()).hexdigest()
        )
        return pagecache.kept(
            key,
            lambda: list(self._count_facets()),
            keep=lambda rows: _values_exist(self.filters, rows),
            seconds=FACETS_SECONDS,
        )

    def _count_facets(self):
        """The counts of every filter's options, in one UNION ALL of four grouped
        counts: rows of (filter, value, label, number, count)."""
        text, number = CharField(), IntegerField()
        none_text, none_number = Value(None, text), Value(None, number)
        kinds = (
            self.matching(but="kind")
            .order_by()
            .values("kind")
            .annotate(
                facet=Value("kind", text), label=none_text, number=none_number,
                count=Count("pk"),
            )
            .values_list("facet", "kind", "label", "number", "count")
        )  # fmt: skip
        years = (
            self.matching(but="year")
            .order_by()
            .annotate(
                facet=Value("year", text), value=none_text, label=none_text,
                number=ExtractYear("publication_date"),
            )
            .values("facet", "value", "label", "number")
            .annotate(count=Count("pk"))
            .values_list("facet", "value", "label", "number", "count")
        )  # fmt: skip
        countries = (
            Country.objects.order_by()
            .annotate(
                facet=Value("country", text),
                count=Count(
                    "publications",
                    filter=Q(
                        publications__in=self.matching(but="country").values("pk")
                    ),
                ),
            )
            .values_list("facet", "code", "name", "position", "count")
        )
        tags = (
            TaggedItem.objects.filter(
                content_type__app_label=Publication._meta.app_label,
                content_type__model=Publication._meta.model_name,
                object_id__in=self.matching(but="tag").values("pk"),
            )
            .order_by()
            .annotate(facet=Value("tag", text), number=none_number)
            .values("facet", "tag__slug", "tag__name", "number")
            .annotate(count=Count("pk"))
            .values_list("facet", "tag__slug", "tag__name", "number", "count")
        )
        return kinds.union(years, countries, tags, all=True)


# How long stored counts are kept at most (a change of content makes them stale at once).
FACETS_SECONDS = 3600


def _values_exist(filters, rows):
    """Whether every active filter's value is one of its options (kinds always are)."""
    present = {
        (facet, str(number if facet == "year" else value))
        for facet, value, _label, number, _count in rows
    }
    return all(
        (name, str(value)) in present
        for name, value in filters.items()
        if name != "kind"
    )


# What a card shows.
CARD_FIELDS = (
    "id", "title", "slug", "kind", "summary", "publication_date", "cover", "cover_width",
    "cover_height", "document", "file_size", "page_count", "external_url", "video",
    "language", "translation_key",
)  # fmt: skip


def _options(filters, rows):
    kinds, years, countries, tags = {}, [], [], []
    for facet, value, label, number, count in rows:
        if facet == "kind":
            kinds[value] = count
        elif facet == "year":
            years.append((number, str(number), count))
        elif facet == "country":
            countries.append((number, label, value, count))
        else:
            tags.append((label.casefold(), value, label, count))
    years.sort(reverse=True)
    countries.sort()
    tags.sort()

    def option(name, value, label, count):
        return {
            "value": str(value),
            "label": label,
            "count": count,
            "selected": str(filters.get(name, "")) == str(value),
        }

    def keep(options):
        # Options with nothing to show are left out, except the one that is selected.
        return [item for item in options if item["count"] or item["selected"]]

    options = {
        "kind": keep(
            option("kind", value, label, kinds.get(value, 0))
            for value, label in Publication.Kind.choices
        ),
        "year": keep(option("year", y, label, count) for y, label, count in years),
        "country": keep(
            option("country", code, country_name(name), count)
            for _position, name, code, count in countries
        ),
        "tag": keep(
            option("tag", slug, name, count) for _key, slug, name, count in tags
        ),
    }
    # Each publication has one kind: those matching every filter are the selected kind's
    # count, or all the kinds' counts when no kind is selected.
    if "kind" in filters:
        total = kinds.get(filters["kind"], 0)
    else:
        total = sum(kinds.values())
    return options, total


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
