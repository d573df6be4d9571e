# `make run` (the whole product on this machine), `make test` (every test), `make package` (the
# CloudFormation template and deployment package of a stage) and `make deploy STAGE=...` (to AWS).
VENV := .venv
PY ?= $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# The interpreter for .venv: PYTHON if given, else the first of these that infra/interpreter.py
# accepts (3.11 or newer, with the email fix for CVE-2024-6923; Debian's own python3 has it).
PYTHON_CANDIDATES := python3 python3.13 python3.12 python3.11 /usr/bin/python3
PYTHON ?= $(shell for p in $(PYTHON_CANDIDATES); do command -v $$p >/dev/null 2>&1 && $$p infra/interpreter.py 2>/dev/null && { command -v $$p; break; }; done)
# A .venv made earlier by an interpreter without the fix is made again.
ifneq ($(wildcard $(VENV)/bin/python),)
ifneq ($(shell $(VENV)/bin/python infra/interpreter.py >/dev/null 2>&1 && echo safe),safe)
$(info .venv was made by an interpreter without the fix for CVE-2024-6923: making it again)
$(shell rm -rf $(VENV))
endif
endif
# The venv is built only when it is the interpreter in use; PY=... runs an interpreter of your own.
SETUP := $(if $(filter $(VENV)/bin/python,$(PY)),$(INSTALLED))
OUT ?= dist

# The web UI, built into chalicelib/static (what the app serves and Chalice deploys).
UI := chalicelib/static/index.html
UI_SOURCES := web/package-lock.json web/build.mjs web/index.html web/tsconfig.json $(wildcard web/src/* web/src/*/*) \
	web/contract/package.json web/contract/generate.mjs docs/openapi.json $(wildcard web/test/*)
# Browser tests drive Debian's Chromium; Playwright never downloads a browser here.
CHROMIUM := /usr/bin/chromium

.PHONY: run test test-quick ui piece-test package deploy contract

$(INSTALLED): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "No Python 3.11+ with the fix for CVE-2024-6923 found (tried: $(PYTHON_CANDIDATES)). Install Python 3.12.5+, 3.11.10+ or 3.13+ (on Debian: apt-get install python3 python3-venv), or pass PYTHON=/path/to/python" >&2; exit 1; }
	$(PYTHON) infra/interpreter.py
	$(PYTHON) -m venv $(VENV) || { apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade "pip<26.3"
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# RESET=1 starts from empty data; SEED=0 leaves a new demo project empty (no demo backlog); PORT,
# AWS_PORT, DYNAMODB_PORT and STATE_DIR (environment) move it.
run: $(SETUP) $(UI)
	$(PY) infra/interpreter.py
	$(PY) -m chalicelib.local.stack $(if $(RESET),--reset,)

# Every suite always runs; make test fails if any does. The OpenAPI contract run, the stack's twenty
# stops, the email channel over SMTP and the browser tests, then the piece's suite, go alongside the
# rest of pytest: each spends its minutes waiting on a stack of its own, so on two cores the wall time
# is the longer of the two lines, not their sum. Their
# output follows pytest's, which ends with its slowest 25 steps (set-up, call and teardown apiece), so
# that every run shows where the time goes. DynamoDB Local is installed first, so that the two lines
# never install it at once.
ALONGSIDE = tests/local/test_openapi_contract.py tests/local/test_stack_stops.py tests/local/test_email_channel.py tests/ui
test: $(SETUP) $(UI) $(CHROMIUM)
	$(PY) infra/interpreter.py
	$(PY) -c "from chalicelib.local.dynamodb_local import ensure_installed; ensure_installed()"
	@logs=$$(mktemp -d); \
	( $(PY) -m pytest --durations=5 $(ALONGSIDE) > $$logs/alongside.log 2>&1; echo $$? > $$logs/alongside.status; \
	  $(MAKE) --no-print-directory piece-test > $$logs/piece.log 2>&1; echo $$? > $$logs/piece.status ) & \
	status=0; $(PY) -m pytest --durations=25 $(addprefix --ignore=,$(ALONGSIDE)) || status=$$?; wait; \
	for part in alongside piece; do \
	  echo "==== $$part"; cat $$logs/$$part.log; test "$$(cat $$logs/$$part.status)" = 0 || status=1; \
	done; rm -rf $$logs; exit $$status

$(UI): $(UI_SOURCES)
	cd web && npm ci --no-audit --no-fund && npm run check && npm test && npm run build

ui: $(UI)

$(CHROMIUM):
	apt-get install -y chromium || (apt-get update && apt-get install -y chromium)

# The one API contract: docs/openapi.json is written from the app's routes and models, and both
# clients' TypeScript types are generated from it. Run after changing a route or a schema, and
# commit what it writes; tests fail while any of the three is stale.
contract: $(SETUP)
	$(PY) -m chalicelib.cli openapi --out docs/openapi.json
	cd web && npm ci --no-audit --no-fund && npm run contract
	cd integrations/activepieces && npm ci --no-audit --no-fund && npm run contract

# Quicker while iterating: all but the browser tests and those that start a whole local stack.
# CI runs `make test`, which runs everything.
test-quick: $(SETUP)
	$(PY) infra/interpreter.py
	$(PY) -m pytest --ignore=tests/ui --ignore=tests/local

# The Activepieces piece: unit tests, its packed archive installed as Activepieces installs it (npm
# registry needed), and an integration test that starts the local stack with $(PY).
piece-test: $(SETUP) $(UI) $(CHROMIUM)
	cd integrations/activepieces && npm ci --no-audit --no-fund && npm run build && TICKETRY_PYTHON=$(if $(findstring /,$(PY)),$(abspath $(PY)),$(PY)) npm test

# STAGE (default dev) is a stage of .chalice/config.json; OUT (default dist) receives sam.json,
# deployment.zip, merge-template.json and package.json. No AWS access or credentials needed.
package: $(SETUP) $(UI)
	$(PY) -m infra.package --stage $(or $(STAGE),dev) --out $(OUT)

# Packages, then deploys the stack ticketry-$(STAGE) with the AWS CLI and the credentials of the
# environment (profile, SSO or keys). ALARM_EMAIL subscribes an address to the alarms;
# ARTIFACT_BUCKET replaces the default bucket for uploaded packages. See docs/deploy.md.
deploy: $(SETUP) $(UI)
	$(if $(STAGE),,$(error make deploy needs STAGE, e.g. make deploy STAGE=prod))
	$(PY) -m infra.deploy --stage $(STAGE) --out $(OUT)$(if $(ALARM_EMAIL), --alarm-email $(ALARM_EMAIL))$(if $(ARTIFACT_BUCKET), --artifact-bucket $(ARTIFACT_BUCKET))
