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
    from ..i18n import t
    from ..yamlfiles import load_yaml

    config = load_yaml(args.configfile) or {}
    lang = config.get("language", "es")
    snakemake = str(Path(sys.executable).with_name("snakemake"))
    base = [snakemake, "--configfile", str(args.configfile)]
    code, _ = run_snakemake([*base, "--cores", str(args.cores), *args.targets], args.log, lang)
    if code:
        return code
    if not args.no_report and not args.targets:
        report_log = args.log.with_name("report.log")
        code, _ = run_snakemake([*base, "--cores", "1", "--report", "reports/report.html"], report_log, lang,
                                out=_Silent())
        if code:
            print(t("console.failed_run", lang, log=report_log))
            return code
    print()
    print("\n".join(summary_lines(Path("."), config, lang)))
    return 0


class _Silent:
    """A stream that shows nothing (the report step's progress is not worth a line)."""

    def write(self, _):
        return 0

    def flush(self):
        pass

    def isatty(self):
        return False
