# One target per chore; CI (.ci/run) calls `make test`, exactly as a developer does.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: test demo lint typecheck pytest pytest-compiled bench install browser services clean format screenshots voice

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

# Real calls (docs/voice.md): rtpengine, sipp and espeak-ng from Debian. Where they cannot be
# installed (not root, no apt) it says so in one line and carries on; the voice tests then
# skip with that reason.
voice:
	@scripts/ensure-voice.sh

## The main job ------------------------------------------------------------------
# A live simulated day on the embedded SQLite default, in the browser (Ctrl-C stops it).
demo: $(STAMP) voice
	$(BIN)/hearthline demo $(DEMO_ARGS)

## Chores ----------------------------------------------------------------------
# ruff, and the layers' import contracts (pyproject.toml [tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

# Most of the suite's time is spent waiting (servers, Chromium, PostgreSQL), so more workers
# than cores pays. --dist loadfile keeps a module's tests on one worker: its module-scoped
# server and browser start once. PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= 4
pytest: $(STAMP) browser services voice
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The core's tests again on the mypyc build of the core and the simulator (bench/compiled.py,
# built into build/compiled, first on the path), among them the check that it simulates the
# plain package's days event for event. Without a C compiler ($(CC)) the package is plain
# Python, unchanged, and this says so and stops. -O1: a fifth less CPU to build than -O2
# for the same test time; two compiles at once cost no more CPU than one, and less wall
# clock (docs/PERFORMANCE.md, the simulator).
MYPYC_OPT  ?= 1
MYPYC_JOBS ?= 2
pytest-compiled: $(STAMP)
	@if command -v $(CC) >/dev/null 2>&1; then \
	  { $(BIN)/python -c 'import setuptools' 2>/dev/null || $(BIN)/pip install --quiet setuptools; } && \
	  $(BIN)/python -m bench.compiled build/compiled --opt=$(MYPYC_OPT) --jobs=$(MYPYC_JOBS) && \
	  HEARTHLINE_COMPILED=1 PYTHONPATH=$(CURDIR)/build/compiled \
	    $(BIN)/python -m pytest -n 2 --dist loadfile tests/routing tests/sim -q -p no:cacheprovider; \
	else echo "no C compiler ($(CC)): the compiled build and its test run are left out"; fi

test: lint typecheck pytest pytest-compiled

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
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build/compiled
