# Takeup: `make demo` serves the demo council; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TAKEUP := $(VENV)/bin/takeup
HOST ?= 127.0.0.1:8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
VENDOR := src/takeup/static/vendor

.PHONY: demo test lint typecheck pytest pytest-postgres pytest-host host-services install install-dev assets messages bench clean

# WeasyPrint lays out the briefing's PDF with Pango, a system library; the tests read PDFs back
# with poppler's pdftoppm and pdftotext. Installed with apt-get when missing (as root).
APT_INSTALL = DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

$(VENV)/.installed: pyproject.toml
	@ldconfig -p | grep -q libpango-1.0 || { apt-get update -qq && $(APT_INSTALL) libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	@command -v pdftoppm >/dev/null || { apt-get update -qq && $(APT_INSTALL) poppler-utils >/dev/null; }
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	$(TAKEUP) migrate --no-input
	$(TAKEUP) demo --host $(HOST)
	@echo "Serving on http://$(HOST)/ (a task worker runs beside it). Stop with Ctrl-C."
	$(TAKEUP) worker & trap 'kill $$! 2>/dev/null' EXIT INT TERM; $(TAKEUP) runserver $(HOST)

test: install-dev lint typecheck pytest pytest-postgres pytest-host

lint: install-dev
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

typecheck: install-dev
	$(VENV)/bin/mypy

pytest: install-dev
	$(TAKEUP) makemigrations --check --dry-run
	$(VENV)/bin/pytest

# The same suite on PostgreSQL, when it answers; TAKEUP_REQUIRE_POSTGRES=1 makes its absence fail.
pytest-postgres: install-dev
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== the suite on PostgreSQL ($(PG_URL))"; \
		DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest; \
	elif [ "$$TAKEUP_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL at $(PG_URL) does not answer, and TAKEUP_REQUIRE_POSTGRES=1"; exit 1; \
	else \
		echo "SKIPPED the PostgreSQL run: nothing answers at $(PG_URL) (set PG_URL to point at one)"; \
	fi

# The host tests (tests/host/): a streaming replica on 5433 and PgBouncer on 6432 beside the
# primary, which `make host-services` starts (as root); TAKEUP_REQUIRE_HOST=1 makes their absence
# fail.
REPLICA_URL ?= postgres://postgres@127.0.0.1:5433/test
host-services:
	.ci/host-services

pytest-host: install-dev
	@if $(PY) -c "import psycopg; [psycopg.connect(u, connect_timeout=3).close() for u in ('$(PG_URL)', '$(REPLICA_URL)', '$(subst 5432,6432,$(PG_URL))')]" 2>/dev/null; then \
		echo "== the host tests: replica, PgBouncer and workers"; \
		DATABASE_URL=$(PG_URL) DATABASE_REPLICA_URLS=$(REPLICA_URL) $(VENV)/bin/pytest tests/host; \
	elif [ "$$TAKEUP_REQUIRE_HOST" = "1" ]; then \
		echo "No replica at $(REPLICA_URL) or no PgBouncer on 6432, and TAKEUP_REQUIRE_HOST=1"; exit 1; \
	else \
		echo "SKIPPED the host tests: run 'make host-services' (as root) to start a replica and PgBouncer"; \
	fi

# Benchmarks (need PostgreSQL at PG_URL); results go to bench/results/, summarised in
# docs/performance.md.
bench: install-dev
	PG_URL=$(PG_URL) $(PY) bench/ledger_import.py
	PG_URL=$(PG_URL) $(PY) bench/dashboard.py
	PG_URL=$(PG_URL) $(PY) bench/redirect.py
	PG_URL=$(PG_URL) $(PY) bench/survey.py
	$(PY) bench/effects.py
	$(PY) bench/saving.py
	PG_URL=$(PG_URL) $(PY) bench/alerts.py
	# 400 councils, 54 million rows: about 10 minutes to build, then 6 to run (needs host-services).
	PG_URL=$(PG_URL) $(PY) bench/host.py

# Front-end packages are vendored and committed, so `make demo` needs no npm; run this to update them.
assets:
	cd assets && npm ci --no-audit --no-fund
	mkdir -p $(VENDOR)/govuk
	assets/node_modules/.bin/sass --no-source-map --style=compressed --load-path=assets/node_modules \
		assets/src/takeup.scss $(VENDOR)/takeup.css
	cp assets/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(VENDOR)/govuk/
	rm -rf $(VENDOR)/govuk/assets && mkdir -p $(VENDOR)/govuk/assets
	cp -r assets/node_modules/govuk-frontend/dist/govuk/assets/images $(VENDOR)/govuk/assets/
	cp assets/src/govuk-init.mjs $(VENDOR)/govuk-init.mjs
	cp assets/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	assets/node_modules/.bin/esbuild assets/src/charts.js --bundle --minify --format=iife \
		--legal-comments=none --outfile=$(VENDOR)/charts.js
	cp assets/node_modules/axe-core/axe.min.js tests/e2e/axe.min.js

messages: install-dev
	cd src/takeup && ../../$(TAKEUP) makemessages -l cy --no-obsolete --ignore 'static/*'
	$(PY) src/takeup/locale/cy_translations.py
	cd src/takeup && ../../$(TAKEUP) compilemessages -l cy

clean:
	rm -rf $(VENV) var
