PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

DOCS_VENV ?= .venv-docs
DOCS_STAMP := $(DOCS_VENV)/.installed

.PHONY: venv demo test lint bench docs docs-serve clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo_bot.py

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check .

bench: $(STAMP)
	$(PY) bench/run.py

docs: $(STAMP)
	bash tools/check_docs.sh

$(DOCS_STAMP): requirements-docs.txt
	$(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/pip install --quiet -r requirements-docs.txt
	touch $(DOCS_STAMP)

# The site with working navigation and search, rebuilt on every edit: http://127.0.0.1:8000
# (opened from disk, site/index.html loses both).
docs-serve: $(DOCS_STAMP)
	$(DOCS_VENV)/bin/mkdocs serve

clean:
	rm -rf $(VENV) $(DOCS_VENV) build dist *.egg-info .pytest_cache .ruff_cache site
