"""Searching published posts and publications together.

PostgreSQL: full-text search over the `search_vector` columns (GIN-indexed, kept
current by triggers; see indexing.py) with websearch syntax, ts_rank ranking and
ts_headline snippets. Scripts written without spaces between words (Thai, Lao,
Khmer, Burmese, Chinese, Japanese) defeat PostgreSQL's word parser, so a query in
those scripts also matches by substring over the same columns.

SQLite (development only): a case-insensitive substring match of every word over
the same columns, ranked title > summary > body and tags.

Either way a page costs the same queries: the count, the page of (type, id, rank)
rows from one UNION, the page's posts, the page's publications and the two facet
queries.
"""

import functools
import html
import operator
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Count, F, FloatField, Q, Value, When
from django.db.models.functions import ExtractYear, TruncDate
from django.utils.safestring import mark_safe
from taggit.models import TaggedItem

from posts.models import Post
from posts.richtext import html_to_text
from publications.models import Publication

from .indexing import search_config

# Characters of scripts written without spaces between words.
UNSPACED_SCRIPT = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff"
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)
# Private-use characters mark highlights in database snippets; content text is
# escaped around them and only they become <mark> tags.
MARK_START, MARK_STOP = "\ue000", "\ue001"
MAX_TERMS = 10
SNIPPET_CHARS = 240

TYPE_POST, TYPE_PUBLICATION = "post", "publication"


def clean_query(raw, max_length):
    """(query, was_cut): NFC, control characters and markers dropped, spaces collapsed, cut."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(
        " " if unicodedata.category(char) in {"Cc", "Zl", "Zp"} else char
        for char in text
        if char not in (MARK_START, MARK_STOP) and unicodedata.category(char) not in {"Cs", "Co", "Cn"}
    )
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > max_length:
        return text[:max_length].rstrip(), True
    return text, False


def query_terms(query):
    """The words of a query for substring matching (quotes and operators dropped)."""
    words = re.sub(r'["()|&!<>:*]', " ", query).split()
    terms = [word.lstrip("-") for word in words if word.lstrip("-") and word.upper() not in {"OR", "AND"}]
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def is_postgresql():
    return connection.vendor == "postgresql"


@dataclass
class SearchFilters:
    type: str = ""
    category: str = ""
    kind: str = ""
    year: int | None = None

    def includes_posts(self):
        return self.type in ("", TYPE_POST) and not (self.kind and not self.category)

    def includes_publications(self):
        return self.type in ("", TYPE_PUBLICATION) and not (self.category and not self.kind)


# Matching --------------------------------------------------------------------------


@dataclass
class _Model:
    model: type
    type: str
    body: str
    date: str
    app_label: str = field(init=False)
    model_name: str = field(init=False)

    def __post_init__(self):
        self.app_label = self.model._meta.app_label
        self.model_name = self.model._meta.model_name


POSTS = _Model(Post, TYPE_POST, "body", "publish_at")
PUBLICATIONS = _Model(Publication, TYPE_PUBLICATION, "description", "publication_date")


def _tagged(spec, term):
    return TaggedItem.objects.filter(
        content_type__app_label=spec.app_label,
        content_type__model=spec.model_name,
        tag__name__icontains=term,
    ).values("object_id")


def _substring_match(spec, terms):
    """Every term in the title, summary, body or a tag."""
    return functools.reduce(
        operator.and_,
        (
            Q(title__icontains=term)
            | Q(summary__icontains=term)
            | Q(**{f"{spec.body}__icontains": term})
            | Q(pk__in=_tagged(spec, term))
            for term in terms
        ),
    )


def _substring_rank(terms):
    """Title above summary above body and tags, summed over the terms."""
    return functools.reduce(
        operator.add,
        (
            Case(
                When(title__icontains=term, then=Value(1.0)),
                When(summary__icontains=term, then=Value(0.4)),
                default=Value(0.1),
                output_field=FloatField(),
            )
            for term in terms
        ),
    )


def _search_query(query):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(query, config=search_config(), search_type="websearch")


def _matching(spec, query, terms):
    """Published rows of one model matching the query, annotated with their rank."""
    queryset = spec.model.objects.published()
    if is_postgresql():
        from django.contrib.postgres.search import SearchRank

        search_query = _search_query(query)
        match = Q(search_vector__matches=search_query)
        # Normalisation 1 divides by the log of the length, so long texts do not win by size.
        rank = SearchRank(F("search_vector"), search_query, normalization=1)
        if UNSPACED_SCRIPT.search(query) and terms:
            match |= _substring_match(spec, terms)
            rank = rank + _substring_rank(terms)
        return queryset.filter(match).annotate(result_rank=rank)
    if not terms:
        return queryset.none().annotate(result_rank=Value(0.0, output_field=FloatField()))
    return queryset.filter(_substring_match(spec, terms)).annotate(result_rank=_substring_rank(terms))


def _filtered(spec, queryset, filters):
    if spec is POSTS and filters.category:
        queryset = queryset.filter(category__slug=filters.category)
    if spec is PUBLICATIONS and filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.year:
        queryset = queryset.filter(**{f"{spec.date}__year": filters.year})
    return queryset


def _rows(spec, queryset):
    date = TruncDate(spec.date) if spec is POSTS else F(spec.date)
    return queryset.order_by().annotate(
        result_type=Value(spec.type, output_field=CharField()),
        result_id=F("pk"),
        result_date=date,
    ).values_list("result_type", "result_id", "result_rank", "result_date")


def result_rows(query, filters):
    """(type, id, rank, date) of every match, best first: one UNION, ready to paginate."""
    terms = query_terms(query)
    parts = [
        _rows(spec, _filtered(spec, _matching(spec, query, terms), filters))
        for spec, included in ((POSTS, filters.includes_posts()), (PUBLICATIONS, filters.includes_publications()))
        if included
    ]
    if not parts:
        return _rows(POSTS, Post.objects.none().annotate(result_rank=Value(0.0, output_field=FloatField())))
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return rows.order_by("-result_rank", "-result_date", "result_type", "-result_id")


# Facets ----------------------------------------------------------------------------


def facets(query, filters):
    """Counts to narrow the results by type, category, kind and year (two queries).

    Each facet counts the matches under the other active filters.
    """
    terms = query_terms(query)
    post_rows = list(
        _matching(POSTS, query, terms)
        .order_by()
        .values("category__slug", "category__name", year=ExtractYear("publish_at"))
        .annotate(count=Count("pk"))
        .values_list("category__slug", "category__name", "year", "count")
    )
    publication_rows = list(
        _matching(PUBLICATIONS, query, terms)
        .order_by()
        .values("kind", year=ExtractYear("publication_date"))
        .annotate(count=Count("pk"))
        .values_list("kind", "year", "count")
    )
    kind_labels = dict(Publication.Kind.choices)

    def year_ok(year):
        return not filters.year or year == filters.year

    def post_section_ok(slug):
        return (not filters.category and not filters.kind) or (filters.category and slug == filters.category)

    def publication_section_ok(kind):
        return (not filters.category and not filters.kind) or (filters.kind and kind == filters.kind)

    type_counts = {
        TYPE_POST: sum(n for slug, _name, year, n in post_rows if year_ok(year) and post_section_ok(slug)),
        TYPE_PUBLICATION: sum(n for kind, year, n in publication_rows if year_ok(year) and publication_section_ok(kind)),
    }
    categories, kinds, years = {}, {}, {}
    for slug, name, year, count in post_rows:
        if slug and year_ok(year):
            categories.setdefault(slug, {"value": slug, "label": name, "count": 0})["count"] += count
        if filters.includes_posts() and post_section_ok(slug):
            years[year] = years.get(year, 0) + count
    for kind, year, count in publication_rows:
        if year_ok(year):
            kinds.setdefault(kind, {"value": kind, "label": kind_labels.get(kind, kind), "count": 0})["count"] += count
        if filters.includes_publications() and publication_section_ok(kind):
            years[year] = years.get(year, 0) + count
    return {
        "types": type_counts,
        "categories": sorted(categories.values(), key=lambda option: option["label"]),
        "kinds": sorted(kinds.values(), key=lambda option: str(option["label"])),
        "years": [{"value": year, "label": str(year), "count": count} for year, count in sorted(years.items(), reverse=True)],
    }


# The page's results ----------------------------------------------------------------


@dataclass
class Result:
    type: str
    item: object
    title_html: str
    snippet_html: str


def marks_to_html(text):
    """Escape a database snippet and turn its marker pairs (only them) into <mark> tags."""
    parts = re.split(f"({MARK_START}|{MARK_STOP})", text or "")
    output, inside = [], False
    for part in parts:
        if part == MARK_START and not inside:
            output.append("<mark>")
            inside = True
        elif part == MARK_STOP and inside:
            output.append("</mark>")
            inside = False
        elif part not in (MARK_START, MARK_STOP):
            output.append(html.escape(part, quote=False))
    if inside:
        output.append("</mark>")
    # Every part was escaped above; only <mark> and </mark> are added.
    return mark_safe("".join(output))  # nosec B308 B703


def _term_pattern(terms):
    return re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.IGNORECASE)


def mark_terms(text, terms):
    """The whole text, escaped, each term in <mark>."""
    if not terms:
        return marks_to_html(text)
    return marks_to_html(_term_pattern(terms).sub(lambda match: f"{MARK_START}{match.group(0)}{MARK_STOP}", text))


def highlight(text, terms, window=SNIPPET_CHARS):
    """An escaped excerpt of plain text around the first term, each term in <mark>."""
    text = text or ""
    if not terms:
        return marks_to_html(text[:window] + ("…" if len(text) > window else ""))
    pattern = _term_pattern(terms)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - window // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    excerpt = text[start : start + window]
    marked = pattern.sub(lambda match: f"{MARK_START}{match.group(0)}{MARK_STOP}", excerpt)
    prefix = "…" if start else ""
    suffix = "…" if start + window < len(text) else ""
    return marks_to_html(prefix + marked + suffix)


def _headlines(spec, queryset, query):
    """PostgreSQL: the title and a body excerpt with the matching words marked."""
    from django.contrib.postgres.search import SearchHeadline

    from .expressions import HtmlToText

    search_query = _search_query(query)
    options = {"config": search_config(), "start_sel": MARK_START, "stop_sel": MARK_STOP}
    return queryset.annotate(
        title_headline=SearchHeadline("title", search_query, highlight_all=True, **options),
        body_headline=SearchHeadline(
            HtmlToText(spec.body),
            search_query,
            max_words=35,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
            **options,
        ),
    )


def _load(spec, ids, query, terms):
    queryset = spec.model.objects.filter(pk__in=ids)
    if spec is POSTS:
        queryset = queryset.select_related("category")
    if is_postgresql():
        queryset = _headlines(spec, queryset, query)
    results = {}
    for item in queryset:
        title_headline = getattr(item, "title_headline", "")
        body_headline = getattr(item, "body_headline", "")
        if MARK_START in title_headline:
            title_html = marks_to_html(title_headline)
        else:
            title_html = mark_terms(item.title, terms)
        if MARK_START in body_headline:
            snippet_html = marks_to_html(body_headline)
        else:
            snippet_html = _fallback_snippet(item, spec, terms)
        results[item.pk] = Result(spec.type, item, title_html, snippet_html)
    return results


def _fallback_snippet(item, spec, terms):
    """The summary, or the body around a matching word when the summary lacks it."""
    body_text = html_to_text(getattr(item, spec.body))
    lowered = [term.casefold() for term in terms]
    for text in (item.summary, body_text):
        if any(term in text.casefold() for term in lowered):
            return highlight(text, terms)
    return highlight(item.summary or body_text, terms)


def load_results(rows, query):
    """The Result objects of a page of rows, in order (one query per content type present)."""
    terms = query_terms(query)
    ids = {TYPE_POST: [], TYPE_PUBLICATION: []}
    for result_type, result_id, *_rest in rows:
        ids[result_type].append(result_id)
    loaded = {}
    for spec in (POSTS, PUBLICATIONS):
        if ids[spec.type]:
            loaded[spec.type] = _load(spec, ids[spec.type], query, terms)
    return [
        loaded[result_type][result_id]
        for result_type, result_id, *_rest in rows
        if result_id in loaded.get(result_type, {})
    ]
