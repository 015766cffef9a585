"""One ML fit on complete data: alianza vs plain semopy vs lavaan."""
from __future__ import annotations

import pandas as pd

from common import REFERENCE, WAVES, config_model, fmt, median_seconds, ratio, run_r

TITLE = "One ML fit, complete data"

R_TEMPLATE = r"""
suppressPackageStartupMessages(library(lavaan))
data <- read.csv("{data}")
model <- paste(readLines("{model}"), collapse = "\n")
once <- function() {{
  f <- sem(model, data = data)
  fitMeasures(f); parameterEstimates(f, standardized = TRUE); lavInspect(f, "r2"); modindices(f)
}}
once()
t <- sapply(1:{reps}, function(i) system.time(once())[["elapsed"]])
cat(median(t))
"""


def cases():
    return [
        ("HolzingerSwineford CFA (9 ind., 3 factors, N=301)", (REFERENCE / "hs_cfa.lav").read_text(),
         REFERENCE / "HolzingerSwineford1939.csv"),
        ("Five-stage SEM (24 ind., 6 factors, N=507)", config_model("five_stage"), WAVES / "pooled.csv"),
    ]


def time_alianza(model, data, reps):
    from alianza.sem import fit

    # the whole result: estimates, SEs, standardized solution, fit measures, R², modification indices
    return median_seconds(lambda: fit(model, data), reps)


def time_semopy(model, data, reps):
    import semopy

    desc = "\n".join(l for l in model.splitlines() if ":=" not in l)  # semopy has no `:=`

    def once():
        m = semopy.Model(desc)
        m.fit(data)
        m.inspect(std_est=True)
        semopy.calc_stats(m)

    return median_seconds(once, reps)


def time_lavaan(model, data_path, reps, tmpdir):
    path = tmpdir / "model.lav"
    path.write_text(model)
    out = run_r(R_TEMPLATE.format(data=data_path, model=path, reps=reps))
    return float(out.split()[-1]) if out else None


def run(reps: int, tmpdir) -> list[str]:
    lines = [
        "Median seconds per fit, each tool producing estimates, SEs, the standardized solution,",
        "fit measures, R² and modification indices (semopy: fit, `inspect(std_est=True)`, `calc_stats`;",
        "it has no modification indices or `:=`, and its numbers differ from lavaan's: see",
        "tests/parity/test_lavaan_semopy_defects.py). Ratio > 1: alianza is faster.",
        "",
        "| case | alianza (s) | semopy (s) | lavaan (s) | semopy / alianza | lavaan / alianza |",
        "|---|---|---|---|---|---|",
    ]
    for name, model, data_path in cases():
        print(f"  {name}", flush=True)
        data = pd.read_csv(data_path)
        ours = time_alianza(model, data, reps)
        semo = time_semopy(model, data, reps)
        lav = time_lavaan(model, data_path, reps, tmpdir)
        lines.append(f"| {name} | {fmt(ours, 4)} | {fmt(semo, 4)} | {fmt(lav, 4)} | "
                     f"{fmt(ratio(semo, ours), 2)} | {fmt(ratio(lav, ours), 2)} |")
    return lines
