# Two commands: `make demo` and `make test`. Both create .venv when missing and install only
# when pyproject.toml changed, so running them again is quick.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/sitrep run --out out

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

clean:
	rm -rf out test-output .pytest_cache
