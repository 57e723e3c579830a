# Two commands on a fresh machine: `make serve` and `make test`. Everything else is optional.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCK   := requirements/constraints.txt
export NO_MKDOCS_2_WARNING := 1

.PHONY: help install serve build test lint lock vendor-katex figures clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# Reinstall only when the package metadata or the pins change; otherwise this is a no-op.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --constraint $(LOCK) --editable '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the package, the site and the test tools (pinned)

serve: install ## Serve the site with live reload on http://127.0.0.1:8000
	$(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:8000

build: install ## Build the static site into site/ (strict)
	$(VENV)/bin/mkdocs build --strict --site-dir site

test: install ## Lint, then run every test, the strict docs build included
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

figures: install ## Draw every figure from the run records under runs/ into build/figures
	$(PY) -m snippets.cifar.figures runs --out build/figures

lint: install ## Fix what ruff can fix and format the Python code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock: install ## Re-pin requirements/constraints.txt from what .venv holds
	{ echo '# Exact versions CI and `make install` use. Regenerate with `make lock`.'; \
	  $(PY) -m pip freeze --exclude-editable; } > $(LOCK).tmp && mv $(LOCK).tmp $(LOCK)

vendor-katex: install ## Fetch KaTeX from the npm registry into docs/assets/katex
	$(PY) scripts/vendor_katex.py

clean: ## Remove build outputs (keeps .venv)
	rm -rf site build .cache .pytest_cache .ruff_cache
