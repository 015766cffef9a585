"""Adapter: bootstrap JSONs -> the defined (indirect, total) effects table (CSV, MD, JSON)."""

from alianza.atomic import write_frame, write_json, write_text
from alianza.hypotheses import effects_report, markdown, sample_and_model
from alianza.tables.catalog import load_json
from alianza.workflow import run_step


def step():
    results = {sample_and_model(p): load_json(p) for p in snakemake.input}
    table, report = effects_report(results, language=snakemake.params.language)
    write_frame(snakemake.output.csv, table)
    write_text(snakemake.output.md, markdown(table.drop(columns=["ci_level"])))
    write_json(snakemake.output.json, report, allow_nan=False, default=str)


run_step(snakemake.log[0], step)
