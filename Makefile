# ipcenter: `make run` serves the platform on http://127.0.0.1:8000, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# The tests always run on PostgreSQL: DATABASE_URL when it names one, else the local server.
TEST_DATABASE_URL ?= $(if $(filter postgres%,$(DATABASE_URL)),$(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)
export IPCENTER_STAFF_TOTP ?= optional

.PHONY: help install assets messages messages-extract migrate demo run test lint typecheck migrations-check \
        openapi openapi-check pytest browser-test browser-deps check-db bench bench-large clean \
        schemathesis schemathesis-long

help:
	@echo "make run    set everything up and serve on http://127.0.0.1:8000 (SQLite, Huey on SQLite)"
	@echo "make test   ruff, mypy, migrations and OpenAPI drift, pytest on PostgreSQL, API fuzzing, browser tests"
	@echo "make bench  the benchmarks at 100k documents, each figure beside its baseline (bench-large: 1M)"

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is required to fetch the front-end packages"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.package-lock.json

assets: node_modules/.package-lock.json $(STAMP)
	$(PY) scripts/vendor_assets.py

# Extract new strings into the catalogue (needs GNU gettext); translate them, then `make messages`.
messages-extract: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-location --ignore=.venv --ignore=node_modules \
		--ignore="tests/*" --ignore="src/ipcenter/static/*"

messages: $(STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -d src/ipcenter/locale -D django --statistics 2>&1 | tail -n 2

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

collectstatic: assets
	$(PY) manage.py collectstatic --noinput -v 0

run: install assets messages collectstatic demo
	@echo "Serving on http://127.0.0.1:8000 (web + job worker). Stop with Ctrl-C."
	$(VENV)/bin/honcho start -f Procfile

# --- checks -----------------------------------------------------------------------------------

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests scripts $(wildcard bench)
	$(VENV)/bin/ruff format --check src tests scripts $(wildcard bench)

typecheck: $(STAMP)
	$(VENV)/bin/mypy

migrations-check: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run

openapi: $(STAMP)
	$(PY) manage.py export_openapi docs/openapi.json

openapi-check: $(STAMP)
	$(PY) manage.py export_openapi --check docs/openapi.json

check-db: $(STAMP)
	@DATABASE_URL=$(TEST_DATABASE_URL) $(PY) scripts/check_db.py

browser-deps:
	@bash scripts/browser_deps.sh

pytest: check-db assets messages collectstatic
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest -m "not browser" -q

browser-test: check-db assets messages browser-deps collectstatic
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest -m browser -q

# Fuzz the live API (gunicorn on a loopback port) as several roles on a disposable database named
# after TEST_DATABASE_URL's server: any 5xx or answer the OpenAPI spec does not describe fails.
SCHEMATHESIS_DATABASE_URL ?= $(shell echo '$(TEST_DATABASE_URL)' | sed -E 's|/[^/]*$$|/ipcenter_schemathesis|')

schemathesis: check-db
	$(PY) scripts/schemathesis_run.py --database-url '$(SCHEMATHESIS_DATABASE_URL)' \
		--roles applicant,agent,examiner,manager --seconds-per-role 25

# The longer run: every demo role, five minutes each; its figures go into docs/benchmarks.md.
schemathesis-long: check-db
	$(PY) scripts/schemathesis_run.py --database-url '$(SCHEMATHESIS_DATABASE_URL)' \
		--data demo --roles applicant,entadmin,agent,examiner,manager,analyst,ipoffice,sysadmin \
		--seconds-per-role 300

test: lint typecheck migrations-check openapi-check pytest schemathesis browser-test

# --- benchmarks (bench/, docs/benchmarks.md): every figure beside its baseline, in one run ------
# They read the real data at ../shared/data (or $IPCENTER_SHARED_DATA) and keep vectors and run
# reports under .cache/bench/. bench: 100k resampled documents; bench-large: 1M (hours).

bench: $(STAMP)
	$(PY) -m bench.run --size small

bench-large: $(STAMP)
	$(PY) -m bench.run --size large

clean:
	rm -rf var src/ipcenter/static/vendor test-output
