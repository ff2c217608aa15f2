# Cramp Coach. `make run` to talk to the skill, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
ARGS ?=

.PHONY: run say test lint format clean

# Create .venv/ at the repo root if missing and install the project with its dev tools.
$(STAMP): pyproject.toml lambda/requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# Node tools the tests use (dynalite: a DynamoDB-compatible server they start on 127.0.0.1).
$(NODE_STAMP): package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

## Talk to the skill in the terminal (typed or piped lines). Options: make run ARGS="--speak -v"
run: $(STAMP)
	@$(BIN)/cramp-coach $(ARGS)

## Lint, type-check and run the tests.
test: lint $(NODE_STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check lambda tests
	$(BIN)/ruff format --check lambda tests
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix lambda tests
	$(BIN)/ruff format lambda tests

clean:
	rm -rf build node_modules .pytest_cache .mypy_cache .ruff_cache
