"""Robust ML, FIML and WLSMV: alianza vs lavaan on the same data, in one run."""
from __future__ import annotations

import pandas as pd

from common import REFERENCE, ROOT, WAVES, config_model, fmt, median_seconds, ratio, run_r

TITLE = "Estimators for survey data: MLR, FIML, WLSMV"

ESTIMATORS = ROOT / "tests" / "fixtures" / "estimators"

R_TEMPLATE = r"""
suppressPackageStartupMessages(library(lavaan))
data <- read.csv("{data}")
model <- paste(readLines("{model}"), collapse = "\n")
once <- function() {{
  f <- sem(model, data = data, {args})
  fitMeasures(f); parameterEstimates(f, standardized = TRUE); lavInspect(f, "r2"); modindices(f)
}}
once()
t <- sapply(1:{reps}, function(i) system.time(once())[["elapsed"]])
cat(median(t))
"""


def cases():
    five = config_model("five_stage")
    hs = (REFERENCE / "hs_cfa.lav").read_text()
    pooled, mcar = WAVES / "pooled.csv", ESTIMATORS / "pooled_mcar10.csv"
    hs_mcar = ESTIMATORS / "hs_mcar10.csv"
    return [
        # (label, model, data, alianza options, lavaan arguments)
        ("MLR, HolzingerSwineford CFA (N=301)", hs, REFERENCE / "HolzingerSwineford1939.csv",
         dict(estimator="MLR"), 'estimator = "MLR"'),
        ("MLR, five-stage SEM, listwise (N=507)", five, pooled, dict(estimator="MLR"), 'estimator = "MLR"'),
        ("FIML, HolzingerSwineford CFA, 10% MCAR (N=301, 57 patterns)", hs, hs_mcar,
         dict(missing="fiml"), 'missing = "ml"'),
        ("FIML, five-stage SEM, 10% MCAR (N=527, 372 patterns)", five, mcar, dict(missing="fiml"),
         'missing = "ml"'),
        ("MLR + FIML, five-stage SEM, 10% MCAR (N=527)", five, mcar, dict(estimator="MLR", missing="fiml"),
         'estimator = "MLR", missing = "ml"'),
        ("WLSMV, five-stage SEM, 24 ordered items (N=507)", five, pooled, dict(ordered="all"),
         "ordered = TRUE"),
    ]


def time_alianza(model, data, options, reps):
    from alianza.sem import fit

    # the whole result: estimates, SEs, standardized solution, scaled/robust fit measures, R²
    return median_seconds(lambda: fit(model, data, **options), reps)


def time_lavaan(model, data_path, args, reps, tmpdir):
    path = tmpdir / "model.lav"
    path.write_text(model)
    out = run_r(R_TEMPLATE.format(data=data_path, model=path, args=args, reps=reps))
    return float(out.split()[-1]) if out else None


def run(reps: int, tmpdir) -> list[str]:
    lines = [
        "Median seconds per fit, each tool producing estimates, (robust) SEs, the standardized",
        "solution, every fit measure (scaled and robust ones included), R² and modification indices.",
        "Ratio > 1: alianza is faster. Plain semopy is left out: its",
        "FIML chi-square is wrong and one fit of the 24-item model takes minutes, and its ordinal",
        "path does not run with the pinned numpy/scipy (tests/parity/test_semopy_estimator_defects.py).",
        "",
        "| case | alianza (s) | lavaan (s) | lavaan / alianza |",
        "|---|---|---|---|",
    ]
    for name, model, data_path, options, args in cases():
        print(f"  {name}", flush=True)
        data = pd.read_csv(data_path)
        ours = time_alianza(model, data, options, reps)
        lav = time_lavaan(model, data_path, args, reps, tmpdir)
        lines.append(f"| {name} | {fmt(ours, 4)} | {fmt(lav, 4)} | {fmt(ratio(lav, ours), 2)} |")
    return lines
