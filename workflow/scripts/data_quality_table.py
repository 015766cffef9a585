"""Adapter: ingestion summaries -> data-quality table (CSV and Markdown)."""
import json

from alianza.tables.summary_tables import data_quality_table
from alianza.workflow import run_step


def step():
    summaries = [json.load(open(p, encoding="utf-8")) for p in snakemake.input]
    table = data_quality_table(summaries)
    table.to_csv(snakemake.output.csv, index=False)
    with open(snakemake.output.md, "w", encoding="utf-8") as fh:
        fh.write(table.to_markdown(index=False) + "\n")


run_step(snakemake.log[0], step)
