"""Adapter: one model on one sample -> JSON (parameter table + fit measures) and text summary."""
import json

import pandas as pd

from alianza.sem import fit
from alianza.sem.options import fit_kwargs
from alianza.workflow import model_text, run_step


def step():
    data = pd.read_parquet(snakemake.input.data)
    est = snakemake.params.estimation
    result = fit(model_text(snakemake.input.model), data, source=snakemake.input.data,
                 **fit_kwargs(est, snakemake.params.design))
    with open(snakemake.output.json, "w", encoding="utf-8") as fh:
        json.dump(result.to_dict(), fh, indent=2, ensure_ascii=False)
    with open(snakemake.output.summary, "w", encoding="utf-8") as fh:
        fh.write(result.summary() + "\n")


run_step(snakemake.log[0], step)
