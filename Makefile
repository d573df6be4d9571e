# The two commands: `make run` (the whole product on this machine) and `make test` (every test).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test

$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26.3"
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# RESET=1 starts from empty data; PORT, AWS_PORT, DYNAMODB_PORT and STATE_DIR (environment) move it.
run: $(INSTALLED)
	$(PY) -m chalicelib.local.stack $(if $(RESET),--reset,)

test: $(INSTALLED)
	$(PY) -m pytest
