"""The portal in the region's languages: addresses, switcher, hreflang, the page cache per
language, and the catalogues of the languages that are switched on (docs/translation.md)."""

import ast
import re
import struct
from datetime import UTC, datetime
from gettext import GNUTranslations
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import translation

from unact.i18n import language_from_accept_header

from .factories import (
    CampaignFactory,
    CategoryFactory,
    PostFactory,
    PublicationFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

LOCALE = Path(django_settings.BASE_DIR) / "locale"
THAI_AND_KHMER = ["en", "th", "km"]


@pytest.fixture
def thai_and_khmer(settings):
    """Thai and Khmer switched on, as they are once their catalogues are complete."""
    settings.PUBLIC_LANGUAGES = THAI_AND_KHMER
    return settings


def public_pages():
    """One address of each page type, in English."""
    CategoryFactory(name="News", slug="news")
    post = PostFactory(
        tags=["safe-migration"], publish_at=datetime(2025, 3, 14, 9, tzinfo=UTC)
    )
    publication = PublicationFactory()
    campaign = CampaignFactory(status="sent", sent_at=datetime(2025, 4, 1, tzinfo=UTC))
    return [
        "/",
        "/posts/",
        post.get_absolute_url(),
        "/posts/category/news/",
        "/posts/tag/safe-migration/",
        "/posts/2025/",
        "/publications/",
        publication.get_absolute_url(),
        "/newsletter/",
        "/newsletter/archive/",
        campaign.get_absolute_url(),
        "/search/?q=migration",
        "/safety/",
    ]


def head(html):
    return html.split("</head>", 1)[0]


def switcher(html):
    found = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', html, re.S)
    return found and found.group(1)


# Addresses ------------------------------------------------------------------------------


def test_english_addresses_stay_as_they_were_and_show_no_switcher(client, settings):
    """With English alone, every page keeps its address, is lang="en" and offers no
    other language."""
    settings.PUBLIC_LANGUAGES = ["en"]
    for url in public_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en">' in html, url
        assert switcher(html) is None and "hreflang" not in html, url
        assert response["Content-Language"] == "en"


def test_every_page_type_answers_in_each_language_with_lang_switcher_and_hreflang(
    client, thai_and_khmer
):
    for english_url in public_pages():
        path, _, query = english_url.partition("?")
        for code in THAI_AND_KHMER:
            url = (path if code == "en" else f"/{code}{path}") + (
                f"?{query}" if query else ""
            )
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert f'<html lang="{code}">' in html, url
            assert response["Content-Language"] == code
            links = re.findall(
                r'<a href="([^"]+)" lang="([^"]+)" hreflang="([^"]+)"', switcher(html)
            )
            assert links == [
                (path, "en", "en"),
                (f"/km{path}", "km", "km"),
                (f"/th{path}", "th", "th"),
            ], url
            names = re.findall(
                r'hreflang="[^"]+"(?: aria-current="true")?>([^<]+)</a>', switcher(html)
            )
            assert names == ["English", "ខ្មែរ", "ไทย"]
            assert re.findall(r'aria-current="true">([^<]+)<', switcher(html)) == [
                dict(django_settings.LANGUAGES)[code]
            ]
            alternates = re.findall(
                r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', head(html)
            )
            site = django_settings.SITE_URL
            assert alternates == [
                ("en", site + path),
                ("x-default", site + path),
                ("km", f"{site}/km{path}"),
                ("th", f"{site}/th{path}"),
            ], url


def test_links_on_a_thai_page_stay_in_thai(client, thai_and_khmer):
    post = PostFactory(slug="helpline")
    html = client.get("/th/").content.decode()
    assert 'href="/th/posts/helpline/"' in html
    assert 'href="/th/publications/"' in html and 'href="/th/feed/"' in html
    assert 'action="/th/search/"' in html
    assert 'href="/posts/helpline/"' not in html.split('<nav class="languages"')[0]
    with translation.override("th"):
        assert post.get_absolute_url() == "/th/posts/helpline/"
    with translation.override("en"):
        assert post.get_absolute_url() == "/posts/helpline/"


def test_a_language_that_is_not_switched_on_has_no_addresses(client, settings):
    """Khmer's prefix is a 404 until its catalogue is complete, as is an unknown one,
    both in the site's design."""
    settings.PUBLIC_LANGUAGES = ["en", "th"]
    for url in ("/km/", "/km/posts/", "/xx/", "/xx/posts/", "/zz-top/"):
        response = client.get(url)
        assert response.status_code == 404, url
        html = response.content.decode()
        assert "Page not found" in html and 'class="site-header"' in html, url
        assert '<html lang="en">' in html


def test_unknown_prefix_is_a_404_in_the_visitors_language(client, thai_and_khmer):
    response = client.get("/th/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="th">' in html and 'class="site-header"' in html
    # The switcher leads to each language's front page.
    assert re.findall(r'<a href="([^"]+)" lang=', switcher(html)) == [
        "/",
        "/km/",
        "/th/",
    ]


def test_english_under_en_redirects_to_its_address(client, thai_and_khmer):
    response = client.get("/en/posts/?page=2")
    assert response.status_code == 302 and response["Location"] == "/posts/?page=2"


@pytest.mark.parametrize("path", ["/en//evil.example/", "/en/%2Fevil.example/"])
def test_english_under_en_never_redirects_to_another_site(client, path):
    """/en//evil.example/ stays on this site: "//evil.example/" would be another host."""
    response = client.get(path)
    location = response["Location"]
    assert response.status_code == 302 and location.startswith("/")
    assert not location.startswith("//")
    assert urlsplit(location).netloc == ""


def test_shared_addresses_answer_whatever_the_language(
    client, thai_and_khmer, admin_user
):
    PostFactory(slug="helpline")
    assert client.get("/robots.txt").status_code == 200
    assert client.get("/healthz").status_code == 200
    for feed in (
        "/feed/",
        "/feed/atom/",
        "/th/feed/",
        "/km/feed/atom/",
        "/publications/feed/",
        "/th/publications/feed/",
    ):
        response = client.get(feed)
        assert response.status_code == 200, feed
    thai_feed = client.get("/th/feed/").content.decode()
    assert "/th/posts/helpline/" in thai_feed
    assert client.get("/th/admin/").status_code == 404
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_the_sitemap_lists_each_page_in_each_language_with_alternates(
    client, thai_and_khmer
):
    PostFactory(slug="en")  # a slug that looks like a language prefix
    xml = client.get("/sitemap.xml").content.decode()
    site = django_settings.SITE_URL
    for code, prefix in (("en", ""), ("th", "/th"), ("km", "/km")):
        assert f"<loc>{site}{prefix}/posts/en/</loc>" in xml
        assert (
            f'<xhtml:link rel="alternate" hreflang="{code}" href="{site}{prefix}/posts/en/"'
            in xml
        )
    assert (
        f'<xhtml:link rel="alternate" hreflang="x-default" href="{site}/posts/en/"'
        in xml
    )


def test_the_sitemap_in_english_alone_has_no_alternates(client, settings):
    settings.PUBLIC_LANGUAGES = ["en"]
    PostFactory(slug="helpline")
    xml = client.get("/sitemap.xml").content.decode()
    assert "/posts/helpline/</loc>" in xml and "hreflang" not in xml


# The first visit -------------------------------------------------------------------------


def test_first_visit_to_the_front_page_follows_the_browsers_language(
    client, thai_and_khmer
):
    response = client.get(
        "/", HTTP_ACCEPT_LANGUAGE="th-TH,th;q=0.9,en;q=0.8", HTTP_SEC_FETCH_SITE="none"
    )
    assert response.status_code == 302 and response["Location"] == "/th/"
    assert (
        "private" in response["Cache-Control"] and "Accept-Language" in response["Vary"]
    )
    assert not response.cookies  # nothing remembered, nothing tracked


def test_a_click_on_english_keeps_the_visitor_in_english(client, thai_and_khmer):
    """From the site's own switcher (same origin), the English front page is shown."""
    response = client.get(
        "/", HTTP_ACCEPT_LANGUAGE="th", HTTP_SEC_FETCH_SITE="same-origin"
    )
    assert (
        response.status_code == 200 and '<html lang="en">' in response.content.decode()
    )
    referred = client.get(
        "/", HTTP_ACCEPT_LANGUAGE="th", HTTP_REFERER=django_settings.SITE_URL + "/th/"
    )
    assert referred.status_code == 200


def test_only_the_front_page_follows_the_browser_and_only_to_switched_on_languages(
    client, thai_and_khmer
):
    assert client.get("/posts/", HTTP_ACCEPT_LANGUAGE="th").status_code == 200
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="vi,en;q=0.5").status_code == 200
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en,th;q=0.5").status_code == 200
    assert (
        client.get("/", HTTP_ACCEPT_LANGUAGE="x" * 5000 + ",\x00;q=NaN").status_code
        == 200
    )


def test_accept_language_variants_find_the_portals_languages(settings):
    settings.PUBLIC_LANGUAGES = ["en", "th", "zh-hans", "km"]
    assert language_from_accept_header("zh-CN,zh;q=0.9") == "zh-hans"
    assert language_from_accept_header("km-KH") == "km"
    assert language_from_accept_header("fr,th;q=0.3") == "th"
    assert language_from_accept_header("*") is None
    assert language_from_accept_header("my") is None  # not switched on
    assert language_from_accept_header("en-GB,th;q=0.5") is None  # English: no redirect
    assert language_from_accept_header("vi,en;q=0.5") is None


# Caches ----------------------------------------------------------------------------------


def test_a_cached_thai_page_is_never_served_to_an_english_request(
    settings, thai_and_khmer
):
    settings.PAGE_CACHE_SECONDS = 300
    PostFactory(slug="helpline")
    visitor = Client()
    for url in ("/th/", "/th/posts/helpline/", "/th/feed/"):
        assert visitor.get(url)["X-Cache"] == "miss"
        assert visitor.get(url)["X-Cache"] == "hit"
    for url, lang in (("/", "en"), ("/posts/helpline/", "en"), ("/km/", "km")):
        for accept in ("th", "en"):
            response = Client().get(
                url, HTTP_ACCEPT_LANGUAGE=accept, HTTP_SEC_FETCH_SITE="same-origin"
            )
            assert f'<html lang="{lang}">' in response.content.decode(), (url, accept)
            assert response["Content-Language"] == lang
    assert (
        'href="/th/posts/helpline/"'
        not in Client().get("/", HTTP_SEC_FETCH_SITE="same-origin").content.decode()
    )
    assert '<html lang="th">' in visitor.get("/th/").content.decode()
    assert Client().get("/th/")["Content-Language"] == "th"


def test_the_page_frame_is_kept_once_per_language(client, thai_and_khmer):
    fragments = caches["template_fragments"]
    client.get("/")
    english = set(fragments._cache)
    client.get("/th/")
    thai = set(fragments._cache) - english
    assert len(thai) == len(english) == 5
    assert 'href="/th/feed/"' in client.get("/th/posts/").content.decode()
    assert 'href="/th/feed/"' not in client.get("/posts/").content.decode()


# Dates and the admin ---------------------------------------------------------------------


def test_dates_follow_the_language(client, thai_and_khmer):
    PostFactory(slug="helpline", publish_at=datetime(2025, 3, 14, 9, tzinfo=UTC))
    assert "14 March 2025" in client.get("/posts/helpline/").content.decode()
    assert "14 มีนาคม 2025" in client.get("/th/posts/helpline/").content.decode()
    assert "14 ខែ មិនា ឆ្នាំ 2025" in client.get("/km/posts/helpline/").content.decode()


@pytest.mark.parametrize("code", ["my", "lo"])
def test_burmese_and_lao_dates_are_written_in_digits(client, settings, code):
    """Django has no Burmese or Lao month names: its "F" would print "March" on the page.
    Those languages write the day, month and year in digits (unact/formats/<code>/)."""
    settings.PUBLIC_LANGUAGES = ["en", code]
    PostFactory(slug="helpline", publish_at=datetime(2025, 3, 14, 9, tzinfo=UTC))
    html = client.get(f"/{code}/posts/helpline/").content.decode()
    assert '<time datetime="2025-03-14T16:00:00+07:00">14/03/2025' in html
    assert "March" not in html


def test_the_admin_follows_the_staff_members_language_and_links_to_working_addresses(
    client, settings
):
    """Khmer is not on the public site yet: staff may still use the admin in Khmer, and
    the addresses it gives (view on site) have no /km/ prefix."""
    settings.PUBLIC_LANGUAGES = ["en", "th"]
    staff = StaffFactory(is_superuser=True)
    post = PostFactory(slug="helpline")
    client.force_login(staff)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "km"
    response = client.get(reverse("admin:posts_post_change", args=[post.pk]))
    assert response.status_code == 200
    assert response["Content-Language"] == "km"
    assert '<html lang="km"' in response.content.decode()
    with translation.override("km"):
        assert post.get_absolute_url() == "/posts/helpline/"
    english = Client()
    english.force_login(staff)
    assert english.get("/admin/")["Content-Language"] == "en"


# Catalogues ------------------------------------------------------------------------------


def read_po(path):
    """The entries of a .po file: [{msgid, msgid_plural, msgstr: [..], fuzzy, obsolete}]."""
    entries, entry, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        entry = (
            entry
            if entry is not None
            else {"msgstr": {}, "fuzzy": False, "obsolete": False}
        )
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,") and "fuzzy" in line:
            entry["fuzzy"] = True
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += value
            else:
                entry[field] += value
            continue
        value = ast.literal_eval(rest)
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            entry["msgstr"][index] = value
            field = ("msgstr", index)
        else:
            entry[keyword] = value
            field = keyword
    return entries


# Burmese typed with the Zawgyi font's encoding instead of Unicode: Zawgyi stores the
# vowel sign E (U+1031) and the medials before their consonant, where Unicode never
# starts a syllable with them, and uses code points that Burmese in Unicode does not.
ZAWGYI = r"(?:^|[^\u1000-\u109f])[\u1031\u103b\u103c]|[\u1060-\u1097]"
# Words a language writes as English does (the check below would take them for
# entries left untranslated).
SAME_AS_ENGLISH = {"vi": {"Blog", "Video", "email", "Myanmar"}}


def catalogue_problems(code):
    path = LOCALE / code.replace("-hans", "_Hans") / "LC_MESSAGES" / "django.po"
    if not path.exists():
        return [f"no catalogue at {path}"]
    entries = read_po(path)
    problems = []
    header = next(entry for entry in entries if entry["msgid"] == "")
    if (
        "not yet reviewed by a native speaker"
        not in header["msgstr"][0] + path.read_text(encoding="utf-8")[:2000]
    ):
        problems.append("the header does not say whether a native speaker reviewed it")
    compiled = GNUTranslations(path.with_suffix(".mo").open("rb"))
    zawgyi = re.compile(ZAWGYI)
    for entry in entries:
        if entry["msgid"] == "" or entry["obsolete"]:
            continue
        if entry["fuzzy"]:
            problems.append(f"fuzzy: {entry['msgid']!r}")
        if not all(entry["msgstr"].values()):
            problems.append(f"untranslated: {entry['msgid']!r}")
            continue
        key = (
            entry["msgid"]
            if "msgctxt" not in entry
            else f"{entry['msgctxt']}\x04{entry['msgid']}"
        )
        if "msgid_plural" in entry:
            if compiled._catalog.get((key, 0)) != entry["msgstr"][0]:
                problems.append(
                    f"not compiled (run compilemessages): {entry['msgid']!r}"
                )
        elif compiled._catalog.get(key) != entry["msgstr"][0]:
            problems.append(f"not compiled (run compilemessages): {entry['msgid']!r}")
        if (
            entry["msgstr"][0] == entry["msgid"]
            and re.search(r"[a-z]{3}", entry["msgid"])
            and entry["msgid"] not in SAME_AS_ENGLISH.get(code, ())
        ):
            problems.append(f"left in English: {entry['msgid']!r}")
        if code == "my" and any(
            zawgyi.search(text) for text in entry["msgstr"].values()
        ):
            problems.append(f"Zawgyi, not Unicode Burmese: {entry['msgid']!r}")
        placeholders = set(re.findall(r"%\(\w+\)s|\{\w*\}", entry["msgid"]))
        for msgstr in entry["msgstr"].values():
            if (
                set(re.findall(r"%\(\w+\)s|\{\w*\}", msgstr))
                - placeholders
                - set(re.findall(r"%\(\w+\)s", entry.get("msgid_plural", "")))
            ):
                problems.append(f"a placeholder the English lacks: {entry['msgid']!r}")
    return problems


@pytest.mark.parametrize(
    "code", [code for code in django_settings.PUBLIC_LANGUAGES if code != "en"]
)
def test_every_switched_on_language_has_a_complete_catalogue(code):
    assert catalogue_problems(code) == []


def test_the_catalogue_check_finds_untranslated_and_fuzzy_entries(
    tmp_path, monkeypatch
):
    folder = tmp_path / "th" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(
        "# DRAFT machine-assisted translation, not yet reviewed by a native speaker.\n"
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Home"\nmsgstr "หน้าแรก"\n\n'
        '#, fuzzy\nmsgid "News"\nmsgstr "ข่าว"\n\n'
        'msgid "Blog"\nmsgstr ""\n\n'
        'msgid "RSS feed"\nmsgstr "RSS feed"\n\n'
        'msgid "UN-ACT"\nmsgstr "UN-ACT"\n',
        encoding="utf-8",
    )
    (folder / "django.mo").write_bytes(
        struct.pack("<7I", 0x950412DE, 0, 0, 28, 28, 0, 0)
    )  # empty
    monkeypatch.setattr("tests.test_i18n.LOCALE", tmp_path)
    problems = catalogue_problems("th")
    assert "fuzzy: 'News'" in problems and "untranslated: 'Blog'" in problems
    # English copied into the translation shows English on the Thai site; a name
    # written the same in every language does not.
    assert "left in English: 'RSS feed'" in problems
    assert "left in English: 'UN-ACT'" not in problems


def test_the_catalogue_check_finds_burmese_typed_in_zawgyi(tmp_path, monkeypatch):
    """ "Myanmar" in Zawgyi (ျမန္မာ) looks right on a Zawgyi phone and garbled on every
    other; in Unicode it is မြန်မာ."""
    folder = tmp_path / "my" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(
        "# DRAFT machine-assisted translation, not yet reviewed by a native speaker.\n"
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Burmese"\nmsgstr "မြန်မာ"\n\n'
        'msgid "Myanmar"\nmsgstr "ျမန္မာ"\n\n'
        'msgid "News"\nmsgstr "သတင္း ေန႔စဥ္"\n',
        encoding="utf-8",
    )
    (folder / "django.mo").write_bytes(
        struct.pack("<7I", 0x950412DE, 0, 0, 28, 28, 0, 0)
    )
    monkeypatch.setattr("tests.test_i18n.LOCALE", tmp_path)
    problems = [p for p in catalogue_problems("my") if p.startswith("Zawgyi")]
    assert problems == [
        "Zawgyi, not Unicode Burmese: 'Myanmar'",
        "Zawgyi, not Unicode Burmese: 'News'",
    ]


def test_the_thai_site_is_in_thai(client):
    """Thai is switched on with its catalogue: the interface, the errors and the forms
    speak Thai; the English site is unchanged."""
    PostFactory(slug="helpline")
    thai = client.get("/th/posts/helpline/").content.decode()
    assert '<html lang="th">' in thai
    assert "ออกจากหน้านี้" in thai and "หน้าแรก" in thai and "แสดงความคิดเห็น" in thai
    assert "Exit this page" not in thai
    assert (
        '<a href="/th/posts/helpline/" lang="th" hreflang="th" aria-current="true">ไทย</a>'
        in thai
    )
    missing = client.get("/th/no-such-page/")
    assert missing.status_code == 404 and "ไม่พบหน้านี้" in missing.content.decode()
    english = client.get("/posts/helpline/").content.decode()
    assert "Exit this page" in english and "ออกจากหน้านี้" not in english


@pytest.mark.parametrize(
    "code", [code for code in django_settings.PUBLIC_LANGUAGES if code != "en"]
)
def test_each_switched_on_language_has_its_interface_errors_and_forms(client, code):
    """Every page's frame, the 404 page and the comment form speak the language."""
    PostFactory(slug="helpline")
    html = client.get(f"/{code}/posts/helpline/").content.decode()
    missing = client.get(f"/{code}/no-such-page/").content.decode()
    with translation.override(code):
        for english in (
            "Exit this page",
            "Home",
            "Publications",
            "Leave a comment",
            "Send comment",
            "Subscribe",
        ):
            assert (
                translation.gettext(english) != english
                and translation.gettext(english) in html
            ), english
        assert translation.gettext("Page not found") in missing
    assert "Exit this page" not in html


def test_pages_in_khmer_burmese_lao_and_chinese_are_valid_html(client, tmp_path):
    import json
    import shutil
    import subprocess

    from .test_quality import VNU, require

    require(VNU, "vnu-jar")
    PostFactory(slug="legal-aid")
    files = []
    for code in ("km", "lo", "my", "zh-hans"):
        for path in (
            f"/{code}/",
            f"/{code}/posts/legal-aid/",
            f"/{code}/publications/",
            f"/{code}/newsletter/",
        ):
            target = tmp_path / f"page{len(files)}.html"
            target.write_bytes(client.get(path).content)
            files.append(str(target))
    result = subprocess.run(
        [
            shutil.which("java"),
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *files,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    assert [m for m in messages if m.get("type") == "error"] == []


def test_only_the_front_page_varies_by_the_browsers_languages(client, settings):
    """Every other page's language is in its address: a Vary on Accept-Language would
    split a shared cache's copies by every browser's header for nothing."""
    settings.PAGE_CACHE_SECONDS = 600
    post = PostFactory()
    for path in (post.get_absolute_url(), f"/th{post.get_absolute_url()}", "/posts/"):
        for _ in range(2):  # a miss, then a hit
            response = client.get(path)
            assert "Accept-Language" not in response.get("Vary", ""), path
    assert (
        "Accept-Language" in client.get("/", HTTP_SEC_FETCH_SITE="same-origin")["Vary"]
    )


def test_english_content_on_a_page_in_another_language_carries_its_own_lang(client):
    """Content exists in English only: on a Thai page its titles, teasers and bodies are
    marked lang="en", so a screen reader reads them in an English voice (issue 16); the
    English pages carry no such mark."""
    from .factories import PublicationFactory

    post = PostFactory(title="Safe migration explained", summary="Know your rights.")
    publication = PublicationFactory(title="Labour migration study")
    post_url, publication_url = post.get_absolute_url(), publication.get_absolute_url()
    english_title = re.compile(
        r'<h2 class="card-title" lang="en"><a [^>]*>Safe migration explained'
    )
    thai_home = client.get("/th/").content.decode()
    assert english_title.search(thai_home)
    assert re.search(r'<p class="teaser" lang="en">\s*Know your rights', thai_home)
    thai_post = client.get(f"/th{post_url}").content.decode()
    assert '<h1 lang="en">Safe migration explained</h1>' in thai_post
    assert '<div class="prose" lang="en">' in thai_post
    thai_publications = client.get("/th/publications/").content.decode()
    assert re.search(
        r'<h2 class="card-title" lang="en"><a [^>]*>Labour migration study',
        thai_publications,
    )
    thai_publication = client.get(f"/th{publication_url}").content.decode()
    assert '<h1 lang="en">Labour migration study</h1>' in thai_publication
    thai_search = client.get("/th/search/", {"q": "migration"}).content.decode()
    assert '<h2 class="search-title" lang="en">' in thai_search
    for english in (
        client.get("/"),
        client.get(post_url),
        client.get("/publications/"),
    ):
        assert 'lang="en">' not in english.content.decode().split("<body", 1)[1]
