"""`alianza power MODEL... --population POP --n 100,150,200 --reps R --seed S`: Monte Carlo power.

For each sample size, R data sets are drawn from the population model (continuous y*, or
--likert: cut at the population's thresholds; --missing-rate: MCAR cells), the analysis
model (lavaan syntax; several files are concatenated, as the pipeline assembles models) is
fitted to each, and the table reports per parameter and `:=` effect the power, bias,
relative bias, 95% CI coverage and SE ratio, plus the n reaching 80% power per hypothesis
(labelled parameters and `:=` effects). --clusters C --icc R draws clustered samples (C
clusters, intra-class correlation R) fitted with cluster-robust SEs: how many municipalities
to visit. The same seed gives the same numbers on any
number of jobs or chunks.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import ConfigError


def _n_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values:
        raise argparse.ArgumentTypeError("no sample sizes given")
    return values


def add_parser(subparsers):
    p = subparsers.add_parser("power", help="Monte Carlo power analysis for planning a survey wave",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", metavar="MODEL", nargs="+",
                   help="analysis model file(s) in lavaan syntax, concatenated (e.g. measurement.lav five_stage.lav)")
    p.add_argument("--population", default="config/population.yaml",
                   help="population model: population.yaml, or a .lav model with values (default: %(default)s)")
    p.add_argument("--codebook", default="config/codebook.yaml",
                   help="instrument, for a population.yaml (default: %(default)s)")
    p.add_argument("--n", type=_n_list, required=True, metavar="N1,N2,...", help="sample sizes")
    p.add_argument("--reps", type=int, default=500, help="replicates per sample size (default: %(default)s)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    p.add_argument("--estimator", default="ML", metavar="NAME",
                   help="estimator passed to alianza.sem.fit (default ML: the fast replicate path)")
    data = p.add_mutually_exclusive_group()
    data.add_argument("--likert", dest="likert", action="store_true",
                      help="discretize with the population's thresholds (the scale's codes)")
    data.add_argument("--continuous", dest="likert", action="store_false",
                      help="continuous responses y* (default)")
    p.set_defaults(likert=False)
    p.add_argument("--missing-rate", type=float, default=0.0, metavar="P",
                   help="share of cells missing completely at random (default 0)")
    p.add_argument("--missing", default="listwise", choices=["listwise", "fiml"],
                   help="missing-data method passed to alianza.sem.fit (default: %(default)s)")
    p.add_argument("--clusters", type=int, default=None, metavar="C",
                   help="clustered sample: every replicate has C clusters (e.g. municipalities) of equal size, "
                        "fitted with cluster-robust SEs (use --estimator MLR)")
    p.add_argument("--icc", type=float, default=0.0,
                   help="intra-class correlation of every variable within a cluster (with --clusters; default 0)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default: %(default)s)")
    p.add_argument("--mc-draws", type=int, default=2000,
                   help="draws of the Monte Carlo CI of := effects per replicate (0: none; default %(default)s)")
    p.add_argument("--jobs", type=int, default=1, help="processes (default: %(default)s)")
    p.add_argument("--json", dest="json_out", metavar="OUT", help="write the results as JSON")
    p.add_argument("--table", metavar="OUT.csv", help="write the long table (and OUT.md with the hypotheses)")
    p.add_argument("--figure", metavar="OUT.png", help="write the power curve (.png, .svg or .pdf)")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    return p


def read_model(files) -> str:
    """The analysis model: the files concatenated (syntax errors name the file and line)."""
    from ..workflow import load_model_files

    return load_model_files(files)[0]


def run(args) -> int:
    from ..power import PowerSettings, PowerStudy, aggregate, load_population_moments
    from ..power.report import markdown, power_figure, write_tables

    if args.jobs < 1:
        raise ConfigError("--jobs must be at least 1", key="jobs")
    text = read_model(args.model)
    moments = load_population_moments(args.population, args.codebook)
    settings = PowerSettings(n=args.n, reps=args.reps, seed=args.seed, estimator=args.estimator,
                             missing=args.missing, likert=args.likert, missing_rate=args.missing_rate, alpha=args.alpha,
                             mc_draws=args.mc_draws, model=" + ".join(args.model),
                             population=str(args.population), clusters=args.clusters, icc=args.icc)
    study = PowerStudy.build(text, moments, settings)
    results = aggregate(study.run(progress=args.progress, jobs=args.jobs))
    print(markdown(results))
    if args.json_out:
        _write(args.json_out, json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if args.table:
        table = Path(args.table)
        write_tables(results, table, table.with_suffix(".md"))
    if args.figure:
        power_figure(results, [args.figure])
    return 0


def _write(path, text: str) -> None:
    from ..atomic import write_text

    write_text(path, text)
