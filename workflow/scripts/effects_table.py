"""Adapter: the path model's bootstrap on one sample (reports/bootstrap/<sample>/<model>.json, its draws
and leave-one-out fits) -> its direct, specific indirect and total effects with percentile and BCa
intervals (reports/effects/<sample>/<model>.json). Nothing is refitted."""
import logging

import pandas as pd

from alianza.atomic import write_json
from alianza.effects import effects_report
from alianza.tables.catalog import load_json
from alianza.workflow import run_step


def step():
    inp = snakemake.input
    fit = load_json(inp.fit)
    jackknife = pd.read_parquet(inp.jackknife)
    report = effects_report(fit, pd.read_parquet(inp.draws), jackknife, model=snakemake.wildcards.model,
                            sample=snakemake.wildcards.sample, source=inp.draws)
    logging.info("%d effects from %d of %d replicates, seed %d%s", len(report["effects"]), report["converged"],
                 report["n_boot"], report["seed"], "" if len(jackknife) else " (no BCa: bootstrap.ci has no bca)")
    write_json(snakemake.output[0], report)


run_step(snakemake.log[0], step)
