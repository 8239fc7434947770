# opsdesk: `make run` and `make test` work on a fresh machine with Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test test-sqlite test-postgres lint install assets clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/opsdesk migrate --no-input
	$(BIN)/opsdesk demo
	$(BIN)/opsdesk run

# The whole suite on SQLite, then again on PostgreSQL when OPSDESK_TEST_DATABASE_URL is set.
test: $(STAMP) lint test-sqlite test-postgres

LINT_PATHS := $(wildcard src conftest.py tests bench)

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/lint-imports

test-sqlite: $(STAMP)
	env -u DATABASE_URL OPSDESK_DATA_DIR=$(CURDIR)/var/test $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(STAMP)
	@if [ -n "$$OPSDESK_TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$OPSDESK_TEST_DATABASE_URL"; \
		DATABASE_URL="$$OPSDESK_TEST_DATABASE_URL" $(BIN)/pytest $(PYTEST_ARGS); \
	else \
		echo "== PostgreSQL skipped: set OPSDESK_TEST_DATABASE_URL=postgres://user@host/db to run it"; \
	fi

assets:
	cd frontend && npm ci && npm run build

clean:
	rm -rf $(VENV) var
