"""Adapter: every fitted model's JSON -> one table of fit indices."""
from pathlib import Path

from alianza.atomic import write_frame, write_text
from alianza.tables.catalog import load_json
from alianza.tables.summary_tables import fit_indices_table
from alianza.workflow import run_step


def step():
    results = []
    for p in map(Path, snakemake.input):
        results.append((p.parent.name, p.stem, load_json(p)))
    table = fit_indices_table(results)
    write_frame(snakemake.output.csv, table)
    write_text(snakemake.output.md, table.to_markdown(index=False, floatfmt=".3f") + "\n")


run_step(snakemake.log[0], step)
