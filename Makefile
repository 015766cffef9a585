# Quick start: `make run` (whole pipeline on the bundled example waves) and `make test`.
# Both set up .venv with the pinned dependencies first; nothing else needs to be installed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
CORES  ?= all
# Our matrices are small (tens of variables): BLAS threads cost more than they give, and
# Snakemake already runs one job per core.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: run run-verbose test lint bench venv

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==25.3"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

# A progress bar and one line per finished stage; Snakemake's job detail goes to logs/run.log; a summary of
# the results in the configured language at the end (alianza.console). `make run-verbose` shows everything.
run: $(STAMP)
	@$(BIN)/alianza run --cores $(CORES)

run-verbose: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --report reports/report.html --report-after-run
	@echo
	@echo "Outputs:"
	@echo "  HTML report (open this first) : reports/report.html"
	@echo "  manuscript tables             : reports/tables/pooled/tables.{docx,tex,html} (+ one file per table)"
	@echo "  figures                       : reports/figures/ (path diagram, Likert bars, power curve)"
	@echo "  model results (JSON + text)   : reports/models/, reports/validity/, reports/invariance/, reports/power/"
	@echo "  processed data + quarantine   : data/processed/"
	@echo "  provenance                    : reports/provenance.json"
	@cat reports/improper_solutions.txt 2>/dev/null || true

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/snakemake --lint

bench: $(STAMP)
	$(BIN)/python bench/run.py
