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

# Front-end assets (Leaflet, TopoJSON client, Natural Earth outlines) from npm, at set-up time.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the report's and dashboard's assets (apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e '.[test]'
	touch $@

install: $(VENV)/.installed node_modules/.installed

demo: $(VENV)/.installed node_modules/.installed
	$(BIN)/sitrep run --out out

test: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/python -m pytest

clean:
	rm -rf out test-output .pytest_cache
