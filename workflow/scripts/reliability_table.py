"""Adapter: validity reports of every sample -> reliability and convergent-validity table."""
import json
from pathlib import Path

from alianza.atomic import write_frame, write_text
from alianza.tables.summary_tables import reliability_table
from alianza.workflow import run_step


def step():
    reports = [(Path(p).stem, json.load(open(p, encoding="utf-8"))) for p in snakemake.input]
    table = reliability_table(reports)
    write_frame(snakemake.output.csv, table)
    write_text(snakemake.output.md, table.to_markdown(index=False, floatfmt=".3f") + "\n")


run_step(snakemake.log[0], step)
