# mliter: `make figures` and `make test` are the only commands a new user needs; each
# creates the environment in .venv first when it is missing or older than pyproject.toml.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NOTEBOOKS ?= ../shared/data/notebooks
REPORT_DEPS := $(wildcard mliter/report/*.py)

.DEFAULT_GOAL := help
.PHONY: help env figures test traces package validate bench clean-figures

help:
	@echo "make figures   regenerate every table and figure from the shipped dataset (incremental)"
	@echo "make test      run the unit and integration tests (validates datapackage.json)"
	@echo "make traces    re-mine notebook traces from NOTEBOOKS=$(NOTEBOOKS)"
	@echo "make package   regenerate datapackage.json from the declared tables"
	@echo "make bench     time the miner against json.loads on the same bytes"

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

test: $(STAMP)
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

bench: $(STAMP)
	$(PY) bench/mine.py
	$(PY) bench/unitised_alpha.py

clean-figures:
	rm -f $(ANALYSIS_OUTPUTS)
