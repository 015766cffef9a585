# Quick start: `make run` (whole pipeline on the bundled example waves) and `make test`.
# Both set up .venv with the pinned dependencies first; nothing else needs to be installed.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
CORES  ?= all

.PHONY: run test lint bench report clean-outputs venv

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==25.3"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)
	@echo
	@echo "Outputs:"
	@echo "  processed data + quarantine : data/processed/"
	@echo "  tables                      : reports/tables/"
	@echo "  model results (JSON)        : reports/models/"

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/snakemake --lint

bench: $(STAMP)
	$(BIN)/python bench/run.py
