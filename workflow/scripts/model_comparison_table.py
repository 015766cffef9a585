"""Adapter: every sample -> the comparison of the alternative models (CSV, MD, JSON)."""
import json
import logging
from pathlib import Path

import pandas as pd

from alianza.comparison import compare_fits, comparison_report
from alianza.hypotheses import markdown
from alianza.sem import fit
from alianza.sem.options import fit_kwargs
from alianza.workflow import model_text, run_step


def step():
    cfg = snakemake.params.comparison
    est = snakemake.params.estimation
    texts = {name: model_text(files) for name, files in snakemake.params.models.items()}
    nested = [tuple(p) for p in cfg["nested"]] if cfg.get("nested") else None
    per_sample = {}
    for sample, path in zip(snakemake.params.samples, snakemake.input.data):
        assert Path(path).stem == sample
        data = pd.read_parquet(path)
        results = {name: fit(text, data, **fit_kwargs(est, snakemake.params.design)) for name, text in texts.items()}
        table, warnings = compare_fits(texts, results, nested)
        for w in warnings:
            logging.warning("%s: %s", sample, w)
        per_sample[sample] = (table, warnings, results)
    table, report = comparison_report(per_sample, nested)
    table.to_csv(snakemake.output.csv, index=False)
    shown = ["sample", "model", "npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic",
             "delta_aic", "delta_bic", "compared_with", "chisq_diff", "df_diff", "pvalue_diff"]
    with open(snakemake.output.md, "w", encoding="utf-8") as fh:
        fh.write(markdown(table[[c for c in shown if c in table]]))
    with open(snakemake.output.json, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2, ensure_ascii=False, allow_nan=False, default=str)


run_step(snakemake.log[0], step)
