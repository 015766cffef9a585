"""Benchmarks of alianza against lavaan (when Rscript is present) and plain semopy, in one run.

    make bench                       # or: .venv/bin/python bench/run.py [--reps 20]

Each case times the same model on the same data in the three tools and reports seconds
per fit and the ratios; the table is written to bench/RESULTS.md with this command.
Tests never time things: this is the only place where speed is claimed.
"""
from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alianza.sem import fit  # noqa: E402
from alianza.workflow import model_text  # noqa: E402

WAVES = ROOT / "tests" / "fixtures" / "waves"
REFERENCE = ROOT / "tests" / "fixtures" / "reference"


def cases():
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    five = model_text(config["models"]["five_stage"]["files"])
    return [
        ("HolzingerSwineford CFA (9 ind., 3 factors, N=301)", (REFERENCE / "hs_cfa.lav").read_text(),
         REFERENCE / "HolzingerSwineford1939.csv"),
        ("Five-stage SEM (24 ind., 6 factors, N=507)", five, WAVES / "pooled.csv"),
    ]


def median_seconds(fn, reps: int) -> float:
    fn()  # warm-up: imports, caches
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_alianza(model: str, data: pd.DataFrame, reps: int) -> float:
    # the whole result: estimates, SEs, standardized solution, fit measures, R², modification indices
    return median_seconds(lambda: fit(model, data), reps)


def time_semopy(model: str, data: pd.DataFrame, reps: int) -> float:
    import semopy

    # semopy has no `:=`; drop those lines so it fits the same model
    desc = "\n".join(l for l in model.splitlines() if ":=" not in l)

    def once():
        m = semopy.Model(desc)
        m.fit(data)
        m.inspect(std_est=True)
        semopy.calc_stats(m)

    return median_seconds(once, reps)


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


def time_lavaan(model: str, data_path: Path, reps: int) -> float | None:
    if not shutil.which("Rscript"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        mpath = Path(tmp) / "model.lav"
        mpath.write_text(model)
        script = Path(tmp) / "bench.R"
        script.write_text(R_TEMPLATE.format(data=data_path, model=mpath, reps=reps))
        out = subprocess.run(["Rscript", str(script)], capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return None
        return float(out.stdout.strip().split()[-1])


def lavaan_version() -> str | None:
    if not shutil.which("Rscript"):
        return None
    out = subprocess.run(["Rscript", "-e", 'cat(as.character(packageVersion("lavaan")))'],
                         capture_output=True, text=True)
    return out.stdout.strip() or None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20, help="timed repetitions per tool (median reported)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args(argv)

    rows = []
    for name, model, data_path in cases():
        data = pd.read_csv(data_path)
        print(f"{name}: timing alianza, semopy, lavaan ({args.reps} reps each) ...", flush=True)
        ours = time_alianza(model, data, args.reps)
        semo = time_semopy(model, data, args.reps)
        lav = time_lavaan(model, data_path, args.reps)
        rows.append({"case": name, "alianza_s": ours, "semopy_s": semo, "lavaan_s": lav,
                     "semopy/alianza": semo / ours, "lavaan/alianza": (lav / ours) if lav else None})
        print(json.dumps(rows[-1]), flush=True)
    write_results(rows, args)
    return 0


def write_results(rows, args) -> None:
    import numpy as np
    import scipy
    import semopy

    fmt = lambda v, d=3: "n/a" if v is None else f"{v:.{d}f}"  # noqa: E731
    lines = [
        "# Benchmarks",
        "",
        f"Run {date.today().isoformat()} on {platform.machine()} ({platform.processor() or 'cpu'}), "
        f"Python {platform.python_version()}, semopy {semopy.__version__}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, lavaan {lavaan_version() or 'not installed'}.",
        "",
        f"Reproduce: `.venv/bin/python bench/run.py --reps {args.reps}` (or `make bench`).",
        "",
        "## One ML fit, complete data",
        "",
        "Median seconds per fit, each tool producing estimates, SEs, the standardized solution,",
        "fit measures, R² and modification indices (semopy: fit, `inspect(std_est=True)`, `calc_stats`;",
        "semopy has no modification indices or `:=`). Ratio > 1: alianza is faster.",
        "",
        "| case | alianza (s) | semopy (s) | lavaan (s) | semopy / alianza | lavaan / alianza |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['case']} | {fmt(r['alianza_s'], 4)} | {fmt(r['semopy_s'], 4)} | "
                     f"{fmt(r['lavaan_s'], 4)} | {fmt(r['semopy/alianza'], 1)} | {fmt(r['lavaan/alianza'], 1)} |")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    sys.exit(main())
