"""Adapter: versions, config, seeds and input checksums -> reports/provenance.json."""
import json

from alianza.provenance import provenance_record
from alianza.workflow import run_step


def step():
    inputs = list(snakemake.input.raw) + list(snakemake.input.config_files)
    record = provenance_record(inputs, dict(snakemake.params.config), unread=snakemake.params.unread)
    with open(snakemake.output[0], "w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=2, ensure_ascii=False)


run_step(snakemake.log[0], step)
