# badger — the two commands: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := tests/interop/node_modules/.installed
PG_URL ?= $(or $(BADGER_TEST_POSTGRES_URL),postgresql://postgres@127.0.0.1:5432/test)
PORT ?= 5000

.PHONY: run test install lint typecheck test-sqlite test-postgres chromium redis pango node i18n bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve on http://127.0.0.1:$(PORT) (`make run PORT=5077`) with SQLite, generated keys and
## demo data when empty; ends with the demo logins in a box. The base URL follows the port
## unless BADGER_BASE_URL is set (credentials name it: keep one port per instance folder).
run: export BADGER_BASE_URL ?= http://127.0.0.1:$(PORT)
run: $(STAMP) pango
	$(BIN)/badger init
	$(BIN)/badger demo --if-empty
	$(BIN)/badger run --host 127.0.0.1 --port $(PORT)

## Lint, type-check, then the whole suite on SQLite and on PostgreSQL.
test: $(STAMP) node chromium redis pango lint typecheck test-sqlite test-postgres

lint: $(STAMP)
	$(BIN)/ruff check badger tests bench

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --strict --follow-imports=silent badger/ob3

test-sqlite: $(STAMP)
	BADGER_TEST_DATABASE_URL= $(BIN)/pytest -q -n 2 --dist loadfile

# PostgreSQL: the URL CI sets, else the local server when one answers; every database test again.
# Under CI=true nothing is skipped for a missing tool: no PostgreSQL, no Chromium, no node fails.
test-postgres: $(STAMP)
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "PostgreSQL at $(PG_URL)"; \
	  BADGER_TEST_DATABASE_URL='$(PG_URL)' $(BIN)/pytest -q -n 2 --dist loadfile -m "not browser and not interop" --ignore=tests/ob3; \
	elif [ -n "$$BADGER_TEST_POSTGRES_URL" ]; then \
	  echo "BADGER_TEST_POSTGRES_URL is set but PostgreSQL does not answer" >&2; exit 1; \
	elif [ "$$CI" = true ]; then \
	  echo "CI=true and no PostgreSQL at $(PG_URL): failing (CI covers both databases)" >&2; exit 1; \
	else echo "No PostgreSQL on 127.0.0.1:5432: PostgreSQL run skipped"; fi

## Debian's redis-server for the Redis session-store tests (each run starts its own on a
## loopback port; installed when missing and we are root).
redis:
	@if ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  elif [ "$$CI" = true ]; then echo "CI=true and redis-server is missing (run as root to install): failing" >&2; exit 1; \
	  else echo "redis-server missing: Redis session tests will be skipped (run as root to install)"; fi; fi

## Debian's Pango (with HarfBuzz and fontconfig) for the paper kit's PDFs: WeasyPrint lays text
## out with it. Installed when missing and we are root; without it the PDF links answer 503.
pango:
	@if ! /sbin/ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; \
	  elif [ "$$CI" = true ]; then echo "CI=true and libpango is missing (run as root to install): failing" >&2; exit 1; \
	  else echo "libpango missing: the paper kit's PDFs cannot be made (run as root to install)"; fi; fi

## Debian's Chromium for browser tests (installed when missing and we are root).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  elif [ "$$CI" = true ]; then echo "CI=true and chromium is missing (run as root to install): failing" >&2; exit 1; \
	  else echo "chromium missing: browser tests will be skipped (run as root to install)"; fi; fi

## The independent JavaScript verifier (Digital Bazaar vc + jose), pinned by package-lock.json.
node: $(NODE_STAMP)
$(NODE_STAMP): tests/interop/package-lock.json
	cd tests/interop && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

## Extract messages, update the English catalogue, compile.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o badger/translations/messages.pot --omit-header --no-location --sort-output .
	$(BIN)/pybabel update -i badger/translations/messages.pot -d badger/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d badger/translations

bench: $(STAMP)
	for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) tests/interop/node_modules .pytest_cache .mypy_cache .ruff_cache
