import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from unact.auth import DEMO_PASSWORD, DEMO_ROLE_ACCOUNTS, DEMO_USERNAME, DEMO_USERNAMES

from .factories import CategoryFactory, PostFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _json_ld(html):
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.S
    )
    return [json.loads(block) for block in blocks]


def test_every_page_has_quick_exit_canonical_and_feed_links(client):
    post = PostFactory()
    for url in ("/", "/posts/", post.get_absolute_url(), "/safety/", "/no-such-page/"):
        html = client.get(url).content.decode()
        assert "data-quick-exit" in html and "Exit this page" in html, url
        assert 'rel="alternate" type="application/rss+xml"' in html, url
        assert '<link rel="canonical" href="http' in html, url
        assert re.search(r'<html lang="en">', html), url


def test_front_page_describes_the_organization(client):
    (data,) = _json_ld(client.get("/").content.decode())
    assert data["@type"] == "Organization" and data["url"].startswith("http")


def test_post_page_has_social_tags_and_article_data(client):
    post = PostFactory(
        title="Why </script><script>alert(1)</script> matters",
        category=CategoryFactory(name="Blog", slug="blog"),
        with_image=True,
        tags=["COMMIT"],
    )
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    (data,) = _json_ld(html)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == post.title
    assert data["image"]["url"].startswith("http") and data["keywords"] == ["COMMIT"]
    assert '<meta property="og:type" content="article">' in html
    assert 'property="og:image" content="http' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert (
        f'<link rel="canonical" href="http://127.0.0.1:8000{post.get_absolute_url()}">'
        in html
    )


def test_news_posts_are_news_articles(client):
    post = PostFactory(category=CategoryFactory(name="News", slug="news"))
    (data,) = _json_ld(client.get(post.get_absolute_url()).content.decode())
    assert data["@type"] == "NewsArticle"


def test_safety_page_is_honest_about_history(client):
    html = client.get(reverse("safety")).content.decode()
    assert "cannot delete your browser history" in html


# --- One origin: SITE_URL (issue 14, item 2) ------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def _settings_value(name, **env):
    """A setting as a fresh process computes it from this environment."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTEST_CURRENT_TEST", "PORT", "SITE_URL"}
    }
    environment.update(env)
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**environment, "DJANGO_SETTINGS_MODULE": "unact.settings"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_in_development_the_site_address_follows_the_servers_port():
    """`PORT=8101 make run`: SITE_URL is http://127.0.0.1:8101 unless set."""
    assert (
        _settings_value("SITE_URL", DEBUG="1", PORT="8101") == "http://127.0.0.1:8101"
    )
    assert _settings_value("SITE_URL", DEBUG="1") == "http://127.0.0.1:8000"
    assert (
        _settings_value(
            "SITE_URL", DEBUG="1", PORT="8101", SITE_URL="https://dev.example.org/"
        )
        == "https://dev.example.org"
    )


def test_make_run_gives_every_process_the_servers_address():
    """The web server, the task worker (emails) and load_demo share one address."""
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8101"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        env={key: value for key, value in os.environ.items() if key not in {"SITE_URL", "PORT"}},
    )  # fmt: skip
    commands = [
        line
        for line in result.stdout.splitlines()
        if "manage.py" in line and "migrate" not in line
    ]
    assert {"load_demo", "db_worker", "runserver"} <= {
        word for line in commands for word in line.split()
    }
    for line in commands:
        assert "SITE_URL=http://127.0.0.1:8101" in line, line
    assert "http://127.0.0.1:8101/admin/" in result.stdout


def test_pages_link_to_site_url_only(client, settings):
    """Canonical, og:url and JSON-LD use SITE_URL, whatever address the request came to."""
    settings.SITE_URL = "http://127.0.0.1:8101"
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    post = PostFactory(title="Helpline now open at night")
    html = client.get(
        post.get_absolute_url(), HTTP_HOST="localhost:8000"
    ).content.decode()
    assert (
        f'<link rel="canonical" href="http://127.0.0.1:8101{post.get_absolute_url()}">'
        in html
    )
    assert (
        f'<meta property="og:url" content="http://127.0.0.1:8101{post.get_absolute_url()}">'
        in html
    )
    addresses = re.findall(
        r'https?://(?:127\.0\.0\.1|localhost|testserver)[^"\s<]*', html
    )
    assert addresses and all(
        address.startswith("http://127.0.0.1:8101/") for address in addresses
    ), addresses
    for data in _json_ld(html):
        assert ":8000" not in json.dumps(data)


@pytest.mark.parametrize("host", ["portal.example.org:6666", "portal.example.org"])
def test_sitemap_and_robots_use_site_url_never_the_host_header(client, settings, host):
    """A client's Host header (any port passes ALLOWED_HOSTS) never reaches the URLs."""
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    settings.SITE_URL = "https://portal.example.org"
    PostFactory()
    robots = client.get("/robots.txt", HTTP_HOST=host).content.decode()
    assert "Sitemap: https://portal.example.org/sitemap.xml" in robots
    sitemap = client.get("/sitemap.xml", HTTP_HOST=host).content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(locations) > 3
    assert all(
        location.startswith("https://portal.example.org/") for location in locations
    ), locations


@pytest.mark.parametrize("feed", ["/feed/", "/feed/atom/", "/th/publications/feed/"])
def test_feeds_link_to_site_url_only(client, settings, feed):
    """Every address in a feed starts with SITE_URL, as in pages and the sitemap, even
    when the Site row was written with another address (found from outside: migrated
    without SITE_URL and served with it, a feed's links named 127.0.0.1:8000 and its
    PDF enclosures the server's own address)."""
    from publications.models import Publication

    from .factories import PublicationFactory

    settings.ALLOWED_HOSTS = ["portal.example.org", "testserver"]
    settings.SITE_URL = "https://portal.example.org"
    PostFactory(title="Helpline now open at night")
    publication = PublicationFactory()
    Publication.objects.filter(pk=publication.pk).update(
        document="publications/2016/report.pdf", file_size=1234
    )
    xml = client.get(feed, HTTP_HOST="portal.example.org:6666").content.decode()
    addresses = re.findall(r"https?://[^\"<\s]+", xml)
    own = [
        address
        for address in addresses
        if not address.startswith(("http://www.w3.org/", "http://purl.org/"))
    ]
    assert len(own) >= 3
    assert all(address.startswith("https://portal.example.org/") for address in own), (
        own
    )


def test_load_demo_prints_the_admin_address_on_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8101"
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    assert "Admin: http://127.0.0.1:8101/admin/" in output.getvalue()
    assert ":8000" not in output.getvalue()


# --- The admin by role, the favicon, the demo account (issue 14, items 9 and 10) ------

TECHNICAL_SECTIONS = [
    "Authentication and Authorization",
    "Axes",
    "Tasks Database Backend",
    "Taggit",
]


def _admin_sections(html):
    return re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>', html)


@pytest.mark.parametrize(
    "group, expected",
    [
        (
            "Editors",
            ["Pages and menus", "Posts", "Publications", "Redirects", "Review", "Tags"],
        ),
        ("Publishers", ["Posts", "Publications", "Review", "Tags"]),
        ("Contributors", ["Posts", "Publications", "Review", "Tags"]),
        ("Moderators", ["Posts"]),
        ("Newsletter managers", ["Newsletter"]),
    ],
)
def test_staff_see_only_the_sections_of_their_role(client, group, expected):
    """No Axes logs, task results, accounts or a section called "Taggit" for staff roles."""
    client.force_login(StaffFactory(groups=[group]))
    html = client.get(reverse("admin:index")).content.decode()
    assert _admin_sections(html) == expected
    assert "technical-apps" not in html
    for name in TECHNICAL_SECTIONS:
        assert f">{name}<" not in html


def test_staff_with_a_technical_permission_still_see_content_only(client):
    """Sections are chosen by role: a permission on log-in records does not list them."""
    from django.contrib.auth.models import Permission

    editor = StaffFactory(groups=["Editors"])
    editor.user_permissions.add(Permission.objects.get(codename="view_accesslog"))
    client.force_login(editor)
    assert "Axes" not in _admin_sections(
        client.get(reverse("admin:index")).content.decode()
    )


def test_superusers_see_the_technical_sections_after_the_content(client):
    client.force_login(StaffFactory(is_superuser=True))
    html = client.get(reverse("admin:index")).content.decode()
    content, technical = html.split('id="technical-apps"')
    assert {"Posts", "Publications", "Newsletter", "Tags"} <= set(
        _admin_sections(content)
    )
    assert set(_admin_sections(technical)) == {
        "Authentication and Authorization",
        "Axes",
        "Sites",
        "Tasks Database Backend",
    }


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith(
        "/img/favicon.svg"
    )
    assert "max-age" in response["Cache-Control"]
    assert client.head("/favicon.ico").status_code == 302


def test_demo_admin_belongs_to_the_staff_groups_and_gets_moderator_notices():
    from posts.tasks import moderator_emails
    from unact.review import publisher_emails

    call_command("load_demo", stdout=io.StringIO())
    admin = get_user_model().objects.get(username=DEMO_USERNAME)
    assert set(admin.groups.values_list("name", flat=True)) == {
        "Editors",
        "Moderators",
        "Newsletter managers",
        "Publishers",
    }
    assert moderator_emails() == [admin.email]
    assert publisher_emails() == [admin.email, "publisher@example.org"]


def test_demo_role_accounts_try_each_review_role():
    """`make run` has a contributor and a publisher to try the review with."""
    call_command("load_demo", stdout=io.StringIO())
    for username, group in DEMO_ROLE_ACCOUNTS.items():
        user = get_user_model().objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [group]
    call_command("load_demo", stdout=io.StringIO())  # again: nothing new
    assert get_user_model().objects.filter(username__in=DEMO_USERNAMES).count() == 3


def _demo_login(client, username=DEMO_USERNAME):
    return client.post(
        reverse("admin:login"),
        {
            "username": username,
            "password": DEMO_PASSWORD,
            "next": reverse("admin:index"),
        },
    )


@pytest.mark.parametrize("username", sorted(DEMO_USERNAMES))
def test_the_demo_account_never_signs_in_with_debug_off(client, settings, username):
    """`make run` then `make serve` on the same database: the demo password opens nothing."""
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    response = _demo_login(client, username)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302
    settings.DEBUG = True
    assert _demo_login(Client(), username).status_code == 302


def test_load_demo_refuses_to_create_the_demo_account_with_debug_off(settings):
    """A production server never gets admin/unact-demo, even if load_demo is run there."""
    from django.core.management.base import CommandError

    settings.DEBUG, settings.TESTING = False, False
    with pytest.raises(CommandError, match="Refusing to create the demo admin"):
        call_command("load_demo", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username__in=DEMO_USERNAMES).exists()
    call_command("load_demo", "--no-admin", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username__in=DEMO_USERNAMES).exists()


@pytest.mark.parametrize("username", sorted(DEMO_USERNAMES))
def test_a_demo_session_from_development_ends_with_debug_off(
    client, settings, username
):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    assert _demo_login(client, username).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    settings.DEBUG = False
    response = client.get(reverse("admin:index"))
    assert (
        response.status_code == 302 and reverse("admin:login") in response["Location"]
    )


def test_a_real_account_still_signs_in_with_debug_off(client):
    StaffFactory(
        username=DEMO_USERNAME, is_superuser=True
    )  # same name, its own password
    response = client.post(
        reverse("admin:login"),
        {
            "username": DEMO_USERNAME,
            "password": "correct horse battery",
            "next": reverse("admin:index"),
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
