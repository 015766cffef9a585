"""Adapter: the models of one sample -> their χ²/df, GFI and AGFI (config output.amos_indices)."""
import json

import pandas as pd

from alianza.amos import amos_indices
from alianza.sem import fit
from alianza.workflow import model_text, run_step


def step():
    data = pd.read_parquet(snakemake.input.data)
    est = snakemake.params.estimation
    out = {}
    for name, files in snakemake.params.models.items():
        result = fit(model_text(files), data, estimator=est.get("estimator", "ML"),
                     missing=est.get("missing", "listwise"), ordered=est.get("ordered", "none"))
        out[name] = amos_indices(result)
    with open(snakemake.output[0], "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=2)


run_step(snakemake.log[0], step)
