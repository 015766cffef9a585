"""Adapter: versions, config, seeds and input checksums -> reports/provenance.json."""

from alianza.atomic import write_json
from alianza.provenance import provenance_record
from alianza.workflow import run_step


def step():
    inputs = list(snakemake.input.raw) + list(snakemake.input.config_files)
    record = provenance_record(inputs, dict(snakemake.params.config), unread=snakemake.params.unread)
    write_json(snakemake.output[0], record)


run_step(snakemake.log[0], step)
