"""The invariance sequence (configural, metric, scalar, strict + score tests): alianza vs lavaan,
in-process and as whole processes (start-up, reading the data, printing included)."""
from __future__ import annotations

import sys

import pandas as pd

from common import REFERENCE, WAVES, config_model, fmt, have_r, median_seconds, ratio, run_r, whole_process

TITLE = "Measurement invariance: 4 steps and score tests (ML)"

STEPS = ["configural", "metric", "scalar", "strict"]
# lavaan: the same four fits and lavTestScore of every step with constraints (what alianza reports)
R_BODY = r"""
suppressPackageStartupMessages(library(lavaan))
data <- read.csv("{data}")
model <- paste(readLines("{model}"), collapse = "\n")
once <- function() {{
  eq <- list(NULL, "loadings", c("loadings", "intercepts"), c("loadings", "intercepts", "residuals"))
  fits <- lapply(eq, function(e) if (is.null(e)) cfa(model, data = data, group = "{group}")
                 else cfa(model, data = data, group = "{group}", group.equal = e))
  for (f in fits) fitMeasures(f)
  for (f in fits[-1]) lavTestScore(f)
  do.call(lavTestLRT, unname(fits))
}}
"""
R_INPROCESS = R_BODY + r"""
once()
t <- sapply(1:{reps}, function(i) system.time(once())[["elapsed"]])
cat(median(t))
"""
R_WHOLE = R_BODY + "\ninvisible(once())\n"


def cases():
    return [
        ("HolzingerSwineford, school (N=301, 2 groups)", (REFERENCE / "hs_cfa.lav").read_text(),
         REFERENCE / "HolzingerSwineford1939.csv", "school"),
        ("Six-factor CFA of the waves, wave (N=507, 2 groups)", config_model("measurement"),
         WAVES / "pooled.csv", "wave"),
    ]


def run(reps: int, tmpdir) -> list[str]:
    from alianza.invariance import invariance

    lines = [
        "Median seconds for the four invariance models with fit measures, the score test of every",
        "equality constraint (lavTestScore) and the difference tests. In-process: the call alone;",
        "whole process: `alianza invariance MODEL DATA --group G --no-partial --json OUT` against",
        "`Rscript` running the same steps, start-up and data reading included. plain semopy has no",
        "cross-group equality constraints, so it cannot run the sequence. Ratio > 1: alianza is faster.",
        "",
        "| case | alianza in-process (s) | lavaan in-process (s) | lavaan / alianza | alianza whole (s) "
        "| lavaan whole (s) | lavaan / alianza |",
        "|---|---|---|---|---|---|---|",
    ]
    whole_reps = max(3, reps // 4)
    for name, model, data_path, group in cases():
        print(f"  {name}", flush=True)
        data = pd.read_csv(data_path)
        ours = median_seconds(lambda: invariance(model, data, group, partial={"enabled": False}), reps)
        model_path = tmpdir / f"inv_{group}.lav"
        model_path.write_text(model)
        lav = run_r(R_INPROCESS.format(data=data_path, model=model_path, group=group, reps=reps))
        lav = float(lav.split()[-1]) if lav else None
        cli = [sys.executable, "-m", "alianza.cli", "invariance", str(model_path), str(data_path), "--group", group,
               "--no-partial", "--json", str(tmpdir / "inv.json")]
        ours_whole = whole_process(cli, whole_reps)[0]
        lav_whole = None
        if have_r():
            script = tmpdir / f"inv_{group}.R"
            script.write_text(R_WHOLE.format(data=data_path, model=model_path, group=group))
            lav_whole = whole_process(["Rscript", str(script)], whole_reps)[0]
        lines.append(f"| {name} | {fmt(ours, 3)} | {fmt(lav, 3)} | {fmt(ratio(lav, ours), 2)} | "
                     f"{fmt(ours_whole, 3)} | {fmt(lav_whole, 3)} | {fmt(ratio(lav_whole, ours_whole), 2)} |")
    return lines
