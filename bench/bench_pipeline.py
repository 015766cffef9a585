"""The whole pipeline, as `make run` does it: `alianza run --cores 2` on the bundled waves in a scratch copy of
the repository with every output removed first (warm environment, everything rebuilt: the jobs, the HTML
report and the summary), then the per-rule table from the files that every rule's `benchmark:` directive
writes (benchmarks/<rule>/<job>.tsv)."""
from __future__ import annotations

import csv
import os
import re
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
# what every job process of its own imports before its work: the readers and the estimation path
STARTUP_IMPORTS = "import alianza.readers, alianza.sem.estimation.fitting, alianza.sem.inference.fitmeasures"


def startup_cpu(python: str, reps: int = 5) -> float:
    """Median CPU seconds (user + system) of a process that only does a job's imports."""
    import resource

    cpus = []
    for _ in range(reps):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([python, "-c", STARTUP_IMPORTS], check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(cpus)


def scratch_copy(dest: Path) -> Path:
    """The repository's tracked files (no outputs, no .snakemake state) copied to dest."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def alianza_cmd(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("alianza")), *args]


OUTPUTS = ("reports", "data/processed", "logs", "benchmarks")


def clean(work: Path) -> None:
    """Remove every output, as in a fresh clone: the next run rebuilds everything."""
    for rel in OUTPUTS:
        shutil.rmtree(work / rel, ignore_errors=True)


def in_process_rules(root: Path) -> set[str]:
    """Rules whose jobs run inside the Snakemake process (`run:` blocks calling in_process, common.smk)."""
    names = set()
    for smk in (root / "workflow" / "rules").glob("*.smk"):
        for block in re.split(r"\n(?=rule )", smk.read_text(encoding="utf-8")):
            m = re.match(r"rule (\w+):", block)
            if m and re.search(r"^    run:\n        in_process\(", block, flags=re.M):
                names.add(m.group(1))
    return names


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


def children_cpu() -> float:
    """User + system CPU seconds of every finished child process so far (the run and all its jobs)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def run(reps: int, tmpdir: Path) -> list[str]:
    work = scratch_copy(tmpdir / "pipeline")
    timed(alianza_cmd("run", "--cores", "2"), work)  # warm: byte-code, file cache
    load_before = load_average()
    walls, cpus = [], []
    for _ in range(max(1, min(reps, 3))):
        clean(work)
        before = children_cpu()
        walls.append(timed(alianza_cmd("run", "--cores", "2"), work))
        cpus.append(children_cpu() - before)
    table = rule_table(work / "benchmarks")  # the last run's
    # the fixed part of every run: start-up, parsing the workflow, the DAG and its output checks (nothing to do),
    # and the report made by the same Snakemake
    idle = statistics.median(timed(alianza_cmd("run", "--cores", "2", "--no-report"), work) for _ in range(3))
    idle_report = statistics.median(timed(alianza_cmd("run", "--cores", "2"), work) for _ in range(3))
    inside = in_process_rules(work)
    start_cpu = startup_cpu(sys.executable)
    wall = statistics.median(walls)
    jobs = int(sum(r["jobs"] for r in table.values()))
    processes = int(sum(r["jobs"] for name, r in table.items() if name not in inside))
    lines = [
        "`alianza run --cores 2` (what `make run` calls: the jobs, the HTML report from the same Snakemake",
        "(`--report-after-run`) and the summary) on a scratch copy of the repository with every output removed",
        f"before each run (bench/bench_pipeline.py), after one warm-up run; median of {len(walls)} run(s)",
        f"({', '.join(fmt(w, 1) for w in walls)}). Load average (1/5/15 min) before the timed runs: {load_before}",
        "(other engineers share the 2 cores).",
        "",
        "| | seconds | goal |",
        "|---|---|---|",
        f"| `make run` ({jobs} jobs, {processes} of them processes of their own; report; summary) | {fmt(wall, 1)} "
        f"| at most {GOAL_SECONDS:.0f} |",
        f"| of which: start-up, parsing the workflow, DAG (`alianza run --no-report` with nothing to do) | {fmt(idle, 1)} | |",
        f"| of which: the HTML report (the same with the report, minus the above) | {fmt(idle_report - idle, 1)} | |",
        f"| of which: the jobs (the rest) | {fmt(wall - idle_report, 1)} | |",
        f"| CPU of the whole run (user + system, every process; {fmt(2 * wall, 1)} core-seconds available) "
        f"| {fmt(statistics.median(cpus), 1)} | |",
        "",
        "Per rule, from each rule's `benchmark:` file (last timed run): wall seconds of its jobs summed and",
        "the longest one, CPU seconds summed, largest peak RSS of one job (0: the job ended before Snakemake's",
        "benchmark thread first sampled it). Rules marked *in-process* run their adapter inside the Snakemake",
        "process (`run:` jobs on threads, one at a time, workflow/rules/common.smk): their benchmark measures",
        "that whole process, so only their wall time is shown. Every other job is a Python process of its own",
        f"whose floor (`python -c \"{STARTUP_IMPORTS}\"`, median of 5) is {fmt(start_cpu, 2)} s of CPU.",
        "",
        "| rule | jobs | wall s (sum) | wall s (longest job) | CPU s (sum) | peak RSS (MB) |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in sorted(table.items(), key=lambda kv: -kv[1]["s"]):
        if name in inside:
            lines.append(f"| {name} (in-process) | {int(r['jobs'])} | {fmt(r['s'], 2)} | {fmt(r['max_s'], 2)} | | |")
        else:
            lines.append(f"| {name} | {int(r['jobs'])} | {fmt(r['s'], 2)} | {fmt(r['max_s'], 2)} | {fmt(r['cpu'], 2)} "
                         f"| {fmt(r['rss'], 0)} |")
    total = {k: sum(r[k] for r in table.values()) for k in ("s",)}
    cpu = sum(r["cpu"] for name, r in table.items() if name not in inside)
    lines.append(f"| total | {jobs} | {fmt(total['s'], 2)} | | {fmt(cpu, 2)} (processes) | |")
    in_wall = sum(r["s"] for name, r in table.items() if name in inside)
    lines += [
        "",
        f"Where the time goes: {fmt(idle, 1)} s before the first job can start (Python and Snakemake imports, parsing",
        "the workflow, which imports alianza with numpy, pandas and scipy for the in-process steps, and the DAG),",
        f"during which one core idles; then {processes} processes of their own, each paying about {fmt(start_cpu, 2)} s of CPU",
        f"for its start-up (about {fmt(processes * start_cpu, 1)} CPU-seconds of the run's {fmt(statistics.median(cpus), 1)}),",
        f"and {fmt(in_wall, 1)} s of in-process steps, one at a time in the Snakemake process; the last of them",
        "(manuscript tables, invariance tables, results page) wait for every fit and run one after the other.",
    ]
    return lines


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print("\n".join(run(1, Path(tmp))))
