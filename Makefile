# The two commands: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two installs, each done again when pyproject.toml changes: what running the hub needs
# (the hub and its embedded database) for `make run`, and that plus the test tooling
# (pytest, playwright, mypy, ruff…) for the tests and linters. The second covers the first.
# Both take the versions the tests ran with, pinned in constraints.txt, and install again
# when it changes too; `make constraints` writes it anew (docs/operations.md).
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
CONSTRAINTS := constraints.txt

.PHONY: run test test-fast lint schema docs bench constraints clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[embedded]'
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[embedded,test]'
	touch $(RUN_STAMP) $(STAMP)

# axe-core, which the browser tests inject into pages, installed from its lock file
# (tests/browser/package-lock.json) here and never fetched while the tests run.
AXE := tests/browser/node_modules/axe-core/axe.min.js

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $(AXE)

run: $(RUN_STAMP)
	$(BIN)/feedback-hub serve --demo

test: $(STAMP) $(AXE)
	scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q -n 2

# Everything but the browser, fault-injection and slow tests (docs/architecture.md, "Tests"),
# on every core (at most 4, each with its own database server); no linters, so it stays
# under two minutes. `make test` runs everything, on two workers.
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
# bench/themes_quality.py (first: it takes seconds) prints the theme tagging's precision
# and recall on the labelled comments of tests/data/themes.
# BENCH_RESPONSES: the large size of the analytics benchmark (1,000,000 by default;
# `make bench BENCH_RESPONSES=100000` for a quicker look).
BENCH_RESPONSES ?= 1000000
BENCHMARKS := bench/themes_quality.py bench/submit.py bench/slack_fanout.py "bench/analytics.py --responses $(BENCH_RESPONSES)"

bench: $(STAMP)
	@for script in $(BENCHMARKS); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Every package a new virtual environment gets for the hub and its tests, pinned: at the
# versions constraints.txt has, and for the rest (a new dependency, a deleted line) the
# newest version pyproject.toml allows; with UPGRADE=1, the newest of everything.
FRESH := $(VENV)/constraints-env
constraints: | $(BIN)/python
	rm -rf $(FRESH)
	$(BIN)/python -m venv $(FRESH)
	$(FRESH)/bin/pip install --quiet --upgrade pip
	$(FRESH)/bin/pip install --quiet $(if $(UPGRADE),,-c $(CONSTRAINTS)) '.[embedded,test]'
	{ echo '# The versions the tests ran with; written by `make constraints` (docs/operations.md).'; \
	  $(FRESH)/bin/pip freeze --all --exclude pip --exclude feedback-hub-server; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)
	rm -rf $(FRESH) build feedback_hub_server.egg-info  # what pip's build left in the clone

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/browser/node_modules
