"""Adapter: measurement model + pooled sample + grouping column -> invariance JSON and tables."""

import pandas as pd

from alianza.atomic import write_frame, write_json, write_text
from alianza.invariance import invariance_markdown, invariance_report, invariance_table
from alianza.tables.flags import flag_invariance
from alianza.sem.estimation.options import fit_kwargs
from alianza.workflow import model_text, run_step


def step():
    group = snakemake.wildcards.group
    result = invariance_report(model_text(snakemake.input.model), pd.read_parquet(snakemake.input.data),
                               group, dict(snakemake.params.invariance), sort_groups=True,
                               source=snakemake.input.data, estimation=fit_kwargs(snakemake.params.estimation,
                                                                         snakemake.params.design))
    result = flag_invariance(result)  # a step resting on an improper solution is not assessable
    write_json(snakemake.output.json, result)
    table = invariance_table(result)
    decided = {c["model"]: c["decision"] for c in result["comparisons"] if "decision" in c}
    table["decision"] = [decided.get(m, d) for m, d in zip(table["model"], table["decision"])]
    write_frame(snakemake.output.csv, table)
    write_text(snakemake.output.md, invariance_markdown(result) + "\n")


run_step(snakemake.log[0], step)
