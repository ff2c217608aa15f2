# Cramp Coach. `make run` to talk to the skill, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ARGS ?=

.PHONY: run say test lint format clean

# Create .venv/ at the repo root if missing and install the project with its dev tools.
$(STAMP): pyproject.toml lambda/requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

## Talk to the skill in the terminal (typed or piped lines). Options: make run ARGS="--speak -v"
run: $(STAMP)
	@$(BIN)/cramp-coach $(ARGS)

## Lint, type-check and run the tests.
test: lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check lambda tests
	$(BIN)/ruff format --check lambda tests
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix lambda tests
	$(BIN)/ruff format lambda tests

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
