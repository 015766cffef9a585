"""Adapter: reports/provenance.json -> a readable HTML page for the report (versions, seeds, checksums)."""
from alianza.atomic import write_text
from alianza.tables.catalog import load_json
from alianza.tables.provenance_page import provenance_html
from alianza.workflow import run_step


def step():
    html = provenance_html(load_json(snakemake.input[0]), snakemake.params.lang, source=snakemake.input[0])
    write_text(snakemake.output[0], html)


run_step(snakemake.log[0], step)
