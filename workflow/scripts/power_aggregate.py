"""Adapter: the power study's chunks -> power.json, the power tables and the power curve (in the
configured language)."""
import json

from alianza.i18n import hypothesis_names
from alianza.atomic import write_json
from alianza.power import aggregate
from alianza.power.report import power_figure, write_tables
from alianza.workflow import run_step


def step():
    chunks = [json.load(open(p, encoding="utf-8")) for p in snakemake.input]
    results = aggregate(chunks)
    write_json(snakemake.output.json, results)
    write_tables(results, snakemake.output.csv, snakemake.output.md)
    power_figure(results, [snakemake.output.png, snakemake.output.svg], snakemake.config.get("language", "es"),
                 hypothesis_names(snakemake.config))


run_step(snakemake.log[0], step)
