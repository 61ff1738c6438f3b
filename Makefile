# One target per chore; CI (.ci/run) calls `make test`, exactly as a developer does.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: test demo lint typecheck pytest bench install browser services clean format screenshots

## Set-up ---------------------------------------------------------------------
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	# These peers pin old NumPy/SciPy ranges; keep ours and check they still import.
	touch $@

# Debian's chromium for the Playwright tests (Playwright's own download cannot work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The integration tests use the machine's PostgreSQL for real; start it if it is down.
services:
	@scripts/ensure-services.sh

## The main job ------------------------------------------------------------------
# A live simulated day on the embedded SQLite default, in the browser (Ctrl-C stops it).
demo: $(STAMP)
	$(BIN)/hearthline demo $(DEMO_ARGS)

## Chores ----------------------------------------------------------------------
# ruff, and the layers' import contracts (pyproject.toml [tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) browser services
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

# Refreshes the screenshots the docs and README show (every test run also writes its own
# under test-artifacts/screenshots/, to be looked at).
screenshots: $(STAMP) browser services
	HEARTHLINE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest tests/web tests/demo/test_demo_browser.py -q

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
