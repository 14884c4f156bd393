import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from django.core.cache import caches
from django.utils import translation

from .servers import free_port

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
# WhiteNoise looks for STATIC_ROOT at start-up; an empty one is enough in tests.
(Path(__file__).resolve().parent.parent / "var" / "static").mkdir(
    parents=True, exist_ok=True
)


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrations' rows (one policy for all).

    Mixing transactional tests with and without serialized_rollback breaks the ones
    with it (the others recreate content types after their flush).
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            item.add_marker(
                pytest.mark.django_db(
                    *marker.args, **{**marker.kwargs, "serialized_rollback": True}
                ),
                append=False,
            )


@pytest.fixture(scope="session", autouse=True)
def keep_serialized_database(django_db_setup):
    """Keep the rows migrations create (staff groups, countries) for transactional tests.

    Playwright's sync API runs an event loop, and under it Django hands out new
    connection objects that lack the serialized copy of the test database; put the
    copy on the connection class so every connection object finds it.
    """
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            type(connection)._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test writes uploads to its own temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    """Tests see every request rendered (and count its queries); tests/test_pagecache.py
    switches the page cache back on."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate limits, cached pages and template fragments never leak from one test to the next."""
    for alias in ("default", "template_fragments"):
        caches[alias].clear()
    yield
    for alias in ("default", "template_fragments"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def english_between_tests():
    """Each test starts in English: a request for /th/... leaves Thai active in the
    thread that served it (as Django's LocaleMiddleware does), and reverse() in the
    next test would follow it."""
    translation.activate("en")
    yield
    translation.activate("en")


class SMTPRecorder:
    """Messages received by a real SMTP server (aiosmtpd) on a loopback port."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.content, policy=default)
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "message": message,
            }
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free loopback port; Django's SMTP backend points at it."""
    from aiosmtpd.controller import Controller

    handler = SMTPRecorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    handler.controller = controller
    yield handler
    controller.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped (or failed in CI) when absent."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django must allow ORM calls beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save a PNG under var/screenshots/ for a person to look at."""

    def save(page, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """collectstatic once: the production storage needs its manifest."""
    static_root = tmp_path_factory.mktemp("static")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "collectstatic-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1:8000",
        "STATIC_ROOT": str(static_root),
        "DATABASE_URL": "sqlite:///:memory:",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        check=True,
        timeout=300,
    )
    (static_root / "staticfiles.json").read_text()
    return static_root
