"""Adapter: validity reports of every sample -> reliability and convergent-validity table."""
import json
from pathlib import Path

from alianza.tables.summary_tables import reliability_table
from alianza.workflow import run_step


def step():
    reports = [(Path(p).stem, json.load(open(p, encoding="utf-8"))) for p in snakemake.input]
    table = reliability_table(reports)
    table.to_csv(snakemake.output.csv, index=False)
    with open(snakemake.output.md, "w", encoding="utf-8") as fh:
        fh.write(table.to_markdown(index=False, floatfmt=".3f") + "\n")


run_step(snakemake.log[0], step)
