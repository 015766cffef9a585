"""Adapter: measurement model + pooled sample + grouping column -> invariance JSON and tables."""
import json

import pandas as pd

from alianza.invariance import invariance_markdown, invariance_report, invariance_table
from alianza.sem.options import fit_kwargs
from alianza.workflow import model_text, run_step


def step():
    group = snakemake.wildcards.group
    result = invariance_report(model_text(snakemake.input.model), pd.read_parquet(snakemake.input.data),
                               group, dict(snakemake.params.invariance), sort_groups=True,
                               source=snakemake.input.data, estimation=fit_kwargs(snakemake.params.estimation,
                                                                         snakemake.params.design))
    with open(snakemake.output.json, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2, ensure_ascii=False)
    invariance_table(result).to_csv(snakemake.output.csv, index=False)
    with open(snakemake.output.md, "w", encoding="utf-8") as fh:
        fh.write(invariance_markdown(result) + "\n")


run_step(snakemake.log[0], step)
