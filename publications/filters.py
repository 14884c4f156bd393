"""The filters of /publications/: kind, year, country and tag, combined, with counts.

Each filter is one SQL condition (filter_conditions). The page of cards applies them
all; the options of each filter are counted under the other active filters, all four in
one statement; the number of matches is read from the kind counts, since every
publication has one kind. Two queries in all (FilteredPublications), written in SQL:
the ORM took 1-2 ms to build each of the six queries they replace.
"""

from datetime import date
from functools import cache
from urllib.parse import urlencode

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models.sql import Query
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from unact.prepared import fill, run_sql

from .models import Country, Publication, published_where

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


def _quote(name):
    return connection.ops.quote_name(name)


def _table(model):
    return _quote(model._meta.db_table)


# Tagged items name their object's content type: the publications' one is looked up in
# SQL, as taggit does, so no cached id can go stale when tests recreate content types.
_PUBLICATION_TYPE = (
    f"(SELECT ct.id FROM {ContentType._meta.db_table} ct"  # nosec B608: a model's table
    " WHERE ct.app_label = %s AND ct.model = %s)"
)
_PUBLICATION_TYPE_PARAMS = [Publication._meta.app_label, Publication._meta.model_name]


def filter_conditions(filters, table):
    """One SQL condition (with its parameters) per active filter, on the publication `table`.

    Every value is a parameter; only table and column names are written in.
    """
    conditions = {}
    if "kind" in filters:
        conditions["kind"] = (f"{table}.kind = %s", [filters["kind"]])
    if "year" in filters:
        year, adapt = filters["year"], connection.ops.adapt_datefield_value
        conditions["year"] = (
            f"{table}.publication_date BETWEEN %s AND %s",
            [adapt(date(year, 1, 1)), adapt(date(year, 12, 31))],
        )
    if "country" in filters:
        conditions["country"] = (
            f"{table}.id IN (SELECT fl.publication_id FROM {_table(Publication.countries.through)} fl"  # nosec B608
            f" INNER JOIN {_table(Country)} fc ON fc.id = fl.country_id WHERE fc.code = %s)",
            [filters["country"]],
        )  # fmt: skip
    if "tag" in filters:
        conditions["tag"] = (
            f"{table}.id IN (SELECT fi.object_id FROM {_table(TaggedItem)} fi"  # nosec B608
            f" INNER JOIN {_table(Tag)} ft ON ft.id = fi.tag_id"
            f" WHERE fi.content_type_id = {_PUBLICATION_TYPE} AND ft.slug = %s)",
            [*_PUBLICATION_TYPE_PARAMS, filters["tag"]],
        )  # fmt: skip
    return conditions


class FilteredPublications:
    """The published publications that match the active filters, for the list page.

    Two queries whatever the number of publications: facet_options() counts the options
    of every filter (and so the matching publications), and a slice, which is what the
    paginator takes, fetches one page of cards.
    """

    def __init__(self, filters):
        self.filters = filters
        self.table = _table(Publication)
        published_sql, published_params = published_where()
        self.published = published_sql, fill(published_params, today=timezone.localdate())
        self.conditions = filter_conditions(filters, self.table)

    def facet_options(self):
        """Options with counts for each filter, each counted under the other active
        filters, and the number of publications that match them all.

        The published publications, each with a flag per active filter, are counted by
        kind, year, country and tag in one statement.
        """
        pub, (published, params) = self.table, self.published
        flags, flag_params = "", []
        for name, (condition, condition_params) in self.conditions.items():
            flags += f", {condition} AS is_{name}"
            flag_params += condition_params

        def others(name):
            # The flags of the active filters but this one.
            names = [f"b.is_{other}" for other in self.filters if other != name]
            return " AND ".join(names) or "1 = 1"

        year, year_params = connection.ops.date_extract_sql(
            "year", "b.publication_date", ()
        )
        country, link = _table(Country), _table(Publication.countries.through)
        tag, item = _table(Tag), _table(TaggedItem)
        # Columns: filter, value, label, year or position, count.
        sql = f"""WITH b AS (
  SELECT {pub}.id, {pub}.kind, {pub}.publication_date{flags} FROM {pub} WHERE {published}
)
SELECT 'kind', b.kind, NULL, NULL, COUNT(*) FROM b WHERE {others("kind")} GROUP BY b.kind
UNION ALL
SELECT 'year', NULL, NULL, CAST({year} AS integer), COUNT(*) FROM b WHERE {others("year")} GROUP BY 4
UNION ALL
SELECT 'country', c.code, c.name, c.position, COALESCE(x.n, 0) FROM {country} c
  LEFT JOIN (
    SELECT l.country_id, COUNT(*) AS n FROM b INNER JOIN {link} l ON l.publication_id = b.id
    WHERE {others("country")} GROUP BY l.country_id
  ) x ON x.country_id = c.id
UNION ALL
SELECT 'tag', t.slug, t.name, NULL, COUNT(*) FROM b
  INNER JOIN {item} i ON i.object_id = b.id
  INNER JOIN {tag} t ON t.id = i.tag_id
  WHERE i.content_type_id = {_PUBLICATION_TYPE} AND {others("tag")}
  GROUP BY t.id, t.slug, t.name"""  # nosec B608: values are parameters; names come from the models
        params = [*flag_params, *params, *year_params, *_PUBLICATION_TYPE_PARAMS]
        # One of a few texts (by the set of active filters): prepared once per session.
        return _options(self.filters, run_sql(sql, params))

    def __getitem__(self, window):
        """One page of publications, with the fields their cards show: the paginator's
        slice. (It takes the count from facet_options; see unact.pagination.paginate.)"""
        offset, limit = window.start or 0, window.stop - (window.start or 0)
        if limit <= 0:
            return []
        pub, (published, params) = self.table, self.published
        conditions = "".join(f" AND {sql}" for sql, _params in self.conditions.values())
        params = [*params, *(p for _sql, ps in self.conditions.values() for p in ps)]
        sql = (
            f"SELECT {_card_columns()} FROM {pub}"  # nosec B608: names come from the models
            f" WHERE {published}{conditions}"
            f" ORDER BY {_ordering()} LIMIT %s OFFSET %s"
        )
        rows = run_sql(sql, [*params, limit, offset])
        columns, converters = _card_converters()
        if converters:
            compiler = _compiler()
            rows = compiler.apply_converters(rows, converters)
        return [Publication.from_db("default", columns, row) for row in rows]


# What a card shows, on the publication table, in the model's field order (as
# Model.from_db() takes a row that lacks some columns).
_CARD_NAMES = {
    "id", "title", "slug", "kind", "summary", "publication_date", "cover", "cover_width",
    "cover_height", "document", "file_size", "page_count", "external_url",
}  # fmt: skip
CARD_FIELDS = tuple(field.name for field in Publication._meta.concrete_fields if field.name in _CARD_NAMES)


@cache
def _card_columns():
    table, field, quote = _table(Publication), Publication._meta.get_field, _quote
    return ", ".join(f"{table}.{quote(field(name).column)}" for name in CARD_FIELDS)


def _compiler():
    return Query(Publication).get_compiler(connection=connection)


def _card_converters():
    """The card columns' attribute names, and the converters Django applies to their
    values on this database (SQLite returns dates as text), as raw() would."""
    fields = [Publication._meta.get_field(name) for name in CARD_FIELDS]
    columns = [field.get_col(Publication._meta.db_table) for field in fields]
    return [field.attname for field in fields], _compiler().get_converters(columns)


@cache
def _ordering():
    # The model's own order (newest first).
    table, field, quote = _table(Publication), Publication._meta.get_field, _quote
    return ", ".join(
        f"{table}.{quote(field(name.lstrip('-')).column)} {'DESC' if name[0] == '-' else 'ASC'}"
        for name in Publication._meta.ordering
    )


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
            option("country", code, name, count)
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
