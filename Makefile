# PHI Workbench: two commands, `make lab` and `make test`. Everything else is plumbing for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8888
TOKEN ?=
NO_BROWSER ?=
NOTEBOOK_DIR ?= notebooks
LAB_FLAGS := --ip=127.0.0.1 --port=$(PORT) --notebook-dir=$(NOTEBOOK_DIR) \
	$(if $(TOKEN),--IdentityProvider.token=$(TOKEN),) \
	$(if $(NO_BROWSER),--no-browser,) \
	$(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test lint typecheck seed clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(wildcard jupyter-config/*.json) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	# editable installs skip data-files: put the save-hook configuration where Jupyter reads it
	mkdir -p $(VENV)/etc/jupyter && cp -R jupyter-config/. $(VENV)/etc/jupyter/
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

seed: $(VENV)/.installed
	$(BIN)/workbench seed

lab: $(VENV)/.installed seed
	$(BIN)/jupyter lab $(LAB_FLAGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check workbench tests bench data/synthetic
	$(BIN)/ruff format --check workbench tests bench data/synthetic

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

test: $(VENV)/.installed-test lint typecheck chromium
	$(BIN)/python -m pytest

# The JupyterLab UI tests drive Debian's chromium through Playwright; as root (CI) install it if missing.
chromium:
	@command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
