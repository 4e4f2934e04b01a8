# The two commands: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two installs, each done again when pyproject.toml changes: what running the hub needs
# (the hub and its embedded database) for `make run`, and that plus the test tooling
# (pytest, playwright, mypy, ruff…) for the tests and linters. The second covers the first.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint schema docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[embedded]'
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[embedded,test]'
	touch $(RUN_STAMP) $(STAMP)

run: $(RUN_STAMP)
	$(BIN)/feedback-hub serve --demo

test: $(STAMP)
	scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

# Everything but the browser, fault-injection and slow tests (docs/architecture.md, "Tests"),
# on every core (at most 4, each with its own database server); no linters, so it stays
# under two minutes. `make test` runs everything, one test at a time.
test-fast: $(STAMP)
	$(BIN)/pytest -q -n auto --maxprocesses=4 -m "not browser and not faults and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

schema: $(RUN_STAMP)
	$(BIN)/feedback-hub schema > schema.graphql

# docs/configuration.md is generated from the settings' descriptions (a test checks it).
docs: $(RUN_STAMP)
	$(BIN)/python -m hub.server.settings_doc > docs/configuration.md

# Each benchmark prints its figures and the ratios of its goals, every ratio from one
# run. bench/bare_app.py is the bare endpoint bench/submit.py measures the hub against.
# BENCH_RESPONSES: the large size of the analytics benchmark (1,000,000 by default;
# `make bench BENCH_RESPONSES=100000` for a quicker look).
BENCH_RESPONSES ?= 1000000
BENCHMARKS := bench/submit.py bench/slack_fanout.py "bench/analytics.py --responses $(BENCH_RESPONSES)"

bench: $(STAMP)
	@for script in $(BENCHMARKS); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
