"""Benchmarks of alianza against lavaan (when Rscript is present) and plain semopy, in one run.

    make bench                                  # every benchmark
    .venv/bin/python bench/run.py --only fit    # one of them (module bench/bench_<name>.py)

Each benchmark module exposes TITLE and run(reps, tmpdir) -> Markdown lines; this script
writes them all to bench/RESULTS.md with the command that reproduces them.
Tests never time things: this is the only place where speed is claimed.
"""
from __future__ import annotations

import argparse
import importlib
import platform
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import lavaan_version  # noqa: E402


def modules(only):
    names = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    return [n for n in names if not only or n in only]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20, help="timed repetitions per tool (median reported)")
    parser.add_argument("--only", nargs="*", help="benchmark names (bench_<name>.py)")
    parser.add_argument("--out", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args(argv)

    import numpy as np
    import scipy
    import semopy

    lines = [
        "# Benchmarks",
        "",
        f"Run {date.today().isoformat()} on {platform.machine()}, Python {platform.python_version()}, "
        f"semopy {semopy.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"lavaan {lavaan_version() or 'not installed (lavaan columns n/a)'}.",
        "",
        f"Reproduce: `.venv/bin/python bench/run.py --reps {args.reps}"
        + (f" --only {' '.join(args.only)}" if args.only else "") + "` (`make bench` runs all).",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name in modules(args.only):
            mod = importlib.import_module(f"bench_{name}")
            print(f"{name}: {mod.TITLE}", flush=True)
            lines += ["", f"## {mod.TITLE}", ""] + mod.run(args.reps, Path(tmp))
    recorded = HERE / "recorded_runs.md"  # runs that cannot be repeated here on every bench run
    if recorded.is_file() and not args.only:
        lines += ["", recorded.read_text().rstrip()]
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
