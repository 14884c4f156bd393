"""Sending benchmark: 10,000 confirmed subscribers, one campaign, one worker.

    make bench            (or: .venv/bin/python bench/send_bench.py --count 10000)

A real SMTP server (aiosmtpd) listens on loopback in this process. First the
ceiling: a plain smtplib loop, in its own process, sends the same message 10,000
times over one connection. Then `manage.py db_worker --batch` (one process) sends
the campaign. Both rates are measured at the server, from the first message
received to the last. The worker's peak memory is its maximum resident set size.
"""

import argparse
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://root@127.0.0.1:5432/unact_bench"


class CountingHandler:
    """Counts messages and recipients; keeps no message bodies (memory stays flat)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.count, self.first, self.last, self.recipients = 0, None, None, set()

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        with self.lock:
            self.count += 1
            self.recipients.update(envelope.rcpt_tos)
            self.first = self.first or now
            self.last = now
        return "250 OK"

    def rate(self):
        return (self.count - 1) / (self.last - self.first) if self.count > 1 else 0.0


def ensure_database(url):
    from urllib.parse import urlsplit

    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


CEILING_SCRIPT = """
import smtplib, sys
host, port, count, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
message = open(path, "rb").read()
smtp = smtplib.SMTP(host, port)
for index in range(count):
    smtp.sendmail("no-reply@localhost", [f"ceiling{index}@example.org"], message)
smtp.quit()
"""


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    )
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    sys.path.insert(0, str(ROOT))

    handler = CountingHandler()
    from tests.conftest import free_port

    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "TASKS_BACKEND": "database",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-key-" + "x" * 40,
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": "http://localhost:8000",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    ensure_database(args.database_url)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unact.settings")
    import django

    django.setup()
    from django_tasks_db.models import DBTaskResult

    from django.core.management import call_command
    from django.utils import timezone

    from newsletter import services
    from newsletter.consent import current_consent
    from newsletter.emails import CampaignEmail
    from newsletter.models import Campaign, Delivery, Subscriber

    call_command("migrate", verbosity=0)
    Delivery.objects.all().delete()
    Campaign.objects.all().delete()
    Subscriber.objects.all().delete()
    DBTaskResult.objects.all().delete()
    version, text = current_consent()
    now = timezone.now()
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"reader{index}@example.org",
                name=f"Reader {index}",
                status="subscribed",
                source="import",
                consent_source="benchmark",
                consent_version=version,
                consent_text=text,
                consented_at=now,
                confirmed_at=now,
            )
            for index in range(args.count)
        ],
        batch_size=2000,
    )
    campaign = Campaign.objects.create(
        subject="Benchmark edition: regional cooperation against trafficking",
        preheader="News from the Greater Mekong Sub-region",
        body="".join(
            f"<h2>Section {n}</h2><p>Governments and civil society across the Greater Mekong "
            f'Sub-region strengthened referral of trafficked persons. <a href="/posts/">Read more</a></p>'
            for n in range(6)
        ),
    )

    # Ceiling: the same message as one recipient gets, sent by a bare smtplib loop.
    sample = CampaignEmail(campaign).message(
        email="reader0@example.org", subscriber_id=1, delivery_id=1
    )
    sample_path = ROOT / "var" / "bench-message.eml"
    sample_path.parent.mkdir(exist_ok=True)
    sample_path.write_bytes(sample.message().as_bytes(linesep="\r\n"))
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            CEILING_SCRIPT,
            "127.0.0.1",
            str(port),
            str(args.count),
            str(sample_path),
        ],
        check=True,
    )
    ceiling_wall = time.perf_counter() - started
    ceiling = handler.rate()
    assert handler.count == args.count, handler.count
    handler.reset()

    services.campaign_send(campaign=campaign)
    started = time.perf_counter()
    worker = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--interval",
            "0",
            "--no-reload",
            "--verbosity",
            "0",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    worker_wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = usage.ru_maxrss / 1024  # max over children, KiB on Linux
    campaign.refresh_from_db()
    ours = handler.rate()
    controller.stop()

    ok = (
        handler.count == args.count
        and len(handler.recipients) == args.count
        and campaign.status == "sent"
    )
    print(
        f"Messages: {args.count} subscribers; server received {handler.count} campaign messages "
        f"to {len(handler.recipients)} distinct recipients; campaign status {campaign.status}"
        f" (exactly once: {'yes' if ok else 'NO'})"
    )
    print(
        f"Ceiling (plain smtplib loop, one connection): {ceiling:,.0f} emails/s "
        f"(wall {ceiling_wall:.2f} s including start-up)"
    )
    print(
        f"Worker (manage.py db_worker, batches of {os.environ.get('NEWSLETTER_BATCH_SIZE', 200)}): {ours:,.0f} emails/s "
        f"(wall {worker_wall:.2f} s including Django start-up)"
    )
    print(f"Ratio: {ours / ceiling:.2f} (target >= 0.5)")
    print(
        f"CPU load while measuring (1-min load average, {os.cpu_count()} CPUs): {os.getloadavg()[0]:.1f}"
    )
    print(
        f"Peak memory of the worker: {peak_mb:.0f} MB (max RSS of child processes; target < 300 MB)"
    )
    worker.check_returncode()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
