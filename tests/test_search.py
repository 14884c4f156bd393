import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from publications.models import Publication
from unact.pages.frame import site_frame_refresh

from .factories import CategoryFactory, PostFactory, PublicationFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: vectors, the GIN index, the SQL of a search",
)


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def result_titles(html):
    return [
        re.sub(r"<[^>]+>", "", title)
        for title in re.findall(
            r'<h2 class="search-title"[^>]*><a [^>]*>(.*?)</a>', html
        )
    ]


def test_every_page_has_the_search_box_in_its_header(client):
    PostFactory(slug="a-post")
    for url in [
        "/",
        "/posts/",
        "/posts/a-post/",
        "/publications/",
        "/newsletter/",
        "/search/",
    ]:
        html = client.get(url).content.decode()
        header = html.split('<header class="site-header">')[1].split("</header>")[0]
        assert (
            'role="search"' in header
            and 'action="/search/"' in header
            and 'method="get"' in header
        ), url
        assert '<label class="visually-hidden" for="site-search-q">' in header
        assert 'id="site-search-q" type="search" name="q"' in header


def test_finds_published_posts_and_publications_together(client):
    PostFactory(title="Helpline for migrant workers opens")
    PublicationFactory(title="Migrant workers in Thailand: a study")
    PostFactory(title="Draft about migrant workers", draft=True)
    PostFactory(title="Scheduled news on migrant workers", scheduled=True)
    PublicationFactory(title="Draft migrant workers report", draft=True)
    PublicationFactory(title="Scheduled migrant workers report", scheduled=True)
    html = search(client, q="migrant workers")
    titles = result_titles(html)
    assert sorted(titles) == [
        "Helpline for migrant workers opens",
        "Migrant workers in Thailand: a study",
    ]
    assert "2 results" in html
    assert "<title>Search results for “migrant workers” · " in html
    assert (
        '<link rel="canonical" href="http://127.0.0.1:8000/search/?q=migrant%20workers">'
        in html
    )


NOINDEX = '<meta name="robots" content="noindex, follow">'


def canonical(html):
    return re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)


def test_the_first_page_of_a_short_unfiltered_query_with_results_may_be_indexed(client):
    PostFactory(title="Helpline for migrant workers opens")
    for params in [
        {"q": "migrant workers"},
        {"q": "  Migrant   workers ", "page": "1"},
        {"q": "migrant workers", "type": "nonsense"},
    ]:
        html = search(client, **params)
        assert NOINDEX not in html, params
        assert 'name="robots"' not in html, params
        assert canonical(html) == "http://127.0.0.1:8000/search/?q=" + (
            "Migrant%20workers" if "page" in params else "migrant%20workers"
        )
    longest, too_long = (
        "helpline" + " migrant" * 7,
        "helpline helpline" + " migrant" * 6,
    )
    assert (len(longest), len(too_long)) == (64, 65)
    assert NOINDEX not in search(client, q=longest)
    too_long_page = search(client, q=too_long)
    assert (
        result_titles(too_long_page) == ["Helpline for migrant workers opens"]
        and NOINDEX in too_long_page
    )


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "xylophone"},
        {"q": "helpline", "type": "post"},
        {"q": "helpline", "category": "news"},
        {"q": "helpline", "year": "2020"},
        {"q": "helpline", "kind": "brief"},
        {"q": "helpline", "page": "2"},
        {"q": "helpline -casino"},
        {"q": "helpline or casino"},
        {"q": "helpline " + "x" * 300},
    ],
)
def test_other_search_pages_say_noindex(client, settings, params):
    settings.SEARCH_RESULTS_PER_PAGE = 1
    for _ in range(2):
        PostFactory(title="Helpline story")
    html = search(client, **params)
    assert NOINDEX in html, params
    if params["q"].strip():
        assert canonical(html).startswith(
            "http://127.0.0.1:8000/search/?q=helpline"
            if "helpline" in params["q"]
            else "http://127.0.0.1:8000/search/?q="
        )


def test_matches_in_the_title_rank_above_matches_in_the_body(client):
    PostFactory(
        title="Annual meeting",
        body="<p>The ministers discussed repatriation at length.</p>",
        publish_at=timezone.now() - timedelta(hours=1),
    )
    PostFactory(
        title="Repatriation of survivors",
        body="<p>A short note.</p>",
        publish_at=timezone.now() - timedelta(days=30),
    )
    assert result_titles(search(client, q="repatriation")) == [
        "Repatriation of survivors",
        "Annual meeting",
    ]


def test_summary_and_tags_are_searched(client):
    PostFactory(title="One", summary="A note about hotlines in Lao PDR.")
    PostFactory(title="Two", tags=["Child protection"])
    PublicationFactory(title="Three", tags=["Child protection"])
    assert result_titles(search(client, q="hotlines")) == ["One"]
    assert sorted(result_titles(search(client, q="protection"))) == ["Three", "Two"]


def test_highlights_escape_content_and_query_and_add_only_marks(client):
    PostFactory(
        title="Fish & <chips> in the <b>market</b>",
        body="<p>Raids on the market &amp; <em>the</em> &lt;script&gt;alert(1)&lt;/script&gt; shops.</p>",
    )
    html = search(client, q="<market>")
    result = html.split('<ol class="search-results"')[1].split("</ol>")[0]
    assert "<script>" not in result and "<b>" not in result and "<chips>" not in result
    assert "&lt;chips&gt;" in result and "&lt;b&gt;" in result
    tags = set(re.findall(r"</?([a-z0-9]+)", result))
    assert tags <= {"li", "article", "p", "h2", "a", "time", "mark"}, tags
    assert "<mark>market</mark>" in result or "<mark>Market</mark>" in result
    heading = re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert heading == "Search results for “&lt;market&gt;”"


def test_filters_narrow_by_type_category_kind_and_year(client):
    news, blog = CategoryFactory(name="News"), CategoryFactory(name="Blog")
    last_year = timezone.now().year - 1
    PostFactory(title="Border news", category=news)
    PostFactory(title="Border blog", category=blog)
    PostFactory(
        title="Border blog of last year",
        category=blog,
        publish_at=timezone.now().replace(year=last_year),
    )
    PublicationFactory(title="Border brief", kind="brief")
    PublicationFactory(title="Border annual report", kind="annual-report")
    assert len(result_titles(search(client, q="border"))) == 5
    assert sorted(result_titles(search(client, q="border", type="post"))) == [
        "Border blog",
        "Border blog of last year",
        "Border news",
    ]
    assert sorted(result_titles(search(client, q="border", type="publication"))) == [
        "Border annual report",
        "Border brief",
    ]
    assert sorted(result_titles(search(client, q="border", category="blog"))) == [
        "Border blog",
        "Border blog of last year",
    ]
    assert result_titles(search(client, q="border", kind="brief")) == ["Border brief"]
    assert result_titles(
        search(client, q="border", category="blog", year=last_year)
    ) == ["Border blog of last year"]
    html = search(client, q="border", type="post")
    assert 'href="/search/?q=border&amp;category=blog"' in html  # facet keeps the query
    assert 'Blog <span class="facet-count">(2)</span>' in html
    assert 'href="/search/?q=border"' in html  # removing the type filter


def test_malformed_filters_are_ignored(client):
    PostFactory(title="Border news")
    html = search(
        client,
        q="border",
        type="everything",
        year="twenty",
        kind="<x>",
        category="../..",
    )
    assert result_titles(html) == ["Border news"]


def test_pagination_keeps_the_query_and_filters(client, settings):
    settings.SEARCH_RESULTS_PER_PAGE = 2
    for number in range(5):
        PostFactory(title=f"Safe migration story {number}")
    PublicationFactory(title="Safe migration guide")
    html = search(client, q="safe migration", type="post")
    assert "5 results" in html
    assert 'href="?q=safe+migration&amp;type=post&amp;page=2"' in html
    page3 = search(client, q="safe migration", type="post", page=3)
    assert len(result_titles(page3)) == 1 and "Page 3 of 3" in page3


def test_empty_query_shows_help_and_browse_links(client):
    html = search(client, q="   ")
    assert "What are you looking for?" in html
    assert 'href="/posts/"' in html and 'href="/publications/"' in html
    assert "<title>Search · " in html


def test_no_match_page_suggests_what_to_try(client):
    PostFactory(title="Helpline")
    html = search(client, q="xylophone")
    assert "Nothing matches your search" in html
    assert "Check the spelling" in html and "fewer words" in html
    assert 'href="/publications/"' in html
    with_filter = search(client, q="helpline", type="publication")
    assert "Search again without the filters" in with_filter
    assert 'href="/search/?q=helpline"' in with_filter


def test_a_very_long_query_is_cut_and_the_page_says_so(client, settings):
    PostFactory(title="Helpline")
    html = search(client, q="helpline " + "x" * 1000)
    assert "only its first 200 characters were used" in html
    assert "x" * 191 in html and "x" * 192 not in html


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "'; DROP TABLE posts_post; --",
        "a & b | !c <-> (d:*",
        '"unclosed quote',
        "-",
        "\x00null\x00byte",
        "ค้ามนุษย์ แรงงานข้ามชาติ",
        "ការជួញដូរមនុស្ស",
        "လူကုန်ကူးမှု",
        "ການຄ້າມະນຸດ",
        "buôn bán người",
        "拐卖人口",
        "\ufffe\uffff\u202e\ud7ff",
        "%_\\",
        "x" * 100_000,
    ],
)
def test_any_query_gives_a_page_with_the_query_escaped(client, query):
    PostFactory(title="Helpline")
    PublicationFactory(title="Report")
    response = client.get("/search/", {"q": query, "page": "2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "\x00" not in html


def test_thai_khmer_and_vietnamese_words_are_found(client):
    PostFactory(title="รายงานการค้ามนุษย์ในภูมิภาค")
    PostFactory(title="Báo cáo về buôn bán người ở Việt Nam")
    PublicationFactory(title="របាយការណ៍ស្តីពីការជួញដូរមនុស្ស")
    assert result_titles(search(client, q="การค้ามนุษย์")) == ["รายงานการค้ามนุษย์ในภูมิภาค"]
    assert result_titles(search(client, q="buôn bán")) == [
        "Báo cáo về buôn bán người ở Việt Nam"
    ]
    assert result_titles(search(client, q="ការជួញដូរមនុស្ស")) == ["របាយការណ៍ស្តីពីការជួញដូរមនុស្ស"]


@pytest.mark.parametrize("count", [3, 30])
def test_results_page_query_count_is_constant(
    client, django_assert_num_queries, count, settings
):
    settings.SEARCH_RESULTS_PER_PAGE = 10
    # The best match of each type keeps both types on the first page at every size.
    PostFactory(title="Referral of survivors")
    PublicationFactory(title="Referral of survivors: a guide")
    PostFactory.create_batch(count, title="Referral note", tags=["survivors"])
    for _ in range(count):
        PublicationFactory(title="Referral guide", tags=["survivors"])
    # The facet counts (their sum is the result count), then the page of results
    with django_assert_num_queries(2):
        response = client.get("/search/", {"q": "referral survivors", "page": "1"})
    assert response.status_code == 200


def test_narrowing_or_paging_a_search_reuses_its_counts_until_the_content_changes(
    client, django_assert_num_queries, settings
):
    """The facet counts are the same for every page, order and filter of a search, and
    for every visitor: kept until the content changes, so the next page or a filter
    costs one query. A new post is counted at once."""
    settings.SEARCH_RESULTS_PER_PAGE = 2
    for number in range(3):
        PostFactory(title=f"Shelter story {number}")
    PublicationFactory(title="Shelter guide")
    with django_assert_num_queries(2):
        assert "4 results" in search(client, q="shelter")
    with django_assert_num_queries(1):
        html = search(client, q="shelter", page="2")
    assert "4 results" in html and "Page 2 of 2" in html
    with django_assert_num_queries(1):
        html = search(client, q="shelter", type="publication")
    assert "1 result" in html and result_titles(html) == ["Shelter guide"]
    PostFactory(title="Shelter story 3")
    with django_assert_num_queries(2):
        assert "5 results" in search(client, q="shelter")
    # Another language's page counts its own editions.
    with django_assert_num_queries(2):
        client.get("/th/search/", {"q": "shelter"})


def test_a_page_beyond_the_last_shows_the_last_page_for_one_more_query(
    client, django_assert_num_queries, settings
):
    settings.SEARCH_RESULTS_PER_PAGE = 2
    for number in range(5):
        PostFactory(title=f"Hotline story {number}")
    with django_assert_num_queries(2):
        html = search(client, q="hotline", page="99")
    assert "Page 3 of 3" in html and len(result_titles(html)) == 1
    for page in ["0", "-1", "abc", "2.5", "9" * 30]:
        html = search(client, q="hotline", page=page)
        assert "5 results" in html and len(result_titles(html)) in (1, 2), page


def test_the_count_and_facets_agree_with_the_results_under_every_filter(
    client, settings
):
    settings.SEARCH_RESULTS_PER_PAGE = 100
    news, blog = CategoryFactory(name="News"), CategoryFactory(name="Blog")
    last_year = timezone.now().year - 1
    for category in (news, blog, news):
        PostFactory(title="Border post", category=category)
    PostFactory(
        title="Border post of last year",
        category=blog,
        publish_at=timezone.now().replace(year=last_year),
    )
    PostFactory(title="Border post without category", category=None)
    PublicationFactory(title="Border brief", kind="brief")
    PublicationFactory(
        title="Border report of last year",
        kind="annual-report",
        publication_date=timezone.localdate().replace(year=last_year),
    )
    for params in [
        {},
        {"type": "post"},
        {"type": "publication"},
        {"category": "blog"},
        {"kind": "brief"},
        {"year": last_year},
        {"category": "news", "year": last_year},
        {"type": "post", "kind": "brief"},
        {"category": "blog", "kind": "brief"},
    ]:
        html = search(client, q="border", **params)
        shown = len(result_titles(html))
        counted = re.search(r'<p class="search-count" role="status">(\d+) result', html)
        assert (int(counted.group(1)) if counted else 0) == shown, params
        if "type" not in params:
            facet = re.search(
                r'type=post[^"]*">Posts <span class="facet-count">\((\d+)\)', html
            )
            posts = sum(
                1
                for link in re.findall(
                    r'<h2 class="search-title"><a href="([^"]+)"', html
                )
                if "/posts/" in link
            )
            assert (int(facet.group(1)) if facet else 0) == posts, params


def test_the_year_of_a_post_is_its_local_year_in_facets_and_filters(client, settings):
    settings.TIME_ZONE = "Asia/Bangkok"
    new_year = timezone.now().year - 1
    # 20:00 UTC on 31 December is already 1 January in Bangkok (UTC+7).
    PostFactory(
        title="New year report",
        publish_at=datetime(new_year - 1, 12, 31, 20, tzinfo=UTC),
    )
    html = search(client, q="report")
    assert f'year={new_year}">{new_year} <span class="facet-count">(1)</span>' in html
    assert result_titles(search(client, q="report", year=new_year)) == [
        "New year report"
    ]
    assert result_titles(search(client, q="report", year=new_year - 1)) == []


def test_results_link_to_the_items_and_show_their_type_and_date(client):
    post = PostFactory(title="Hotline opens", category=CategoryFactory(name="Blog"))
    publication = PublicationFactory(title="Hotline guide", kind="brief")
    html = search(client, q="hotline")
    assert (
        f'<a href="{post.get_absolute_url()}">' in html
        and f'<a href="{publication.get_absolute_url()}">' in html
    )
    assert (
        '<p class="search-type">Blog</p>' in html
        and '<p class="search-type">Brief</p>' in html
    )
    assert f'<time datetime="{publication.publication_date.isoformat()}">' in html
    local = timezone.localtime(post.publish_at).isoformat(timespec="seconds")
    assert f'<time datetime="{local}">' in html


def test_empty_query_runs_no_query(client, django_assert_num_queries):
    # The menus are built once after the cache was emptied (unact/pages/frame.py).
    site_frame_refresh()
    with django_assert_num_queries(0):
        client.get("/search/", {"q": ""})


def test_stemming_matches_other_forms_of_a_word(client):
    """On either database: SQLite stores an English document's stems, made by the same
    Snowball stemmer as PostgreSQL's english configuration."""
    PostFactory(title="Traffickers were convicted")
    PublicationFactory(title="Convictions of trafficking offenders")
    assert sorted(result_titles(search(client, q="convicting"))) == sorted(
        ["Traffickers were convicted", "Convictions of trafficking offenders"]
    )
    assert sorted(result_titles(search(client, q="trafficked"))) == sorted(
        ["Traffickers were convicted", "Convictions of trafficking offenders"]
    )


def test_the_demo_content_is_found_alike_on_postgresql_and_sqlite(client):
    """The same number of results on either database (the order may differ: each ranks
    its own way), for other forms of English words, stop words, phrases, exclusions
    and the demo's Thai and Khmer editions."""
    call_command("load_demo", "--no-admin", stdout=StringIO())
    expected = {
        "/search/?q=trafficked": 21,
        "/search/?q=traffickers": 21,
        "/search/?q=migrate": 6,
        "/search/?q=survivor": 8,
        "/search/?q=protecting": 6,
        "/search/?q=exploited": 5,
        "/search/?q=recruiters": 3,
        "/search/?q=returned": 1,
        "/search/?q=trafficking+in+persons": 5,
        '/search/?q="trafficking+in+persons"': 4,
        "/search/?q=the": 0,
        "/search/?q=safe+migration": 2,
        "/search/?q=-migration+trafficking": 17,
        "/th/search/?q=การค้ามนุษย์": 4,
        "/km/search/?q=ការជួញដូរ": 3,
    }

    def count(url):
        html = client.get(url).content.decode()
        found = re.search(r'class="search-count"[^>]*>\D*(\d+)', html)
        return int(found.group(1)) if found else 0

    assert {url: count(url) for url in expected} == expected


def test_english_stems_and_stop_words_apply_to_english_documents_only(client):
    """The same on PostgreSQL and SQLite: an English document is found by other forms of
    its words and by a query with English stop words, which PostgreSQL's english
    configuration leaves out; a document in another language only word for word."""
    PublicationFactory(title="Traffickers convicted", language="en")
    PublicationFactory(title="Traffickers convicted in Phnom Penh", language="km")
    both = ["Traffickers convicted", "Traffickers convicted in Phnom Penh"]
    assert sorted(result_titles(search(client, q="traffickers"))) == both
    assert result_titles(search(client, q="trafficked")) == ["Traffickers convicted"]
    assert result_titles(search(client, q="the traffickers")) == [
        "Traffickers convicted"
    ]
    # Inside a phrase a stop word holds its place: found word for word.
    assert result_titles(search(client, q='"convicted in Phnom"')) == [
        "Traffickers convicted in Phnom Penh"
    ]
    # Only stop words: no English document (PostgreSQL's query is empty).
    assert result_titles(search(client, q="the")) == []


def test_the_index_follows_every_write_path(client, admin_client):
    """Saves, deletes, tags added after the save, tag renames and removals, a renamed
    category, and the bulk paths that use update(): the admin's publish action,
    publishables_set_status and a campaign marked sent by the worker."""
    from taggit.models import Tag

    from unact.publishing import publishables_set_status

    post = PostFactory(
        title="Quarterly bulletin", category=CategoryFactory(name="News")
    )
    publication = PublicationFactory(title="Bulletin archive")
    post.title = "Quarterly newsletter"
    post.save()
    assert result_titles(search(client, q="newsletter")) == ["Quarterly newsletter"]
    post.tags.add("Remittances")
    publication.tags.add("Remittances")
    assert sorted(result_titles(search(client, q="remittances"))) == [
        "Bulletin archive",
        "Quarterly newsletter",
    ]
    tag = Tag.objects.get(name="Remittances")
    tag.name = "Money transfers"
    tag.save()
    assert result_titles(search(client, q="remittances")) == []
    assert len(result_titles(search(client, q="money transfers"))) == 2
    post.tags.clear()
    assert result_titles(search(client, q="money transfers")) == ["Bulletin archive"]
    post.category.name = "Field notes"
    post.category.save()
    assert '<p class="search-type">Field notes</p>' in search(client, q="quarterly")
    publishables_set_status(
        queryset=Publication.objects.filter(pk=publication.pk), status="draft"
    )
    assert result_titles(search(client, q="money transfers")) == []
    draft = PostFactory(title="Helpline hours", draft=True)
    assert result_titles(search(client, q="helpline")) == []
    admin_client.post(
        "/admin/posts/post/", {"action": "publish", "_selected_action": [draft.pk]}
    )
    assert result_titles(search(client, q="helpline")) == ["Helpline hours"]
    admin_client.post(
        "/admin/posts/post/", {"action": "unpublish", "_selected_action": [draft.pk]}
    )
    assert result_titles(search(client, q="helpline")) == []
    post.delete()
    assert result_titles(search(client, q="quarterly")) == []


def test_newsletter_editions_are_found_once_sent(client):
    """An edition enters the index when the worker marks it sent (an update(), no signal)."""
    from newsletter.models import Campaign
    from newsletter.sending import campaign_finish_if_done

    draft = Campaign.objects.create(
        subject="Mekong bulletin: shelters reopen",
        body="<p>Shelters reopened in Kratie.</p>",
    )
    assert result_titles(search(client, q="shelters")) == []
    Campaign.objects.filter(pk=draft.pk).update(status=Campaign.Status.SENDING)
    assert campaign_finish_if_done(draft.pk)
    html = search(client, q="shelters kratie")
    assert result_titles(html) == ["Mekong bulletin: shelters reopen"]
    assert (
        '<p class="search-type">Newsletter</p>' in html
        and f'href="{draft.get_absolute_url()}"' in html
    )
    assert result_titles(search(client, q="shelters", type="edition")) == [
        "Mekong bulletin: shelters reopen"
    ]
    assert result_titles(search(client, q="shelters", type="post")) == []


def test_rebuild_search_index_writes_every_document_again(client):
    from unact.models import SearchDocument

    PostFactory(title="Hotline report")
    PublicationFactory(title="Hotline guide")
    SearchDocument.objects.all().delete()  # lost (say, restored from a dump without it)
    assert result_titles(search(client, q="hotline")) == []
    output = StringIO()
    call_command("rebuild_search_index", stdout=output)
    assert (
        "post: 1 documents indexed." in output.getvalue()
        and "publication: 1 documents indexed." in output.getvalue()
    )
    assert sorted(result_titles(search(client, q="hotline"))) == [
        "Hotline guide",
        "Hotline report",
    ]


def test_rebuild_search_index_draws_a_progress_bar_on_a_terminal():
    PostFactory.create_batch(3, title="Hotline report")

    class Terminal(StringIO):
        def isatty(self):
            return True

    output = Terminal()
    call_command("rebuild_search_index", stdout=output)
    assert (
        "\rpost         [########################################] 3/3"
        in output.getvalue()
    )


@postgresql_only
def test_a_document_and_its_vector_are_written_in_one_statement():
    """Each document row is written once, its vector built in the same INSERT or UPDATE:
    a second UPDATE per row left a dead copy of each, and a rebuilt index table twice
    its size for every search to read."""
    from django.test.utils import CaptureQueriesContext

    def writes(queries):
        return [
            query["sql"]
            for query in queries
            if query["sql"].startswith(("INSERT", "UPDATE"))
            and '"unact_searchdocument"' in query["sql"].split("(")[0]
        ]

    with CaptureQueriesContext(connection) as created:
        post = PostFactory(title="Hotline report")
    with CaptureQueriesContext(connection) as edited:
        post.title = "Hotline report, revised"
        post.save()
    with CaptureQueriesContext(connection) as rebuilt:
        call_command("rebuild_search_index", stdout=StringIO())
    for queries, statement in [
        (created, "INSERT"),
        (edited, "UPDATE"),
        (rebuilt, "INSERT"),
    ]:
        (sql,) = writes(queries)
        assert sql.startswith(statement) and "to_tsvector" in sql
    html = search(Client(), q="revised")
    assert result_titles(html) == ["Hotline report, revised"]


@postgresql_only
def test_the_search_uses_the_gin_index():
    from django.contrib.postgres.search import SearchQuery

    from unact.models import SearchDocument

    PostFactory.create_batch(5, title="Filler")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    query = SearchDocument.objects.filter(
        search_vector=SearchQuery("filler", search_type="raw")
    )
    assert "unact_searchdocument_vector_gin" in query.explain()


# Languages: words, not substrings (issue 17) ---------------------------------------


def test_thai_words_typed_together_find_documents_with_both_anywhere(client):
    """Thai is typed without spaces: "แรงงานประมง" (workers + fishing) finds a text where the
    two words are far apart, and the text where they stand together ranks first."""
    PostFactory(title="แรงงานข้ามชาติจำนวนมากถูกหลอกลวงให้ทำงานในเรือประมง")
    PostFactory(
        title="แรงงานประมงได้รับความช่วยเหลือ",
        publish_at=timezone.now() - timedelta(days=9),
    )
    PostFactory(title="ตำรวจช่วยเหลือเหยื่อการค้ามนุษย์ที่ชายแดน")
    assert result_titles(search(client, q="แรงงานประมง")) == [
        "แรงงานประมงได้รับความช่วยเหลือ",
        "แรงงานข้ามชาติจำนวนมากถูกหลอกลวงให้ทำงานในเรือประมง",
    ]
    assert result_titles(search(client, q="การค้ามนุษย์")) == [
        "ตำรวจช่วยเหลือเหยื่อการค้ามนุษย์ที่ชายแดน"
    ]


def test_a_short_word_does_not_find_longer_words_that_contain_it(client):
    """ "นา" (rice field) is inside ชาวนา (farmers), หน้าที่ (duty) and นายจ้าง (employer);
    "art" is inside "smart" and "party"."""
    PostFactory(title="ชาวนาในหมู่บ้านได้รับการอบรม")
    PostFactory(title="หน้าที่ของนายจ้าง")
    PostFactory(title="Smart party")
    PostFactory(
        title="Art against trafficking", body="<p>Young people painted a mural.</p>"
    )
    assert result_titles(search(client, q="นา")) == []
    assert result_titles(search(client, q="art")) == ["Art against trafficking"]


def test_vietnamese_is_found_without_diacritics_and_in_any_case(client):
    PostFactory(title="Báo cáo về BUÔN BÁN NGƯỜI ở Đồng bằng sông Cửu Long")
    for query in [
        "buon ban nguoi",
        "BUÔN BÁN người",
        "dong bang song cuu long",
        "Đồng Bằng",
    ]:
        assert result_titles(search(client, q=query)) == [
            "Báo cáo về BUÔN BÁN NGƯỜI ở Đồng bằng sông Cửu Long"
        ], query
    html = search(client, q="buon ban nguoi")
    assert (
        "<mark>BUÔN</mark> <mark>BÁN</mark> <mark>NGƯỜI</mark>" in html
    )  # shown as written


def test_vietnamese_words_that_fold_to_english_stop_words_still_count(client):
    """Folded, "nợ" (debt) is "no", "bè" is "be", "mẹ" (mother) is "me": English stop
    words. A Vietnamese edition is matched word for word, so they still count (found
    by comparing searches before and after the rework: "nợ" found nothing, and "bạn bè"
    (friends) found every text with "bán", sell)."""
    PostFactory(title="Bạn bè giúp nhau tìm việc làm", language="vi")
    PostFactory(title="Nợ môi giới đè nặng người lao động", language="vi")
    PostFactory(title="Phòng chống buôn bán người ở vùng biên giới", language="vi")
    PostFactory(title="Mẹ và con trở về nhà", language="vi")
    assert result_titles(search(client, q="nợ")) == [
        "Nợ môi giới đè nặng người lao động"
    ]
    assert result_titles(search(client, q="no")) == [
        "Nợ môi giới đè nặng người lao động"
    ]
    assert result_titles(search(client, q="bạn bè")) == [
        "Bạn bè giúp nhau tìm việc làm"
    ]
    assert result_titles(search(client, q="mẹ")) == ["Mẹ và con trở về nhà"]


def test_mixed_thai_and_english_queries(client):
    PostFactory(title="แผนปฏิบัติการ COMMIT ต่อต้านการค้ามนุษย์")
    PostFactory(title="COMMIT meeting in Bangkok")
    assert result_titles(search(client, q="COMMIT การค้ามนุษย์")) == [
        "แผนปฏิบัติการ COMMIT ต่อต้านการค้ามนุษย์"
    ]
    assert result_titles(search(client, q="COMMITการค้ามนุษย์")) == [
        "แผนปฏิบัติการ COMMIT ต่อต้านการค้ามนุษย์"
    ]
    assert len(result_titles(search(client, q="commit"))) == 2


def test_khmer_lao_burmese_and_chinese_words_are_found(client):
    PublicationFactory(title="ពលករចំណាកស្រុកត្រូវបានបោកបញ្ឆោត", language="km")
    PublicationFactory(title="ຜູ້ເຄາະຮ້າຍຈາກການຄ້າມະນຸດໄດ້ຮັບການຊ່ວຍເຫຼືອ", language="lo")
    PublicationFactory(title="ကလေးသူငယ်များကို အလုပ်ကြမ်းခိုင်းစေခြင်း", language="my")
    PublicationFactory(title="打击人口贩卖的区域合作", language="zh-hans")
    assert result_titles(search(client, q="ពលករបោកបញ្ឆោត")) == [
        "ពលករចំណាកស្រុកត្រូវបានបោកបញ្ឆោត"
    ]
    assert result_titles(search(client, q="ມະນຸດ")) == [
        "ຜູ້ເຄາະຮ້າຍຈາກການຄ້າມະນຸດໄດ້ຮັບການຊ່ວຍເຫຼືອ"
    ]
    assert result_titles(search(client, q="ကလေးသူငယ်")) == [
        "ကလေးသူငယ်များကို အလုပ်ကြမ်းခိုင်းစေခြင်း"
    ]
    assert result_titles(search(client, q="人口合作")) == ["打击人口贩卖的区域合作"]
    assert result_titles(search(client, q="口贩")) == []  # letters across two words


def test_highlights_mark_whole_words_in_every_script(client):
    PostFactory(
        title="ตำรวจช่วยเหลือเหยื่อการค้ามนุษย์ที่ชายแดน",
        body="<p>A smart art project in Kratie.</p>",
    )
    html = search(client, q="มนุษย์ art")
    assert "การค้า<mark>มนุษย์</mark>ที่" in html
    assert "A smart <mark>art</mark> project" in html


@postgresql_only
def test_english_is_stemmed_and_other_languages_are_not():
    """English documents use SEARCH_CONFIG (english); the others "simple"; a query finds both."""
    from unact.models import SearchDocument

    PublicationFactory(title="Traffickers convicted", language="en")
    PublicationFactory(title="Traffickers convicted in Phnom Penh", language="km")
    configs = dict(SearchDocument.objects.values_list("title", "config"))
    assert configs == {
        "Traffickers convicted": "english",
        "Traffickers convicted in Phnom Penh": "simple",
    }


def test_the_pager_of_relevance_sorted_results_says_previous_and_next(client, settings):
    settings.SEARCH_RESULTS_PER_PAGE = 1
    for number in range(3):
        PostFactory(title=f"Hotline story {number}")
    html = search(client, q="hotline", page=2)
    assert "← Previous</a>" in html and "Next →</a>" in html
    assert "Newer" not in html and "Older" not in html


def test_results_can_be_sorted_by_date_without_javascript(client):
    PostFactory(
        title="Hotline hotline hotline", publish_at=timezone.now() - timedelta(days=300)
    )
    PostFactory(
        title="Hotline news",
        body="<p>Hotline.</p>",
        publish_at=timezone.now() - timedelta(days=1),
    )
    PublicationFactory(
        title="Hotline guide",
        publication_date=timezone.localdate() - timedelta(days=30),
    )
    html = search(client, q="hotline", sort="date")
    assert result_titles(html) == [
        "Hotline news",
        "Hotline guide",
        "Hotline hotline hotline",
    ]
    assert '<strong aria-current="true">Newest first</strong>' in html
    assert '<a href="/search/?q=hotline">Relevance</a>' in html
    assert (
        'href="/search/?q=hotline&amp;type=post&amp;sort=date"' in html
    )  # filters keep the order
    assert NOINDEX in html
    relevance = search(client, q="hotline")
    assert '<a href="/search/?q=hotline&amp;sort=date">Newest first</a>' in relevance


def test_results_come_before_the_filters_in_the_page(client):
    """On a phone the filters would otherwise push the first result far down."""
    PostFactory(title="Hotline story")
    html = search(client, q="hotline")
    assert html.index('<ol class="search-results"') < html.index(
        'class="search-filters"'
    )


# Speed: what a results page builds and runs (docs/search.md, "Speed") ---------------


@postgresql_only
def test_each_query_matches_the_vector_once_and_adds_no_condition_without_filters(
    client,
):
    """Each row is matched once, by the query built with its own configuration (English
    rows stemmed, the others word for word: the row's config decides which `@@` runs);
    the same match appears once more in the test for a better sibling edition (run
    only for a row that can lose one, on its few siblings); without filters no type
    condition is built or evaluated."""
    from django.test.utils import CaptureQueriesContext

    PostFactory(title="Referral of survivors")
    PublicationFactory(title="Referral guide", language="km")
    with CaptureQueriesContext(connection) as queries:
        html = search(client, q="referral")
    assert sorted(result_titles(html)) == ["Referral guide", "Referral of survivors"]
    assert [query["sql"].count("@@") for query in queries.captured_queries] == [4, 4]
    for query in queries.captured_queries:
        # One config test each way, in the row's match and in its sibling's.
        assert query["sql"].count("config = 'english'") == 2
        assert query["sql"].count("config <> 'english'") == 2
        # The sibling test follows the row's own match, inside NOT EXISTS.
        own, sibling = query["sql"].split("NOT EXISTS", 1)
        assert own.count("@@") == 2 and sibling.count("@@") == 2
    assert '"unact_searchdocument"."kind" =' not in queries.captured_queries[1]["sql"]
    with CaptureQueriesContext(connection) as queries:
        assert result_titles(search(client, q="referral", type="post")) == [
            "Referral of survivors"
        ]
    # The counts of this search are kept: the one query is the page, with the filter.
    [page] = queries.captured_queries
    assert '"unact_searchdocument"."kind" =' in page["sql"]


def test_filter_links_escape_their_labels_and_mark_the_selected_option(client):
    PostFactory(
        title="Hotline story",
        category=CategoryFactory(name="News & <Views>", slug="news-views"),
    )
    PublicationFactory(title="Hotline guide", kind="brief")
    html = search(client, q="hotline", type="post")
    filters = html.split('class="search-filters"')[1]
    assert "News &amp; &lt;Views&gt; <span" in filters and "<Views>" not in filters
    assert (
        'type=post" aria-current="true">Posts <span class="facet-count">(1)</span></a>'
        in filters
    )
    assert (
        'type=publication">Publications <span class="facet-count">(1)</span></a>'
        in filters
    )


def test_words_of_two_scripts_run_together_are_split_by_script():
    from unact.search.words import words_with_offsets

    assert words_with_offsets("แผน COMMITการค้า") == [
        (0, "แผน"),
        (4, "COMMIT"),
        (10, "การ"),
        (13, "ค้า"),
    ]
    assert words_with_offsets("The COMMIT plan, 2016.") == [
        (0, "The"),
        (4, "COMMIT"),
        (11, "plan"),
        (17, "2016"),
    ]
