"""Adapter: the path model on one sample -> its direct, specific indirect and total effects with
bootstrap percentile and BCa intervals (reports/effects/<sample>/<model>.json).

The bootstrap is run again with the run's settings and seed: the replicates are the same as those of
reports/bootstrap/ (and as fast, a few seconds), and this run also keeps the jackknife the BCa
intervals need."""
import logging

import pandas as pd

from alianza.atomic import write_json
from alianza.effects import effects_report
from alianza.sem.inference.bootstrap import bootstrap
from alianza.sem.estimation.options import fit_kwargs
from alianza.workflow import model_text, run_step


def step():
    cfg, par = snakemake.params.bootstrap, snakemake.params
    data = pd.read_parquet(snakemake.input.data)
    boot = bootstrap(model_text(snakemake.input.model), data, replicates=cfg.get("replicates", 2000),
                     seed=cfg.get("seed", par.seed), level=par.level, bca=True, bollen_stine=False,
                     workers=snakemake.threads, source=snakemake.input.data,
                     **fit_kwargs(par.estimation, par.design))
    report = effects_report(boot, model=snakemake.wildcards.model, sample=snakemake.wildcards.sample)
    logging.info("%d effects from %d of %d replicates, seed %d", len(report["effects"]), report["converged"],
                 report["n_boot"], report["seed"])
    write_json(snakemake.output[0], report)


run_step(snakemake.log[0], step)
