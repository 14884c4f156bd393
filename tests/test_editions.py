"""Posts and publications in several language editions (docs/translation.md, "Editions"):
lists, feeds, sitemaps and search per language, addresses, "Also in", the admin's
editions panel and translations, and the slugs of Thai and Khmer."""

import re
import uuid
from datetime import timedelta

import pytest

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from posts.models import Post
from publications.models import Publication
from unact.editions import edition_slugify, is_outdated, original_of
from unact.search.services import search_index_rebuild

from .factories import PostFactory, PublicationFactory, StaffFactory

pytestmark = pytest.mark.django_db

THAI_TITLE = "สายด่วนช่วยเหลือเปิดบริการตลอดคืน"
KHMER_TITLE = "ខ្សែទូរស័ព្ទជំនួយបើកពេញមួយយប់"


@pytest.fixture
def languages(settings):
    settings.PUBLIC_LANGUAGES = ["en", "th", "km"]
    return settings


@pytest.fixture
def group(languages):
    """An English post with a published Thai edition and a Khmer draft, and an
    English post without editions."""
    english = PostFactory(
        title="Helpline opens at night",
        slug="helpline-opens-at-night",
        body="<p>The helpline answers at night. Ferrywordalpha.</p>",
        tags=["helpline"],
    )
    thai = PostFactory(
        title=THAI_TITLE,
        slug=edition_slugify(THAI_TITLE),
        body="<p>สายด่วนรับสายตอนกลางคืน Ferrywordalpha</p>",
        language="th",
        translation_key=english.translation_key,
        tags=["helpline"],
    )
    khmer = PostFactory(
        title=KHMER_TITLE,
        slug=edition_slugify(KHMER_TITLE),
        language="km",
        translation_key=english.translation_key,
        status=Post.Status.DRAFT,
        tags=["helpline"],
    )
    alone = PostFactory(
        title="Only in English",
        slug="only-in-english",
        body="<p>Ferrywordalpha in English alone.</p>",
        tags=["helpline"],
    )
    return {"en": english, "th": thai, "km": khmer, "alone": alone}


def _html(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _card_titles(html):
    return re.findall(
        r'<h2 class="card-title"([^>]*)><a href="([^"]+)">([^<]+)</a>', html
    )


# Slugs --------------------------------------------------------------------------------


def test_slugs_keep_the_marks_of_thai_and_khmer():
    """Thai and Khmer slugs keep their vowel signs and tone marks (category M), which
    Django's slugify drops."""
    from django.utils.text import slugify

    assert edition_slugify("ภาษาไทย ง่าย!") == "ภาษาไทย-ง่าย"
    assert edition_slugify("ភាសាខ្មែរ!") == "ភាសាខ្មែរ"
    assert slugify("ง่ายนิดเดียว", allow_unicode=True) == "งายนดเดยว"  # why ours exists
    assert edition_slugify("Safe migration: a guide") == "safe-migration-a-guide"


def test_slugs_fit_an_address_once_percent_encoded(client, languages):
    """Each Thai letter takes 9 characters in an address; a slug is cut (or refused in
    the form) so that the redirect left by a slug change can store its address."""
    from urllib.parse import quote

    from unact.editions import ENCODED_SLUG_LIMIT

    long_title = "สายด่วนช่วยเหลือเปิดบริการตลอดคืนสำหรับแรงงานข้ามชาติทุกคน"
    slug = edition_slugify(long_title)
    assert len(quote(slug)) <= ENCODED_SLUG_LIMIT < len(quote(long_title))
    assert long_title.startswith(slug.replace("-", ""))
    post = PostFactory.build(slug="ก" * 30, language="th")
    with pytest.raises(ValidationError) as error:
        post.full_clean(exclude=["category", "author"])
    assert "slug" in error.value.message_dict


def test_an_edition_slug_is_validated_by_the_model():
    post = PostFactory.build(slug="ภาษา ไทย", language="th")
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert "slug" in error.value.message_dict
    post.slug = "ภาษาไทย"
    post.full_clean(exclude=["category", "author"])


def test_thai_and_khmer_slugs_work_in_addresses_sitemap_and_feed(client, group):
    for edition in (group["th"],):
        url = edition.get_absolute_url()
        assert url.startswith("/th/posts/%E0%B8")
        assert THAI_TITLE in _html(client, url)
    khmer = group["km"]
    khmer.status = Post.Status.PUBLISHED
    khmer.save()
    assert KHMER_TITLE in _html(client, khmer.get_absolute_url())
    sitemap = _html(client, "/sitemap.xml")
    assert group["th"].get_absolute_url() in sitemap
    assert khmer.get_absolute_url() in sitemap
    feed = _html(client, "/th/feed/")
    assert THAI_TITLE in feed and group["th"].get_absolute_url() in feed


# Lists, feeds, sitemap, search ----------------------------------------------------------


def test_thai_lists_show_the_thai_edition_and_english_fallbacks(client, group):
    """In Thai: the Thai edition, not its English sibling; English posts without a Thai
    edition, marked lang="en"; never the Khmer draft."""
    for url in ("/th/", "/th/posts/", "/th/posts/tag/helpline/"):
        cards = _card_titles(_html(client, url))
        titles = [title for _attrs, _url, title in cards]
        assert THAI_TITLE in titles
        assert "Helpline opens at night" not in titles
        assert KHMER_TITLE not in titles
        attrs = {title: attrs for attrs, _url, title in cards}
        assert attrs["Only in English"] == ' lang="en"'
        assert attrs[THAI_TITLE] == ""


def test_english_lists_show_english_editions_only(client, group):
    titles = [title for _a, _u, title in _card_titles(_html(client, "/posts/"))]
    assert "Helpline opens at night" in titles and "Only in English" in titles
    assert THAI_TITLE not in titles


def test_khmer_lists_fall_back_to_english_while_the_khmer_edition_is_a_draft(
    client, group
):
    titles = [title for _a, _u, title in _card_titles(_html(client, "/km/posts/"))]
    assert "Helpline opens at night" in titles
    assert KHMER_TITLE not in titles and THAI_TITLE not in titles
    group["km"].status = Post.Status.PUBLISHED
    group["km"].save()
    titles = [title for _a, _u, title in _card_titles(_html(client, "/km/posts/"))]
    assert KHMER_TITLE in titles and "Helpline opens at night" not in titles


def test_a_scheduled_edition_does_not_hide_its_english_sibling(client, group):
    group["th"].publish_at = timezone.now() + timedelta(days=2)
    group["th"].save()
    titles = [title for _a, _u, title in _card_titles(_html(client, "/th/posts/"))]
    assert "Helpline opens at night" in titles and THAI_TITLE not in titles


def test_feeds_follow_the_language(client, group):
    thai = _html(client, "/th/feed/")
    assert THAI_TITLE in thai and "Helpline opens at night" not in thai
    assert "Only in English" in thai and KHMER_TITLE not in thai
    english = _html(client, "/feed/")
    assert "Helpline opens at night" in english and THAI_TITLE not in english


def test_sitemap_lists_each_languages_edition_with_real_alternates(client, group):
    sitemap = _html(client, "/sitemap.xml")
    site = _site()
    thai = site + group["th"].get_absolute_url()
    english = site + "/posts/helpline-opens-at-night/"
    khmer_fallback = site + "/km/posts/helpline-opens-at-night/"
    # The Thai address is listed; the English edition is not listed under /th/.
    assert f"<loc>{thai}</loc>" in sitemap
    assert f"<loc>{site}/th/posts/helpline-opens-at-night/</loc>" not in sitemap
    assert (
        f"<loc>{english}</loc>" in sitemap and f"<loc>{khmer_fallback}</loc>" in sitemap
    )
    assert KHMER_TITLE not in sitemap and group["km"].slug not in sitemap
    # Each entry of the group names the Thai edition as its Thai alternate.
    entry = sitemap.split(f"<loc>{english}</loc>", 1)[1].split("</url>", 1)[0]
    assert f'hreflang="th" href="{thai}"' in entry
    assert f'hreflang="x-default" href="{english}"' in entry


def test_search_in_thai_shows_one_edition_per_group(client, group):
    """Both editions match; the Thai page shows the Thai one, the English page the
    English one; a post with no Thai edition is still found, marked English."""
    search_index_rebuild()
    thai = _html(client, "/th/search/?q=Ferrywordalpha")
    assert THAI_TITLE in thai and "Helpline opens at night" not in thai
    assert re.search(
        r'class="search-title" lang="en"><a href="/th/posts/only-in-english/"[^>]*>'
        "Only in English",
        thai,
    )
    assert re.search(r'class="search-title"><a [^>]*>' + THAI_TITLE, thai)
    english = _html(client, "/search/?q=Ferrywordalpha")
    assert "Helpline opens at night" in english and THAI_TITLE not in english


def test_search_finds_an_edition_in_another_script_when_no_sibling_matches(
    client, group
):
    """A Thai word searched on the English page finds the Thai edition (its English
    sibling does not contain it), marked lang="th"."""
    search_index_rebuild()
    english = _html(client, "/search/?q=สายด่วน")
    assert re.search(r'class="search-title" lang="th"><a href="/th/posts/', english)


def test_search_shows_one_edition_per_group_in_every_case(client, group, languages):
    """The edition chosen where several match: the page's language, else English,
    else the first; the result count counts the editions shown, not every match."""
    languages.PUBLIC_LANGUAGES = ["en", "th", "km", "lo"]
    group["km"].status = Post.Status.PUBLISHED
    group["km"].body = "<p>Ferrywordalpha ជំនួយ</p>"
    group["km"].save()
    # A second group whose English edition does not match: Thai and Khmer do.
    english = PostFactory(title="Border crossing", body="<p>Nothing here.</p>")
    for language, title in (("th", "ด่านชายแดน"), ("km", "ច្រកព្រំដែន")):
        PostFactory(
            title=title,
            slug=edition_slugify(title),
            body="<p>Ferrywordbeta</p>",
            language=language,
            translation_key=english.translation_key,
        )
    search_index_rebuild()

    def shown(url):
        html = _html(client, url)
        return set(re.findall(r'class="search-title"[^>]*><a [^>]*>([^<]+)<', html))

    # English page: the English edition of the first group, the alone post.
    assert shown("/search/?q=Ferrywordalpha") == {
        "Helpline opens at night",
        "Only in English",
    }
    # Khmer page: the Khmer edition wins over English and Thai.
    assert shown("/km/search/?q=Ferrywordalpha") == {KHMER_TITLE, "Only in English"}
    # Lao page (no Lao edition): English wins over Thai and Khmer.
    assert shown("/lo/search/?q=Ferrywordalpha") == {
        "Helpline opens at night",
        "Only in English",
    }
    # The English edition does not match: on the Lao page one of Thai and Khmer is
    # shown (the first made), on the Thai and Khmer pages their own.
    assert shown("/lo/search/?q=Ferrywordbeta") == {"ด่านชายแดน"}
    assert shown("/th/search/?q=Ferrywordbeta") == {"ด่านชายแดน"}
    assert shown("/km/search/?q=Ferrywordbeta") == {"ច្រកព្រំដែន"}
    english_page = _html(client, "/search/?q=Ferrywordbeta")
    assert ">1 result</p>" in english_page and "ด่านชายแดน" in english_page
    assert ">2 results</p>" in _html(client, "/search/?q=Ferrywordalpha")


def test_drafts_of_an_edition_never_leak(client, group):
    search_index_rebuild()
    khmer = group["km"]
    assert client.get(khmer.get_absolute_url()).status_code == 404
    for url in (
        "/km/",
        "/km/posts/",
        "/km/feed/",
        "/sitemap.xml",
        "/km/search/?q=ខ្សែទូរស័ព្ទ",
    ):
        assert KHMER_TITLE not in _html(client, url), url
    # Nor named by its siblings.
    assert (
        "ខ្មែរ</a>"
        not in _html(client, group["th"].get_absolute_url())
        .split('class="other-editions"', 1)[-1]
        .split("</p>", 1)[0]
    )


# Addresses and the post page --------------------------------------------------------


def test_an_edition_under_another_prefix_redirects_to_its_own(client, group):
    thai = group["th"]
    slug_path = thai.get_absolute_url().removeprefix("/th")
    for prefix in ("", "/km"):
        response = client.get(prefix + slug_path)
        assert response.status_code == 301
        assert response["Location"] == thai.get_absolute_url()


def test_english_editions_work_under_every_prefix(client, group):
    for prefix in ("", "/th", "/km"):
        assert client.get(f"{prefix}/posts/only-in-english/").status_code == 200


def test_a_post_names_its_other_editions(client, group):
    """ "Also in" lists the published editions, each in its own script with lang,
    hreflang and its address; the head's alternates are the editions' addresses."""
    group["km"].status = Post.Status.PUBLISHED
    group["km"].save()
    html = _html(client, "/posts/helpline-opens-at-night/")
    also = html.split('class="other-editions"', 1)[1].split("</p>", 1)[0]
    km_url, th_url = group["km"].get_absolute_url(), group["th"].get_absolute_url()
    assert f'<a href="{km_url}" lang="km" hreflang="km">ខ្មែរ</a>' in also
    assert f'<a href="{th_url}" lang="th" hreflang="th">ไทย</a>' in also
    assert also.index("ខ្មែរ") < also.index("ไทย")  # the order of LANGUAGES
    assert f'<link rel="alternate" hreflang="th" href="{_site()}{th_url}">' in html
    # The switcher leads to the Thai edition itself.
    switcher = html.split('class="languages"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{th_url}" lang="th"' in switcher


def _site():
    from django.conf import settings

    return settings.SITE_URL


def test_the_thai_edition_page_is_thai_and_links_back(client, group):
    html = _html(client, group["th"].get_absolute_url())
    assert re.search(r"<h1>" + THAI_TITLE, html)  # no lang="en" on Thai content
    also = html.split('class="other-editions"', 1)[1].split("</p>", 1)[0]
    assert (
        'href="/posts/helpline-opens-at-night/" lang="en" hreflang="en">English' in also
    )
    assert "ខ្មែរ" not in also  # a draft


def test_an_english_fallback_page_in_khmer_is_marked_english(client, group):
    html = _html(client, "/km/posts/only-in-english/")
    assert '<h1 lang="en">Only in English' in html


def test_a_post_group_with_no_english_edition_lists_only_its_language(
    client, languages
):
    thai_only = PostFactory(title=THAI_TITLE, slug="thai-only", language="th")
    assert THAI_TITLE in _html(client, "/th/posts/")
    assert THAI_TITLE not in _html(client, "/posts/")
    assert THAI_TITLE not in _html(client, "/km/posts/")
    html = _html(client, thai_only.get_absolute_url())
    # The switcher's English entry is the front page; the head names no English page.
    assert 'hreflang="en"' not in html.split("</head>", 1)[0]


def test_publications_follow_the_same_rules(client, languages):
    english = PublicationFactory(title="UN-ACT Brochure", slug="un-act-brochure")
    thai = PublicationFactory(
        title="แผ่นพับ UN-ACT",
        slug="แผ่นพับ-un-act",
        language="th",
        translation_key=english.translation_key,
    )
    thai_list = _html(client, "/th/publications/")
    assert "แผ่นพับ UN-ACT" in thai_list and "UN-ACT Brochure" not in thai_list
    assert "UN-ACT Brochure" in _html(client, "/km/publications/")
    assert "แผ่นพับ UN-ACT" not in _html(client, "/publications/")
    feed = _html(client, "/th/publications/feed/")
    assert "แผ่นพับ UN-ACT" in feed and "UN-ACT Brochure" not in feed
    page = _html(client, "/publications/un-act-brochure/")
    assert f'href="{thai.get_absolute_url()}" lang="th" hreflang="th">ไทย' in page
    response = client.get(thai.get_absolute_url().removeprefix("/th"))
    assert (
        response.status_code == 301 and response["Location"] == thai.get_absolute_url()
    )


def test_comments_belong_to_the_edition(client, group):
    from .factories import CommentFactory

    CommentFactory(post=group["th"], text="ขอบคุณสำหรับข้อมูล")
    Post.objects.all().refresh_comment_counts()
    assert "ขอบคุณสำหรับข้อมูล" in _html(client, group["th"].get_absolute_url())
    assert "ขอบคุณสำหรับข้อมูล" not in _html(client, "/posts/helpline-opens-at-night/")


# Query counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/th/", "/th/posts/", "/th/publications/", "DETAIL"])
def test_thai_pages_cost_the_same_queries_for_few_and_many_editions(
    client, languages, url
):
    counts = []
    for total in (3, 20):
        Post.objects.all().delete()
        Publication.objects.all().delete()
        for number in range(total):
            english = PostFactory(tags=["helpline"])
            PublicationFactory()
            if number % 2:
                PostFactory(
                    language="th",
                    slug=f"บทความ-{number}-{total}",
                    translation_key=english.translation_key,
                )
        target = english.get_absolute_url() if url == "DETAIL" else url
        with CaptureQueriesContext(connection) as queries:
            _html(client, target)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_post_page_costs_no_query_more_for_its_editions(
    client, group, django_assert_num_queries
):
    """The post and its group come in one query: the page costs what a post without
    editions costs."""
    with CaptureQueriesContext(connection) as alone:
        _html(client, "/th/posts/only-in-english/")
    with CaptureQueriesContext(connection) as grouped:
        _html(client, group["th"].get_absolute_url())
    assert len(grouped) == len(alone)


# The admin -----------------------------------------------------------------------------


@pytest.fixture
def editor(client):
    user = StaffFactory(is_superuser=True)
    client.force_login(user)
    return user


def test_the_admin_shows_the_editions_side_by_side(client, group, editor):
    html = _html(client, reverse("admin:posts_post_change", args=[group["en"].pk]))
    panel = html.split('class="editions"', 1)[1].split("</table>", 1)[0]
    for edition in (group["en"], group["th"], group["km"]):
        assert reverse("admin:posts_post_change", args=[edition.pk]) in panel
        assert edition.title in panel
    assert "Draft" in panel and "Published" in panel
    # One "Add translation" link per missing language, none for present ones.
    assert reverse("admin:posts_post_translate", args=[group["en"].pk, "vi"]) in html
    assert (
        reverse("admin:posts_post_translate", args=[group["en"].pk, "th"]) not in html
    )


def test_add_translation_makes_a_prefilled_draft_and_opens_it(client, group, editor):
    english = group["en"]
    english.image_alt = ""
    url = reverse("admin:posts_post_translate", args=[english.pk, "vi"])
    assert client.get(url).status_code == 200
    assert not Post.objects.filter(language="vi").exists()  # a GET creates nothing
    response = client.post(url)
    edition = Post.objects.get(language="vi")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:posts_post_change", args=[edition.pk])
    assert edition.translation_key == english.translation_key
    assert edition.status == Post.Status.DRAFT
    assert edition.created_by == editor  # the translator's draft
    assert (edition.title, edition.body, edition.summary, edition.category_id) == (
        english.title,
        english.body,
        english.summary,
        english.category_id,
    )
    assert [tag.name for tag in edition.tags.all()] == ["helpline"]
    assert edition.slug == "helpline-opens-at-night-vi"
    assert not is_outdated(edition, english)
    # Asking again opens the existing draft.
    assert client.post(url)["Location"] == reverse(
        "admin:posts_post_change", args=[edition.pk]
    )
    assert Post.objects.filter(language="vi").count() == 1


def test_add_translation_needs_permission(client, group):
    client.force_login(StaffFactory())
    url = reverse("admin:posts_post_translate", args=[group["en"].pk, "vi"])
    assert client.post(url).status_code in (302, 403)
    assert not Post.objects.filter(language="vi").exists()


def test_an_edition_is_marked_older_when_the_original_changes(client, group, editor):
    english, thai = group["en"], group["th"]
    Post.objects.filter(pk=thai.pk).update(source_updated_at=english.updated_at)
    thai.refresh_from_db()
    assert not is_outdated(thai, english)
    change = reverse("admin:posts_post_change", args=[thai.pk])
    assert "older than the original" not in _own_row(_html(client, change))
    english.body = "<p>The helpline now also answers on weekends.</p>"
    english.save()
    thai.refresh_from_db()
    assert original_of([english, thai]) == english
    assert is_outdated(thai, english)
    assert "older than the original" in _own_row(_html(client, change))
    # Saving the edition from the current original clears the mark.
    from .admin_forms import change_form_data

    data = change_form_data(client, change)
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    thai.refresh_from_db()
    assert not is_outdated(thai, english)
    assert "older than the original" not in _own_row(_html(client, change))


def _own_row(html):
    """The editions panel's row of the edition whose form this is."""
    rows = html.split('class="editions"', 1)[1].split("</table>", 1)[0].split("<tr>")
    return next(row for row in rows if "this edition" in row)


def test_a_second_edition_in_the_same_language_is_refused(client, group, editor):
    from .admin_forms import change_form_data

    change = reverse("admin:posts_post_change", args=[group["km"].pk])
    data = change_form_data(client, change)
    data["language"] = "th"
    response = client.post(change, data)
    assert response.status_code == 200
    assert "already has an edition in ไทย" in response.content.decode()


def test_the_changelists_show_and_filter_by_language(client, group, editor):
    html = _html(client, reverse("admin:posts_post_changelist") + "?language__exact=th")
    assert THAI_TITLE in html and "Only in English" not in html
    assert "column-language_label" in html
    PublicationFactory(language="km")
    html = _html(client, reverse("admin:publications_publication_changelist"))
    assert "column-language_label" in html


def test_migration_gives_each_existing_row_its_own_key():
    """Every row made before editions is its own group (the migration's function)."""
    from importlib import import_module

    from django.apps import apps

    shared = uuid.UUID(int=0)
    posts = [
        PostFactory(language=code, translation_key=shared)
        for code in ("en", "th", "km")
    ]
    module = import_module(
        "posts.migrations.0009_post_language_post_source_updated_at_and_more"
    )
    module.give_each_row_a_key(apps, None)
    keys = set(Post.objects.values_list("translation_key", flat=True))
    assert len(keys) == len(posts) and uuid.UUID(int=0) not in keys


def test_a_cached_thai_list_is_never_served_for_english(client, group, settings):
    """The page cache keeps the Thai list (the Thai edition) under Thai alone."""
    settings.PAGE_CACHE_SECONDS = 300
    for _visit in range(2):
        response = client.get("/th/posts/")
        assert THAI_TITLE in response.content.decode()
    assert response["X-Cache"] == "hit"
    response = client.get("/posts/")
    assert response["X-Cache"] == "miss"
    assert THAI_TITLE not in response.content.decode()


def test_a_thai_editions_slug_change_leaves_a_redirect_under_its_prefix(
    client, group, editor
):
    from .admin_forms import change_form_data

    thai = group["th"]
    old_url = thai.get_absolute_url()
    change = reverse("admin:posts_post_change", args=[thai.pk])
    response = client.post(
        change, change_form_data(client, change, slug="สายด่วน-กลางคืน")
    )
    assert response.status_code == 302
    thai.refresh_from_db()
    client.logout()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == thai.get_absolute_url()
    assert thai.get_absolute_url().startswith("/th/posts/")


def test_the_admin_saves_a_slug_with_thai_marks(client, editor):
    from .factories import with_inline_management
    from .test_posts import _post_form

    url = reverse("admin:posts_post_add")
    form = _post_form(title="ง่ายนิดเดียว", slug="ง่ายนิดเดียว", language="th")
    response = client.post(url, with_inline_management(client, url, form))
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(slug="ง่ายนิดเดียว")
    assert post.language == "th"
