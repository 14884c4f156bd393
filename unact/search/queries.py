"""Searching the index (unact.models.SearchDocument): posts, publications, newsletter editions and pages.

A query is split into words and folded exactly as indexed text was (words.py), then:

- PostgreSQL: the words become a tsquery (built here from quoted lexemes and a few
  operators, so visitor text can never be a syntax error), matched against the stored,
  GIN-indexed vector both as stemmed English and as plain words, since each document
  was indexed in its own language's configuration (services.search_config); ranked by
  ts_rank, or cover density (ts_rank_cd) for several words, so words close together
  rank higher.
- SQLite (development): every word must occur as a whole word in the title, summary
  or body words (an English document's as stems, words.stem, like PostgreSQL's);
  ranked title > summary > body.

A results page is two queries on either database: the facet counts (whose sum under
the filters is the result count; kept until the content changes, so the next page or a
filter of the same search is one query) and the page of results. Excerpts and highlights are
made in Python from the stored plain text of the page's results (highlight.py).
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    FloatField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Exact
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from publications.models import Publication
from unact import pagecache
from unact.i18n import path_in_language
from unact.models import SearchDocument

from .highlight import Highlighter
from .words import ParsedQuery, Term, is_stop_word, parse_query, stem

TYPE_POST, TYPE_PUBLICATION, TYPE_EDITION, TYPE_PAGE = (
    SearchDocument.Kind.POST.value,
    SearchDocument.Kind.PUBLICATION.value,
    SearchDocument.Kind.EDITION.value,
    SearchDocument.Kind.PAGE.value,
)
SORT_RELEVANCE, SORT_DATE = "relevance", "date"
# How long a search's facet counts are kept at most (a change of content ends them at once).
FACETS_SECONDS = 3600
KIND_LABELS = dict(Publication.Kind.choices)


def clean_query(raw, max_length):
    """(query, was_cut): NFC, control and invisible format characters dropped, spaces collapsed, cut."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(
        " " if unicodedata.category(char) in {"Cc", "Zl", "Zp"} else char
        for char in text
        if unicodedata.category(char) not in {"Cs", "Co", "Cn"}
        and char not in "\u200b\u2060\ufeff"
    )
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > max_length:
        return text[:max_length].rstrip(), True
    return text, False


def uses_operators(query):
    """Whether a query excludes a word (`-word`) or offers alternatives (`or`)."""
    return any(
        word.lstrip('"(').startswith("-") or word.casefold() == "or"
        for word in query.split()
    )


@dataclass
class SearchFilters:
    type: str = ""
    category: str = ""
    kind: str = ""
    year: int | None = None

    def includes(self, kind):
        """Whether results of this kind can be shown under the filters (a category is a
        post's, a kind a publication's)."""
        if self.type and self.type != kind:
            return False
        if kind == TYPE_POST:
            return not (self.kind and not self.category)
        if kind == TYPE_PUBLICATION:
            return not (self.category and not self.kind)
        return not (self.category or self.kind)

    def includes_posts(self):
        return self.includes(TYPE_POST)

    def includes_publications(self):
        return self.includes(TYPE_PUBLICATION)

    def condition(self):
        """The Q of the results shown: the included kinds under their filters (an
        empty Q without filters: every match is shown)."""
        if not (self.type or self.category or self.kind or self.year):
            return Q()
        shown = Q(pk__in=[])
        for kind in (TYPE_POST, TYPE_PUBLICATION, TYPE_EDITION, TYPE_PAGE):
            if not self.includes(kind):
                continue
            condition = Q(kind=kind)
            if kind == TYPE_POST and self.category:
                condition &= Q(category=self.category)
            if kind == TYPE_PUBLICATION and self.kind:
                condition &= Q(publication_kind=self.kind)
            shown |= condition
        return shown & Q(year=self.year) if self.year else shown


# Matching ----------------------------------------------------------------------------


def _lexeme(word):
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_text(parsed):
    """The query as tsquery text: every word a quoted lexeme, joined by & | ! <->."""

    def term(term):
        text = (
            "("
            + (" <-> " if term.phrase else " & ").join(
                _lexeme(word) for word in term.words
            )
            + ")"
        )
        return "!" + text if term.excluded else text

    return " & ".join(
        "(" + " | ".join(term(each) for each in clause) + ")"
        for clause in parsed.clauses
    )


def _postgresql_match(parsed):
    text = tsquery_text(parsed)
    english = settings.SEARCH_CONFIG
    # Each document is matched by the query made with its own configuration: English
    # ones stemmed, the others word for word. One query `english || simple` for all
    # let English stop words fall out of other languages' queries: Vietnamese "bạn bè"
    # (friends), folded to "ban be", became 'ban' alone ("be" is an English stop word)
    # and found every text with "bán" (sell).
    # RawSQL, not SearchQuery/SearchRank: the same SQL, but the match appears again
    # in the sibling test (one_edition_shown), and building and compiling those
    # expressions took 2.2-3.2 ms of Python a results page, against 1.3-1.5 ms
    # (docs/performance.md). Columns are unqualified: inside the sibling subquery
    # they name the sibling's.
    match = RawSQL(
        "((config = %s AND search_vector @@ to_tsquery(%s::regconfig, %s))"
        " OR (config <> %s AND search_vector @@ to_tsquery('simple'::regconfig, %s)))",
        (english, english, text, english, text),
        output_field=BooleanField(),
    )
    # Normalisation 1 divides by the log of the length, so long texts do not win by size.
    # Cover density ranks words close together higher; for a single word it would only
    # cost more (1 ms more for 1,200 matches).
    function = "ts_rank_cd" if len(parsed.words) > 1 else "ts_rank"
    # Constant SQL (one of two function names); the query text is a parameter.
    rank = RawSQL(  # nosec B611
        function + "(search_vector,"
        " to_tsquery(%s::regconfig, %s) || to_tsquery('simple'::regconfig, %s), 1)",
        (english, text, text),
        output_field=FloatField(),
    )
    return Q(match), rank


def _has(words):
    """SQLite: the words, in this order, as whole words of the title, summary or body."""
    needle = " " + " ".join(words) + " "
    return (
        Q(title_words__contains=needle)
        | Q(summary_words__contains=needle)
        | Q(body_words__contains=needle)
    )


def _sqlite_match(parsed):
    """As on PostgreSQL, each row is matched in its own configuration: an English one by
    the query's stems against its stored stems (services._words), stop words left out;
    the others word for word."""
    english = Q(config=settings.SEARCH_CONFIG)
    plain_match, plain_rank = _sqlite_words_match(parsed)
    stemmed = _stemmed(parsed)
    if stemmed is None:
        # Only stop words: PostgreSQL's english query is empty and matches no English row.
        return ~english & plain_match, plain_rank
    stemmed_match, stemmed_rank = _sqlite_words_match(stemmed)
    rank = Case(
        When(english, then=stemmed_rank), default=plain_rank, output_field=FloatField()
    )
    return (english & stemmed_match) | (~english & plain_match), rank


def _stemmed(parsed):
    """The query as PostgreSQL's english configuration reads it: each word stemmed, stop
    words left out (inside a phrase they stay, holding their place), a term or clause
    left empty dropped; None when nothing is left."""
    clauses = []
    for clause in parsed.clauses:
        terms = [
            Term(words=words, phrase=term.phrase, excluded=term.excluded)
            for term in clause
            if (
                words := [
                    stem(word)
                    for word in term.words
                    if term.phrase or not is_stop_word(word)
                ]
            )
        ]
        if terms:
            clauses.append(terms)
    return ParsedQuery(clauses=clauses) if clauses else None


def _sqlite_words_match(parsed):
    match = Q()
    for clause in parsed.clauses:
        either = Q(pk__in=[])
        for term in clause:
            condition = (
                _has(term.words)
                if term.phrase
                else Q(*[_has([word]) for word in term.words])
            )
            either |= ~condition if term.excluded else condition
        match &= either
    rank = sum(
        (
            Case(
                When(title_words__contains=f" {word} ", then=Value(1.0)),
                When(summary_words__contains=f" {word} ", then=Value(0.4)),
                default=Value(0.1),
                output_field=FloatField(),
            )
            for word in parsed.words
        ),
        Value(0.0, output_field=FloatField()),
    )
    # Words typed together (or quoted) that stand together in the text rank higher.
    for term in (
        term
        for clause in parsed.clauses
        for term in clause
        if len(term.words) > 1 and not term.excluded
    ):
        rank = rank + Case(
            When(_has(term.words), then=Value(0.5)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return match, rank


def matching(parsed, language=None):
    """(visible documents matching the query, their rank expression). With a page's
    language, one edition of each post or publication: see one_edition_shown."""
    match, rank = (
        _postgresql_match(parsed)
        if connection.vendor == "postgresql"
        else _sqlite_match(parsed)
    )
    documents = SearchDocument.objects.visible().filter(match)
    if language:
        documents = documents.filter(one_edition_shown(match, language))
    return documents, rank


def one_edition_shown(match, language):
    """The condition on a matching document to be shown on a page in `language`: where
    several editions of a post or publication match, the one in the page's language,
    else the English one, else the one with the lowest id. An edition in another
    language than the page's is still found when no sibling matches: a query in one
    script finds documents in another language that contain it.

    A row condition, not a window over the matches: the facet counts and the page
    read the matches once, grouped and ranked directly. The test for a better
    sibling runs only for rows that can lose one (an English edition on another
    language's page, an edition in a third language), and finds the siblings by the
    group's index (a few rows; most documents have none)."""
    english = settings.LANGUAGE_CODE
    # A sibling that matches too and is preferred: one in the page's language; for a
    # row in neither the page's language nor English, also an English one or the one
    # with the lower id. (The row itself is never preferred to itself.)
    preferred = Q(language=language) | (
        ~Q(Exact(OuterRef("language"), english))
        & (Q(language=english) | Q(pk__lt=OuterRef("pk")))
    )
    better_sibling = Exists(
        SearchDocument.objects.visible().filter(
            match, preferred, group=OuterRef("group")
        )
    )
    # A document without a group (a newsletter campaign's edition, a page) stands
    # alone: search lists each matching campaign edition (docs/search.md).
    return Q(group__isnull=True) | Q(language=language) | ~better_sibling


# Facets ----------------------------------------------------------------------------


def facet_counts(rows, filters):
    """Counts to narrow the results by type, category, kind and year.

    rows: (kind, category, category name, publication kind, year, count) of every match.
    Each facet counts the matches under the other active filters; the type counts are
    the numbers of results of each type under all of them.
    """

    def year_ok(year):
        return not filters.year or year == filters.year

    def section_ok(kind, category, publication_kind):
        if not (filters.category or filters.kind):
            return True
        if kind == TYPE_POST:
            return bool(filters.category) and category == filters.category
        return (
            kind == TYPE_PUBLICATION
            and bool(filters.kind)
            and publication_kind == filters.kind
        )

    types = dict.fromkeys((TYPE_POST, TYPE_PUBLICATION, TYPE_EDITION, TYPE_PAGE), 0)
    categories, kinds, years = {}, {}, {}
    for kind, category, category_name, publication_kind, year, count in rows:
        in_section = section_ok(kind, category, publication_kind)
        if year_ok(year) and in_section:
            types[kind] += count
        if kind == TYPE_POST and category and year_ok(year):
            categories.setdefault(
                category, {"value": category, "label": category_name, "count": 0}
            )["count"] += count
        if kind == TYPE_PUBLICATION and year_ok(year):
            kinds.setdefault(
                publication_kind,
                {"value": publication_kind, "label": publication_kind, "count": 0},
            )["count"] += count
        if (
            filters.includes(kind)
            and in_section
            and (not filters.type or filters.type == kind)
        ):
            years[year] = years.get(year, 0) + count
    for option in kinds.values():
        option["label"] = str(KIND_LABELS.get(option["value"], option["value"]))
    return {
        "types": types,
        "categories": sorted(categories.values(), key=lambda option: option["label"]),
        "kinds": sorted(kinds.values(), key=lambda option: option["label"]),
        "years": [
            {"value": year, "label": str(year), "count": count}
            for year, count in sorted(years.items(), reverse=True)
        ],
    }


def result_count(counts, filters):
    """The number of results under the filters: the type counts of the included types."""
    return sum(
        count for kind, count in counts["types"].items() if filters.includes(kind)
    )


# The page --------------------------------------------------------------------------


@dataclass
class Result:
    type: str
    label: str
    url: str
    title_html: str
    snippet_html: str
    date: object
    has_time: bool
    # ` lang="…"` when the document is in another language than the page.
    lang_attr: str = ""


@dataclass
class SearchPage:
    page: object
    results: list
    facets: dict


RESULT_COLUMNS = (
    "kind",
    "url",
    "title",
    "summary",
    "body",
    "category_name",
    "publication_kind",
    "published_at",
    "date",
    "language",
)


def search_page(
    query, filters, page_number, per_page, sort=SORT_RELEVANCE, language=None
):
    """The page of results, the paginator and the facet counts of a search: two queries
    (none for a query without a word to find). language: the page's (one edition of
    each post or publication, see one_edition_shown)."""
    parsed = parse_query(query)
    if not parsed.can_match():
        page = Paginator([], per_page).get_page(page_number)
        return SearchPage(page=page, results=[], facets=facet_counts([], filters))
    documents, rank = matching(parsed, language)
    counts = facet_counts(_facet_rows(documents, parsed, language), filters)
    condition = filters.condition()
    shown = documents.filter(condition) if condition else documents
    order = (
        ("-published_at", "-pk")
        if sort == SORT_DATE
        else (rank.desc(), "-published_at", "-pk")
    )
    paginator = Paginator(shown.order_by(*order).values_list(*RESULT_COLUMNS), per_page)
    paginator.count = result_count(counts, filters)
    page = paginator.get_page(page_number)
    highlighter = Highlighter(parsed.words)
    return SearchPage(
        page=page,
        results=[_result(row, highlighter) for row in page.object_list],
        facets=counts,
    )


def _facet_rows(documents, parsed, language):
    """(kind, category, category name, publication kind, year, count) of every match,
    kept until the content changes (unact.pagecache.kept): the same for every visitor,
    and for each page, order and filter of the same search, so a visitor who narrows or
    pages the results waits for one query, not two. Only searches that find something
    are kept (a made-up query costs one GIN lookup and fills nothing)."""
    key = (
        f"search:facets:{language or ''}:"
        + hashlib.sha256(tsquery_text(parsed).encode()).hexdigest()
    )
    return pagecache.kept(
        key,
        lambda: list(
            documents.values_list(
                "kind", "category", "category_name", "publication_kind", "year"
            )
            .annotate(Count("pk"))
            .order_by()
        ),
        seconds=FACETS_SECONDS,
    )


def _result(row, highlighter):
    (
        kind,
        url,
        title,
        summary,
        body,
        category_name,
        publication_kind,
        published_at,
        day,
        language,
    ) = row
    if kind == TYPE_POST:
        label, when = category_name or _("Post"), published_at
    elif kind == TYPE_PUBLICATION:
        label, when = KIND_LABELS.get(publication_kind, publication_kind), day
    elif kind == TYPE_PAGE:
        label, when = _("Page"), day
    else:
        label, when = _("Newsletter"), day
    if kind != TYPE_EDITION and language in ("", settings.LANGUAGE_CODE):
        # Stored unprefixed: on a Thai page an English post, publication or page opens
        # under /th/, in English with the page around it in Thai. Not a campaign's
        # English edition: its archive page under /th/ shows the Thai edition.
        url = path_in_language(url, translation.get_language())
    return Result(
        kind,
        label,
        url,
        highlighter.mark(title),
        highlighter.snippet(summary, body),
        when,
        kind == TYPE_POST,
        _lang_attr(language or settings.LANGUAGE_CODE),
    )


def _lang_attr(language):
    """` lang="th"` for a document in another language than the page (a Thai campaign
    edition or publication on an English page, English content on a Thai page)."""
    if language == translation.get_language():
        return ""
    return format_html(' lang="{}"', language)
