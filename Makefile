# reviewkit: two commands do everything.
#   make demo   set up .venv, build the sample company, render the packs of params/schedule.yml
#   make test   same set-up, then the whole test suite (ruff, mypy, pytest, notebooks)
#   make lab    JupyterLab on notebooks/ with the project kernel, offline; installs the git hooks
#   make hooks  git hooks: outputs stripped from notebooks on commit, cell-level notebook diffs
#   make test-airflow  the Airflow DAG (deploy/airflow) run for real, in .venv-airflow
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
# JupyterLab's settings for every `jupyter lab` from .venv (jupyter/: nothing reaches the network).
JUPYTER_ETC := $(VENV)/etc/jupyter
LAB_CONFIG := $(JUPYTER_ETC)/jupyter_lab_config.py $(JUPYTER_ETC)/labconfig/page_config.json
# Jupyter refuses to run as root (containers, CI) unless told to.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: demo test lint format bench lab hooks clean setup sample

setup: $(KERNEL) $(LAB_CONFIG)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

# The project kernel lives inside .venv (--sys-prefix): nothing outside the checkout changes.
$(KERNEL): $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name reviewkit --display-name "reviewkit (project)" >/dev/null
	# started through reviewkit.pack.kernel_launcher: skips an optional import packs never use (~1 s)
	$(BIN)/python -m reviewkit.pack.kernel_launcher --install $(KERNEL)
	@test -f $(KERNEL)

$(JUPYTER_ETC)/%: jupyter/% $(STAMP)
	@mkdir -p $(dir $@)
	cp $< $@

$(STORE): $(KERNEL) reviewkit/ingest/sample/company.py reviewkit/ingest/sample/company.yml
	$(BIN)/reviewkit sample

sample: $(KERNEL)
	$(BIN)/reviewkit sample

# Reinstalled when the Makefile (and so perhaps AXE_VERSION) changes.
$(AXE): Makefile
	npm install --prefix $(VENV)/npm --no-save --no-audit --no-fund axe-core@$(AXE_VERSION)
	@test -f $(AXE)
	touch $(AXE)

# The packs of params/schedule.yml: the company's and each team's, channel group's and region's.
demo: $(STORE)
	$(BIN)/reviewkit batch --jobs 2 --as-of $(DEMO_DATE)
	@echo
	@echo "Open the packs: $(CURDIR)/outputs/index.html"

# The Airflow check runs beside the suite (its venv is mostly downloads, its DAG runs fill the
# core the suite's last files leave idle); its output follows the suite's, from its log.
AIRFLOW_LOG := test-artifacts/test-airflow.log

test: $(STORE) $(AXE) $(LAB_CONFIG)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@mkdir -p $(dir $(AIRFLOW_LOG)); \
	$(MAKE) --no-print-directory test-airflow >$(AIRFLOW_LOG) 2>&1 & airflow=$$!; \
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=30 tests; suite=$$?; \
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider notebooks; notebooks=$$?; \
	wait $$airflow; flow=$$?; cat $(AIRFLOW_LOG); \
	echo "make test: tests exit $$suite, notebooks exit $$notebooks, test-airflow exit $$flow"; \
	test $$suite -eq 0 && test $$notebooks -eq 0 && test $$flow -eq 0

# The Airflow DAG of deploy/airflow in its own environment (.venv-airflow, from the lock; Airflow
# never enters .venv): `airflow dags test` on SQLite in a temporary folder, no examples, no
# webserver, no network, against this checkout's reviewkit (deploy/airflow/check_dag.py).
AIRFLOW_VENV := .venv-airflow
AIRFLOW_LOCK := deploy/airflow/requirements.lock
AIRFLOW_STAMP := $(AIRFLOW_VENV)/.installed

$(AIRFLOW_STAMP): $(AIRFLOW_LOCK)
	rm -rf $(AIRFLOW_VENV)
	$(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet --no-deps -r $(AIRFLOW_LOCK)
	$(AIRFLOW_VENV)/bin/python -m pip check
	touch $(AIRFLOW_STAMP)

.PHONY: test-airflow
test-airflow: $(STORE) $(AIRFLOW_STAMP)
	$(AIRFLOW_VENV)/bin/python deploy/airflow/check_dag.py --reviewkit $(BIN)/reviewkit

# Batch vs a papermill loop, packs vs their floors, 10k-1M leads, packs in Chromium, sync, cluster
# vs local workers (24 and 200 packs), 1,000 packs planned and skipped: prints
# each figure against its goal and writes docs/benchmarks.md (~23 min on 2 cores; BENCH_10M=1 adds 10M leads).
# BENCH_QUICK=1: 4 packs, no 1M leads, prints only (a few minutes).
bench: $(KERNEL)
	BENCH_QUICK=$(BENCH_QUICK) $(BIN)/python benchmarks/run_all.py

# mypy on reviewkit/ with the settings of [tool.mypy] in pyproject.toml (also run by make test).
.PHONY: typecheck
typecheck: $(STAMP)
	$(BIN)/mypy

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Open a template, Run All: the figures of a scheduled run, with the drill-down widgets.
lab: $(STORE) $(LAB_CONFIG) hooks
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_FLAGS)

# Repo-local, idempotent, no network: pre-commit runs nbstripout from .venv on notebooks/
# (.pre-commit-config.yaml); nbdime diffs and merges notebooks cell by cell (.gitattributes),
# its git commands pointed at .venv so that `git diff` works without activating it.
hooks: $(STAMP)
	@if [ ! -e .git ]; then echo "make hooks: no .git here (not a git checkout): no hooks installed"; exit 0; fi; \
	set -e; \
	$(BIN)/pre-commit install; \
	$(BIN)/nbdime config-git --enable; \
	git config diff.jupyternotebook.command '"$(CURDIR)/$(BIN)/git-nbdiffdriver" diff'; \
	git config merge.jupyternotebook.driver '"$(CURDIR)/$(BIN)/git-nbmergedriver" merge %O %A %B %L %P'; \
	git config difftool.nbdime.cmd '"$(CURDIR)/$(BIN)/git-nbdifftool" diff "$$LOCAL" "$$REMOTE" "$$BASE"'; \
	git config mergetool.nbdime.cmd '"$(CURDIR)/$(BIN)/git-nbmergetool" merge "$$BASE" "$$LOCAL" "$$REMOTE" "$$MERGED"'; \
	echo "make hooks: nbstripout on commit, nbdime for git diff/merge of notebooks"

clean:
	rm -rf $(VENV) $(AIRFLOW_VENV) outputs/weekly outputs/monthly outputs/quarterly outputs/_failed outputs/_logs outputs/_staging outputs/index.html
