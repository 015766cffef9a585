"""Adapter: measurement model + sample -> scale-validation report (alianza.validity)."""

import pandas as pd

from alianza.atomic import write_json
from alianza.codebook import load_codebook
from alianza.validity import validity_report
from alianza.validity.report import jsonable
from alianza.workflow import model_text, run_step


def step():
    cfg = snakemake.params.validity
    codebook = load_codebook(snakemake.input.codebook)
    items = codebook.items()
    lows, highs = zip(*(codebook.scale_range(i) for i in items))
    report = validity_report(
        model_text(snakemake.input.model),
        pd.read_parquet(snakemake.input.data),
        cfg["thresholds"],
        seed=snakemake.params.seed,
        n_boot=cfg.get("bootstrap", 1000),
        efa_method=cfg.get("efa", {}).get("method", "minres"),
        rotation=cfg.get("efa", {}).get("rotation", "oblimin"),
        scale_min=min(lows),
        scale_max=max(highs),
        design=dict(snakemake.params.design),     # described; the coefficients stay unweighted
    )
    write_json(snakemake.output[0], jsonable(report))


run_step(snakemake.log[0], step)
