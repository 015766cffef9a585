"""Adapter: one model on one sample -> bootstrap JSON (fit + bootstrap SEs/CIs), summary, the replicates'
draws and the leave-one-out fits of the BCa intervals (none without BCa)."""
import logging

import pandas as pd

from alianza.atomic import write_frame, write_json, write_text
from alianza.sem.inference.bootstrap import bootstrap, with_bootstrap
from alianza.sem.estimation.options import fit_kwargs
from alianza.workflow import model_text, run_step


def step():
    cfg = snakemake.params.bootstrap
    ci = cfg.get("ci", ["perc", "bca"])
    data = pd.read_parquet(snakemake.input.data)
    boot = bootstrap(model_text(snakemake.input.model), data, replicates=cfg.get("replicates", 2000),
                     seed=cfg.get("seed", snakemake.params.seed), level=snakemake.params.level,
                     bca="bca" in ci, bollen_stine=cfg.get("bollen_stine", True),
                     workers=snakemake.threads, source=snakemake.input.data,
                     # the run's estimator options; a survey design: whole clusters resampled, rows keep weights
                     **fit_kwargs(snakemake.params.estimation, snakemake.params.design))
    result = with_bootstrap(boot.fit, boot)
    block = boot.block()
    logging.info("%d of %d replicates converged (%d failed), seed %d", block["converged"], block["replicates"],
                 block["failed"], block["seed"])
    write_json(snakemake.output.json, result.to_dict())
    write_text(snakemake.output.summary, result.summary() + "\n")
    write_frame(snakemake.output.draws, boot.draws())
    write_frame(snakemake.output.jackknife, boot.jackknife_draws())   # BCa's leave-one-out fits (effects)


run_step(snakemake.log[0], step)
