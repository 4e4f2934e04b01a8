# The two commands: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint schema docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[embedded,test]'
	touch $(STAMP)

run: $(STAMP)
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

schema: $(STAMP)
	$(BIN)/feedback-hub schema > schema.graphql

# docs/configuration.md is generated from the settings' descriptions (a test checks it).
docs: $(STAMP)
	$(BIN)/python -m hub.server.settings_doc > docs/configuration.md

# bench/bare_app.py is the bare endpoint bench/submit.py measures the hub against.
BENCHMARKS := bench/analytics.py bench/submit.py bench/slack_fanout.py

bench: $(STAMP)
	@for script in $(BENCHMARKS); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
