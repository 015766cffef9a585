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
import re
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


def keep_sections(text: str, replaced: set[str]) -> list[tuple[str, list[str]]]:
    """(title, lines) of the `## ` sections of an earlier RESULTS.md whose titles are not in replaced."""
    first_run = re.search(r"\bRun (\d{4}-\d{2}-\d{2})", text)
    out = []
    for chunk in text.split("\n## ")[1:]:
        title, *body = chunk.rstrip("\n").split("\n")
        if title not in replaced:
            if first_run and not any(line.startswith("_Run ") for line in body[:3]):
                body = ["", f"_Run {first_run.group(1)}._", *body]  # a section of a whole run: its date
            out.append((title, body))
    return out


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
    sections = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in modules(args.only):
            mod = importlib.import_module(f"bench_{name}")
            print(f"{name}: {mod.TITLE}", flush=True)
            sections[mod.TITLE] = mod.run(args.reps, Path(tmp))
    out = Path(args.out)
    # a partial run (--only) replaces its own sections and keeps the others, each saying when it was run
    kept = keep_sections(out.read_text(), set(sections)) if args.only and out.is_file() else []
    if kept:
        lines[2] = lines[2].replace("Run ", f"Sections {', '.join(args.only)} run ", 1)
    for title, body in sections.items():
        lines += ["", f"## {title}", "", f"_Run {date.today().isoformat()}._", ""] + body
    lines += [line for title, body in kept for line in ["", f"## {title}", *body]]
    recorded = HERE / "recorded_runs.md"  # runs that cannot be repeated here on every bench run
    if recorded.is_file() and not any(title.startswith("Recorded runs") for title, _ in kept):
        lines += ["", recorded.read_text().rstrip()]
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
