"""Shared pieces of the benchmarks: timing, the lavaan side (Rscript), the bundled cases."""
from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from alianza.startup import as_program

# in-process figures are those of alianza's own processes (the command line, the pipeline's jobs), which
# run as_program(): pandas' str dtype in Python storage (alianza/startup.py)
as_program()

ROOT = Path(__file__).resolve().parents[1]
WAVES = ROOT / "tests" / "fixtures" / "waves"
REFERENCE = ROOT / "tests" / "fixtures" / "reference"


def config_model(name: str) -> str:
    from alianza.workflow import model_text

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    return model_text(config["models"][name]["files"])


def median_seconds(fn, reps: int, warmup: int = 1) -> float:
    for _ in range(warmup):  # imports, caches, JIT-like first calls
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def whole_process(cmd: list[str], reps: int, warm: bool = True) -> tuple[float, float | None, list[str]]:
    """Median wall seconds, largest peak RSS (MB) and the stdout of each timed run of a command run as its
    own process (after one untimed run that warms the file cache, unless warm is False: for runs of a minute,
    whose start-up is noise). Peak memory from GNU time, else None."""
    gnu_time = Path("/usr/bin/time").is_file()
    if warm:
        subprocess.run(cmd, capture_output=True, check=True)
    times, peak, outs = [], None, []
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "time.txt"
        for _ in range(reps):
            full = ["/usr/bin/time", "-f", "%M", "-o", str(report), *cmd] if gnu_time else cmd
            t0 = time.perf_counter()
            outs.append(subprocess.run(full, capture_output=True, text=True, check=True).stdout)
            times.append(time.perf_counter() - t0)
            if gnu_time:
                kb = float(report.read_text().split()[-1])
                peak = max(peak or 0.0, kb / 1024)
    return statistics.median(times), peak, outs


def have_r() -> bool:
    return shutil.which("Rscript") is not None


def run_r(script: str) -> str | None:
    """Run an R script; its stdout, or None (with the error on stderr) when R is absent or fails."""
    if not have_r():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.R"
        path.write_text(script)
        out = subprocess.run(["Rscript", str(path)], capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr, file=sys.stderr)
        return None
    return out.stdout


def lavaan_version() -> str | None:
    out = run_r('cat(as.character(packageVersion("lavaan")))')
    return out.strip() if out else None


def fmt(value, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def ratio(slow, fast) -> float | None:
    return None if slow is None or fast is None or fast == 0 else slow / fast
