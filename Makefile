# Cramp Coach. `make run` to talk to the skill, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
ARGS ?=

.PHONY: run serve test pytest fuzz load bench contention nlu judge package report content-keys lint format clean
HOST ?= 127.0.0.1
PORT ?= 8080

# Create .venv/ at the repo root if missing and install the project with its dev tools.
$(STAMP): pyproject.toml lambda/requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# Node tools the tests use (dynalite: a DynamoDB-compatible server they start on 127.0.0.1).
$(NODE_STAMP): package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

## Talk to the skill in the terminal (typed or piped lines). Options: make run ARGS="--speak -v";
## another locale (its words, model and Alexa's launch words): make run ARGS="--locale de-DE"
run: $(STAMP)
	@$(BIN)/cramp-coach $(ARGS)

## Serve the skill over HTTP (Flask through flask-ask-sdk, gunicorn with web/gunicorn_conf.py:
## threaded workers, request limits). Needs SKILL_ID, or
## CRAMP_COACH_INSECURE_LOCAL_DEV=1 for local development without request verification.
serve: $(STAMP)
	cd lambda && ../$(BIN)/gunicorn -c cramp_coach/web/gunicorn_conf.py --bind $(HOST):$(PORT) \
		'cramp_coach.web.app:create_app()'

## At least 10,000 generated requests against each entry point.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py

## A bounded load on the served skill from a second process; reports req/s, p50/p99, errors.
load: $(STAMP)
	$(BIN)/python bench/load.py

## Cold start, warm latency, speech length, memory and size, the web service under hostile
## clients; writes bench/README.md. ARGS=hostile measures only the hostile clients.
## Needs espeak-ng and sox for the speech part (apt-get install espeak-ng sox).
bench: $(STAMP) $(NODE_STAMP)
	$(BIN)/python bench/run.py $(ARGS)

## Writers updating one person at once (SQLite, dynalite): dropped updates; writes bench/CONTENTION.md.
contention: $(STAMP) $(NODE_STAMP)
	$(BIN)/python bench/contention.py

## Understanding, measured: tests/nlu/ through the local resolver, per group (ARGS="--profile
## SKILL_ID" asks Alexa's Utterance Profiler instead; needs the ASK CLI and `ask configure`).
nlu: $(STAMP)
	$(BIN)/python -m cramp_coach.local.nlu $(ARGS)

## Understanding, judged a second way: tests/nlu/ through cramp_coach.local.judge, a classifier
## trained on the built model alone (the models are tuned against the resolver, not it).
## ARGS="--locale de-DE --holdout", or ARGS="--set FILE"
judge: $(STAMP)
	$(BIN)/python -m cramp_coach.local.judge $(ARGS)

## Assemble build/skill-package and build/lambda (for ask deploy / sam deploy) and the zip.
package: $(STAMP)
	$(BIN)/python tools/package.py

## Sum a log of the skill's EMF lines (a CloudWatch Logs export, or CRAMP_COACH_METRICS_FILE)
## into a table: fallback rate, routine completion, the most-asked topics. make report LOG=file
report: $(STAMP)
	@$(BIN)/python tools/report.py $(LOG)

## After changing content/schema/: derive lambda/cramp_coach/content_keys.py, the keys the
## loader requires, and content/schema/overlay/, the schemas of a locale written against
## another (the tests fail while either is out of date).
content-keys: $(STAMP)
	$(BIN)/python tools/content_keys.py
	$(BIN)/ruff format --check lambda/cramp_coach/content_keys.py

## Lint, type-check and run the tests: the two side by side, the tests on every core
## (pytest-xdist; each worker starts its own servers, on ports the system picks). Each one's
## output is shown whole when it is done.
test: $(STAMP) $(NODE_STAMP)
	@$(MAKE) --no-print-directory -j2 --output-sync=target lint pytest

## The tests alone, on every core (a file's tests stay on one worker: module fixtures run once).
pytest: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check lambda tests bench tools
	$(BIN)/ruff format --check lambda tests bench tools
	$(BIN)/mypy
	$(BIN)/cfn-lint template.yaml

format: $(STAMP)
	$(BIN)/ruff check --fix lambda tests bench tools
	$(BIN)/ruff format lambda tests bench tools

clean:
	rm -rf build node_modules .pytest_cache .mypy_cache .ruff_cache
