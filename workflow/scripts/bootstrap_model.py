"""Adapter: one model on one sample -> bootstrap JSON (fit + bootstrap SEs/CIs), summary, draws."""
import json
import logging

import pandas as pd

from alianza.sem.bootstrap import bootstrap, with_bootstrap
from alianza.workflow import model_text, run_step


def step():
    cfg = snakemake.params.bootstrap
    ci = cfg.get("ci", ["perc", "bca"])
    data = pd.read_parquet(snakemake.input.data)
    boot = bootstrap(model_text(snakemake.input.model), data, replicates=cfg.get("replicates", 2000),
                     seed=cfg.get("seed", snakemake.params.seed), level=snakemake.params.level,
                     bca="bca" in ci, bollen_stine=cfg.get("bollen_stine", True),
                     workers=snakemake.threads, source=snakemake.input.data,
                     # a survey design: whole clusters resampled, rows keep their weights
                     sampling_weights=snakemake.params.design.get("weights"),
                     cluster=snakemake.params.design.get("cluster"))
    result = with_bootstrap(boot.fit, boot)
    block = boot.block()
    logging.info("%d of %d replicates converged (%d failed), seed %d", block["converged"], block["replicates"],
                 block["failed"], block["seed"])
    with open(snakemake.output.json, "w", encoding="utf-8") as fh:
        json.dump(result.to_dict(), fh, indent=2, ensure_ascii=False)
    with open(snakemake.output.summary, "w", encoding="utf-8") as fh:
        fh.write(result.summary() + "\n")
    boot.draws().to_parquet(snakemake.output.draws, index=False)


run_step(snakemake.log[0], step)
