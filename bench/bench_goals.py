"""Every goal of issue 17, whole process and in-process, beside lavaan (Rscript) and plain semopy.

Whole process: `alianza fit ...` as a user runs it (start-up, reading the CSV, the fit, writing the JSON)
against `Rscript` doing the same with lavaan 0.6.14 (library(lavaan), read.csv, the fit and every summary).
In-process: the call alone, in this process for alianza and semopy, inside the same R session for lavaan.
The data beyond the bundled waves are drawn here from the pooled waves' moments (seeded)."""
from __future__ import annotations

import statistics
import sys

import numpy as np
import pandas as pd

from bench_fit import time_semopy
from common import WAVES, config_model, fmt, have_r, median_seconds, ratio, whole_process

TITLE = "Goals of issue 17: whole process and in-process, beside lavaan and plain semopy"

# lavaan doing what `alianza fit --json` does: estimates, SEs, standardized solution, fit measures,
# R², modification indices (and the bootstrap when asked); prints the in-process seconds of that call.
R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
data <- read.csv("{data}")
model <- paste(readLines("{model}"), collapse = "\n")
t <- system.time({{
  f <- sem(model, data = data, {args})
  fitMeasures(f); parameterEstimates(f, standardized = TRUE); lavInspect(f, "r2")
  {extra}
}})[["elapsed"]]
cat(t)
"""
MI = "modindices(f)"


def items(data: pd.DataFrame) -> list[str]:
    return [c for c in data.columns if c[:2] in ("e1", "e2", "e3", "e4", "e5", "co")]


def draw(n: int, seed: int, *, ordered: bool = False, mcar: float = 0.0) -> pd.DataFrame:
    """n rows from the multivariate normal with the pooled waves' item means and covariances; ordered:
    cut into 5 categories at the pooled items' own cumulative proportions; mcar: that share of cells
    missing completely at random."""
    pooled = pd.read_csv(WAVES / "pooled.csv")
    cols = items(pooled)
    complete = pooled[cols].dropna().astype(float)
    rng = np.random.default_rng(seed)
    X = rng.multivariate_normal(complete.mean().to_numpy(), complete.cov().to_numpy(), size=n)
    if ordered:
        for j, c in enumerate(cols):
            cuts = np.quantile(X[:, j], complete[c].value_counts(normalize=True).sort_index().cumsum()[:-1])
            X[:, j] = 1 + np.searchsorted(cuts, X[:, j])
    if mcar:
        X[rng.random(X.shape) < mcar] = np.nan
    return pd.DataFrame(X, columns=cols)


def cases():
    five = config_model("five_stage")
    # (goal, label, model, data maker, alianza CLI flags, fit() options, lavaan args, lavaan extra, semopy?)
    return [
        (1.5, "One fit of the five-stage model with SEs, std, fit, MIs (N=507)", five,
         lambda: pd.read_csv(WAVES / "pooled.csv"), [], {}, "", MI, True),
        (1.0, "ML on 100,000 rows (five-stage model)", five, lambda: draw(100_000, 1), [], {}, "", MI, True),
        (20.0, "Bootstrap, 2000 replicates (five-stage model, N=507)", five,
         lambda: pd.read_csv(WAVES / "pooled.csv"), ["--bootstrap", "2000", "--seed", "1"],
         # `alianza fit --bootstrap` also gives the Bollen-Stine p (and BCa, which lavaan lacks): lavaan is
         # asked for the same two bootstraps (one sem() call with both fails in parameterEstimates)
         {"se": "bootstrap", "bootstrap": 2000, "seed": 1}, 'se = "bootstrap", bootstrap = 2000, iseed = 1',
         'b <- sem(model, data = data, test = "bollen.stine", bootstrap = 2000, iseed = 2); fitMeasures(b)', False),
        (3.0, "WLSMV on 20,000 rows, 24 ordered items", five, lambda: draw(20_000, 2, ordered=True),
         ["--ordered", "all"], {"ordered": "all"}, "ordered = TRUE", MI, False),
        (10.0, "FIML on 2,000 rows, 10% MCAR", five, lambda: draw(2_000, 3, mcar=0.10),
         ["--missing", "fiml"], {"missing": "fiml"}, 'missing = "ml"', MI, False),
    ]


def in_process_alianza(model, data, options, reps):
    from alianza.sem import fit

    if options.get("se") == "bootstrap":
        from alianza.sem.inference.bootstrap import bootstrap, with_bootstrap

        def once():
            boot = bootstrap(model, data, replicates=options["bootstrap"], seed=options["seed"])
            return with_bootstrap(boot.fit, boot)

        return median_seconds(once, reps)
    return median_seconds(lambda: fit(model, data, **options), reps)


def run(reps: int, tmpdir) -> list[str]:
    lines = [
        "Seconds (median), each tool producing estimates, SEs, the standardized solution, fit measures, R² and",
        "modification indices (the bootstrap: bootstrap SEs, intervals and the Bollen-Stine p, no MIs; alianza also"
        " BCa). Whole process: `alianza fit",
        "MODEL DATA.csv --json OUT [flags]` against `Rscript` (library(lavaan), read.csv, the same calls);",
        "in-process: the call alone. Peak memory: the largest resident set of the whole process (GNU time).",
        "semopy: in-process, ML only (its FIML chi-square is wrong and its ordinal path does not run with",
        "the pinned numpy/scipy: tests/parity/test_semopy_estimator_defects.py). Ratio > 1: alianza is faster.",
        "The invariance goal (3x) is the table of its own below; `make run` (15 s) is the pipeline table.",
        "",
        "| work | goal (lavaan / alianza) | alianza whole (s) | lavaan whole (s) | **whole ratio** | alianza in-process (s) "
        "| lavaan in-process (s) | in-process ratio | semopy in-process (s) | semopy / alianza | peak MB alianza "
        "| peak MB lavaan | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    model_path = tmpdir / "five_stage.lav"
    measured = {}
    for goal, label, model, make, flags, options, r_args, r_extra, semopy_too in cases():
        print(f"  {label}", flush=True)
        model_path.write_text(model)
        data = make()
        data_path = tmpdir / "goal_data.csv"
        data.to_csv(data_path, index=False)
        slow = options.get("se") == "bootstrap" or options.get("missing") == "fiml"
        whole_reps = 1 if slow else max(3, reps // 4)
        cli = [sys.executable, "-m", "alianza.cli", "fit", str(model_path), str(data_path), "--json",
               str(tmpdir / "out.json"), *flags]
        ours_whole, ours_mb, _ = whole_process(cli, whole_reps)  # alianza's slow cases take seconds: warm
        ours_in = in_process_alianza(model, data, options, 1 if slow else reps)
        lav_whole = lav_in = lav_mb = None
        if have_r():
            script = tmpdir / "goal.R"
            script.write_text(R_SCRIPT.format(data=data_path, model=model_path, args=r_args, extra=r_extra))
            lav_whole, lav_mb, outs = whole_process(["Rscript", str(script)], whole_reps, warm=not slow)
            lav_in = statistics.median(float(o.split()[-1]) for o in outs)  # what the script's system.time saw
        semo = time_semopy(model, data, 1 if len(data) > 10_000 else reps) if semopy_too else None
        measured[label] = (ours_whole, lav_whole, ours_mb, goal)
        whole = ratio(lav_whole, ours_whole)
        met = "n/a" if whole is None else ("yes" if whole >= goal else "**no**")
        lines.append(
            f"| {label} | {goal:g}x | {fmt(ours_whole, 2)} | {fmt(lav_whole, 2)} | **{fmt(whole, 2)}** | "
            f"{fmt(ours_in, 3)} | {fmt(lav_in, 3)} | {fmt(ratio(lav_in, ours_in), 2)} | {fmt(semo, 3)} | "
            f"{fmt(ratio(semo, ours_in), 2)} | {fmt(ours_mb, 0)} | {fmt(lav_mb, 0)} | {met} |")
    data_mb = 100_000 * 24 * 8 / 2**20
    one, big = (measured[k] for k in list(measured)[:2])
    extra_mb = None if None in (big[2], one[2]) else big[2] - one[2]
    lines += ["", f"The 100,000-row data set is {data_mb:.0f} MB as float64 (24 items); its whole process peaks "
              f"{fmt(extra_mb, 0)} MB above the 507-row fit's, {fmt(extra_mb and extra_mb / data_mb, 1)} times the data."]
    lines += ["", *startup_floor(reps, one)]
    return lines


# the start-up every whole process pays before its work: what `alianza fit` imports, and its parts
FLOOR = [
    ("Python alone", "pass"),
    ("+ numpy", "import numpy"),
    ("+ numpy, scipy.special (after `import alianza`: alianza/startup.py)", "import alianza, numpy, scipy.special"),
    ("+ pandas", "import pandas"),
    ("what `alianza fit` imports (readers, estimation, fit measures)",
     "import alianza.readers, alianza.sem.estimation.fitting, alianza.sem.inference.fitmeasures"),
]


def startup_floor(reps: int, one_fit) -> list[str]:
    """Whole-process seconds of the imports alone, beside `Rscript` loading lavaan: the part of the one-fit
    goal that no estimation speed can change."""
    ours_whole, lav_whole, _, goal = one_fit
    rows = [(label, whole_process([sys.executable, "-c", code], max(5, reps))[0]) for label, code in FLOOR]
    if have_r():
        rows.append(("`Rscript` loading lavaan", whole_process(
            ["Rscript", "-e", "suppressPackageStartupMessages(library(lavaan))"], max(5, reps))[0]))
    lines = ["Start-up alone (whole process, median seconds): the floor under every whole-process figure above.", "",
             "| process | seconds |", "|---|---|", *(f"| {label} | {fmt(sec, 3)} |" for label, sec in rows)]
    if lav_whole is not None:
        lines += ["", f"The one-fit goal ({goal:g}x lavaan's {fmt(lav_whole, 2)} s) allows alianza "
                  f"{fmt(lav_whole / goal, 2)} s in all; its imports alone take {fmt(rows[len(FLOOR) - 1][1], 2)} s, "
                  f"and Python with pandas alone {fmt(rows[3][1], 2)} s (alianza's whole fit: {fmt(ours_whole, 2)} s)."]
    return lines


if __name__ == "__main__":
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        print("\n".join(run(int(sys.argv[1]) if len(sys.argv) > 1 else 3, Path(tmp))))
