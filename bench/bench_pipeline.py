"""The whole pipeline, as `make run` does it: `snakemake --forceall` on the bundled waves in a scratch copy of
the repository (warm environment, everything rebuilt), then the per-rule table from the files that every
rule's `benchmark:` directive writes (benchmarks/<rule>/<job>.tsv)."""
from __future__ import annotations

import csv
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from common import ROOT, fmt

TITLE = "`make run`: the whole pipeline, everything rebuilt (per-rule benchmark table)"

GOAL_SECONDS = 15.0


def scratch_copy(dest: Path) -> Path:
    """The repository's tracked files (no outputs, no .snakemake state) copied to dest."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def snakemake_cmd(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("snakemake")), *args]


def timed(cmd: list[str], cwd: Path) -> float:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t0
    if out.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
    return seconds


def rule_table(bench_dir: Path) -> dict[str, dict[str, float]]:
    """{rule: jobs, wall s (sum, max), CPU s (sum), peak RSS MB (max)} from Snakemake's benchmark TSVs."""
    rules: dict[str, dict[str, float]] = defaultdict(lambda: {"jobs": 0, "s": 0.0, "max_s": 0.0, "cpu": 0.0,
                                                              "rss": 0.0})
    for path in sorted(bench_dir.glob("*/*.tsv")):
        with path.open() as fh:
            row = next(csv.DictReader(fh, delimiter="\t"))
        r = rules[path.parent.name]
        seconds = float(row["s"])
        r["jobs"] += 1
        r["s"] += seconds
        r["max_s"] = max(r["max_s"], seconds)
        r["cpu"] += float(row["cpu_time"]) if row.get("cpu_time", "NA") != "NA" else 0.0
        rss = row.get("max_rss", "NA")
        r["rss"] = max(r["rss"], float(rss) if rss not in ("NA", "-", "") else 0.0)
    return dict(rules)


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def run(reps: int, tmpdir: Path) -> list[str]:
    work = scratch_copy(tmpdir / "pipeline")
    timed(snakemake_cmd("--cores", "2", "--forceall", "-q"), work)  # warm: byte-code, file cache
    load_before = load_average()
    walls, reports = [], []
    for _ in range(max(1, min(reps, 3))):
        shutil.rmtree(work / "benchmarks", ignore_errors=True)
        walls.append(timed(snakemake_cmd("--cores", "2", "--forceall", "-q"), work))
        reports.append(timed(snakemake_cmd("--cores", "1", "--report", "reports/report.html"), work))
    table = rule_table(work / "benchmarks")  # the last run's
    wall, report = statistics.median(walls), statistics.median(reports)
    jobs = int(sum(r["jobs"] for r in table.values()))
    lines = [
        f"`snakemake --cores 2 --forceall` on a scratch copy of the repository (bench/bench_pipeline.py), after one",
        f"warm-up run; median of {len(walls)} run(s). The HTML report (`snakemake --report`, which `make run` adds",
        f"after the jobs) is timed apart. Load average (1/5/15 min) before the timed runs: {load_before}",
        "(other engineers share the 2 cores).",
        "",
        "| | seconds | goal |",
        "|---|---|---|",
        f"| {jobs} jobs, wall | {fmt(wall, 1)} | |",
        f"| the report | {fmt(report, 1)} | |",
        f"| `make run` (jobs + report) | {fmt(wall + report, 1)} | at most {GOAL_SECONDS:.0f} |",
        "",
        "Per rule, from each rule's `benchmark:` file (last timed run): wall seconds of its jobs summed and",
        "the longest one, CPU seconds summed, largest peak RSS of one job (0: the job ended before Snakemake's",
        "benchmark thread first sampled it). Snakemake's `group:` is inactive in local runs, so every job is",
        "a process of its own: a job's floor is Python + numpy + pandas + scipy.special, about 0.3 s.",
        "",
        "| rule | jobs | wall s (sum) | wall s (longest job) | CPU s (sum) | peak RSS (MB) |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in sorted(table.items(), key=lambda kv: -kv[1]["s"]):
        lines.append(f"| {name} | {int(r['jobs'])} | {fmt(r['s'], 2)} | {fmt(r['max_s'], 2)} | {fmt(r['cpu'], 2)} "
                     f"| {fmt(r['rss'], 0)} |")
    total = {k: sum(r[k] for r in table.values()) for k in ("s", "cpu")}
    lines.append(f"| total | {jobs} | {fmt(total['s'], 2)} | | {fmt(total['cpu'], 2)} | |")
    return lines


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print("\n".join(run(1, Path(tmp))))
