"""Adapter: one model on one sample -> JSON (parameter table + fit measures) and text summary."""

import pandas as pd

from alianza.atomic import write_json, write_text
from alianza.sem import fit
from alianza.sem.estimation.options import fit_kwargs
from alianza.workflow import model_text, run_step


def step():
    data = pd.read_parquet(snakemake.input.data)
    est = snakemake.params.estimation
    result = fit(model_text(snakemake.input.model), data, source=snakemake.input.data,
                 **fit_kwargs(est, snakemake.params.design))
    write_json(snakemake.output.json, result.to_dict())
    write_text(snakemake.output.summary, result.summary() + "\n")


run_step(snakemake.log[0], step)
