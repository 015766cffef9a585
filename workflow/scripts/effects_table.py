"""Adapter: the path model on one sample -> its direct, specific indirect and total effects with
bootstrap percentile and BCa intervals (reports/effects/<sample>/<model>.json).

The bootstrap is run again with the run's settings and seed: the replicates are the same as those of
reports/bootstrap/ (and as fast, a few seconds), and this run also keeps the jackknife the BCa
intervals need."""
import json
import logging

import pandas as pd

from alianza.effects import effects_report
from alianza.sem.bootstrap import bootstrap
from alianza.workflow import model_text, run_step


def step():
    cfg, par = snakemake.params.bootstrap, snakemake.params
    data = pd.read_parquet(snakemake.input.data)
    boot = bootstrap(model_text(snakemake.input.model), data, replicates=cfg.get("replicates", 2000),
                     seed=cfg.get("seed", par.seed), level=par.level, bca=True, bollen_stine=False,
                     workers=snakemake.threads, source=snakemake.input.data)
    report = effects_report(boot, model=snakemake.wildcards.model, sample=snakemake.wildcards.sample)
    logging.info("%d effects from %d of %d replicates, seed %d", len(report["effects"]), report["converged"],
                 report["n_boot"], report["seed"])
    with open(snakemake.output[0], "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2, ensure_ascii=False)


run_step(snakemake.log[0], step)
