"""Adapter: ingestion summaries -> data-quality table (CSV and Markdown)."""

from alianza.atomic import write_frame, write_text
from alianza.tables.catalog import load_json
from alianza.tables.summary_tables import data_quality_table
from alianza.workflow import run_step


def step():
    summaries = [load_json(p) for p in snakemake.input]
    table = data_quality_table(summaries)
    write_frame(snakemake.output.csv, table)
    write_text(snakemake.output.md, table.to_markdown(index=False) + "\n")


run_step(snakemake.log[0], step)
