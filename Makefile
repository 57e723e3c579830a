# Two commands on a fresh machine: `make serve` and `make test`. Everything else is optional.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCK   := requirements/constraints.txt
export NO_MKDOCS_2_WARNING := 1
# The browser tests drive this Chromium (Debian's package; browser downloads do not work here).
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install chromium serve post build test lint lock bench bench-epma bench-cifar bench-serve bench-gpu figures vendor-katex vendor-axe clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# Reinstall only when the package metadata or the pins change; otherwise this is a no-op.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --constraint $(LOCK) --editable '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the package, the site and the test tools (pinned)

chromium: ## Install Debian's Chromium for the browser tests, only if it is missing (apt)
	@test -x $(CHROMIUM) || { \
	  echo "$(CHROMIUM) not found: installing Debian's chromium with apt-get"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-liberation; }

serve: install ## Preview on http://127.0.0.1:8000: reloads on save, shows drafts, caches figures
	$(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:8000

post: install ## Start next week's draft: make post TITLE="..." [CATEGORY=weekly TAGS="a,b" MODULE=snippets/x.py]
	@test -n "$$TITLE" || { echo 'usage: make post TITLE="What this week was about"' >&2; exit 2; }
	$(PY) scripts/new_post.py "$$TITLE" $(if $(CATEGORY),--category "$$CATEGORY") \
	  $(if $(TAGS),--tags "$$TAGS") $(if $(MODULE),--module "$$MODULE") $(if $(DATE),--date "$$DATE")

build: install ## Build the static site into site/ (strict)
	$(VENV)/bin/mkdocs build --strict --site-dir site

test: install chromium ## Lint, then run every test: the strict docs build and the browser suite
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

bench: bench-epma bench-cifar bench-serve ## Every CPU benchmark; figures are recorded for the docs

bench-epma: install ## EPMA converter vs exspy, a Python loop and a bandwidth floor (installs exspy)
	$(PY) -m pip install --quiet --constraint $(LOCK) --editable '.[dev,bench]'
	$(PY) -m benchmarks.epma

bench-cifar: install ## CPU benchmarks of the CIFAR trainer on ../shared/data/cifar10-subset (minutes)
	$(PY) -m benchmarks.pipeline
	$(PY) -m benchmarks.time_to_accuracy
	$(PY) -m benchmarks.speednet_cpu

bench-serve: install ## Edit-to-reload of `make serve` and the strict build time (BEFORE=rev adds a commit)
	$(PY) -m benchmarks.serve_reload $(if $(BEFORE),--before $(BEFORE))

bench-gpu: install ## speednet images/s on a GPU (DATA=path/to/cifar10 adds time to accuracy)
	$(PY) -m benchmarks.speednet_gpu $(if $(DATA),--data-dir $(DATA))

figures: install ## Draw every figure from the run records under runs/ into build/figures
	$(PY) -m snippets.cifar figures runs --out build/figures

lint: install ## Fix what ruff can fix and format the Python code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock: install ## Re-pin requirements/constraints.txt from what .venv holds
	{ echo '# Exact versions CI and `make install` use. Regenerate with `make lock`.'; \
	  $(PY) -m pip freeze --exclude-editable; } > $(LOCK).tmp && mv $(LOCK).tmp $(LOCK)

vendor-katex: install ## Fetch KaTeX from the npm registry into docs/assets/katex
	$(PY) scripts/vendor_npm.py katex

vendor-axe: install ## Fetch axe-core from the npm registry into tests/browser/vendor (tests only)
	$(PY) scripts/vendor_npm.py axe-core

clean: ## Remove build outputs (keeps .venv)
	rm -rf site build .cache .pytest_cache .ruff_cache
