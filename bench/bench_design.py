"""Fits with a survey design (sampling weights, clusters): alianza vs lavaan."""
from __future__ import annotations

import json

import pandas as pd

from common import ROOT, fmt, median_seconds, ratio, run_r

TITLE = "Survey designs: sampling weights and clusters (MLR)"
DATA = ROOT / "tests" / "fixtures" / "design" / "design.csv"
CFA = "E1 =~ e1_1 + e1_2 + e1_3\nE2 =~ e2_1 + e2_2 + e2_3\nE2 ~ E1"
CFA_MISSING = "E1 =~ e1_1 + e1_2m + e1_3m\nE2 =~ e2_1 + e2_2m + e2_3\nE2 ~ E1"

# name, model, alianza keywords (lavaan's: the same with dots)
CASES = [
    ("weights", CFA, dict(estimator="MLR", sampling_weights="w")),
    ("clusters", CFA, dict(estimator="MLR", cluster="muni")),
    ("weights + clusters", CFA, dict(estimator="MLR", sampling_weights="w", cluster="muni")),
    ("weights + clusters, FIML", CFA_MISSING, dict(estimator="MLR", missing="fiml", sampling_weights="w",
                                                   cluster="muni")),
    ("weights + clusters, 2 groups", CFA, dict(estimator="MLR", group="sector", sampling_weights="w",
                                               cluster="muni")),
]

R_TEMPLATE = r"""
suppressPackageStartupMessages(library(lavaan))
data <- read.csv("{data}")
args <- jsonlite::fromJSON('{args}')
once <- function() {{
  f <- do.call("sem", c(list(model = "{model}", data = data), args))
  fitMeasures(f); parameterEstimates(f, standardized = TRUE)
}}
once()
t <- sapply(1:{reps}, function(i) system.time(once())[["elapsed"]])
cat(median(t))
"""


def lavaan_args(kwargs: dict) -> dict:
    names = {"sampling_weights": "sampling.weights"}
    out = {names.get(k, k): v for k, v in kwargs.items()}
    if out.get("missing") == "fiml":
        out["missing"] = "ml"
    return out


def run(reps: int, tmpdir) -> list[str]:
    from alianza.sem import fit

    data = pd.read_csv(DATA)
    lines = [
        f"Median seconds per fit on {len(data)} simulated firms in {data['muni'].nunique()} municipalities "
        "(tests/fixtures/design/design.csv, the parity data), each tool producing estimates, cluster-robust",
        "SEs, the scaled test, robust fit measures and the standardized solution. Ratio > 1: alianza is faster.",
        "",
        "| case | alianza (s) | lavaan (s) | lavaan / alianza |",
        "|---|---|---|---|",
    ]
    for name, model, kwargs in CASES:
        print(f"  {name}", flush=True)
        ours = median_seconds(lambda: fit(model, data, **kwargs), reps)
        out = run_r(R_TEMPLATE.format(data=DATA, model=model.replace("\n", "\\n"), reps=reps,
                                      args=json.dumps(lavaan_args(kwargs))))
        lav = float(out.split()[-1]) if out else None
        lines.append(f"| {name} | {fmt(ours, 4)} | {fmt(lav, 4)} | {fmt(ratio(lav, ours), 2)} |")
    return lines
