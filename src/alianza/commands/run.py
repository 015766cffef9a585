"""`alianza run`: the whole pipeline with a progress bar, one line per finished stage and a summary of the
results in the configured language (what `make run` calls). Snakemake's own output goes to logs/run.log."""
from __future__ import annotations

import sys
from pathlib import Path


def add_parser(sub):
    p = sub.add_parser("run", help="run the pipeline, show progress and a summary of the results")
    p.add_argument("--cores", default="all", help="cores for Snakemake (default: all)")
    p.add_argument("--configfile", type=Path, default=Path("config/config.yaml"))
    p.add_argument("--log", type=Path, default=Path("logs/run.log"), help="where Snakemake's output goes")
    p.add_argument("--no-report", action="store_true", help="skip the Snakemake provenance report")
    p.add_argument("targets", nargs="*", help="Snakemake targets (default: everything)")
    return p


def run(args) -> int:
    from ..console import run_snakemake, summary_lines
    from ..yamlfiles import load_yaml

    config = load_yaml(args.configfile) or {}
    lang = config.get("language", "es")
    snakemake = str(Path(sys.executable).with_name("snakemake"))
    cmd = [snakemake, "--configfile", str(args.configfile), "--cores", str(args.cores), *args.targets]
    if not args.no_report and not args.targets:
        # the report by the Snakemake that ran the jobs: a second one would parse the workflow and build
        # the DAG again (about 1.5 s)
        cmd += ["--report", "reports/report.html", "--report-after-run"]
    code, _ = run_snakemake(cmd, args.log, lang)
    if code:
        return code
    print()
    print("\n".join(summary_lines(Path("."), config, lang)))
    return 0
