"""Adapter: processed waves + codebook -> sample description by wave (Table 1) in every format."""
import pandas as pd

from alianza.codebook import load_codebook
from alianza.tables.catalog import OutputOptions, load_json, provenance_line, sample_description_table
from alianza.tables.writers import write_table
from alianza.workflow import run_step


def step():
    inp, par = snakemake.input, snakemake.params
    frames = {w: pd.read_parquet(p) for w, p in zip(par.waves, inp.data)}
    opts = OutputOptions.from_config(par.config)
    table = sample_description_table(frames, load_codebook(inp.codebook), opts,
                                     provenance_line(load_json(inp.provenance), inp.provenance, opts.lang),
                                     design=par.config.get("design"))
    write_table(table, {key.rsplit("_", 1)[1]: path for key, path in snakemake.output.items()})


run_step(snakemake.log[0], step)
