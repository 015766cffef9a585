"""Adapter: the power study's chunks -> power.json, the power tables and the power curve (in the
configured language)."""

from alianza.atomic import write_json
from alianza.i18n import hypothesis_names
from alianza.power import aggregate
from alianza.power.report import power_figure, write_tables
from alianza.tables.catalog import load_json
from alianza.workflow import run_step


def step():
    chunks = [load_json(p) for p in snakemake.input]
    results = aggregate(chunks)
    write_json(snakemake.output.json, results)
    write_tables(results, snakemake.output.csv, snakemake.output.md)
    power_figure(results, [snakemake.output.png, snakemake.output.svg], snakemake.config.get("language", "es"),
                 hypothesis_names(snakemake.config))


run_step(snakemake.log[0], step)
