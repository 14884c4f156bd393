"""Steady through faults: real servers, real failures, no restart of the app.

Each test starts what it breaks on its own, on free loopback ports, so it never
disturbs the machine's shared PostgreSQL and Redis or other test runs:
- a throwaway PostgreSQL cluster (initdb as the `postgres` OS user) that is restarted;
- a throwaway redis-server that is stopped and started again;
- an SMTP port with nothing listening, where an aiosmtpd server comes up later;
- a `db_worker` process killed with SIGKILL in the middle of a campaign;
- wrk with 200 connections against gunicorn (10 s here; 30 s with FAULT_SPIKE_SECONDS=30).

They are marked `slow` (each well under a minute) and run in `make test` and CI.
"""

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from .conftest import free_port
from .servers import AppServer, Browser, production_env
from .test_several_machines import database_url

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRES = "postgres" in os.environ.get("DATABASE_URL", "")
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="app servers and workers share the test database only on PostgreSQL",
)

pytestmark = [pytest.mark.slow]


@pytest.fixture
def servers():
    started = []
    yield started
    for server in started:
        server.stop()


# PostgreSQL restarts ---------------------------------------------------------------


def postgres_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def as_postgres(command, **kwargs):
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


@pytest.fixture
def throwaway_postgres():
    """A PostgreSQL cluster of its own in a temporary directory, on a free port."""
    if not postgres_bin("initdb") or not postgres_bin("pg_ctl"):
        pytest.skip("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin)")
    if (
        os.geteuid() == 0
        and subprocess.run(["id", "postgres"], capture_output=True).returncode
    ):
        pytest.skip("no postgres OS user to run the throwaway cluster")
    directory = Path(tempfile.mkdtemp(prefix="unact-pg-"))
    os.chmod(directory, 0o777)
    data = directory / "data"
    port = free_port()
    as_postgres(
        [
            postgres_bin("initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        ]
    )
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [
        postgres_bin("pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(directory / "log"),
        "-w",
    ]
    as_postgres([*pg_ctl, "start"])
    # connect_timeout: a request never waits long on a database that does not answer.
    cluster = {
        "url": f"postgres://postgres@127.0.0.1:{port}/unact?connect_timeout=3",
        "pg_ctl": pg_ctl,
        "port": port,
    }
    as_postgres(
        [
            postgres_bin("createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "unact",
        ]
    )
    yield cluster
    subprocess.run(["runuser", "-u", "postgres", "--", *pg_ctl[:-1], "-m", "immediate", "stop"] if os.geteuid() == 0
                   else [*pg_ctl[:-1], "-m", "immediate", "stop"], capture_output=True)  # fmt: skip
    shutil.rmtree(directory, ignore_errors=True)


def test_postgresql_restart_gives_503_then_recovers_without_restarting_the_app(
    throwaway_postgres, collected_static, tmp_path, servers
):
    env = production_env(DATABASE_URL=throwaway_postgres["url"], STATIC_ROOT=str(collected_static),
                         MEDIA_ROOT=str(tmp_path / "media"), PAGE_CACHE_SECONDS="0", CONN_MAX_AGE="600")  # fmt: skip
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    server = AppServer(env, tmp_path, workers=2)
    servers.append(server)
    assert server.get("/")[0] == 200

    # A stream of requests while PostgreSQL restarts (fast shutdown drops every connection).
    statuses, stop = [], threading.Event()

    def stream():
        while not stop.is_set():
            status, body, _headers = server.get("/posts/")
            statuses.append((time.monotonic(), status, body))
            time.sleep(0.02)

    thread = threading.Thread(target=stream)
    thread.start()
    time.sleep(0.5)
    as_postgres([*throwaway_postgres["pg_ctl"], "-m", "fast", "restart"])
    restarted_at = time.monotonic()
    time.sleep(1.5)
    stop.set()
    thread.join()
    assert {status for _t, status, _b in statuses} <= {200, 503}, [
        s for _t, s, _b in statuses
    ]
    after = [status for moment, status, _b in statuses if moment > restarted_at + 0.2]
    assert after and set(after) == {200}, after

    # While the database is down: a readable 503 page, never a 500.
    as_postgres([*throwaway_postgres["pg_ctl"], "-m", "fast", "stop"])
    status, body, headers = server.get("/posts/")
    assert (
        status == 503
        and "Back in a moment" in body
        and headers.get("Retry-After") == "10"
    )
    assert server.get("/healthz")[0] == 503
    as_postgres([*throwaway_postgres["pg_ctl"], "start"])
    # The first requests after it succeed, from the same gunicorn processes.
    assert [server.get("/posts/")[0] for _ in range(4)] == [200] * 4
    assert server.process.poll() is None
    assert "Database unavailable, answering 503" in server.log_text()


# Redis stops ----------------------------------------------------------------------


class ThrowawayRedis:
    def __init__(self, tmp_path, port=None):
        self.port = port or free_port()
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(tmp_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        for _ in range(50):
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


PUBLIC_PAGES = ["/", "/posts/", "/publications/", "/newsletter/", "/newsletter/archive/", "/feed/",
                "/sitemap.xml", "/safety/"]  # fmt: skip


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_redis_stops_pages_still_served_limits_per_process_then_caching_resumes(
    collected_static, tmp_path, servers
):
    import redis

    from .factories import PostFactory

    if not shutil.which("redis-server"):
        pytest.skip("redis-server not installed")
    post = PostFactory(title="Readable without Redis")
    PUBLIC_PAGES.append(post.get_absolute_url())
    cache_server = ThrowawayRedis(tmp_path)
    env = production_env(DATABASE_URL=database_url(), REDIS_URL=f"redis://127.0.0.1:{cache_server.port}/0",
                         CACHE_KEY_PREFIX="faults", STATIC_ROOT=str(collected_static),
                         MEDIA_ROOT=str(tmp_path / "media"), PAGE_CACHE_SECONDS="600",
                         NEWSLETTER_SIGNUPS_PER_IP_PER_HOUR="2")  # fmt: skip
    server = AppServer(env, tmp_path)
    servers.append(server)
    try:
        server.get("/")
        assert server.get("/")[2].get("X-Cache") == "hit"
        assert redis.Redis(port=cache_server.port).dbsize() > 0

        cache_server.stop()
        for path in PUBLIC_PAGES:
            status, body, _headers = server.get(path)
            assert status == 200, (path, status)
        assert "Readable without Redis" in server.get("/")[1]
        # Rate limits still hold, counted by this process alone.
        visitor = Browser()
        answers = [visitor.request(server.url + "/newsletter/subscribe/", {"email": f"r{n}@example.org", "consent": "on"})[0]
                   for n in range(3)]  # fmt: skip
        assert answers == [200, 200, 429]
        log = server.log_text()
        assert (
            "Redis is unreachable" in log
            and "rate limits fall back to this process" in log
        )

        cache_server = ThrowawayRedis(tmp_path, port=cache_server.port)
        time.sleep(5.5)  # unact.cache tries Redis again after RETRY_AFTER_SECONDS
        server.get("/posts/")
        assert server.get("/posts/")[2].get("X-Cache") == "hit"
        assert redis.Redis(port=cache_server.port).dbsize() > 0
        assert "Redis is back" in server.log_text()
    finally:
        cache_server.stop()
        PUBLIC_PAGES.pop()


# SMTP down ------------------------------------------------------------------------


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_smtp_down_signups_and_comments_are_kept_and_emails_go_out_when_it_returns(
    collected_static, tmp_path, servers
):
    from aiosmtpd.controller import Controller

    from newsletter.models import Subscriber
    from posts.models import Comment
    from posts.permissions import MODERATORS

    from .conftest import SMTPRecorder
    from .factories import PostFactory, StaffFactory

    StaffFactory(
        username="moderator", email="moderator@un-act.example", groups=[MODERATORS]
    )
    post = PostFactory(title="Safe migration week")
    smtp_port = free_port()  # nothing listens here yet
    env = production_env(DATABASE_URL=database_url(), STATIC_ROOT=str(collected_static),
                         MEDIA_ROOT=str(tmp_path / "media"), PAGE_CACHE_SECONDS="0",
                         EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port), EMAIL_TIMEOUT="2",
                         COMMENTS_EMAIL_RETRY_SECONDS="1", NEWSLETTER_CONFIRMATION_RETRY_SECONDS="1",
                         COMMENTS_MIN_FORM_SECONDS="0")  # fmt: skip
    env.pop("REDIS_URL", None)
    server = AppServer(env, tmp_path)
    servers.append(server)
    visitor = Browser()
    status, html = visitor.request(
        server.url + "/newsletter/subscribe/",
        {"email": "smtp-down@example.org", "consent": "on"},
    )
    assert status == 200 and "check your inbox" in html
    _status, html = visitor.request(server.url + post.get_absolute_url())
    # The form's ticket, as the page's script fetches it (public forms carry no CSRF token).
    _status, ticket = visitor.request(
        server.url + re.search(r'data-ticket-url="([^"]+)"', html).group(1)
    )
    status, _html = visitor.request(
        server.url + f"/posts/{post.slug}/comment/",
        {
            "name": "Mai",
            "email": "",
            "website": "",
            "parent": "",
            "text": "Is the hotline free to call?",
            "issued": ticket,
        },
    )
    assert status == 200
    # Both are stored although no mail could go out.
    assert Subscriber.objects.filter(
        email="smtp-down@example.org", status="pending"
    ).exists()
    assert Comment.objects.filter(
        post=post, text="Is the hotline free to call?"
    ).exists()

    worker_log = open(tmp_path / "worker.log", "w+")
    worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
                               "--interval", "0.2"], cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT)  # fmt: skip
    handler = SMTPRecorder()
    controller = None
    try:
        time.sleep(3)  # the worker tries, fails, and queues retries
        controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(handler.messages) < 2:
            time.sleep(0.3)
        recipients = sorted(
            address for message in handler.messages for address in message["to"]
        )
        assert recipients == ["moderator@un-act.example", "smtp-down@example.org"], (
            recipients
        )
        subjects = " | ".join(
            message["message"]["Subject"] for message in handler.messages
        )
        assert "onfirm" in subjects
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
        worker_log.close()
        if controller:
            controller.stop()


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_hanging_mail_server_does_not_stall_signups_or_pages(
    collected_static, tmp_path, servers
):
    """A mail server that accepts the connection and never answers, one gunicorn worker:
    two signups and the front page at once are each answered within two seconds (each
    signup took 20 s, the email timeout, while it sent the confirmation itself)."""
    from concurrent.futures import ThreadPoolExecutor

    from newsletter.models import Subscriber

    from .servers import HangingSMTPServer

    mail_server = HangingSMTPServer()
    env = production_env(DATABASE_URL=database_url(), STATIC_ROOT=str(collected_static),
                         MEDIA_ROOT=str(tmp_path / "media"), PAGE_CACHE_SECONDS="0", EMAIL_HOST="127.0.0.1",
                         EMAIL_PORT=str(mail_server.port), EMAIL_TIMEOUT="20", REDIS_URL=None)  # fmt: skip
    server = AppServer(env, tmp_path, workers=1)
    servers.append(server)

    def timed(request):
        started = time.monotonic()
        return request(), time.monotonic() - started

    def signup(number):
        address = f"hang{number}@example.org"
        return lambda: Browser().request(
            server.url + "/newsletter/subscribe/", {"email": address, "consent": "on"}
        )[0]

    try:
        with ThreadPoolExecutor(3) as pool:
            results = list(
                pool.map(timed, [signup(1), signup(2), lambda: server.get("/")[0]])
            )
    finally:
        mail_server.stop()
    assert [status for status, _seconds in results] == [200, 200, 200]
    assert max(seconds for _status, seconds in results) < 2, results
    assert (
        Subscriber.objects.filter(email__startswith="hang", status="pending").count()
        == 2
    )


# A worker killed with SIGKILL mid-campaign -------------------------------------------


class SlowCounter:
    """Counts messages per recipient, with their Message-IDs; a little slow on purpose."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        message_id = re.search(
            rb"^Message-ID: (.+)$", envelope.content, re.MULTILINE | re.IGNORECASE
        )
        self.received.append(
            (envelope.rcpt_tos[0], message_id.group(1).strip() if message_id else b"")
        )
        await asyncio.sleep(0.002)
        return "250 OK"


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_killed_with_sigkill_mid_campaign_new_worker_finishes_it(tmp_path):
    from aiosmtpd.controller import Controller

    from django.utils import timezone

    from newsletter import services
    from newsletter.models import Campaign, Delivery, Subscriber

    from .factories import CampaignFactory

    now = timezone.now()
    Subscriber.objects.bulk_create([
        Subscriber(email=f"kill{n}@example.org", status="subscribed", source="import", consent_version="1",
                   consent_text="yes", consented_at=now, confirmed_at=now) for n in range(1500)])  # fmt: skip
    campaign = CampaignFactory(subject="Kill test edition")
    services.campaign_send(campaign=campaign)
    handler = SlowCounter()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = production_env(DATABASE_URL=database_url(), EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(controller.port),
                         NEWSLETTER_BATCH_SIZE="200", NEWSLETTER_CLAIM_LEASE="3", LOG_LEVEL="WARNING")  # fmt: skip
    env.pop("REDIS_URL", None)
    command = [
        sys.executable,
        "manage.py",
        "db_worker",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0.2",
    ]
    try:
        first = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while len(handler.received) < 300 and time.monotonic() < deadline:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)  # kill -9: nothing gets to clean up
        first.wait(timeout=10)
        killed_at = len(handler.received)
        assert 0 < killed_at < 1500
        second = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 40
        while (
            time.monotonic() < deadline
            and not Campaign.objects.filter(pk=campaign.pk, status="sent").exists()
        ):
            time.sleep(0.3)
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)
    finally:
        controller.stop()
    campaign.refresh_from_db()
    assert campaign.status == "sent" and campaign.sent_count == 1500
    per_recipient = {}
    for address, message_id in handler.received:
        per_recipient.setdefault(address, []).append(message_id)
    assert len(per_recipient) == 1500  # everyone got it
    duplicates = {
        address: ids for address, ids in per_recipient.items() if len(ids) > 1
    }
    # The guarantee (newsletter/sending.py): at most one message resent per dead claim,
    # with the same Message-ID, so mail programs show it once; it is flagged.
    assert len(duplicates) <= 1, duplicates
    for ids in duplicates.values():
        assert len(ids) == 2 and ids[0] == ids[1]
    flagged = Delivery.objects.filter(
        campaign=campaign, is_resent_after_crash=True
    ).count()
    assert flagged <= 1
    print(
        f"SIGKILL after {killed_at} messages: {len(duplicates)} duplicate(s), {flagged} delivery flagged as resent"
    )


# Load spike -----------------------------------------------------------------------

SPIKE_LUA = """
local counts = {}
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) statuses = {} end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses")
    for status, count in pairs(seen) do totals[tostring(status)] = (totals[tostring(status)] or 0) + count end
  end
  local parts = {}
  for status, count in pairs(totals) do table.insert(parts, '"' .. status .. '":' .. count) end
  io.write('JSON:{"requests":' .. summary.requests .. ',"connect":' .. summary.errors.connect
    .. ',"read":' .. summary.errors.read .. ',"write":' .. summary.errors.write
    .. ',"timeout":' .. summary.errors.timeout .. ',"statuses":{' .. table.concat(parts, ",") .. '}}\\n')
end
"""


@needs_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_load_spike_of_200_connections_no_errors_and_normal_right_after(
    collected_static, tmp_path, servers
):
    from .factories import PostFactory

    if not shutil.which("wrk"):
        pytest.skip("wrk not installed (apt-get install wrk)")
    for number in range(12):
        PostFactory(title=f"Spike story {number}")
    env = production_env(DATABASE_URL=database_url(), STATIC_ROOT=str(collected_static),
                         MEDIA_ROOT=str(tmp_path / "media"), PAGE_CACHE_SECONDS="600", LOG_LEVEL="WARNING")  # fmt: skip
    env.pop("REDIS_URL", None)
    server = AppServer(env, tmp_path, workers=2)
    servers.append(server)
    script = tmp_path / "spike.lua"
    script.write_text(SPIKE_LUA)
    seconds = int(os.environ.get("FAULT_SPIKE_SECONDS", "10"))
    result = subprocess.run(["wrk", "-t", "2", "-c", "200", "-d", f"{seconds}s", "--timeout", "10s", "-s", str(script),
                             server.url + "/"], capture_output=True, text=True, timeout=seconds + 60)  # fmt: skip
    line = next(line for line in result.stdout.splitlines() if line.startswith("JSON:"))
    data = json.loads(line[5:])
    statuses = {int(status): count for status, count in data["statuses"].items()}
    assert data["requests"] > 0
    assert set(statuses) <= {200, 503}, (
        statuses
    )  # a clean 503 is the only refusal allowed
    assert data["connect"] == data["read"] == data["write"] == data["timeout"] == 0, (
        data
    )
    started = time.monotonic()
    status, body, _headers = server.get("/", timeout=5)
    assert status == 200 and "Spike story 11" in body
    assert time.monotonic() - started < 2
    print(
        f"Spike: {data['requests']} requests in {seconds} s with 200 connections; statuses {statuses}"
    )
