# mliter: `make figures` and `make test` are the only commands a new user needs; each
# installs the environment in .venv first, exactly as pinned in uv.lock (frozen: a lock that no
# longer matches pyproject.toml is an error that says to run `make lock`, never a silent re-resolve).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The shared material when it is there, else what `make fetch` rebuilt from the manifests.
NOTEBOOKS ?= $(if $(wildcard ../shared/data/notebooks),../shared/data/notebooks,raw/notebooks)
REPORT_DEPS := $(wildcard mliter/report/*.py)

# uv is bootstrapped from PyPI with pip into its own small venv (.uv/), pinned here; it never downloads
# a Python build: the lock is made with, and installs into, the system interpreter named by PYTHON.
UV_VERSION := 0.13.9
UV      := .uv/bin/uv
UV_STAMP := .uv/.uv-$(UV_VERSION)
export UV_PYTHON_DOWNLOADS := never
PYTHON_EXE = $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
LOCK_PYTHON := $(shell cat .python-version)
# Locked tool environments beside the project (their own pyproject.toml and uv.lock).
TOOL_PROJECTS := tools/cffconvert
TOOL_STAMPS := $(foreach t,$(TOOL_PROJECTS),$(t)/.venv/.installed)

.DEFAULT_GOAL := help
.PHONY: help env lock check-python browser lint fetch figures test traces package validate bench clean-figures pipelines mariadb survey native

help:
	@echo "make figures   regenerate every table and figure from the shipped dataset (incremental)"
	@echo "make test      run the unit and integration tests (validates datapackage.json)"
	@echo "make fetch     rebuild the raw material from the manifests into RAW=raw (sha256-verified)"
	@echo "make lock      re-resolve uv.lock after changing dependencies in pyproject.toml (commit it)"
	@echo "make traces    re-mine notebook traces from NOTEBOOKS=$(NOTEBOOKS)"
	@echo "make package   regenerate datapackage.json from the declared tables"
	@echo "make bench     time the miners against plain parsing/scans of the same data"
	@echo "make native    compile the notebook miner's hot modules with mypyc (run by figures/test/bench; pure Python without it)"
	@echo "make pipelines re-mine the ML Metadata and MLflow stores in PROVENANCE=$(PROVENANCE)"
	@echo "make survey    screen the paper corpus, agreement and consensus from the coder files (needs ../shared/data)"
	@echo "make fuzz      10,000 fuzzed notebooks, coder files and codebooks: crashes, hangs, unaccounted = 0"
	@echo "make scale     100,000 synthetic notebooks, sequential vs Dask LocalCluster of 1 and 2 workers"

check-python:
	@$(PYTHON) -c 'import sys; want = tuple(map(int, "$(LOCK_PYTHON)".split("."))); \
	sys.exit(0 if sys.version_info[:2] == want else "uv.lock is made for Python $(LOCK_PYTHON) (.python-version) but $(PYTHON) is " \
	+ sys.version.split()[0] + ": run make with PYTHON=python$(LOCK_PYTHON)")'

# A venv when the interpreter can make one; else (a Debian python3 without python3-venv) pip --target.
$(UV_STAMP): | check-python
	@if test -x .uv/bin/python || $(PYTHON) -m venv .uv >/dev/null 2>&1; then \
	  .uv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; \
	else \
	  $(PYTHON) -m pip install --quiet --disable-pip-version-check --target .uv/pkgs "uv==$(UV_VERSION)" && \
	  mkdir -p .uv/bin && ln -sf ../pkgs/bin/uv .uv/bin/uv; \
	fi
	@rm -f .uv/.uv-* && touch $@

# --compile-bytecode: the installed packages are byte-compiled once at install; otherwise every process
# compiles pandas, scipy and matplotlib again when PYTHONDONTWRITEBYTECODE is set (seconds per script).
$(STAMP): uv.lock pyproject.toml $(UV_STAMP) | check-python
	@$(UV) sync --locked --all-extras --compile-bytecode --python "$(PYTHON_EXE)" --quiet || { \
	  echo "make: uv.lock could not be installed as locked. If it says the lockfile needs to be updated,"; \
	  echo "      pyproject.toml changed after the lock was made: run 'make lock' and commit uv.lock."; exit 1; }
	@touch $@

tools/%/.venv/.installed: tools/%/uv.lock tools/%/pyproject.toml $(UV_STAMP)
	@$(UV) sync --locked --project tools/$* --compile-bytecode --python "$(PYTHON_EXE)" --quiet || { \
	  echo "make: tools/$*/uv.lock is stale or not installable: run 'make lock'"; exit 1; }
	@touch $@

lock: $(UV_STAMP)
	$(UV) lock --python "$(PYTHON_EXE)"
	$(foreach t,$(TOOL_PROJECTS),$(UV) lock --project $(t) --python "$(PYTHON_EXE)" &&) true

env: $(STAMP)

# The miner's hot modules compiled with mypyc (mliter/traces/notebooks/native.py), into
# mliter/traces/notebooks/_native/ (not committed). The script compares the build's manifest (SHA-256 of
# every source the build read) with the sources and recompiles only when they differ (a no-op otherwise,
# so it runs every time rather than trusting timestamps); the package itself loads the build only while
# they match, so a stale build is never run. Without a C compiler the build fails with a message and
# mining runs as pure Python (same bytes, slower).
native: $(STAMP)
	@$(PY) tools/build_native.py --quiet || echo "make: the miner was not compiled; mining runs as pure Python (slower, same output)"

# The analysis DAG is read from each script's INPUTS/OUTPUTS (standard library only).
.make/analysis.mk figures/MANIFEST.tsv figures/captions.json &: $(wildcard analysis/*.py) mliter/report/dag.py
	$(PYTHON) -m mliter.report.dag analysis .make/analysis.mk figures/MANIFEST.tsv figures/captions.json
	@touch .make/analysis.mk figures/MANIFEST.tsv figures/captions.json

include .make/analysis.mk

figures: $(ANALYSIS_OUTPUTS) figures/MANIFEST.tsv figures/captions.json | native

# The findings-page test drives Debian's chromium (headless, loopback only); installed here when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the findings-page test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Lint every Python tree (the package, its tests, benchmarks, analysis scripts and tools) and type-check the
# package (configuration and its justified exceptions: pyproject.toml).
LINT_PATHS := mliter tests bench analysis tools
lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/mypy

test: $(STAMP) $(TOOL_STAMPS) browser lint mariadb native
	$(PY) -m pytest -q

traces: $(STAMP) native
	@test -d "$(NOTEBOOKS)" || { echo "no notebooks at $(NOTEBOOKS): run 'make fetch' (rebuilds raw/ from the manifests) or 'make traces NOTEBOOKS=/path/to/folder'"; exit 1; }
	$(VENV)/bin/mliter corpus notebooks $(NOTEBOOKS)
	$(VENV)/bin/mliter mine traces corpus/notebooks.csv --root $(NOTEBOOKS)
	$(VENV)/bin/mliter data package

package: $(STAMP)
	$(VENV)/bin/mliter data package

validate: $(STAMP)
	$(VENV)/bin/mliter data validate

# Rebuild the raw material from the manifests (no ../shared needed), then e.g. `make traces NOTEBOOKS=raw/notebooks`.
RAW ?= raw
fetch: $(STAMP)
	$(VENV)/bin/mliter corpus fetch --out $(RAW)

survey: $(STAMP)
	$(VENV)/bin/mliter code screen
	$(VENV)/bin/mliter code agreement
	$(VENV)/bin/mliter code adjudicate

bench: $(STAMP) native
	$(PY) bench/mine.py
	$(PY) bench/versions.py
	$(PY) bench/openml_study.py
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
fuzz: $(STAMP) native
	$(PY) bench/fuzz.py

scale: $(STAMP) native
	$(PY) bench/scale.py
