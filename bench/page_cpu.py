"""CPU per uncached page, in one process: Python's and its PostgreSQL backend's.

    .venv/bin/python bench/page_cpu.py [--requests 200] [--rounds 5] [--profile out.prof]
                                       [--database-url postgres://...] [path ...]

The pages are make bench's GET pages (bench/page_bench.py's PAGES, the ceiling included);
give paths to measure others, e.g. "/search/?q=การค้ามนุษย์". The database is
bench/page_bench.py's (`unact_bench_pages_<checkout>`, or BENCH_PAGES_DATABASE_URL, or
--database-url), created, migrated and filled by `manage.py load_bench_data` if needed.

Requests go through Django's WSGI handler with the production settings and middleware
(DEBUG off, Redis as the cache when it answers, as under make bench) and the page cache
off (PAGE_CACHE_SECONDS=0). For each page it prints the wall time and, more useful on a
shared machine, the CPU time per request: this process's (time.process_time) plus that of
its PostgreSQL backend (read from /proc/<pid>/stat, so PostgreSQL must run on this
machine), and the SQL queries of one request. Other processes competing for the cores
inflate wall time far more than CPU time; each figure is the best of --rounds rounds.
--profile writes a cProfile of one round of every page measured (give one path to
profile one page): `python -m pstats out.prof`, then `sort cumtime`, `stats 30`.
BENCH_CHECKOUT=/path/to/another/checkout measures that checkout's code with this script,
so two versions compare on the same minutes.
"""

import argparse
import cProfile
import io
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from page_bench import DEFAULT_DB, PAGES, ensure_database

# The checkout whose code is measured: this one, or another (BENCH_CHECKOUT=/path/to/it).
ROOT = Path(os.environ.get("BENCH_CHECKOUT") or Path(__file__).resolve().parent.parent)
# Files this script writes stay in its own checkout, whichever checkout it measures.
OUT = Path(__file__).resolve().parent.parent / "var" / "bench" / "page_cpu" / ROOT.name
# make bench's GET pages; the ceiling is the bare stack (middleware, WSGI, gzip).
GET_PAGES = [(name, path) for name, path in PAGES if not path.startswith("POST ")]
ENVIRONMENT = {
    "DEBUG": "0",
    "DJANGO_SETTINGS_MODULE": "unact.settings",
    "SECRET_KEY": "benchmark-only-secret-key-" + "b" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": "http://127.0.0.1:8000",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "PAGE_CACHE_SECONDS": "0",
    "BENCH_CEILING_VIEW": "1",
    "LOG_LEVEL": "WARNING",
    "STATIC_ROOT": str(OUT / "static"),
    "MEDIA_ROOT": str(OUT / "media"),
    "REDIS_URL": "redis://127.0.0.1:6379/11",
    "CACHE_KEY_PREFIX": "page-cpu-" + ROOT.name,
    # One connection for the whole run, so its backend's CPU time can be read.
    "CONN_MAX_AGE": "36000",
}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "paths", nargs="*", help="pages to measure (default: make bench's)"
    )
    parser.add_argument("--requests", type=int, default=200, help="per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", default="")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_PAGES_DATABASE_URL", DEFAULT_DB),
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("--database-url must name a PostgreSQL database.")
    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    pages = [(path, path) for path in args.paths] or GET_PAGES
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_bench_data", stdout=io.StringIO())
    call_command("collectstatic", "--noinput", verbosity=0)
    application = get_wsgi_application()

    def request(path):
        address = urlsplit(path)
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": address.path, "QUERY_STRING": address.query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_ACCEPT_ENCODING": "gzip", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
        }  # fmt: skip
        statuses = []
        b"".join(
            application(environ, lambda status, headers, *rest: statuses.append(status))
        )
        if not statuses[0].startswith("200"):
            sys.exit(f"{path} answered {statuses[0]}")

    def backend_ticks():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return pid, int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks

    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    print(f"Code: {ROOT}; database: {urlsplit(args.database_url).path.lstrip('/')}")
    print(
        f"{'page':<32} {'wall':>7} {'Python':>7} {'PgSQL':>7} {'CPU':>7} {'SQL':>4}"
        f"   (ms per request, best of {args.rounds} rounds of {args.requests})"
    )
    profiler = cProfile.Profile() if args.profile else None
    for name, path in pages:
        for _ in range(20):
            request(path)
        # An execute wrapper, since each request empties connection.queries.
        queries = []
        with connection.execute_wrapper(
            lambda execute, sql, *rest, seen=queries: (
                seen.append(sql) or execute(sql, *rest)
            )
        ):
            request(path)
        rounds = []
        for _ in range(args.rounds):
            pid, ticks = backend_ticks()
            started, cpu = time.perf_counter(), time.process_time()
            for _ in range(args.requests):
                request(path)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            end_pid, end_ticks = backend_ticks()
            if end_pid != pid:
                sys.exit("The database connection changed during a round.")
            python = cpu * 1000 / args.requests
            postgres = (end_ticks - ticks) * tick_ms / args.requests
            rounds.append(
                (python + postgres, wall * 1000 / args.requests, python, postgres)
            )
        total, wall, python, postgres = min(rounds)
        print(
            f"{name:<32} {wall:7.2f} {python:7.2f} {postgres:7.2f} {total:7.2f} {len(queries):4}",
            flush=True,
        )
        if profiler:
            for _ in range(args.requests):
                profiler.runcall(request, path)
    if profiler:
        profiler.dump_stats(args.profile)
        print(f"Profile of {args.requests} requests a page written to {args.profile}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
