# The two commands of the README: `make run` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
LOCK := requirements.lock
TEST_LOCK := requirements-test.lock
# make serve: the production configuration on this machine.
GUNICORN_WORKERS ?= 2
GUNICORN_BIND ?= 127.0.0.1:8000

.PHONY: run test install install-test migrate demo check lint clean serve audit lock lock-check bench lighthouse

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Dependencies come from the hashed lock files (pip-tools); the project itself is
# installed without resolving anything new. `make lock` regenerates the locks.
$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	@# PyICU (search's word breaking) builds against the system's ICU.
	@pkg-config --exists icu-uc 2>/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && { echo "Installing libicu-dev and pkg-config (Debian) for PyICU"; apt-get install -y -qq libicu-dev pkg-config >/dev/null \
	  || { apt-get update -qq && apt-get install -y -qq libicu-dev pkg-config >/dev/null; }; } \
	  || { echo "PyICU needs ICU's headers: install libicu-dev and pkg-config (Debian/Ubuntu) or icu4c (Homebrew)"; exit 1; }; }
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@$(BIN)/python scripts/check_lock.py $(LOCK) || { echo "WARNING: $(LOCK) is stale (run make lock); installing the missing packages unpinned"; $(BIN)/pip install --quiet -e .; }
	touch $@

$(VENV)/.installed-test: pyproject.toml $(TEST_LOCK) $(VENV)/.installed
	$(BIN)/pip install --quiet --require-hashes -r $(TEST_LOCK)
	@$(BIN)/python scripts/check_lock.py $(TEST_LOCK) test audit || { echo "WARNING: $(TEST_LOCK) is stale (run make lock); installing the missing packages unpinned"; $(BIN)/pip install --quiet -e '.[test,audit]'; }
	touch $@

# Test-only tools from npm: axe-core and the Nu Html Checker (its install script would
# download a Java runtime, so scripts are skipped; the machine's Java runs it).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test node_modules/.installed

var:
	mkdir -p var

# The Site row (feeds' and the admin's "View on site" domain) follows SITE_URL at migrate.
migrate: install var
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py migrate --noinput

# In development the site's address follows the server (PORT=8101 make run): links
# in pages and emails, the sitemap and load_demo's admin address all use SITE_URL.
SITE_URL ?= http://$(HOST):$(PORT)

demo: migrate
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py load_demo

run: demo
	@echo "Serving $(SITE_URL)/ — admin at $(SITE_URL)/admin/ (user admin, password unact-demo)"
	@# The newsletter's background worker runs beside the web server and stops with it.
	DEBUG=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py db_worker --no-reload --no-startup-delay & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 SITE_URL=$(SITE_URL) COMMENTS_CLOSE_AFTER_DAYS=$${COMMENTS_CLOSE_AFTER_DAYS:-0} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Lint and format check first (seconds), then the suite.
test: install-test var lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks (PostgreSQL and Redis; docs/performance.md): the page
# benchmark (gunicorn under wrk, cache on and off, against a ceiling view), then the
# sending benchmark. wrk comes from Debian (apt-get install wrk); bench/page_bench.py
# installs it when missing. BENCH_PAGES_DATABASE_URL, BENCH_REDIS_URL and
# BENCH_DATABASE_URL choose the databases; results go to var/bench/.
bench: install-test var
	$(BIN)/python bench/page_bench.py $(BENCH_ARGS)
	$(BIN)/python bench/send_bench.py | tee var/bench/send.txt

# ruff (rules and line length in pyproject.toml) and bandit, the same static check
# as `make audit`, so a finding fails `make test` before CI.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -ll -c pyproject.toml -r unact posts publications newsletter scripts

# Regenerate both lock files from pyproject.toml (newest versions allowed by it).
lock: | $(BIN)/python
	$(BIN)/pip install --quiet "pip-tools>=7.4"
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) -o $(LOCK) pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) --extra test --extra audit -o $(TEST_LOCK) pyproject.toml

lock-check: | $(BIN)/python
	$(BIN)/python scripts/check_lock.py $(LOCK)
	$(BIN)/python scripts/check_lock.py $(TEST_LOCK) test audit

# Static analysis of our code (bandit) and known vulnerabilities in the locked
# dependencies (pip-audit --strict). No advisory service, no pass.
# Each part runs even when an earlier one fails (an unreachable advisory service must
# not hide Lighthouse's table); the exit status is the first failure's.
audit: install-test
	@status=0; \
	$(BIN)/bandit -q -ll -c pyproject.toml -r unact posts publications newsletter scripts || status=$$?; \
	$(BIN)/python scripts/audit_dependencies.py $(TEST_LOCK) || { rc=$$?; [ $$status -ne 0 ] || status=$$rc; }; \
	$(MAKE) --no-print-directory lighthouse || { rc=$$?; [ $$status -ne 0 ] || status=$$rc; }; \
	exit $$status

# Lighthouse 12 lives in its own folder with its own lock, so `make test`'s npm ci
# stays small; it runs against gunicorn with DEBUG off and the demo content.
tools/lighthouse/node_modules/.installed: tools/lighthouse/package.json tools/lighthouse/package-lock.json
	cd tools/lighthouse && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

lighthouse: install tools/lighthouse/node_modules/.installed
	CHROME_PATH="$${CHROME_PATH:-/usr/bin/chromium}" $(BIN)/python scripts/lighthouse.py

# The production configuration locally: DEBUG off, fingerprinted static files,
# gunicorn and the task worker, stopped together (Ctrl-C). SECRET_KEY and
# ALLOWED_HOSTS must come from the environment; plain HTTP on loopback needs
# SECURE_SSL_REDIRECT=0 and SECURE_COOKIES=0, the defaults here only, like SITE_URL
# (the bound address).
serve: install var
	@set -e; \
	export DEBUG=0 DATABASE_URL="$${DATABASE_URL:-sqlite:///$(CURDIR)/var/db.sqlite3}" \
	  SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}" SECURE_COOKIES="$${SECURE_COOKIES:-0}" \
	  SITE_URL="$${SITE_URL:-http://$(GUNICORN_BIND)}"; \
	$(BIN)/python manage.py migrate --noinput -v0; \
	$(BIN)/python manage.py collectstatic --noinput -v0; \
	$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Serving http://$(GUNICORN_BIND)/ with $(GUNICORN_WORKERS) workers and a task worker (Ctrl-C stops both)"; \
	$(BIN)/gunicorn unact.wsgi --preload --no-control-socket --workers $(GUNICORN_WORKERS) \
	  --bind $(GUNICORN_BIND) --access-logfile - --forwarded-allow-ips="$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

clean:
	rm -rf $(VENV) var/static var/screenshots
