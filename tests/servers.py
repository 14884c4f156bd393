"""Real app servers for tests: gunicorn serving the production configuration on loopback."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**extra):
    """This process's environment with DEBUG off and test-only secrets; None removes a key."""
    env = {
        key: value for key, value in os.environ.items() if key != "PYTEST_CURRENT_TEST"
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="app-server-tests-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1:8000",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        LOG_LEVEL="INFO",
    )
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


class AppServer:
    """A gunicorn process on a free loopback port; started when made, stopped by stop().

    Used by the tests and by the page benchmark (bench/page_bench.py).
    """

    def __init__(
        self, env, tmp_path, workers=1, name="gunicorn", extra_args=(), start_timeout=30
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(tmp_path) / f"{name}-{self.port}.log"
        self.log = open(self.log_path, "w+")
        self.process = subprocess.Popen(
            [str(GUNICORN), "unact.wsgi", "--no-control-socket", "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--backlog", "2048", "--timeout", "30", *extra_args],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/robots.txt", timeout=2)  # noqa: S310 (loopback)
                return
            # A worker's first answer may take longer than the 2 s asked on a busy machine.
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"gunicorn did not start:\n{self.log_path.read_text()[-3000:]}"
        )

    def log_text(self):
        self.log.flush()
        return self.log_path.read_text()

    def get(self, path, timeout=30):
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:  # noqa: S310
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        if not self.log.closed:
            self.log.close()


class HangingSMTPServer:
    """A mail server that accepts connections and then never answers, not even its
    greeting: what a stuck relay or a black-holing firewall looks like to a client."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = self.socket.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _address = self.socket.accept()
            except OSError:
                return  # stopped
            self.connections.append(connection)  # held open, never written to

    def stop(self):
        self.socket.close()
        for connection in self.connections:
            connection.close()


class Browser:
    """A cookie-keeping HTTP client: one visitor, whichever server answers."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def request(self, url, data=None, headers=None):
        body = (
            urllib.parse.urlencode(data, doseq=True).encode()
            if data is not None
            else None
        )
        try:
            with self.opener.open(
                urllib.request.Request(url, body, headers or {}), timeout=20
            ) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf_token(self, html):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def log_in(self, server, username, password, code=""):
        """Sign in to the admin; code: the one-time code (two-factor sign-in), if any."""
        _status, html = self.request(server.url + "/admin/login/")
        return self.request(
            server.url + "/admin/login/?next=/admin/",
            {
                "csrfmiddlewaretoken": self.csrf_token(html),
                "username": username,
                "password": password,
                "otp_token": code,
                "next": "/admin/",
            },
        )
