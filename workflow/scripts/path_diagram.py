"""Adapter: fitted structural model -> path diagram (PNG and SVG) with standardized estimates."""
from alianza.codebook import load_codebook
from alianza.figures import path_diagram
from alianza.tables.catalog import OutputOptions, load_json
from alianza.workflow import run_step


def step():
    opts = OutputOptions.from_config(snakemake.params.config)
    path_diagram(load_json(snakemake.input.model), load_codebook(snakemake.input.codebook), opts.lang,
                 [snakemake.output.png, snakemake.output.svg], decimals=opts.decimals)


run_step(snakemake.log[0], step)
