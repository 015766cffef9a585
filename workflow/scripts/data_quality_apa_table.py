"""Adapter: ingestion summaries -> data-quality table in the formats the plain CSV/Markdown one lacks."""
from alianza.tables.catalog import OutputOptions, data_quality_table, load_json
from alianza.tables.writers import write_table
from alianza.workflow import run_step


def step():
    summaries = [load_json(p) for p in snakemake.input]
    table = data_quality_table(summaries, OutputOptions.from_config(snakemake.params.config))
    write_table(table, {key.rsplit("_", 1)[1]: path for key, path in snakemake.output.items()})


run_step(snakemake.log[0], step)
