"""Adapter: processed sample -> one diverging stacked-bar figure per construct (PNG and SVG)."""
import pandas as pd

from alianza.codebook import load_codebook
from alianza.figures import likert_figure
from alianza.tables.catalog import OutputOptions
from alianza.workflow import run_step


def step():
    opts = OutputOptions.from_config(snakemake.params.config)
    codebook = load_codebook(snakemake.input.codebook)
    data = pd.read_parquet(snakemake.input.data)
    for construct in snakemake.params.constructs:
        likert_figure(data, codebook, construct, opts.lang,
                      [getattr(snakemake.output, f"{construct}_png"), getattr(snakemake.output, f"{construct}_svg")])


run_step(snakemake.log[0], step)
