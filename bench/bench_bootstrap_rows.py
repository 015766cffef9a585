"""The bootstrap's rows path (FIML, ordered items): alianza vs lavaan, each replicate's rows refitted.

alianza refits a replicate as lavaan's bootstrap does (se = "none", test = "none", started at the
full-sample estimates: sem/inference/bootstrap.py, _bootstrap_rows); "alianza, full refits" is the same
bootstrap with every replicate fitted with SEs, test, fit measures and modification indices (what it
did before), to show what the estimates-only refit saves. Plain semopy has no FIML test it gets right and
no ordinal path that runs with the pinned numpy/scipy (tests/parity/test_semopy_estimator_defects.py).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from common import ROOT, fmt, median_seconds, ratio, run_r

TITLE = "The bootstrap's rows path: FIML and ordered items (WLSMV), replicates refitted"
R = 200

HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
BFI = "A =~ A1 + A2 + A3 + A4 + A5\nC =~ C1 + C2 + C3 + C4 + C5\nE =~ E1 + E2 + E3 + E4 + E5\nC ~ A\nE ~ A + C"

R_TEMPLATE = r"""
suppressPackageStartupMessages(library(lavaan))
data <- read.csv("{data}")
model <- paste(readLines("{model}"), collapse = "\n")
boot <- function() {{
  f <- sem(model, data = data, se = "bootstrap", bootstrap = {R}L, iseed = 1, {args})
  parameterEstimates(f, boot.ci.type = "perc")
}}
cat(median(sapply(1:{reps}, function(i) system.time(boot())[["elapsed"]])))
"""


def cases():
    hs = pd.read_csv(ROOT / "tests" / "fixtures" / "shapes" / "hs.csv")
    items = [f"x{i}" for i in range(1, 10)]
    mcar = hs[items].copy()
    mcar[np.random.default_rng(3).random(mcar.shape) < 0.10] = np.nan
    bfi = pd.read_csv(ROOT / "tests" / "fixtures" / "shapes" / "bfi.csv").head(1000)
    return [
        (f"MLR + FIML, HolzingerSwineford CFA, 10% MCAR (N = {len(mcar)})", HS, mcar,
         {"estimator": "MLR", "missing": "fiml"}, 'estimator = "ML", missing = "ml"'),
        (f"WLSMV, bfi: 3 factors, 15 ordered items, 2 regressions (N = {len(bfi)})", BFI,
         bfi[[c for c in bfi.columns if c[0] in "ACE" and c[1:].isdigit()]],
         {"estimator": "WLSMV", "ordered": "all"}, 'estimator = "DWLS", ordered = TRUE'),
    ]


def time_alianza(model, data, reps, options, lean=True):
    from unittest import mock

    from alianza.sem.estimation import fitting
    from alianza.sem.inference import bootstrap as boot_mod

    def once():
        return boot_mod.bootstrap(model, data, replicates=R, seed=1, bca=False, bollen_stine=False, workers=1,
                                  **options)

    if lean:
        return median_seconds(once, reps)
    full_fit = fitting.fit

    def full(model_, rows, **kw):      # every replicate fitted as a user's fit is: SEs, test, measures, MIs
        kw = {k: v for k, v in kw.items() if k not in ("se", "test", "start")}
        return full_fit(model_, rows, **kw)

    with mock.patch.object(boot_mod, "fit", full):
        return median_seconds(once, reps)


def run(reps: int, tmpdir) -> list[str]:
    lines = [
        f"Median seconds of a bootstrap of {R} replicates (SEs and percentile intervals), one process, the "
        "full-sample fit included; lavaan `sem(se = \"bootstrap\")` serially, with estimator ML (FIML) and DWLS",
        "(its bootstrap refuses MLR and WLSMV, whose estimates these are: the bootstrap replaces their robust SEs).",
        "Ratio > 1: alianza is faster.",
        "",
        "| case | alianza (s) | alianza, full refits (s) | lavaan (s) | full refits / alianza | lavaan / alianza |",
        "|---|---|---|---|---|---|",
    ]
    for label, model, data, options, r_args in cases():
        print(f"  {label}", flush=True)
        ours = time_alianza(model, data, max(reps, 3), options)
        full = time_alianza(model, data, 1, options, lean=False)
        data_path, model_path = tmpdir / "rows_boot.csv", tmpdir / "rows_boot.lav"
        data.to_csv(data_path, index=False, na_rep="NA")
        model_path.write_text(model)
        out = run_r(R_TEMPLATE.format(data=data_path, model=model_path, R=R, reps=1, args=r_args))
        lav = float(out.split()[-1]) if out else None
        lines.append(f"| {label} | {fmt(ours, 2)} | {fmt(full, 2)} | {fmt(lav, 2)} | {fmt(ratio(full, ours), 2)} "
                     f"| {fmt(ratio(lav, ours), 1)} |")
    return lines


if __name__ == "__main__":
    import sys
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        print("\n".join(run(int(sys.argv[1]) if len(sys.argv) > 1 else 3, Path(tmp))))
