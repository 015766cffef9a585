"""Adapter: raw wave (+ its column map) -> processed parquet, quarantine and summary (alianza.ingest)."""
import logging
import sys
from pathlib import Path

from alianza.codebook import load_codebook
from alianza.ingest import ingest_wave, write_outputs
from alianza.privacy import ingest_options
from alianza.workflow import run_step


def step():
    codebook = load_codebook(snakemake.input.codebook)
    columns = list(snakemake.input.columns)
    result = ingest_wave(
        snakemake.input.raw, codebook, wave=snakemake.wildcards.wave, options=ingest_options(snakemake.params.ingest),
        column_map=columns[0] if columns else None, label=dict(snakemake.params.label),
    )
    for line in result.warnings:
        logging.warning(line)
        print(f"alianza: warning: {line}", file=sys.stderr)
    write_outputs(result, Path(snakemake.output.data).parent)


run_step(snakemake.log[0], step)
