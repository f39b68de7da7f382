# reviewkit: two commands do everything.
#   make demo   set up .venv, build the sample company, render the weekly/monthly/quarterly packs
#   make test   same set-up, then the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERNEL := $(VENV)/share/jupyter/kernels/reviewkit/kernel.json
STORE := data/reviewkit.duckdb
DEMO_DATE := 2026-11-23
# axe-core, for the browser tests' accessibility check (npm, pinned, kept inside .venv).
AXE_VERSION := 4.14.1
AXE := $(VENV)/npm/node_modules/axe-core/axe.min.js

.PHONY: demo test lint format bench lab clean setup sample

setup: $(KERNEL)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

# The project kernel lives inside .venv (--sys-prefix): nothing outside the checkout changes.
$(KERNEL): $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name reviewkit --display-name "reviewkit (project)" >/dev/null
	@test -f $(KERNEL)

$(STORE): $(KERNEL) reviewkit/sample_company.py reviewkit/sample_company.yml
	$(BIN)/reviewkit sample

sample: $(KERNEL)
	$(BIN)/reviewkit sample

# Reinstalled when the Makefile (and so perhaps AXE_VERSION) changes.
$(AXE): Makefile
	npm install --prefix $(VENV)/npm --no-save --no-audit --no-fund axe-core@$(AXE_VERSION)
	@test -f $(AXE)
	touch $(AXE)

demo: $(STORE)
	$(BIN)/reviewkit run weekly --as-of $(DEMO_DATE)
	$(BIN)/reviewkit run monthly --as-of $(DEMO_DATE)
	$(BIN)/reviewkit run quarterly --as-of $(DEMO_DATE)
	@echo
	@echo "Open the packs: $(CURDIR)/outputs/index.html"

test: $(STORE) $(AXE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest tests
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider notebooks

bench: $(KERNEL)
	$(BIN)/python benchmarks/bench_packs.py

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lab: $(STORE)
	$(BIN)/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf $(VENV) outputs/weekly outputs/monthly outputs/quarterly outputs/_failed outputs/index.html
