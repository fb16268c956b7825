# Tellen & Vertellen: the two commands of the README, and the steps behind them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
export MONITOR_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run test install install-test test-sqlite test-postgresql test-fast bench translations catalogues

## run: install everything, migrate, load the Hilversum demo data and start the app and the job worker
run: install
	MONITOR_ENV=development $(BIN)/flask --app wsgi init-db
	MONITOR_ENV=development $(BIN)/flask --app wsgi seed-demo
	@echo ""
	@echo "Tellen & Vertellen draait op http://$(HOST):$(PORT)/  (stoppen: Ctrl+C)"
	@echo "E-mail gaat zonder MONITOR_MAIL_URL naar instance/outbox/ (zie Beheer > Berichten)."
	@echo ""
	MONITOR_ENV=development MONITOR_BASE_URL=$${MONITOR_BASE_URL:-http://$(HOST):$(PORT)} \
	  MONITOR_HOST=$(HOST) MONITOR_PORT=$(PORT) $(BIN)/honcho --procfile Procfile start

## test: install what the tests need and run the whole suite on SQLite and PostgreSQL
test: install-test
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgresql

test-sqlite:
	@echo "== test suite on SQLite =="
	$(BIN)/pytest

## test-fast: the inner loop on SQLite (no slow, browser or soak tests), in two processes
# (pytest-xdist; TEST_WORKERS=1 for one). Python's bytecode caches are written even where
# the environment sets PYTHONDONTWRITEBYTECODE: every worker would otherwise compile the
# app and rewrite the tests' assertions again on every run (~6 s of CPU per process).
TEST_WORKERS ?= 2
test-fast:
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -m "not slow and not browser" \
	  $(if $(filter-out 0 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist worksteal)

test-postgresql:
	@echo "== test suite on PostgreSQL ($(TEST_DATABASE_URL)) =="
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest

## bench: the benchmark harness at size M on SQLite and PostgreSQL (docs/benchmarks.md); it creates
## the database bench_pg when missing, or says how to give another; a failed step is 'niet gemeten'
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/bench_pg
bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench --size $(or $(SIZE),M)

install: $(VENV)/.installed node_modules/.installed translations
	scripts/ensure-pango.sh

## translations: compile the message catalogues of the public pages (.po → .mo; docs/i18n.md)
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d monitor/translations

## catalogues: extract the Dutch source strings and update every .po (then translate them)
catalogues: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output -o monitor/translations/messages.pot .
	$(BIN)/pybabel update -i monitor/translations/messages.pot -d monitor/translations --no-fuzzy-matching

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json scripts/copy-vendor.mjs
	npm ci --no-audit --no-fund
	touch $@

install-test: install $(VENV)/.installed-dev
	scripts/ensure-chromium.sh
	scripts/ensure-redis.sh

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@
