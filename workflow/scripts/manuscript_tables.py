"""Adapter: one sample's results -> its APA tables (every format) and the whole set with Table 1
(tables.docx, tables.html, and tables.tex: a LaTeX article that compiles as it is).

The set is numbered as a whole (catalog.sample_tables); this rule writes the single-table files
it declares and the set, the invariance tables' own files come from rule invariance_apa_table.
"""
import pandas as pd

from alianza.codebook import load_codebook
from alianza.tables.catalog import (OutputOptions, load_json, load_table_inputs, provenance_line,
                                    sample_description_table, sample_tables, write_combined)
from alianza.tables.writers import write_table
from alianza.workflow import run_step


def step():
    inp, par, out = snakemake.input, snakemake.params, snakemake.output
    opts = OutputOptions.from_config(par.config)
    inputs = load_table_inputs(inp, par, snakemake.wildcards.sample)
    codebook = load_codebook(inp.codebook)
    prov = provenance_line(load_json(inp.provenance), inp.provenance, opts.lang)
    tables = sample_tables(inputs, codebook, opts, provenance=prov)
    frames = {w: pd.read_parquet(p) for w, p in zip(par.waves, inp.waves)}
    table1 = sample_description_table(frames, codebook, opts, prov)
    write_combined([table1, *tables], out.set_docx, out.set_html, out.set_tex)
    keys = set(out.keys())
    for tb in tables:
        paths = {fmt: getattr(out, f"{tb.name}_{fmt}") for fmt in (*opts.formats, "html") if f"{tb.name}_{fmt}" in keys}
        if paths:
            write_table(tb, paths)


run_step(snakemake.log[0], step)
