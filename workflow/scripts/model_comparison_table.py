"""Adapter: every sample -> the comparison of the alternative models (CSV, MD, JSON)."""
import logging
from pathlib import Path

import pandas as pd

from alianza.atomic import write_frame, write_json, write_text
from alianza.comparison import compare_fits, comparison_report, comparison_table
from alianza.engine_limits import comparison_refusal
from alianza.hypotheses import markdown
from alianza.sem import fit
from alianza.sem.estimation.options import fit_kwargs
from alianza.tables.robust import with_robust_measures
from alianza.workflow import model_text, run_step


def step():
    cfg = snakemake.params.comparison
    est = snakemake.params.estimation
    texts = {name: model_text(files) for name, files in snakemake.params.models.items()}
    nested = [tuple(p) for p in cfg["nested"]] if cfg.get("nested") else None
    refusal = comparison_refusal(est.get("estimator", "ML"))
    per_sample = {}
    for sample, path in zip(snakemake.params.samples, snakemake.input.data):
        assert Path(path).stem == sample
        data = pd.read_parquet(path)
        results = {name: fit(text, data, **fit_kwargs(est, snakemake.params.design)) for name, text in texts.items()}
        if refusal:  # no difference tests under this estimator yet: the models side by side, with a note
            table, warnings = comparison_table({k: r.fit for k, r in results.items()}, []), [refusal["en"]]
        else:
            table, warnings = compare_fits(texts, results, nested)
        table = with_robust_measures(table, results)
        for w in warnings:
            logging.warning("%s: %s", sample, w)
        per_sample[sample] = (table, warnings, results)
    table, report = comparison_report(per_sample, None if refusal else nested)
    report["notices"] = [refusal] if refusal else []  # {es, en}, shown under the manuscript table
    write_frame(snakemake.output.csv, table)
    shown = ["sample", "model", "npar", "chisq", "df", "pvalue", "chisq_scaled", "chisq_scaling_factor",
             "pvalue_scaled", "cfi", "cfi_robust", "tli", "tli_robust", "rmsea", "rmsea_robust", "srmr", "aic", "bic",
             "delta_aic", "delta_bic", "compared_with", "chisq_diff", "df_diff", "pvalue_diff"]
    write_text(snakemake.output.md, markdown(table[[c for c in shown if c in table]]))
    write_json(snakemake.output.json, report, allow_nan=False, default=str)


run_step(snakemake.log[0], step)
