"""The portal behind PgBouncer in transaction mode, as sites with several app servers run.

A transaction-mode pooler hands each transaction whichever server session is free, so
nothing may rely on session state between transactions: no SQL PREPARE kept for the
next request, no server-side cursor (DATABASE_POOL_MODE=transaction turns Django's off),
no session-level SET. Here Debian's real `pgbouncer` (pool_mode = transaction, one
server connection, so two gunicorn workers always share it) stands between the
production configuration and the test database.

Runs when the suite is on PostgreSQL. Without pgbouncer it skips, unless
REQUIRE_PGBOUNCER=1 (CI), where it fails.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from django.db import connection

from posts.models import Comment

from .factories import PostFactory, PublicationFactory
from .servers import AppServer, Browser, free_port, production_env

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRES = "postgres" in os.environ.get("DATABASE_URL", "")


def pgbouncer_path():
    return shutil.which("pgbouncer") or next(
        (
            path
            for path in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")
            if os.access(path, os.X_OK)
        ),
        None,
    )


def wait_for_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class PgBouncer:
    """pgbouncer on a free loopback port in front of the test database's server.

    It refuses to run as root: as root it runs as the `postgres` OS user, its files in
    a temporary directory that user owns.
    """

    def __init__(self, executable, server, user):
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="unact-pgbouncer-"))
        self.log_path = self.directory / "pgbouncer.log"
        self.pid_path = self.directory / "pgbouncer.pid"
        config = self.directory / "pgbouncer.ini"
        (self.directory / "users.txt").write_text(f'"{user}" ""\n')
        config.write_text(
            "[databases]\n"
            f"* = host={server['HOST'] or '127.0.0.1'} port={server['PORT'] or 5432}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.directory / 'users.txt'}\n"
            "pool_mode = transaction\ndefault_pool_size = 1\nmax_client_conn = 100\n"
            f"logfile = {self.log_path}\npidfile = {self.pid_path}\n"
        )
        command = [executable, "-d", str(config)]
        if os.geteuid() == 0:
            shutil.chown(self.directory, user="postgres")
            for path in self.directory.iterdir():
                shutil.chown(path, user="postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        started = subprocess.run(command, capture_output=True, text=True, timeout=30)
        if started.returncode or not wait_for_port(self.port):
            self.stop()
            raise RuntimeError(
                f"pgbouncer did not start: {started.stderr}\n{self.log_text()}"
            )

    def url(self, database):
        return f"postgres://{connection.settings_dict['USER'] or ''}@127.0.0.1:{self.port}/{database}"

    def log_text(self):
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self):
        if self.pid_path.exists():
            pid = int(self.pid_path.read_text())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while self.pid_path.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def pgbouncer():
    executable = pgbouncer_path()
    if executable is None:
        message = "pgbouncer not found (apt-get install pgbouncer)"
        if os.environ.get("REQUIRE_PGBOUNCER"):
            pytest.fail(message)
        pytest.skip(message)
    bouncer = PgBouncer(
        executable,
        connection.settings_dict,
        connection.settings_dict["USER"] or "postgres",
    )
    yield bouncer
    bouncer.stop()


class FormFields(HTMLParser):
    """The fields of the form whose action contains `action`, as a browser would send them."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.action in (attrs.get("action") or "")
        elif self.inside and tag in ("input", "textarea") and attrs.get("name"):
            if attrs.get("type") not in ("checkbox", "submit"):
                self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def page_text(html):
    """The page's words without markup (search marks the words it matched)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def form_fields(html, action):
    parser = FormFields(action)
    parser.feed(html)
    return parser.fields


@pytest.mark.slow
@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="PgBouncer pools PostgreSQL connections (run with DATABASE_URL=postgres://...)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_portal_works_behind_pgbouncer_in_transaction_mode(
    pgbouncer, collected_static, tmp_path
):
    """Pages render and a comment is posted with two workers sharing one pooled session."""
    post = PostFactory(
        title="Safe migration through the pooler", slug="safe-migration-pooler"
    )
    PostFactory.create_batch(3)
    publication = PublicationFactory(
        title="Labour migration pooled study", slug="pooled-study"
    )
    env = production_env(
        DATABASE_URL=pgbouncer.url(connection.settings_dict["NAME"]),
        DATABASE_POOL_MODE="transaction",
        STATIC_ROOT=str(collected_static),
        MEDIA_ROOT=str(tmp_path / "media"),
        COMMENTS_MIN_FORM_SECONDS="0",
        REDIS_URL=None,
    )
    server = AppServer(env, tmp_path, workers=2, name="gunicorn-pgbouncer")
    try:
        visitor = Browser()
        # Each page several times: both workers serve each kind, one after the other,
        # through the same server session.
        pages = {
            "/": "Safe migration through the pooler",
            post.get_absolute_url(): "Safe migration through the pooler",
            "/search/?q=migration": "Safe migration through the pooler",
            "/publications/": "Labour migration pooled study",
            publication.get_absolute_url(): "Labour migration pooled study",
        }
        for _round in range(3):
            for path, expected in pages.items():
                status, html = visitor.request(server.url + path)
                assert status == 200, (
                    f"{path} answered {status}:\n{server.log_text()[-3000:]}"
                )
                assert expected in page_text(html), path

        _status, html = visitor.request(server.url + post.get_absolute_url())
        fields = form_fields(html, f"/posts/{post.slug}/comment/")
        # The form's ticket, as the page's script fetches it (a cached page carries none).
        ticket_url = re.search(r'data-ticket-url="([^"]+)"', html).group(1)
        _status, fields["issued"] = visitor.request(server.url + ticket_url)
        fields.update(name="Mai", text="Does the helpline answer in Lao?")
        status, html = visitor.request(
            server.url + f"/posts/{post.slug}/comment/",
            fields,
            headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"},
        )
        assert status == 200, (
            f"the comment answered {status}:\n{server.log_text()[-3000:]}"
        )
        assert Comment.objects.filter(
            post=post, name="Mai", text="Does the helpline answer in Lao?"
        ).exists()
        log = server.log_text()
        assert "Traceback" not in log, log[-3000:]
    finally:
        server.stop()
    assert not re.search(
        r"ERROR|FATAL", pgbouncer.log_text().replace("client_login_timeout", "")
    ), pgbouncer.log_text()


def settings_in_subprocess(**env):
    """Load unact.settings with these environment variables; return (status, output)."""
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'unact.settings'; import django; django.setup(); "
        "from django.conf import settings; "
        "print(settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False))"
    )
    environment = production_env(
        DATABASE_URL="postgres://pooler.example:6432/unact", **env
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, (result.stdout + result.stderr).strip()


def test_transaction_pooling_turns_server_side_cursors_off():
    """DATABASE_POOL_MODE=transaction sets Django's documented requirement for it."""
    assert settings_in_subprocess(DATABASE_POOL_MODE="transaction") == (0, "True")
    assert settings_in_subprocess(DATABASE_POOL_MODE=None) == (0, "False")


def test_an_unknown_pool_mode_is_refused_with_one_clear_line():
    status, output = settings_in_subprocess(DATABASE_POOL_MODE="statement")
    assert status != 0
    assert (
        "DATABASE_POOL_MODE must be “session” or “transaction”, not 'statement'."
        in output
    )


@pytest.mark.skipif(
    not ON_POSTGRES, reason="synchronous_commit is a PostgreSQL session setting"
)
@pytest.mark.django_db
@pytest.mark.parametrize("pool_mode, expected", [("session", 2), ("transaction", 0)])
def test_the_sender_changes_session_settings_only_on_a_session_of_its_own(
    settings, pool_mode, expected
):
    """Behind a transaction pooler a SET would stay on a shared server session."""
    from django.test.utils import CaptureQueriesContext

    from newsletter.sending import fast_commits

    settings.DATABASE_POOL_MODE = pool_mode
    with CaptureQueriesContext(connection) as queries, fast_commits():
        pass
    assert sum("synchronous_commit" in query["sql"] for query in queries) == expected
