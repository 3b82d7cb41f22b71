# mliter: `make figures` and `make test` are the only commands a new user needs; each
# creates the environment in .venv first when it is missing or older than pyproject.toml.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NOTEBOOKS ?= ../shared/data/notebooks
REPORT_DEPS := $(wildcard mliter/report/*.py)

.DEFAULT_GOAL := help
.PHONY: help env figures test traces package validate bench clean-figures pipelines mariadb survey

help:
	@echo "make figures   regenerate every table and figure from the shipped dataset (incremental)"
	@echo "make test      run the unit and integration tests (validates datapackage.json)"
	@echo "make traces    re-mine notebook traces from NOTEBOOKS=$(NOTEBOOKS)"
	@echo "make package   regenerate datapackage.json from the declared tables"
	@echo "make bench     time the miners against plain parsing/scans of the same data"
	@echo "make pipelines re-mine the ML Metadata and MLflow stores in PROVENANCE=$(PROVENANCE)"
	@echo "make survey    screen the paper corpus, agreement and consensus from the coder files (needs ../shared/data)"
	@echo "make fuzz      10,000 fuzzed notebooks, coder files and codebooks: crashes, hangs, unaccounted = 0"
	@echo "make scale     100,000 synthetic notebooks, sequential vs Dask LocalCluster of 1 and 2 workers"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

env: $(STAMP)

# The analysis DAG is read from each script's INPUTS/OUTPUTS (standard library only).
.make/analysis.mk figures/MANIFEST.tsv &: $(wildcard analysis/*.py) mliter/report/dag.py
	$(PYTHON) -m mliter.report.dag analysis .make/analysis.mk figures/MANIFEST.tsv
	@touch .make/analysis.mk figures/MANIFEST.tsv

include .make/analysis.mk

figures: $(ANALYSIS_OUTPUTS) figures/MANIFEST.tsv

test: $(STAMP) mariadb
	$(PY) -m pytest -q

traces: $(STAMP)
	@test -d "$(NOTEBOOKS)" || { echo "no notebooks at $(NOTEBOOKS): run 'make traces NOTEBOOKS=/path/to/folder'"; exit 1; }
	$(VENV)/bin/mliter corpus notebooks $(NOTEBOOKS)
	$(VENV)/bin/mliter mine traces corpus/notebooks.csv --root $(NOTEBOOKS)
	$(VENV)/bin/mliter data package

package: $(STAMP)
	$(VENV)/bin/mliter data package

validate: $(STAMP)
	$(VENV)/bin/mliter data validate

survey: $(STAMP)
	$(VENV)/bin/mliter code screen
	$(VENV)/bin/mliter code agreement
	$(VENV)/bin/mliter code adjudicate

bench: $(STAMP)
	$(PY) bench/mine.py
	$(PY) bench/pipelines.py
	$(PY) bench/unitised_alpha.py

clean-figures:
	rm -f $(ANALYSIS_OUTPUTS)

# Provenance of ML pipelines (issue 9): re-mine the shared ML Metadata and MLflow stores.
PROVENANCE ?= ../shared/data/provenance
pipelines: $(STAMP)
	@test -d "$(PROVENANCE)" || { echo "no stores at $(PROVENANCE): run 'make pipelines PROVENANCE=/path/to/folder'"; exit 1; }
	$(VENV)/bin/mliter mine pipelines --quiet $(PROVENANCE)/mlmd_sqlite/*.sqlite $(PROVENANCE)/mlflow_sqlite/*.db \
	  $(PROVENANCE)/mlflow_filestore/*/mlruns $(PROVENANCE)/mlflow_filestore/*.tar.gz
	$(VENV)/bin/mliter data package

# The pipeline tests start a throwaway MariaDB server (Debian package mariadb-server): installed when missing.
mariadb:
	@command -v mariadbd >/dev/null 2>&1 || test -x /usr/sbin/mariadbd || { \
	  echo "installing mariadb-server (Debian) for the ML Metadata MySQL tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mariadb-server; }

.PHONY: fuzz scale
fuzz: $(STAMP)
	$(PY) bench/fuzz.py

scale: $(STAMP)
	$(PY) bench/scale.py
