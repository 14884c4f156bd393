"""CPU per uncached search request, in one process: Python's and PostgreSQL's.

    DATABASE_URL=postgres://root@127.0.0.1:5432/unact_bench_pages_<checkout> \
        .venv/bin/python bench/search_cpu.py [--requests 300] [--rounds 5] [--profile out.prof] [query ...]

Requests go through Django's WSGI handler with the production middleware and the page
cache off (PAGE_CACHE_SECONDS=0), against a database filled by `manage.py
load_bench_data` (bench/page_bench.py makes one per checkout). For each query it prints
the wall time and, more useful on a shared machine, the CPU time per request: this
process's (time.process_time) plus that of its PostgreSQL backend (read from
/proc/<pid>/stat, so PostgreSQL must run on this machine). Other processes competing for
the cores inflate wall time, not CPU time, so two checkouts compare well even under load
(docs/search.md, "Speed"). --profile writes a cProfile of the first query's requests.
BENCH_CHECKOUT=/path/to/another/checkout measures that checkout's code with this script.
"""

import argparse
import cProfile
import io
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

# The checkout whose code is measured: this one, or another (BENCH_CHECKOUT=/path/to/it).
ROOT = Path(os.environ.get("BENCH_CHECKOUT") or Path(__file__).resolve().parent.parent)
QUERIES = ["trafficking", "การค้ามนุษย์", "labour exploitation"]
ENVIRONMENT = {
    "DEBUG": "0",
    "DJANGO_SETTINGS_MODULE": "unact.settings",
    "SECRET_KEY": "benchmark-only-secret-key-" + "b" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": "http://127.0.0.1:8000",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "PAGE_CACHE_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
    "STATIC_ROOT": str(ROOT / "var" / "bench" / "static"),
    # One connection for the whole run, so its backend's CPU time can be read.
    "CONN_MAX_AGE": "36000",
}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("queries", nargs="*", default=QUERIES)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database filled by `manage.py load_bench_data`."
        )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    call_command("collectstatic", "--noinput", verbosity=0)
    application = get_wsgi_application()

    def request(query):
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": "/search/", "QUERY_STRING": urlencode({"q": query}),
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_ACCEPT_ENCODING": "gzip", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
        }  # fmt: skip
        statuses = []
        b"".join(
            application(environ, lambda status, headers, *rest: statuses.append(status))
        )
        if not statuses[0].startswith("200"):
            sys.exit(f"/search/?q={query} answered {statuses[0]}")

    def backend_ticks():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return pid, int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks

    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    print(
        f"{'query':<22} {'wall':>8} {'Python':>8} {'PostgreSQL':>10} {'CPU':>8}   (ms per request, medians of {args.rounds} rounds of {args.requests})"
    )
    for query in args.queries:
        for _ in range(20):
            request(query)
        rounds = []
        for _ in range(args.rounds):
            pid, ticks = backend_ticks()
            started, cpu = time.perf_counter(), time.process_time()
            for _ in range(args.requests):
                request(query)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            end_pid, end_ticks = backend_ticks()
            if end_pid != pid:
                sys.exit(
                    "The database connection changed during a round (CONN_MAX_AGE?)."
                )
            rounds.append(
                (
                    wall * 1000 / args.requests,
                    cpu * 1000 / args.requests,
                    (end_ticks - ticks) * tick_ms / args.requests,
                )
            )
        wall, python, postgres = (
            sorted(values)[len(values) // 2] for values in zip(*rounds, strict=True)
        )
        print(
            f"{query:<22} {wall:8.2f} {python:8.2f} {postgres:10.2f} {python + postgres:8.2f}"
        )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(
            lambda: [request(args.queries[0]) for _ in range(args.requests)]
        )
        profiler.dump_stats(args.profile)
        print(
            f"Profile of {args.requests} requests for {args.queries[0]!r} written to {args.profile}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
