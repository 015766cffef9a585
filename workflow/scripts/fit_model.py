"""Adapter: every configured model on one sample -> JSON (parameter table + fit measures) and text summary
of each (outputs in the order of params.models)."""

import pandas as pd

from alianza.atomic import write_json, write_text
from alianza.sem import fit
from alianza.sem.estimation.options import fit_kwargs
from alianza.workflow import model_text, run_step


def step():
    data = pd.read_parquet(snakemake.input.data)
    kwargs = fit_kwargs(snakemake.params.estimation, snakemake.params.design)
    outputs = zip(snakemake.params.models.values(), snakemake.output.json, snakemake.output.summary)
    for files, json_path, summary_path in outputs:
        result = fit(model_text(files), data, source=snakemake.input.data, **kwargs)
        write_json(json_path, result.to_dict())
        write_text(summary_path, result.summary() + "\n")


run_step(snakemake.log[0], step)
