# The two commands of the README: `make run` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test migrate demo check lint clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

var:
	mkdir -p var

migrate: install var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(BIN)/python manage.py load_demo

run: demo
	@echo "Serving http://$(HOST):$(PORT)/ — admin at http://$(HOST):$(PORT)/admin/ (user admin, password unact-demo)"
	@# The newsletter's background worker runs beside the web server and stops with it.
	DEBUG=1 $(BIN)/python manage.py db_worker --no-reload --no-startup-delay & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-test var
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Sending benchmark (PostgreSQL): BENCH_DATABASE_URL=postgres://... make bench
bench: install-test var
	$(BIN)/python bench/send_bench.py

lint: install-test
	$(BIN)/pip install --quiet ruff
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var/static var/screenshots
