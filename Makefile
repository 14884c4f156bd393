# The two commands of the README: `make run` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test migrate demo check lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
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

migrate: install var
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(BIN)/python manage.py load_demo

run: demo
	@echo "Serving http://$(HOST):$(PORT)/ — admin at http://$(HOST):$(PORT)/admin/ (user admin, password unact-demo)"
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-test var
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/pip install --quiet ruff
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var/static var/screenshots
