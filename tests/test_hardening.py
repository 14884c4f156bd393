"""Production hardening: headers, CSP, deploy checks, editor CVEs, media, admin protection."""

import ast
import json
import os
import re
import subprocess
import sys
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posts.models import Post
from publications.services import pdf_inspect

from .conftest import free_port
from .factories import PostFactory, StaffFactory, UserFactory, with_inline_management

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789-abcdefghijkl",
    "ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": f"sqlite:///{ROOT / 'var' / 'deploy-check.sqlite3'}",
    "SITE_URL": "https://portal.example.org",
}


def production_env(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENV and key != "PYTEST_CURRENT_TEST"
    }
    env.update(PRODUCTION_ENV)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()
    }


# --- Headers and CSP -------------------------------------------------------------


PUBLIC_URLS = [
    "/",
    "/posts/",
    "/feed/",
    "/feed/atom/",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz",
    "/no-such-page/",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_every_public_response_carries_the_strict_policy_and_headers(client, url):
    PostFactory()
    response = client.get(url)
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == [
        "'self'"
    ]
    assert sorted(directives["frame-src"]) == [
        "https://player.vimeo.com",
        "https://www.youtube-nocookie.com",
    ]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == [
        "'none'"
    ]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "nonce-" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert (
        "camera=()" in response["Permissions-Policy"]
        and "geolocation=()" in response["Permissions-Policy"]
    )
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_static_files_and_media_may_be_shown_by_other_sites(
    settings, media_root, tmp_path
):
    """Newsletter images open in webmail and feed readers: cross-origin, with the rest."""
    (media_root / "posts").mkdir(parents=True)
    (media_root / "posts" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    settings.STATIC_ROOT = tmp_path / "static"
    (settings.STATIC_ROOT / "img").mkdir(parents=True)
    (settings.STATIC_ROOT / "img" / "logo.svg").write_text("<svg/>")
    client = Client()  # WhiteNoise reads STATIC_ROOT when the client's handler starts
    for url in ("/media/posts/photo.jpg", "/static/img/logo.svg"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cross-Origin-Resource-Policy"] == "cross-origin", url
        assert "camera=()" in response["Permissions-Policy"], url


def test_admin_has_its_own_policy_for_ckeditor_never_no_header(client):
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)
    for url in (
        reverse("admin:login"),
        reverse("admin:posts_post_add"),
        reverse("image-browser"),
    ):
        response = client.get(url)
        directives = csp_directives(response)
        assert directives["script-src"] == ["'self'", "'unsafe-inline'"], url
        assert directives["style-src"] == ["'self'", "'unsafe-inline'"], url
        assert directives["default-src"] == ["'self'"] and directives["object-src"] == [
            "'none'"
        ]
        assert not any(
            source.startswith("'nonce-") for source in directives["script-src"]
        )
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["X-Frame-Options"] == "DENY"


def test_hsts_on_https_requests(client):
    response = client.get("/", secure=True)
    assert (
        response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    )


def test_cookies_are_secure_httponly_and_samesite(client):
    response = client.get(reverse("admin:login"))
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    assert csrf["max-age"] == "" and csrf["expires"] == ""  # a browser-session cookie
    user = UserFactory(is_staff=True)
    response = client.post(
        reverse("admin:login"),
        {
            "username": user.username,
            "password": "correct horse battery",
            "next": "/admin/",
        },
    )
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


@pytest.mark.parametrize(
    "next_address", ["//evil.example/", "https://evil.example/admin/", ""]
)
def test_sign_in_with_a_foreign_or_missing_next_opens_the_admin(
    client, settings, next_address
):
    """A sign-in whose `next` leads off the site (or is missing) opens the admin's index:
    never the other site, and never Django's default /accounts/profile/ (a 404 here)."""
    settings.ADMIN_REQUIRE_2FA = False
    user = UserFactory(is_staff=True)
    response = client.post(
        reverse("admin:login"),
        {
            "username": user.username,
            "password": "correct horse battery",
            "next": next_address,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(response["Location"]).status_code == 200


# --- Production start -------------------------------------------------------------


def test_check_deploy_passes_with_the_production_environment():
    result = subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (2 silenced)" in result.stdout


def test_silenced_checks_are_exactly_the_documented_ones():
    """Each silenced check has its reason beside it in settings and in docs/security.md."""
    assert django_settings.SILENCED_SYSTEM_CHECKS == ["ckeditor.W001", "security.W021"]
    documentation = (ROOT / "docs" / "security.md").read_text()
    for check in django_settings.SILENCED_SYSTEM_CHECKS:
        assert f"`{check}`" in documentation


@pytest.mark.parametrize(
    "missing, message",
    [
        ("SECRET_KEY", "SECRET_KEY is not set"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS is not set"),
        ("DATABASE_URL", "DATABASE_URL is not set"),
        ("SITE_URL", "SITE_URL is not set"),
    ],
)
def test_misconfigured_production_start_stops_with_one_line(missing, message):
    env = production_env(**{missing: None})
    command = subprocess.run(
        [PYTHON, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert command.returncode != 0
    assert command.stderr.strip().splitlines() == [command.stderr.strip()]
    assert message in command.stderr and "Traceback" not in command.stderr
    wsgi = subprocess.run(
        [PYTHON, "-c", "import unact.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wsgi.returncode == 4
    assert (
        wsgi.stderr.strip().startswith("Configuration error:")
        and message in wsgi.stderr
    )
    assert "Traceback" not in wsgi.stderr and len(wsgi.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "site_url",
    ["portal.example.org", "https://portal.example.org/portal", "ftp://x.org"],
)
def test_a_site_url_that_is_not_an_origin_stops_with_one_line(site_url):
    command = subprocess.run(
        [PYTHON, "manage.py", "check"], cwd=ROOT, env=production_env(SITE_URL=site_url),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert command.returncode != 0 and "Traceback" not in command.stderr
    assert (
        command.stderr.strip()
        == f"Configuration error: SITE_URL must be an origin such as https://portal.example.org, not {site_url!r}."
    )


def _module_assignments(body):
    """How often each name is assigned in these statements (if/else branches are alternatives)."""
    counts = Counter()
    for node in body:
        targets = []
        if isinstance(node, ast.Assign):
            for target in node.targets:
                targets += (
                    target.elts
                    if isinstance(target, (ast.Tuple, ast.List))
                    else [target]
                )
            targets = [target for target in targets if isinstance(target, ast.Name)]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(
            node.target, ast.Name
        ):
            targets = [node.target]
        counts.update(target.id for target in targets)
        if isinstance(node, ast.If):
            counts.update(
                _module_assignments(node.body) | _module_assignments(node.orelse)
            )
        elif isinstance(node, (ast.Try, ast.With, ast.For)):
            counts.update(_module_assignments(node.body))
    return counts


def test_no_setting_is_assigned_twice():
    """One place per setting: a second assignment far below the first hides what runs."""
    tree = ast.parse((ROOT / "unact" / "settings.py").read_text())
    twice = {
        name: count
        for name, count in _module_assignments(tree.body).items()
        if name.isupper() and count > 1
    }
    assert twice == {}


def _environment_variables(path):
    """Names the module reads from the environment: env_*(NAME), os.environ.get(NAME), os.environ[NAME]."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            function = node.func
            name = (
                function.id if isinstance(function, ast.Name) else ast.unparse(function)
            )
            if name in {
                "env_bool",
                "env_int",
                "env_list",
                "env_required",
                "os.environ.get",
                "os.getenv",
            }:
                names.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ"
        ):
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
    return names


def test_every_environment_variable_is_in_the_deploying_table():
    """docs/deploying.md's table names every variable settings.py reads, and no other."""
    documented = set(
        re.findall(
            r"^\| `([A-Z][A-Z0-9_]+)` \|",
            (ROOT / "docs" / "deploying.md").read_text(),
            re.MULTILINE,
        )
    )
    read = _environment_variables(ROOT / "unact" / "settings.py")
    assert "SECRET_KEY" in read and "SITE_URL" in read and "AXES_FAILURE_LIMIT" in read
    assert sorted(read - documented) == [] and sorted(documented - read) == []


def test_gunicorn_stops_on_a_missing_secret_key_without_a_traceback():
    gunicorn = Path(PYTHON).parent / "gunicorn"
    result = subprocess.run(
        [str(gunicorn), "unact.wsgi", "--preload", "--no-control-socket", "--bind", f"127.0.0.1:{free_port()}"],
        cwd=ROOT, env=production_env(SECRET_KEY=None), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Configuration error: SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


# --- CKEditor 4 and its CVEs ------------------------------------------------------

# Plugins a known CKEditor 4 CVE needs (SECURITY.md), or that reach third parties.
FORBIDDEN_PLUGINS = {
    "codesnippet", "codesnippetgeshi",  # CVE-2024-43407
    "autolink",  # CVE-2021-26272
    "dialogadvtab",  # CVE-2021-26271
    "iframe", "iframedialog", "embed", "embedsemantic", "embedbase", "autoembed",  # CVE-2023-28439
    "preview",  # CVE-2024-24816 (samples' preview)
    "exportpdf", "scayt", "wsc", "mathjax", "uploadimage", "uploadwidget", "flash",
}  # fmt: skip
KNOWN_CVES = [
    "CVE-2021-26271", "CVE-2021-26272", "CVE-2021-32808", "CVE-2021-32809", "CVE-2021-33829",
    "CVE-2021-37695", "CVE-2021-41164", "CVE-2021-41165", "CVE-2022-24728", "CVE-2022-24729",
    "CVE-2023-28439", "CVE-2023-4771", "CVE-2024-24815", "CVE-2024-24816", "CVE-2024-43407",
    "CVE-2024-43411",
]  # fmt: skip


def _content_rules(config):
    return " ".join(
        str(config.get(key) or "") for key in ("allowedContent", "extraAllowedContent")
    )


@pytest.mark.parametrize("name", list(django_settings.CKEDITOR_CONFIGS))
def test_no_editor_configuration_enables_what_the_known_cves_need(name):
    config = django_settings.CKEDITOR_CONFIGS[name]
    assert config.get("fullPage") is False  # CVE-2024-24815: full-page mode
    assert config.get("versionCheck") is False  # CVE-2024-43411
    assert config.get("allowedContent") not in (
        None,
        True,
    )  # an explicit filter, not "anything"
    rules = re.split(r"[\s;,\[\]{}()]+", _content_rules(config).lower())
    for element in (
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "form",
        "svg",
        "math",
    ):
        assert element not in rules, (
            f"{name} allows <{element}> (CVE-2024-24815, CVE-2021-41164)"
        )
    assert "*" not in _content_rules(config)
    assert not config.get("protectedSource")  # CVE-2021-33829/41165: protected comments
    assert not config.get("filebrowserUploadUrl") and not config.get("uploadUrl")
    extra = set(filter(None, str(config.get("extraPlugins", "")).split(",")))
    assert not extra & FORBIDDEN_PLUGINS
    assert not config.get("externalPlugins")  # third-party plugins
    removed = set(str(config.get("removePlugins", "")).split(","))
    assert {
        "dialogadvtab",
        "iframe",
        "preview",
        "exportpdf",
        "scayt",
        "wsc",
        "uploadimage",
    } <= removed


def test_the_bundled_editor_ships_no_samples_or_geshi():
    import ckeditor

    base = Path(ckeditor.__file__).parent / "static" / "ckeditor" / "ckeditor"
    assert 'version:"4.22.1"' in (base / "ckeditor.js").read_text()
    assert not (base / "samples").exists()  # CVE-2023-4771, CVE-2024-24816
    built_in = (
        re.search(r"\.plugins='([^']+)'", (base / "ckeditor.js").read_text())
        .group(1)
        .split(",")
    )
    assert "codesnippetgeshi" not in built_in and "autolink" not in built_in


def test_security_docs_cover_every_known_cve_with_its_precondition():
    text = (ROOT / "docs" / "security.md").read_text()
    for cve in KNOWN_CVES:
        row = next(
            (line for line in text.splitlines() if line.startswith(f"| {cve}")), None
        )
        assert row, f"{cve} missing from docs/security.md"
        assert row.count("|") >= 6, f"{cve} row lacks precondition/applies/mitigation"


# --- Uploads and media -------------------------------------------------------------


def _store(media_root, name, content):
    path = media_root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return "/media/" + name


@pytest.mark.parametrize(
    "name, content_type, disposition",
    [
        ("posts/2026/01/photo-1a2b.jpg", "image/jpeg", "inline"),
        ("library/logo.png", "image/png", "inline"),
        ("publications/report.pdf", "application/pdf", "inline"),
        (
            "publications/page.html",
            "application/octet-stream",
            'attachment; filename="page.html"',
        ),
        (
            "library/drawing.svg",
            "application/octet-stream",
            'attachment; filename="drawing.svg"',
        ),
        ("publications/data.csv", "text/csv", 'attachment; filename="data.csv"'),
        ("publications/report.docx", None, 'attachment; filename="report.docx"'),
        (
            "publications/archive.tar.gz",
            "application/octet-stream",
            'attachment; filename="archive.tar.gz"',
        ),
        (
            "publications/no-extension",
            "application/octet-stream",
            'attachment; filename="no-extension"',
        ),
    ],
)
def test_media_is_served_with_a_safe_type_and_disposition(
    client, media_root, name, content_type, disposition
):
    url = _store(media_root, name, b"<script>alert(1)</script>")
    response = client.get(url)
    assert response.status_code == 200
    if content_type:
        assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_media_answers_byte_ranges_so_phones_can_play_a_film(client, media_root):
    """Found from outside: `curl -H "Range: bytes=0-99"` on the demo film got the whole
    file with 200. Safari on an iPhone plays a <video> only from a server that answers
    ranges (206), and seeking needs them in every browser."""
    content = bytes(range(256)) * 40
    url = _store(media_root, "publications/videos/film.mp4", content)

    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"

    first = client.get(url, HTTP_RANGE="bytes=0-99")
    assert first.status_code == 206
    assert first["Content-Range"] == f"bytes 0-99/{len(content)}"
    assert first["Content-Length"] == "100"
    assert b"".join(first.streaming_content) == content[:100]
    assert (
        first["Content-Type"] == "video/mp4"
        and first["X-Content-Type-Options"] == "nosniff"
    )

    middle = client.get(url, HTTP_RANGE="bytes=5000-")
    assert middle["Content-Range"] == f"bytes 5000-{len(content) - 1}/{len(content)}"
    assert b"".join(middle.streaming_content) == content[5000:]

    last = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(last.streaming_content) == content[-10:]

    beyond = client.get(url, HTTP_RANGE=f"bytes={len(content)}-")
    assert (
        beyond.status_code == 416
        and beyond["Content-Range"] == f"bytes */{len(content)}"
    )

    # What it cannot answer exactly (several ranges, nonsense, a changed file) gets the whole file.
    stale = "Wed, 21 Oct 2015 07:28:00 GMT"
    for header in (
        "bytes=0-1,5-6",
        "bytes=abc",
        "items=0-1",
        "bytes=9-2",
        "bytes=" + "9" * 400,
    ):
        response = client.get(url, HTTP_RANGE=header)
        assert response.status_code == 200, header
    response = client.get(url, HTTP_RANGE="bytes=0-1", HTTP_IF_RANGE=stale)
    assert response.status_code == 200


def test_films_images_and_pdfs_are_sent_as_they_are_with_their_length(
    client, media_root
):
    """Found from outside: with `Accept-Encoding: gzip` (every browser) the demo film,
    the covers and each PDF download were gzipped again on every request, streamed
    without Content-Length (no download progress), and a byte range would have been
    compressed into something other than the bytes it names. Pages stay compressed."""
    from publications.services import publication_save

    from .factories import PostFactory, PublicationFactory, pdf_upload

    content = bytes(range(256)) * 40
    for name in (
        "publications/videos/film.mp4",
        "posts/photo.jpg",
        "publications/report.pdf",
    ):
        url = _store(media_root, name, content)
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert "Content-Encoding" not in response, name
        assert response["Content-Length"] == str(len(content)), name
        part = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_RANGE="bytes=10-19")
        assert part.status_code == 206 and "Content-Encoding" not in part
        assert b"".join(part.streaming_content) == content[10:20]

    publication = PublicationFactory.build(
        external_url="", document=pdf_upload(pages=2, title="Report")
    )
    publication_save(publication=publication)
    download = client.get(
        reverse("publications:download", args=[publication.slug]),
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert download.status_code == 200 and "Content-Encoding" not in download
    assert download["Content-Length"] == str(publication.document.size)

    PostFactory()
    for page in ("/", "/feed/", "/sitemap.xml"):
        assert (
            client.get(page, HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip"
        ), page


@pytest.mark.parametrize(
    "url",
    ["/media/../unact/settings.py", "/media/%2e%2e/unact/settings.py", "/media/a%00.jpg", "/media/", "/media/posts/",
     "/media/..%5c..%5csecret.txt", "/media/../secret.txt", "/media/%ff%fe.jpg", "/media/" + "a" * 5000],
)  # fmt: skip
def test_odd_media_paths_are_a_4xx_never_500(client, media_root, url):
    (media_root / "posts").mkdir(parents=True, exist_ok=True)
    (media_root.parent / "secret.txt").write_text("outside the media root")
    response = client.get(url)
    assert response.status_code in (400, 404)
    assert b"outside the media root" not in response.content


def _pdf(padding=b""):
    from .factories import pdf_bytes

    return pdf_bytes(pages=1) + padding


@pytest.mark.parametrize(
    "content, valid",
    [
        (_pdf(), True),
        (b"<html><script>alert(1)</script></html>", False),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', False),
        (b"MZ\x90\x00" + b"\x00" * 100, False),
        (b"%PDF-1.7\n truncated without an end", False),
    ],
)
def test_documents_are_validated_by_content_not_name(content, valid):
    """The one PDF check (publications.services.pdf_inspect) reads bytes, not names."""
    upload = SimpleUploadedFile("report.pdf", content, content_type="application/pdf")
    if valid:
        assert pdf_inspect(upload=upload).page_count == 1
        assert upload.tell() == 0
    else:
        with pytest.raises(ValidationError) as error:
            pdf_inspect(upload=upload)
        assert error.value.code in {"not_pdf", "broken_pdf", "empty_pdf"}


def test_oversized_documents_are_refused(settings):
    settings.PUBLICATIONS_MAX_UPLOAD_BYTES = 100
    upload = SimpleUploadedFile(
        "report.pdf", _pdf(b"x" * 200), content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as error:
        pdf_inspect(upload=upload)
    assert error.value.code == "file_too_large"


# --- S3-compatible media storage against moto's server on loopback ----------------


@pytest.fixture
def s3_storage(settings):
    """A real S3 API (moto's standalone server) on a loopback port, as the media store."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server._port}"
    credentials = {
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "region_name": "us-east-1",
    }
    client = boto3.client("s3", endpoint_url=endpoint, **credentials)
    client.create_bucket(Bucket="unact-media")
    # Media are public, as on a real deployment: anyone may read, only the app writes.
    client.put_bucket_policy(
        Bucket="unact-media",
        Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": "arn:aws:s3:::unact-media/*"}],
        }),
    )  # fmt: skip
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "unact.storage.MediaS3Storage",
            "OPTIONS": {
                "bucket_name": "unact-media",
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "querystring_auth": False,
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    yield client
    server.stop()


def test_featured_images_and_renditions_are_stored_in_s3(s3_storage):
    post = PostFactory(with_image=True)
    post.refresh_from_db()
    keys = {
        item["Key"]
        for item in s3_storage.list_objects_v2(Bucket="unact-media")["Contents"]
    }
    assert post.featured_image.name in keys
    assert any(key.startswith("renditions/") for key in keys)
    head = s3_storage.head_object(Bucket="unact-media", Key=post.featured_image.name)
    assert (
        head["ContentType"] == "image/jpeg" and head["ContentDisposition"] == "inline"
    )
    # The object store serves what the page links to.
    with urllib.request.urlopen(post.featured_image.url, timeout=10) as answer:  # noqa: S310 (loopback)
        assert answer.read(3) == b"\xff\xd8\xff"
    assert post.image_width == 800 and post.image_height == 600


def test_other_files_in_s3_download_as_attachments(s3_storage):
    from django.core.files.storage import default_storage

    name = default_storage.save(
        "publications/page.html", ContentFile(b"<script>alert(1)</script>")
    )
    head = s3_storage.head_object(Bucket="unact-media", Key=name)
    assert head["ContentType"] == "application/octet-stream"
    assert head["ContentDisposition"].startswith("attachment;")


# --- The admin: brute force, groups, history ----------------------------------------


def _login(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


def test_admin_login_locks_out_a_user_and_ip_after_the_failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = StaffFactory(username="editor")
    client = Client()
    for _attempt in range(2):
        assert _login(client, "editor", "wrong").status_code == 200
    locked = _login(client, "editor", "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many failed log-ins" in html and "30 minutes" in html
    assert locked["Retry-After"] == "1800"
    # Even the right password waits for the cool-off, from that IP.
    assert _login(client, "editor", "correct horse battery").status_code == 429
    # The same user from another network, and another user from the same IP, are not locked.
    assert (
        _login(
            Client(), "editor", "correct horse battery", ip="198.51.100.4"
        ).status_code
        == 302
    )
    StaffFactory(username="other")
    assert _login(Client(), "other", "correct horse battery").status_code == 302
    assert user.is_active


def test_lockout_ends_after_the_cool_off(settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 2
    StaffFactory(username="editor")
    for _attempt in range(2):
        _login(Client(), "editor", "wrong")
    assert _login(Client(), "editor", "correct horse battery").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert _login(Client(), "editor", "correct horse battery").status_code == 302


def test_staff_unlock_a_locked_out_colleague_in_the_admin(settings, client):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 2
    StaffFactory(username="editor")
    for _attempt in range(2):
        _login(Client(), "editor", "wrong")
    attempt = AccessAttempt.objects.get(username="editor")
    client.force_login(StaffFactory(username="it-admin", is_superuser=True))
    listing = client.get(
        reverse("admin:axes_accessattempt_changelist")
    ).content.decode()
    assert "editor" in listing and "203.0.113.7" in listing
    response = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert _login(Client(), "editor", "correct horse battery").status_code == 302


def test_client_ip_behind_trusted_proxies(settings, rf):
    from unact.security import client_ip

    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4"
    )
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.4"  # a forged left-most hop is ignored


def test_admin_url_is_configurable(settings):
    import importlib

    from django.urls import clear_url_caches

    import unact.urls

    settings.ADMIN_URL = "office-7f3a/"
    try:
        importlib.reload(unact.urls)
        clear_url_caches()
        assert reverse("admin:index") == "/office-7f3a/"
        assert reverse("image-browser") == "/office-7f3a/posts/image/browse/"
        client = Client()
        client.force_login(StaffFactory(is_superuser=True))
        form = client.get("/office-7f3a/posts/post/add/")
        assert form.status_code == 200
        assert "/office-7f3a/posts/image/browse/" in form.content.decode()
        assert "'unsafe-inline'" in form["Content-Security-Policy"]
        assert client.get("/admin/").status_code == 404
        assert "Disallow" not in client.get("/robots.txt").content.decode()
    finally:
        settings.ADMIN_URL = "admin/"
        importlib.reload(unact.urls)
        clear_url_caches()


# Editors also keep the redirects from old addresses, and see and decide what waits for
# review (docs/editors.md).
EDITOR_MODELS = {
    ("posts", "post"),
    ("posts", "category"),
    ("posts", "image"),
    ("taggit", "tag"),
    ("redirects", "redirect"),
    ("unact", "reviewrequest"),
}
EDITOR_APPS = {"publications", "pages"}  # every model of these apps


def _group_models(name):
    group = Group.objects.get(name=name)
    return {
        (p.content_type.app_label, p.content_type.model)
        for p in group.permissions.select_related("content_type")
    }


@pytest.mark.parametrize("group", ["Contributors", "Publishers"])
def test_review_roles_reach_only_posts_publications_and_their_review(group):
    """Contributors and publishers see no comments, subscribers, users or redirects."""
    assert _group_models(group) == {
        ("posts", "post"),
        ("posts", "category"),
        ("posts", "image"),
        ("taggit", "tag"),
        ("publications", "publication"),
        ("publications", "country"),
        ("unact", "reviewrequest"),
    }


def test_editors_reach_only_posts_tags_publications_pages_and_redirects(client):
    """Editors cannot see subscribers, comments, users or anything else outside their work."""
    models = _group_models("Editors")
    assert EDITOR_MODELS <= models
    assert {
        model
        for model in models
        if model not in EDITOR_MODELS and model[0] not in EDITOR_APPS
    } == set()
    client.force_login(StaffFactory(groups=["Editors"]))
    for model in admin.site._registry:
        key = (model._meta.app_label, model._meta.model_name)
        url = reverse(f"admin:{key[0]}_{key[1]}_changelist")
        allowed = key in EDITOR_MODELS or key[0] in EDITOR_APPS
        assert client.get(url).status_code == (200 if allowed else 403), url


@pytest.mark.parametrize("group", ["Moderators", "Newsletter managers"])
def test_moderators_and_newsletter_managers_cannot_edit_posts(client, group):
    user = StaffFactory(groups=[group])
    for model in ("post", "category", "image"):
        for action in ("add", "change", "delete"):
            assert not user.has_perm(f"posts.{action}_{model}")
    post = PostFactory()
    client.force_login(user)
    assert (
        client.get(reverse("admin:posts_post_change", args=[post.pk])).status_code
        == 403
    )
    response = client.post(
        reverse("admin:posts_post_change", args=[post.pk]), {"title": "Defaced"}
    )
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.title != "Defaced"


def test_newsletter_managers_have_nothing_outside_the_newsletter():
    """So they cannot moderate comments (whatever app holds them) or edit posts."""
    assert {
        model
        for model in _group_models("Newsletter managers")
        if model[0] != "newsletter"
    } == set()
    if apps.is_installed("posts") and "comment" in {
        m._meta.model_name for m in apps.get_app_config("posts").get_models()
    }:
        assert not StaffFactory(groups=["Newsletter managers"]).has_perm(
            "posts.change_comment"
        )


def test_admin_changes_are_recorded_and_shown_as_history(client):
    editor = StaffFactory(groups=["Editors"], username="lan")
    client.force_login(editor)
    post = PostFactory(title="Helpline", draft=True)
    form = {
        "title": "Helpline opens at night",
        "slug": post.slug,
        "category": post.category_id,
        "tags": "",
        "language": "en",
        "summary": "",
        "body": "<p>Open all night.</p>",
        "content_warning": "",
        "image_alt": "",
        "video_url": "",
        "external_url": "",
        "status": "draft",
        "publish_at_0": "2026-01-05",
        "publish_at_1": "10:00:00",
        "allow_comments": "on",
        "author": editor.pk,
    }
    change_url = reverse("admin:posts_post_change", args=[post.pk])
    response = client.post(change_url, with_inline_management(client, change_url, form))
    assert response.status_code == 302, response.content.decode()[:2000]
    client.post(
        reverse("admin:posts_post_changelist"),
        {"action": "publish", "_selected_action": [post.pk], "index": 0},
    )
    entries = LogEntry.objects.filter(object_id=str(post.pk)).order_by("action_time")
    assert [entry.user.username for entry in entries] == ["lan", "lan"]
    change_form = client.get(
        reverse("admin:posts_post_change", args=[post.pk])
    ).content.decode()
    history_url = reverse("admin:posts_post_history", args=[post.pk])
    assert history_url in change_form
    history = client.get(history_url).content.decode()
    assert "Changed Title, Summary, Body, Publish at and Author." in history
    assert "Changed Status." in history
    assert history.count("lan") >= 2


# --- Health ------------------------------------------------------------------------


def test_healthz_stays_200_when_only_the_cache_is_down(client, settings):
    # The shared cache is down; the page frame's fragments stay in local memory.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"database: ok\ncache: unavailable\n"
    # The site itself keeps working without its cache.
    PostFactory(title="Still readable")
    assert "Still readable" in client.get("/").content.decode()


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("server closed the connection")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database: unavailable\ncache: ok\n"


# --- Supply chain --------------------------------------------------------------------


def test_lock_files_pin_every_declared_dependency_with_hashes():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import check_lock
    finally:
        sys.path.pop(0)
    assert check_lock.missing("requirements.lock") == [], "run make lock"
    assert check_lock.missing("requirements-test.lock", ["test", "audit"]) == [], (
        "run make lock"
    )
    for lock in ("requirements.lock", "requirements-test.lock"):
        text = (ROOT / lock).read_text()
        pins = re.findall(r"^\S+==\S+", text, re.MULTILINE)
        assert pins and text.count("--hash=sha256:") >= len(pins)


@pytest.mark.parametrize(
    "returncode, stdout, stderr, expected_exit, expected_line",
    [
        (
            0,
            '{"dependencies": [{"name": "django", "version": "5.2.8", "vulns": []}]}',
            "",
            0,
            "dependency audit passed",
        ),
        (
            1,
            '{"dependencies": [{"name": "django", "version": "5.2.0", "vulns": '
            '[{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]}]}',
            "",
            1,
            "django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)",
        ),
        (
            1,
            "",
            "ERROR: asgiref: Dependency not found on PyPI and could not be audited",
            2,
            "dependency audit unavailable",
        ),
        (
            1,
            "",
            "requests.exceptions.ConnectionError: Max retries exceeded",
            2,
            "dependency audit unavailable",
        ),
        (0, '{"dependencies": []}', "", 2, "dependency audit unavailable"),
    ],
)
def test_dependency_audit_never_reports_a_pass_it_did_not_make(
    monkeypatch, capsys, returncode, stdout, stderr, expected_exit, expected_line
):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import audit_dependencies
    finally:
        sys.path.pop(0)
    monkeypatch.setattr(
        audit_dependencies.subprocess,
        "run",
        lambda *args, **kwargs: subprocess.CompletedProcess(
            args, returncode, stdout, stderr
        ),
    )
    assert audit_dependencies.main("requirements-test.lock") == expected_exit
    assert expected_line in capsys.readouterr().out


def test_uploaded_images_still_validated_and_renamed(client):
    """Featured images keep their content validation and random names (unact.images)."""
    post = PostFactory(with_image=True)
    assert re.fullmatch(
        r"posts/\d{4}/\d{2}/photo-[0-9a-f]{10}\.jpg", post.featured_image.name
    )
    assert Post._meta.get_field("featured_image").validators
    response = client.get(post.featured_image.url)
    assert (
        response["Content-Type"] == "image/jpeg"
        and response["Content-Disposition"] == "inline"
    )


@pytest.mark.parametrize(
    "group,allowed,refused",
    [
        (
            "Editors",
            ["posts_post", "publications_publication"],
            ["newsletter_subscriber", "posts_comment", "newsletter_campaign"],
        ),
        (
            "Moderators",
            ["posts_comment", "posts_blockedword"],
            ["newsletter_subscriber", "posts_post", "publications_publication"],
        ),
        (
            "Newsletter managers",
            ["newsletter_subscriber", "newsletter_campaign"],
            ["posts_comment", "posts_post"],
        ),
    ],
)
def test_each_role_reaches_its_own_work_only(client, group, allowed, refused):
    """An Editor cannot see subscribers, a Moderator cannot edit posts, a Newsletter
    manager cannot moderate comments."""
    client.force_login(StaffFactory(groups=[group]))
    for name in allowed:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    for name in refused:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403, name
