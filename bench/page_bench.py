"""Page benchmark: the production configuration under wrk, against its own ceiling.

    make bench                        (this, then the sending benchmark)
    .venv/bin/python bench/page_bench.py [--duration 8] [--warmup 3] [--connections 16]
                                         [--modes cached,uncached] [--no-gzip]

What it does, in one run:
1. PostgreSQL database `unact_bench_pages_<checkout folder>` (BENCH_PAGES_DATABASE_URL)
   is migrated and filled by `manage.py load_bench_data` (idempotent); static files are
   collected. docs/performance.md says how to read the table.
2. For each mode, gunicorn starts with the production settings (DEBUG off, 2 workers,
   Redis db 11 under a key prefix of its own) on a free loopback port. "cached" keeps
   the page cache on; "uncached" starts the whole server with PAGE_CACHE_SECONDS=0.
   The server runs with BENCH_CEILING_VIEW=1 (routes /bench/ceiling/, a fixed 20 KB
   page) and NEWSLETTER_SIGNUPS_PER_IP_PER_HOUR raised to 1,000,000, since every
   request comes from one IP address: the per-IP limit would answer 429 after 10.
3. For each page: wrk warms up, then measures (latency percentiles from wrk itself).
   wrk sends `Accept-Encoding: gzip` as every browser does (`--no-gzip`: none), so the
   pages are compressed as visitors get them and the bytes are what crosses the wire.
   SQL queries per request are counted separately, by running the same request
   through Django's test client against the same database and cache settings with
   CaptureQueriesContext (for "cached", the second of two requests: a cache hit).
4. Prints the table and writes it to var/bench/pages-<mode>.txt and pages.json, with
   the hardware line and gunicorn worker memory (RSS) after the run.

wrk comes from Debian (`apt-get install wrk`); the script installs it when missing
and stops with a clear message when it cannot.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.servers import AppServer  # noqa: E402 (the project root is on the path now)

OUT = ROOT / "var" / "bench"
# One bench database per checkout (its folder name): branches with different migrations never share one.
DEFAULT_DB = "postgres://root@127.0.0.1:5432/unact_bench_pages_" + re.sub(
    r"\W", "_", ROOT.name.lower()
)
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"
SIGNUP = "POST /newsletter/subscribe/"
PAGES = [
    ("ceiling (20 KB fixed view)", "/bench/ceiling/"),
    ("front page", "/"),
    ("post list, page 5", "/posts/?page=5"),
    ("tag page", "/posts/tag/bench-safe-migration/"),
    ("post with 200 comments", "/posts/bench-post-with-200-comments/"),
    ("publications, 2 filters", "/publications/?kind=research-report&country=thailand"),
    ("search", "/search/?q=trafficking"),
    # The same kinds of page in other languages and scripts: the cache and the frame
    # are per language, and search splits Thai and folds Vietnamese (issues 16, 17).
    ("front page, Thai", "/th/"),
    ("search, Thai words typed together", "/th/search/?q=" + quote("การค้ามนุษย์แรงงาน")),
    ("search, Vietnamese without marks", "/vi/search/?q=buon+ban+nguoi"),
    ("feed", "/feed/"),
    ("newsletter signup", SIGNUP),
]
TARGETS = {"cached": 0.6, "uncached": 0.1}
MAX_QUERIES = 8


def ensure_wrk():
    if shutil.which("wrk"):
        return shutil.which("wrk")
    print(
        "wrk is not installed; installing Debian's package (apt-get install -y wrk)...",
        flush=True,
    )
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"],
            stdout=subprocess.DEVNULL,
            check=False,
        )
    if not shutil.which("wrk"):
        sys.exit(
            "ERROR: the page benchmark needs wrk (HTTP load generator) and could not install it.\n"
            "Install it as root with `apt-get install wrk` (Debian/Ubuntu), then run `make bench` again."
        )
    return shutil.which("wrk")


def ensure_database(url):
    from urllib.parse import urlsplit

    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username,
                             password=parts.password, dbname="postgres")  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def hardware_line():
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return f"{os.cpu_count()} CPUs (nproc), {model}, {int(memory) // 1024} MB RAM, load average before the run {os.getloadavg()[0]:.1f}"


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid):
    try:
        return [
            int(child)
            for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
    except FileNotFoundError:
        return []


def status_of(url, method="GET", data=None):
    request = urllib.request.Request(url, method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 (loopback)
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def run_wrk(wrk, server, path, seconds, connections, env, headers=()):
    script = ROOT / "bench" / "report.lua"
    if path == SIGNUP:
        script = OUT / "signup-run.lua"
        script.write_text(
            (ROOT / "bench" / "signup.lua").read_text()
            + "\n"
            + (ROOT / "bench" / "report.lua").read_text()
        )
        url = server.url + "/newsletter/subscribe/"
    else:
        url = server.url + path
    result = subprocess.run(
        [wrk, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s", "-s", str(script),
         *[flag for header in headers for flag in ("-H", header)], url],
        capture_output=True, text=True, env=env, timeout=seconds + 60,
    )  # fmt: skip
    line = next(
        (line for line in result.stdout.splitlines() if line.startswith("JSON:")), None
    )
    if line is None:
        raise RuntimeError(f"wrk gave no figures:\n{result.stdout}\n{result.stderr}")
    data = json.loads(line[5:])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["errors"] = sum(
        data[key] for key in ("connect", "read", "write", "status", "timeout")
    )
    data["bytes_per_response"] = data["bytes"] / max(1, data["requests"])
    return data


COUNT_SCRIPT = r"""
import json, os, sys
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.core.cache import cache

results = {}
for path in json.loads(sys.argv[1]):
    client = Client(HTTP_HOST="127.0.0.1")
    method = "POST" if path.startswith("POST ") else "GET"
    url = path.split(" ", 1)[1] if method == "POST" else path
    def request():
        if method == "POST":
            import uuid
            return client.post(url, {"email": f"bench-count-{uuid.uuid4().hex}@example.org", "consent": "on", "source": "footer"})
        return client.get(url)
    if method == "GET":
        # As under load, the counted request is not a process's first: with the page
        # cache on it is a hit; off, the frame's fragments (menus, switcher) are warm,
        # and the page itself is rendered from the database.
        request()
        client = Client(HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as queries:
        response = request()
    results[path] = {"queries": len(queries), "status": response.status_code,
                     "x_cache": response.get("X-Cache", "")}
print("JSON:" + json.dumps(results))
"""


def count_queries(env, paths):
    result = subprocess.run([sys.executable, "-c", COUNT_SCRIPT, json.dumps(paths)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    line = next(
        (line for line in result.stdout.splitlines() if line.startswith("JSON:")), None
    )
    if line is None:
        raise RuntimeError(f"query count failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(line[5:])


def table(mode, rows, ceiling_rps):
    target = TARGETS[mode]
    lines = [
        f"{'page':<30} {'req/s':>8} {'median':>8} {'p99':>8} {'p99/med':>7} {'errors':>6} {'SQL':>4} {'bytes':>7} {'ratio':>6}  verdict",
    ]
    for label, path, data in rows:
        if data is None:
            lines.append(
                f"{label:<30} {'not available (404: no such page on this branch)':>60}"
            )
            continue
        ratio = data["rps"] / ceiling_rps if ceiling_rps else 0
        spread = data["p99_us"] / max(1, data["p50_us"])
        misses = []
        # A POST is never cached: the signup is held to the rendered-page target.
        page_target = TARGETS["uncached"] if path == SIGNUP else target
        if path != "/bench/ceiling/" and ratio < page_target:
            misses.append(f"ratio<{page_target}")
        if spread > 3:
            misses.append("p99>3x")
        if data["errors"]:
            misses.append("errors")
        if data["queries"] is not None and data["queries"] > MAX_QUERIES:
            misses.append(f"SQL>{MAX_QUERIES}")
        lines.append(
            f"{label:<30} {data['rps']:>8.0f} {data['p50_us'] / 1000:>6.1f}ms {data['p99_us'] / 1000:>6.1f}ms "
            f"{spread:>7.1f} {data['errors']:>6} {data['queries'] if data['queries'] is not None else '-':>4} "
            f"{data['bytes_per_response']:>7.0f} {ratio:>6.2f}  {'ok' if not misses else 'MISS ' + ','.join(misses)}"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 8))
    )
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument(
        "--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 8))
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--modes", default=os.environ.get("BENCH_MODES", "cached,uncached")
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated paths to measure (besides the ceiling)",
    )
    parser.add_argument(
        "--no-gzip",
        dest="accept_gzip",
        action="store_false",
        default=os.environ.get("BENCH_GZIP") != "0",
        help="send no Accept-Encoding (by default wrk sends Accept-Encoding: gzip, as every browser does)",
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_PAGES_DATABASE_URL", DEFAULT_DB)
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    )
    args = parser.parse_args()

    started = time.monotonic()
    wrk = ensure_wrk()
    OUT.mkdir(parents=True, exist_ok=True)
    hardware = hardware_line()
    base_env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTEST_CURRENT_TEST", "DEBUG")
    }
    base_env.update(
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="unact.settings",
        SECRET_KEY="benchmark-only-secret-key-" + "b" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1:8000",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        STATIC_ROOT=str(OUT / "static"),
        MEDIA_ROOT=str(OUT / "media"),
        LOG_LEVEL="WARNING",
        BENCH_CEILING_VIEW="1",
        NEWSLETTER_SIGNUPS_PER_IP_PER_HOUR="1000000",
        # The confirmation emails queue in the database; no worker sends them here.
        TASKS_BACKEND="database",
    )
    ensure_database(args.database_url)
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        manage + ["migrate", "--noinput", "-v0"], cwd=ROOT, env=base_env, check=True
    )
    load = subprocess.run(
        manage + ["load_bench_data"],
        cwd=ROOT,
        env=base_env,
        check=True,
        capture_output=True,
        text=True,
    )
    print(load.stdout.strip())
    subprocess.run(
        manage + ["collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=base_env,
        check=True,
    )

    pages = PAGES
    if args.only:
        wanted = set(args.only.split(","))
        pages = [
            page for page in PAGES if page[1] == "/bench/ceiling/" or page[1] in wanted
        ]
    report = {"hardware": hardware, "modes": {}}
    printed = [
        f"Hardware: {hardware}",
        f"gunicorn: {args.workers} workers ({base_env.get('GUNICORN_WORKER_CLASS', 'sync')}), "
        f"wrk -t2 -c{args.connections}, {args.warmup} s warm-up + {args.duration} s per page, same machine"
        + (", Accept-Encoding: gzip" if args.accept_gzip else ""),
    ]
    headers = ["Accept-Encoding: gzip"] if args.accept_gzip else []
    for mode in args.modes.split(","):
        env = {**base_env, "PAGE_CACHE_SECONDS": "600" if mode == "cached" else "0",
               "CACHE_KEY_PREFIX": f"unact-bench-{uuid.uuid4().hex[:8]}"}  # fmt: skip
        queries = count_queries(env, [path for _label, path in pages])
        try:
            server = AppServer(
                env, OUT, workers=args.workers, name=f"gunicorn-{mode}", start_timeout=60,
                extra_args=["--preload", "--worker-class", env.get("GUNICORN_WORKER_CLASS", "sync")],
            )  # fmt: skip
        except RuntimeError as error:
            sys.exit(str(error))
        rows = []
        try:
            wrk_env = {
                **os.environ,
                "BENCH_ORIGIN": server.url,
                "BENCH_RUN": uuid.uuid4().hex[:6],
            }
            for label, path in pages:
                if path != SIGNUP and status_of(server.url + path)[0] == 404:
                    rows.append((label, path, None))
                    continue
                run_wrk(
                    wrk, server, path, args.warmup, args.connections, wrk_env, headers
                )
                data = run_wrk(
                    wrk, server, path, args.duration, args.connections, wrk_env, headers
                )
                data["queries"] = queries.get(path, {}).get("queries")
                rows.append((label, path, data))
                print(f"  {mode:<8} {label:<30} {data['rps']:8.0f} req/s", flush=True)
            rss = [rss_mb(pid) for pid in children(server.process.pid)]
        finally:
            server.stop()
        ceiling = next(
            (
                data["rps"]
                for _label, path, data in rows
                if path == "/bench/ceiling/" and data
            ),
            0,
        )
        text = table(mode, rows, ceiling)
        memory = (
            "gunicorn worker RSS after the run: "
            + ", ".join(f"{value:.0f} MB" for value in rss)
            + " (target < 150 MB)"
        )
        block = f"\n== {mode}: page cache {'on' if mode == 'cached' else 'off (PAGE_CACHE_SECONDS=0)'}; target ratio >= {TARGETS[mode]} of the ceiling ==\n{text}\n{memory}"
        printed.append(block)
        print(block, flush=True)
        (OUT / f"pages-{mode}.txt").write_text(
            printed[0] + "\n" + printed[1] + "\n" + block + "\n"
        )
        report["modes"][mode] = {
            "rows": [{"label": label, "path": path, **(data or {"available": False})} for label, path, data in rows],
            "ceiling_rps": ceiling, "worker_rss_mb": rss,
        }  # fmt: skip
    report["seconds"] = time.monotonic() - started
    (OUT / "pages.json").write_text(json.dumps(report, indent=2))
    (OUT / "pages.txt").write_text(
        "\n".join(printed) + f"\n\nPage benchmark took {report['seconds']:.0f} s.\n"
    )
    print(
        f"\nPage benchmark took {report['seconds']:.0f} s; table written to {OUT / 'pages.txt'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
