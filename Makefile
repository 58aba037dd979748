# dxlib: forecasts and attainment probabilities for digital-transformation plans.
# `make` alone lists the targets. Everything runs inside .venv, created on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.dxlib-installed

.DEFAULT_GOAL := help
.PHONY: help setup reports test test-fast lab lint validate assess benchmark clean

help: ## list the targets
	@grep -E '^[a-z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name dxlib --display-name "Python (dxlib)" >/dev/null
	touch $(STAMP)

setup: $(STAMP) ## create .venv, install the pinned dependencies and dxlib, register the 'dxlib' kernel

reports: setup ## set up, then render every report of params/batch.yaml into reports/ (HTML + index)
	$(BIN)/dx reports

test: setup ## set up, then run the whole test suite (unit, data, integration: notebooks, Dask, browser)
	$(BIN)/python -m pytest -q

test-fast: setup ## the unit and shipped-data tests, no notebook executed (about 700 tests, about 30 s on a 2-core machine)
	$(BIN)/python -m pytest -q tests/unit tests/data

lab: setup ## open JupyterLab on the notebooks, with the project's kernel (--allow-root only when run as root)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

validate: setup ## check the shipped targets, catalogue and observations
	$(BIN)/dx validate

assess: setup ## write reports/assessment.csv and reports/pillars.csv for the shipped plan
	$(BIN)/dx assess --output reports/assessment.csv --pillars-output reports/pillars.csv

lint: setup ## ruff
	$(BIN)/ruff check dxlib tests benchmarks

benchmark: setup ## run the benchmarks (data in benchmarks/data; results in benchmarks/output)
	$(BIN)/python benchmarks/m3_yearly.py
	$(BIN)/python benchmarks/batch.py

clean: ## remove generated reports (keeps .venv)
	rm -rf reports benchmarks/output
