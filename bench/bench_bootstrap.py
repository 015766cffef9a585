"""The bootstrap of the default structural model: alianza vs lavaan vs a loop of semopy fits."""
from __future__ import annotations

import numpy as np
import pandas as pd

from common import WAVES, config_model, fmt, median_seconds, ratio, run_r

TITLE = "Nonparametric bootstrap of the five-stage SEM, 1000 replicates"
R = 1000
SEMOPY_REPS = 20          # semopy is timed on this many replicates and extrapolated to R

R_TEMPLATE = r"""
suppressPackageStartupMessages(library(lavaan))
data <- read.csv("{data}")
model <- paste(readLines("{model}"), collapse = "\n")
ordinary <- function(...) {{
  f <- sem(model, data = data, se = "bootstrap", bootstrap = {R}L, iseed = 1, ...)
  parameterEstimates(f, boot.ci.type = "perc")
}}
bollen_stine <- function(...) {{
  f <- sem(model, data = data, test = "bollen.stine", bootstrap = {R}L, iseed = 2, ...)
  fitMeasures(f)
}}
ncpus <- parallel::detectCores()
med <- function(fn, ...) median(sapply(1:{reps}, function(i) system.time(fn(...))[["elapsed"]]))
cat(med(ordinary), med(bollen_stine), med(ordinary, parallel = "multicore", ncpus = ncpus),
    med(bollen_stine, parallel = "multicore", ncpus = ncpus), ncpus)
"""


def time_alianza(model, data, reps, **options):
    from alianza.sem.inference.bootstrap import bootstrap, with_bootstrap

    def once():
        boot = bootstrap(model, data, replicates=R, seed=1, **options)
        return with_bootstrap(boot.fit, boot)

    return median_seconds(once, reps)


def time_semopy(model, data, reps):
    """A plain loop: resample rows, fit a fresh semopy model, read its estimates."""
    import semopy

    desc = "\n".join(l for l in model.splitlines() if ":=" not in l)     # semopy has no `:=`
    cols = [c for c in data.columns if c[:2] in ("e1", "e2", "e3", "e4", "e5", "co")]
    complete = data[cols].dropna().reset_index(drop=True)
    rng = np.random.default_rng(1)

    def loop():
        for _ in range(SEMOPY_REPS):
            sample = complete.iloc[rng.integers(0, len(complete), len(complete))].reset_index(drop=True)
            m = semopy.Model(desc)
            m.fit(sample)
            m.inspect()

    return median_seconds(loop, reps) * R / SEMOPY_REPS


def time_lavaan(model, data_path, reps, tmpdir):
    path = tmpdir / "model.lav"
    path.write_text(model)
    out = run_r(R_TEMPLATE.format(data=data_path, model=path, reps=reps, R=R))
    if not out:
        return None
    ordinary, bs, ordinary_mc, bs_mc, ncpus = (float(x) for x in out.split()[-5:])
    return {"ordinary": ordinary, "bs": bs, "ordinary_mc": ordinary_mc, "bs_mc": bs_mc, "ncpus": int(ncpus)}


def run(reps: int, tmpdir) -> list[str]:
    from alianza.sem import fit
    from alianza.sem.inference.bootstrap import default_workers

    model = config_model("five_stage")
    data_path = WAVES / "pooled.csv"
    data = pd.read_csv(data_path)
    n = fit(model, data).n
    workers = default_workers()
    # our runs take about a second: the median of at least 5 steadies them on a busy machine
    ours_reps, semopy_reps = max(reps, 5), max(reps, 3)
    print("  alianza", flush=True)
    ours = {
        "ordinary_1": time_alianza(model, data, ours_reps, bca=False, bollen_stine=False, workers=1),
        "ordinary": time_alianza(model, data, ours_reps, bca=False, bollen_stine=False, workers=workers),
        "bs": time_alianza(model, data, ours_reps, bca=False, bollen_stine=True, workers=workers),
        "full": time_alianza(model, data, ours_reps, workers=workers),
    }
    print("  semopy", flush=True)
    semo = time_semopy(model, data, semopy_reps)
    print("  lavaan", flush=True)
    lav = time_lavaan(model, data_path, reps, tmpdir) or {}
    lav_both = lav["ordinary"] + lav["bs"] if lav else None
    lav_both_mc = lav["ordinary_mc"] + lav["bs_mc"] if lav else None
    lines = [
        f"Five-stage SEM (24 indicators, 6 factors, N = {n} "
        f"complete rows of tests/fixtures/waves/pooled.csv), {R} replicates, seconds (median of {ours_reps} "
        f"runs for alianza, {semopy_reps} for semopy, {reps} for lavaan), "
        "each run including the full-sample fit. alianza refits each replicate from its resampled "
        f"moments in batches (sem/estimation/refit.py) on {workers} process(es); lavaan `sem(se = \"bootstrap\")` "
        "serially (its default) and with `parallel = \"multicore\"` on all cores; semopy: a plain loop "
        f"of fits on resampled rows, timed on {SEMOPY_REPS} replicates and extrapolated to {R} (no SEs "
        "of `:=` effects, no intervals). Ratio > 1: alianza is faster.",
        "",
        "| work | alianza (s) | lavaan serial (s) | lavaan multicore (s) | semopy loop (s, extrapolated) "
        "| lavaan serial / alianza | lavaan multicore / alianza | semopy / alianza |",
        "|---|---|---|---|---|---|---|---|",
        f"| SEs + percentile CIs, 1 process | {fmt(ours['ordinary_1'])} | {fmt(lav.get('ordinary'))} | "
        f"{fmt(lav.get('ordinary_mc'))} | {fmt(semo)} | {fmt(ratio(lav.get('ordinary'), ours['ordinary_1']), 1)} | "
        f"{fmt(ratio(lav.get('ordinary_mc'), ours['ordinary_1']), 1)} | {fmt(ratio(semo, ours['ordinary_1']), 1)} |",
        f"| SEs + percentile CIs, {workers} processes | {fmt(ours['ordinary'])} | {fmt(lav.get('ordinary'))} | "
        f"{fmt(lav.get('ordinary_mc'))} | {fmt(semo)} | {fmt(ratio(lav.get('ordinary'), ours['ordinary']), 1)} | "
        f"{fmt(ratio(lav.get('ordinary_mc'), ours['ordinary']), 1)} | {fmt(ratio(semo, ours['ordinary']), 1)} |",
        f"| + Bollen-Stine p ({R} more fits; lavaan: a second run with `test = \"bollen.stine\"`) | "
        f"{fmt(ours['bs'])} | {fmt(lav_both)} | {fmt(lav_both_mc)} | | {fmt(ratio(lav_both, ours['bs']), 1)} | "
        f"{fmt(ratio(lav_both_mc, ours['bs']), 1)} | |",
        f"| + BCa with jackknife acceleration ({n} "
        "more fits; lavaan has no jackknife BCa: compared with its two runs above) | "
        f"{fmt(ours['full'])} | {fmt(lav_both)} | {fmt(lav_both_mc)} | | {fmt(ratio(lav_both, ours['full']), 1)} | "
        f"{fmt(ratio(lav_both_mc, ours['full']), 1)} | |",
    ]
    return lines
