"""Several app servers behind a load balancer, sharing PostgreSQL and Redis.

Two gunicorn servers on loopback ports run the production configuration against the
pytest PostgreSQL database and a Redis database of their own: what one server
writes (a publication, a session, a lock-out) is seen at once by the other.
"""

import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.contrib.sessions.models import Session
from django.db import connection

from posts.models import Post

from .conftest import free_port
from .factories import PostFactory, StaffFactory
from .servers import AppServer, Browser, production_env

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="several app servers need a shared PostgreSQL (run with DATABASE_URL=postgres://...)",
    ),
]


def redis_available():
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def database_url():
    settings = connection.settings_dict
    user = urllib.parse.quote(settings["USER"] or "")
    password = (
        ":" + urllib.parse.quote(settings["PASSWORD"]) if settings["PASSWORD"] else ""
    )
    return f"postgres://{user}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def _server_env(env, static_root, tmp_path):
    return production_env(
        SECRET_KEY="several-machines-share-this-secret-key-0123456789abcdefghijklmnop",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(tmp_path / "media"),
        AXES_FAILURE_LIMIT="3",
        **env,
    )


@pytest.fixture
def two_servers(collected_static, tmp_path):
    if not redis_available():
        pytest.fail(f"Redis is not answering at {REDIS_URL}")
    shared = {
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"unact-test-{uuid.uuid4().hex[:8]}",
        "SESSION_ENGINE": "cache",
    }
    servers = [
        AppServer(_server_env(shared, collected_static, tmp_path), tmp_path)
        for _ in range(2)
    ]
    yield servers
    for server in servers:
        server.stop()


def test_a_post_published_on_one_server_is_visible_at_once_on_the_other(two_servers):
    server_a, server_b = two_servers
    lan = StaffFactory(username="lan", is_superuser=True)
    # Production servers require two-factor sign-in (ADMIN_REQUIRE_2FA).
    device = TOTPDevice.objects.create(
        user=lan, name="Authenticator app", confirmed=True
    )
    draft = PostFactory(title="Hotline in Khmer", slug="hotline-in-khmer", draft=True)
    visitor = Browser()
    assert visitor.request(server_b.url + "/posts/hotline-in-khmer/")[0] == 404

    editor = Browser()
    status, html = editor.log_in(
        server_a, "lan", "correct horse battery", code=f"{totp(device.bin_key):06d}"
    )
    assert status == 200 and "Content and community" in html
    # The session lives in the shared Redis, not in the database: server B knows it.
    assert Session.objects.count() == 0
    status, html = editor.request(server_b.url + "/admin/posts/post/")
    assert status == 200 and "Hotline in Khmer" in html

    status, _html = editor.request(
        server_a.url + "/admin/posts/post/",
        {
            "csrfmiddlewaretoken": editor.csrf_token(html),
            "action": "publish",
            "_selected_action": [draft.pk],
            "index": 0,
        },
    )
    assert status == 200
    assert Post.objects.get(pk=draft.pk).status == Post.Status.PUBLISHED
    status, html = visitor.request(server_b.url + "/posts/hotline-in-khmer/")
    assert status == 200 and "Hotline in Khmer" in html
    assert "Hotline in Khmer" in visitor.request(server_b.url + "/")[1]

    # Logging out on B ends the session on A too (one shared cache).
    _status, html = editor.request(server_b.url + "/admin/")
    editor.request(
        server_b.url + "/admin/logout/",
        {"csrfmiddlewaretoken": editor.csrf_token(html)},
    )
    status, html = editor.request(server_a.url + "/admin/posts/post/")
    assert "id_password" in html  # sent back to the login form


def test_a_lockout_on_one_server_applies_on_the_other(two_servers):
    server_a, server_b = two_servers
    StaffFactory(username="dara", is_superuser=True)
    attacker = Browser()
    for _attempt in range(2):
        assert attacker.log_in(server_a, "dara", "guess")[0] == 200
    assert attacker.log_in(server_a, "dara", "guess")[0] == 429
    # Same user, same IP, other server: still locked, even with the right password.
    status, html = Browser().log_in(server_b, "dara", "correct horse battery")
    assert status == 429 and "Too many failed log-ins" in html


@pytest.mark.parametrize(
    "broken, expected_status, expected_body",
    [
        ("REDIS_URL", 200, "database: ok\ncache: unavailable\n"),
        ("DATABASE_URL", 503, "database: unavailable\ncache: ok\n"),
    ],
)
def test_healthz_reports_database_and_cache_apart(
    collected_static, tmp_path, broken, expected_status, expected_body
):
    env = {
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"unact-test-{uuid.uuid4().hex[:8]}",
    }
    env[broken] = {
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "DATABASE_URL": f"postgres://root@127.0.0.1:{free_port()}/x",
    }[broken]
    server = AppServer(_server_env(env, collected_static, tmp_path), tmp_path)
    try:
        status, body = Browser().request(server.url + "/healthz")
        assert (status, body) == (expected_status, expected_body)
        if broken == "REDIS_URL":
            PostFactory(title="Readable without Redis")
            status, html = Browser().request(server.url + "/")
            assert status == 200 and "Readable without Redis" in html
    finally:
        server.stop()
