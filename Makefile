# `make run` (the whole product on this machine), `make test` (every test) and `make package` (the
# CloudFormation template and deployment package of a stage).
PYTHON ?= python3
VENV := .venv
PY ?= $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
# The venv is built only when it is the interpreter in use; PY=... runs an interpreter of your own.
SETUP := $(if $(filter $(VENV)/bin/python,$(PY)),$(INSTALLED))
OUT ?= dist

.PHONY: run test package

$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26.3"
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# RESET=1 starts from empty data; PORT, AWS_PORT, DYNAMODB_PORT and STATE_DIR (environment) move it.
run: $(SETUP)
	$(PY) -m chalicelib.local.stack $(if $(RESET),--reset,)

test: $(SETUP)
	$(PY) -m pytest

# STAGE (default dev) is a stage of .chalice/config.json; OUT (default dist) receives sam.json,
# deployment.zip, merge-template.json and package.json. No AWS access or credentials needed.
package: $(SETUP)
	$(PY) -m infra.package --stage $(or $(STAGE),dev) --out $(OUT)
