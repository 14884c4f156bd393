"""Lighthouse (mobile preset) against a local copy of the production configuration.

    python scripts/lighthouse.py            # make lighthouse; make audit runs it last

Builds a fresh SQLite database with the demo content in a temporary folder, collects
the fingerprinted static files, starts gunicorn with DEBUG off on a free loopback
port, runs Lighthouse 12 (tools/lighthouse, installed with `npm ci` there) with the
machine's Chromium on the front page, a post, the publications list and the search
page, and prints the four scores and the bytes each page transfers.

Exit 0: every score reaches LIGHTHOUSE_MIN_SCORE (default 100). Exit 1: a score is
below it. Exit 2: Lighthouse or Chromium is missing or the server did not start.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIGHTHOUSE = ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# (label, path); a page answering 404 is skipped with a note (search may not exist yet).
PAGES = [
    ("front page", "/"),
    ("post", "/posts/un-act-2015-annual-report/"),
    ("publications", "/publications/"),
    ("search", "/search/?q=trafficking"),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status_of(url):
    """The HTTP status of a loopback address (only ever the server this script started)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # nosec B310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


def run(command, env, **kwargs):
    subprocess.run(command, env=env, check=True, cwd=ROOT, **kwargs)


def production_env(workdir, port):
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{workdir / 'lighthouse.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
    }


def lighthouse(url, report_path, profile_dir):
    flags = (
        "--headless --no-sandbox --disable-gpu --disable-background-networking "
        f"--user-data-dir={profile_dir}"
    )
    command = [
        str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report_path}",
        f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={flags}",
    ]  # fmt: skip
    # Lighthouse sometimes fails to record a trace on a busy machine (NO_NAVSTART):
    # that is a failed measurement, not a score, so try it again before giving up.
    for attempt in range(3):
        result = subprocess.run(
            command, env={**os.environ, "CHROME_PATH": CHROME}, timeout=300
        )
        if result.returncode == 0:
            break
        print(
            f"lighthouse failed on {url} (attempt {attempt + 1} of 3)", file=sys.stderr
        )
    else:
        raise subprocess.CalledProcessError(result.returncode, command)
    report = json.loads(Path(report_path).read_text())
    scores = {
        name: round((report["categories"][name]["score"] or 0) * 100)
        for name in CATEGORIES
    }
    failing = [
        f"{audit['id']} ({audit.get('score')})"
        for audit in report["audits"].values()
        if audit.get("score") is not None
        and audit["score"] < 1
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    ]
    return scores, int(report["audits"]["total-byte-weight"]["numericValue"]), failing


def main():
    if not LIGHTHOUSE.exists():
        print(
            "Lighthouse is missing: run `npm ci --prefix tools/lighthouse` (make lighthouse does)."
        )
        return 2
    if not Path(CHROME).exists():
        print(f"Chromium is missing at {CHROME}; set CHROME_PATH.")
        return 2
    minimum = int(os.environ.get("LIGHTHOUSE_MIN_SCORE", "100"))
    with tempfile.TemporaryDirectory(prefix="unact-lighthouse-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        env = production_env(workdir, port)
        python = str(BIN / "python")
        quiet = {"stdout": subprocess.DEVNULL}
        run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
        run([python, "manage.py", "load_demo", "--no-admin"], env, **quiet)
        run([python, "manage.py", "collectstatic", "--noinput", "-v0"], env)
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "unact.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _attempt in range(60):
                if status_of(base + "/healthz") == 200:
                    break
                time.sleep(0.5)
            else:
                print("The server did not start.")
                return 2
            rows = []
            for label, path in PAGES:
                status = status_of(base + path)
                if status == 404:
                    print(f"note: {path} answers 404 on this branch; {label} skipped.")
                    continue
                if status != 200:
                    print(f"{path} answers {status}; cannot audit it.")
                    return 2
                profile = workdir / f"chrome-{len(rows)}"
                profile.mkdir()
                scores, weight, failing = lighthouse(
                    base + path, workdir / f"report-{len(rows)}.json", profile
                )
                rows.append((label, path, scores, weight, failing))
        finally:
            server.terminate()
            server.wait(timeout=20)
    print()
    print(f"Lighthouse {lighthouse_version()} · mobile preset · {CHROME}")
    header = f"{'page':<14} {'path':<36} {'perf':>5} {'a11y':>5} {'b-p':>5} {'seo':>5} {'bytes':>9}"
    print(header)
    print("-" * len(header))
    below = False
    for label, path, scores, weight, failing in rows:
        values = [scores[name] for name in CATEGORIES]
        below = below or min(values) < minimum
        print(
            f"{label:<14} {path:<36} "
            + " ".join(f"{value:>5}" for value in values)
            + f" {weight:>9}"
        )
        if failing:
            print(f"{'':<14} costing points: {', '.join(failing)}")
    if below:
        print(f"\nA score is below {minimum} (LIGHTHOUSE_MIN_SCORE).")
    return 1 if below else 0


def lighthouse_version():
    package = (
        ROOT / "tools" / "lighthouse" / "node_modules" / "lighthouse" / "package.json"
    )
    return json.loads(package.read_text())["version"]


if __name__ == "__main__":
    if shutil.which("node") is None:
        print("Node.js is needed for Lighthouse.")
        sys.exit(2)
    sys.exit(main())
