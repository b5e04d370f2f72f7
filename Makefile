# Two commands for a new machine: `make lab` and `make test`. Both set up .venv first (seconds when nothing changed).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# the stamp's name carries a hash of what is installed, so any change to the pins reinstalls
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
SMOKE_DIR := build/smoke
# the project's JupyterLab defaults (jupyter-settings/overrides.json: no news prompt, no update check)
LAB_SETTINGS := --LabApp.app_settings_dir=$(CURDIR)/jupyter-settings
PYTEST_ARGS ?=

.PHONY: install lab test notebooks book strip bench clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

lab: install  ## JupyterLab on 127.0.0.1 with token auth; open the printed URL
	$(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.ip=127.0.0.1 $(LAB_SETTINGS) $(if $(filter 0,$(shell id -u)),--allow-root)

test: install  ## the whole suite: lint, unit tests, notebooks at smoke settings (papermill: exercises unanswered; nbval: answered with their solutions), browser tests
	$(BIN)/ruff check .
	$(BIN)/ruff format --check ganlib tests bench
	@rm -rf $(SMOKE_DIR) && $(BIN)/python -m tools.notebooks --smoke-copies $(SMOKE_DIR) >/dev/null
	$(BIN)/python -m pytest tests $(SMOKE_DIR) --nbval-lax $(PYTEST_ARGS)

notebooks: install  ## every notebook at full settings: executed copies, results and the README's verdict, to commit
	$(BIN)/python -m tools.notebooks
	$(BIN)/python -m tools.executed

book: install  ## the offline HTML book from the executed copies, in build/book/ (open build/book/index.html)
	$(BIN)/python -m tools.book


strip: install  ## remove outputs before committing notebooks
	$(BIN)/nbstripout notebooks/*.ipynb

bench: install  ## every bench/ script with its defaults (hours); tables go to build/bench/, to data/ only with --publish
	@for script in bench/[!_]*.py; do \
		echo "== $$script: $$($(BIN)/python -c 'import ast, sys; print(ast.get_docstring(ast.parse(open(sys.argv[1]).read())).splitlines()[0])' $$script)"; \
		$(BIN)/python $$script || exit 1; \
	done

clean:
	rm -rf build .pytest_cache
