"""Adapter: validity reports of every sample -> reliability and convergent-validity table."""
from pathlib import Path

from alianza.atomic import write_frame, write_text
from alianza.tables.catalog import load_json
from alianza.tables.summary_tables import reliability_table
from alianza.workflow import run_step


def step():
    reports = [(Path(p).stem, load_json(p)) for p in snakemake.input]
    table = reliability_table(reports)
    write_frame(snakemake.output.csv, table)
    write_text(snakemake.output.md, table.to_markdown(index=False, floatfmt=".3f") + "\n")


run_step(snakemake.log[0], step)
