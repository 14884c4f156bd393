"""Searching published posts and publications together.

PostgreSQL: full-text search over the `search_vector` columns (GIN-indexed, kept
current by triggers; see indexing.py) with websearch syntax, ts_rank ranking and
ts_headline snippets. Scripts written without spaces between words (Thai, Lao,
Khmer, Burmese, Chinese, Japanese) defeat PostgreSQL's word parser, so a query in
those scripts also matches by substring over the same columns.

SQLite (development only): a case-insensitive substring match of every word over
the same columns, ranked title > summary > body and tags.

Either way a results page is one SQL statement (`search_page`): the matches of both
types are collected once (a CTE), and from them come the page's rows, joined to their
posts and publications (with ts_headline for those rows only), and the facet counts,
whose sum under the active filters is the result count. A page number beyond the
last page costs one more statement for the last page.
"""

import functools
import html
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    F,
    FloatField,
    Q,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from taggit.models import TaggedItem

from posts.models import Post
from posts.models import published_where as post_published_where
from publications.models import Publication
from publications.models import published_where as publication_published_where
from unact.pagination import PageRows, page_guess
from unact.prepared import fill, run_sql
from unact.richtext import html_to_text
from unact.urlcache import reverse_memo

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


def uses_operators(query):
    """Whether a query excludes a word (`-word`) or offers alternatives (`or`)."""
    return any(word.lstrip('"(').startswith("-") or word.casefold() == "or" for word in query.split())


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


# The statement ---------------------------------------------------------------------

# One type's matches: one row each, in these columns (the CTE `matches`). The
# category is its id (named after the grouping, so 1,000 matches need no join).
MATCH_COLUMNS = ("result_type", "result_id", "result_rank", "result_date", "result_category", "result_kind")

# PostgreSQL and a query without unspaced scripts (nearly every search): each type's
# matches written out, since building them with the ORM cost more than the rest of
# the request. {published} is the compiled WHERE of Post.objects.published() and
# Publication.objects.published() (unact.prepared.where_sql), so the tables are read
# unaliased; the rank is SearchRank(normalization=1), whose normalisation divides by
# the log of the length so long texts do not win by size; a post's date is its local
# day (TruncDate). tests/test_search.py checks these give the rows of the ORM form
# (`_orm_matches`).
POST_MATCHES = """SELECT %s AS result_type, posts_post.id AS result_id,
  ts_rank(posts_post.search_vector, query.tsquery, 1) AS result_rank,
  (posts_post.publish_at AT TIME ZONE %s)::date AS result_date,
  posts_post.category_id AS result_category, NULL AS result_kind
FROM posts_post, query
WHERE {published}
  AND posts_post.search_vector @@ query.tsquery"""
PUBLICATION_MATCHES = """SELECT %s, publications_publication.id,
  ts_rank(publications_publication.search_vector, query.tsquery, 1),
  publications_publication.publication_date, NULL, publications_publication.kind
FROM publications_publication, query
WHERE {published}
  AND publications_publication.search_vector @@ query.tsquery"""

# The page's rows with what a result shows, then one row per facet group (type,
# category, kind, year). Only constants and %s placeholders are put together here.
PAGE_SQL = """WITH {query}matches AS ({matches}),
page AS (
  SELECT result_type, result_id, result_rank, result_date FROM matches WHERE {where}
  ORDER BY result_rank DESC, result_date DESC, result_type, result_id DESC LIMIT %s OFFSET %s
)
SELECT 0 AS part, page.result_type, page.result_id, page.result_rank, page.result_date,
  NULL AS category_slug, c.name AS category_name, b.kind AS kind, NULL AS year, NULL AS count,
  COALESCE(p.title, b.title) AS title, COALESCE(p.slug, b.slug) AS slug,
  COALESCE(p.summary, b.summary) AS summary, COALESCE(p.body, b.description) AS body,
  p.publish_at AS published_at, {headlines}
FROM page
LEFT JOIN posts_post p ON page.result_type = %s AND p.id = page.result_id
LEFT JOIN posts_category c ON c.id = p.category_id
LEFT JOIN publications_publication b ON page.result_type = %s AND b.id = page.result_id"""
FACETS_SQL = """
UNION ALL
SELECT 1, f.result_type, NULL, NULL, NULL, c.slug, c.name, f.result_kind, f.year, f.count,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM (
  SELECT result_type, result_category, result_kind, {year} AS year, COUNT(*) AS count
  FROM matches GROUP BY result_type, result_category, result_kind, {year}
) f LEFT JOIN posts_category c ON c.id = f.result_category"""
ORDER_SQL = "\nORDER BY part, result_rank DESC, result_date DESC, result_type, result_id DESC"
YEAR_OF_DATE = {"postgresql": "EXTRACT(YEAR FROM result_date)::integer", "sqlite": "CAST(substr(result_date, 1, 4) AS integer)"}

# ts_headline over the page's rows only (it reads the whole text, the dearest part of
# a search). The body is given as stored HTML: the parser skips its tags, and its
# four entities (&lt; &gt; &amp; &nbsp;) are decoded in Python (headline_text).
HEADLINES = """ts_headline(%s::regconfig, COALESCE(p.title, b.title), (SELECT tsquery FROM query), %s) AS title_headline,
  ts_headline(%s::regconfig, COALESCE(p.body, b.description), (SELECT tsquery FROM query), %s) AS body_headline"""
# PostgreSQL: the query parsed once (as a constant, not for each of a thousand rows of a
# prepared statement's generic plan), for the matches, their rank and the headlines.
QUERY_CTE = "query AS MATERIALIZED (SELECT websearch_to_tsquery(%s::regconfig, %s) AS tsquery),\n"
TITLE_HEADLINE_OPTIONS = f"StartSel='{MARK_START}', StopSel='{MARK_STOP}', HighlightAll=true"
BODY_HEADLINE_OPTIONS = (
    f"StartSel='{MARK_START}', StopSel='{MARK_STOP}', MaxWords=35, MinWords=15, "
    "MaxFragments=2, FragmentDelimiter=' … '"
)
NO_HEADLINES = "NULL AS title_headline, NULL AS body_headline"


def _fast_matches(spec):
    sql, published_params = _fast_matches_sql(spec.type)
    published = fill(published_params, now=timezone.now(), today=timezone.localdate())
    if spec is POSTS:
        return sql, [TYPE_POST, timezone.get_current_timezone_name(), *published]
    return sql, [TYPE_PUBLICATION, *published]


@functools.cache
def _fast_matches_sql(result_type):
    """The SQL of one type's matches and the parameters of its published() condition
    (the present as a Param: posts.models.published_where)."""
    if result_type == TYPE_POST:
        published, params = post_published_where()
        return POST_MATCHES.format(published=published), params
    published, params = publication_published_where()
    return PUBLICATION_MATCHES.format(published=published), params


def _orm_matches(spec, query, terms):
    """(sql, params) of one type's matches built with the ORM from `_matching`."""
    null = Value(None, output_field=CharField())
    if spec is POSTS:
        columns = {"result_date": TruncDate("publish_at"), "result_category": F("category_id"), "result_kind": null}
    else:
        columns = {"result_date": F("publication_date"), "result_category": null, "result_kind": F("kind")}
    queryset = (
        _matching(spec, query, terms)
        .order_by()
        .annotate(result_type=Value(spec.type, output_field=CharField()), result_id=F("pk"), **columns)
        .values_list(*MATCH_COLUMNS)
    )
    return queryset.query.sql_with_params()


def matches_sql(query, terms):
    """(sql, params, fixed) of the published matches of both types, or None when nothing
    can match. fixed: the SQL is one of a few fixed texts (worth preparing)."""
    fixed = is_postgresql() and not UNSPACED_SCRIPT.search(query)
    if fixed:
        parts = [_fast_matches(spec) for spec in (POSTS, PUBLICATIONS)]
    elif is_postgresql() or terms:
        parts = [_orm_matches(spec, query, terms) for spec in (POSTS, PUBLICATIONS)]
    else:
        return None
    sql = " UNION ALL ".join(sql for sql, _params in parts)
    return sql, [param for _sql, params in parts for param in params], fixed


def _page_filter(filters):
    """The WHERE of the page's rows: the included types under their filters."""
    conditions, params = [], []
    for included, result_type, condition, value in (
        (
            filters.includes_posts(),
            TYPE_POST,
            "result_category IN (SELECT id FROM posts_category WHERE slug = %s)",
            filters.category,
        ),
        (filters.includes_publications(), TYPE_PUBLICATION, "result_kind = %s", filters.kind),
    ):
        if not included:
            continue
        parts = ["result_type = %s"]
        params.append(result_type)
        if value:
            parts.append(condition)
            params.append(value)
        if filters.year:
            parts.append("result_date >= %s AND result_date < %s")
            params += [f"{filters.year:04d}-01-01", f"{filters.year + 1:04d}-01-01"]
        conditions.append("(" + " AND ".join(parts) + ")")
    return " OR ".join(conditions) or "1 = 0", params


def _execute(matches, query, filters, offset, limit, with_facets):
    """(page rows, facet rows) of one statement."""
    match_sql, match_params, fixed = matches
    where, where_params = _page_filter(filters)
    query_params, headline_params = [], []
    if is_postgresql():
        config = search_config()
        query_cte, headlines = QUERY_CTE, HEADLINES
        query_params = [config, query]
        headline_params = [config, TITLE_HEADLINE_OPTIONS, config, BODY_HEADLINE_OPTIONS]
    else:
        query_cte, headlines = "", NO_HEADLINES
    sql = PAGE_SQL.format(query=query_cte, matches=match_sql, where=where, headlines=headlines)
    if with_facets:
        sql += FACETS_SQL.format(year=YEAR_OF_DATE[connection.vendor])
    sql += ORDER_SQL
    params = [*query_params, *match_params, *where_params, limit, offset, *headline_params, TYPE_POST, TYPE_PUBLICATION]
    # Every value is a parameter; the SQL is put together from the constants above,
    # column names chosen in _page_filter and the ORM's own compiled SQL. The fast form
    # has a few fixed texts (by filters), so PostgreSQL plans each once per session.
    if fixed:
        rows = run_sql(sql, params)  # nosec B608
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)  # nosec B608
            rows = cursor.fetchall()
    return [row for row in rows if row[0] == 0], [row for row in rows if row[0] == 1]


# Facets ----------------------------------------------------------------------------


def facet_counts(rows, filters):
    """Counts to narrow the results by type, category, kind and year.

    Each facet counts the matches under the other active filters; the type counts
    are the numbers of results of each type under all of them.
    """
    post_rows, publication_rows = [], []
    for row in rows:
        result_type, (category, label, kind, year, count) = row[1], row[5:10]
        if result_type == TYPE_POST:
            post_rows.append((category, label, int(year), count))
        else:
            publication_rows.append((kind, int(year), count))

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
            if kind not in kinds:
                kinds[kind] = {"value": kind, "label": str(KIND_LABELS.get(kind, kind)), "count": 0}
            kinds[kind]["count"] += count
        if filters.includes_publications() and publication_section_ok(kind):
            years[year] = years.get(year, 0) + count
    return {
        "types": type_counts,
        "categories": sorted(categories.values(), key=lambda option: option["label"]),
        "kinds": sorted(kinds.values(), key=lambda option: option["label"]),
        "years": [{"value": year, "label": str(year), "count": count} for year, count in sorted(years.items(), reverse=True)],
    }


def result_count(counts, filters):
    """The number of results under the filters: the type counts of the included types."""
    return (counts["types"][TYPE_POST] if filters.includes_posts() else 0) + (
        counts["types"][TYPE_PUBLICATION] if filters.includes_publications() else 0
    )


# The page --------------------------------------------------------------------------


@dataclass
class SearchPage:
    page: object
    results: list
    facets: dict


def search_page(query, filters, page_number, per_page):
    """The page of results, the paginator and the facet counts of a search."""
    terms = query_terms(query)
    matches = matches_sql(query, terms)
    offset = (page_guess(page_number) - 1) * per_page
    if matches is None:
        total, results, counts = 0, [], facet_counts([], filters)
    else:
        page_rows, facet_rows = _execute(matches, query, filters, offset, per_page, with_facets=True)
        counts = facet_counts(facet_rows, filters)
        total = result_count(counts, filters)
        results = [_result(row, terms) for row in page_rows]

    def fetch(start, limit):
        rows, _facets = _execute(matches, query, filters, start, limit, with_facets=False)
        return [_result(row, terms) for row in rows]

    page = Paginator(PageRows(total, offset, results, fetch), per_page).get_page(page_number)
    return SearchPage(page=page, results=list(page.object_list), facets=counts)


# The page's results ----------------------------------------------------------------

KIND_LABELS = dict(Publication.Kind.choices)


@dataclass
class Result:
    type: str
    label: str
    url: str
    title_html: str
    snippet_html: str
    date: object


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


def headline_text(value):
    """The text of a ts_headline over stored HTML: entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(value)).strip()


def _aware(value):
    """A datetime read by a raw query (SQLite gives text or a naive UTC value)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def _result(row, terms):
    (_part, result_type, _id, _rank, result_date, _category, label, kind, _year, _count,
     title, slug, summary, body, published_at, title_headline, body_headline) = row
    # The URLs are those of Post/Publication.get_absolute_url, from the slug alone.
    if result_type == TYPE_POST:
        label, url, when = label or _("Post"), reverse_memo("posts:detail", slug), _aware(published_at)
    else:
        label, url, when = KIND_LABELS.get(kind, kind), reverse_memo("publications:detail", slug), _date(result_date)
    if title_headline and MARK_START in title_headline:
        title_html = marks_to_html(title_headline)
    else:
        title_html = mark_terms(title, terms)
    if body_headline and MARK_START in body_headline:
        snippet_html = marks_to_html(headline_text(body_headline))
    else:
        snippet_html = _fallback_snippet(summary, body, terms)
    return Result(result_type, label, url, title_html, snippet_html, when)


def _fallback_snippet(summary, body, terms):
    """The summary, or the body around a matching word when the summary lacks it."""
    lowered = [term.casefold() for term in terms]
    if summary and any(term in summary.casefold() for term in lowered):
        return highlight(summary, terms)
    body_text = html_to_text(body)
    if any(term in body_text.casefold() for term in lowered):
        return highlight(body_text, terms)
    return highlight(summary or body_text, terms)
