"""Adapter: raw wave -> processed parquet, quarantine and summary (alianza.ingest)."""
from pathlib import Path

from alianza.codebook import load_codebook
from alianza.ingest import ingest_wave, write_outputs
from alianza.workflow import run_step


def step():
    codebook = load_codebook(snakemake.input.codebook)
    result = ingest_wave(snakemake.input.raw, codebook, wave=snakemake.wildcards.wave)
    write_outputs(result, Path(snakemake.output.data).parent)


run_step(snakemake.log[0], step)
