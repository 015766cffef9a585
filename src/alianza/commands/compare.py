"""`alianza compare MODEL1 MODEL2 ... DATA`: nested chi-square difference tests, AIC, BIC
and fit indices of alternative models side by side.

A MODEL is a lavaan-syntax file, or several joined by '+' (the measurement part written
once: config/models/measurement.lav+config/models/five_stage.lav); it is named after its
last file. Without --nested the models are tested as lavaan's lavTestLRT does (sorted
by degrees of freedom, each against the next less restricted one); --nested
RESTRICTED:GENERAL declares the pairs instead. Every pair's nesting is checked (NET:
the general model must reproduce the moments the restricted one implies).
"""
from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .estimation_flags import add_estimation_flags, estimation_kwargs


def add_parser(subparsers):
    p = subparsers.add_parser("compare", help="compare nested models (chi-square difference, AIC, BIC)",
                              description=__doc__.splitlines()[0])
    p.add_argument("inputs", nargs="+", metavar="MODEL ... DATA",
                   help="two or more model files (a+b.lav joins files), then the data file")
    p.add_argument("--nested", action="append", default=None, metavar="RESTRICTED:GENERAL",
                   help="a nested pair by model name (repeatable); default: lavTestLRT's order by df")
    p.add_argument("--json", dest="json_out", metavar="OUT", help="write the comparison as JSON")
    p.add_argument("--csv", dest="csv_out", metavar="OUT", help="write the comparison table as CSV")
    add_estimation_flags(p, groups=False)
    return p


def _read_model(spec: str) -> tuple[str, str]:
    """'a.lav+b.lav' -> (name of the last file, concatenated syntax)."""
    from ..workflow import load_model_files

    files = spec.split("+")
    return Path(files[-1]).stem, load_model_files(files)[0]


def _pairs(specs, names) -> list[tuple[str, str]] | None:
    if specs is None:
        return None
    out = []
    for s in specs:
        parts = s.split(":")
        if len(parts) != 2 or not all(parts):
            raise ConfigError(f"--nested wants RESTRICTED:GENERAL, not {s!r}", key="--nested")
        for name in parts:
            if name not in names:
                raise ConfigError(f"--nested names {name!r}, which is not one of the models "
                                  f"({', '.join(names)})", key="--nested")
        out.append((parts[0], parts[1]))
    return out


def run(args) -> int:
    from ..comparison import compare_fits
    from ..readers import read_table
    import pandas as pd

    from ..atomic import write_frame, write_json
    from ..sem import fit
    from ..sem.solution.result import json_ready

    if len(args.inputs) < 3:
        raise ConfigError("give at least two models and a data file", key="compare")
    *specs, data_path = args.inputs
    models: dict[str, str] = {}
    for spec in specs:
        name, text = _read_model(spec)
        if name in models:
            raise ConfigError(f"two models are named {name!r} (the stem of their last file)", key="compare")
        models[name] = text
    data = read_table(data_path)
    options = estimation_kwargs(args, groups=False)
    results = {name: fit(text, data, source=data_path, **options) for name, text in models.items()}
    table, warnings = compare_fits(models, results, _pairs(args.nested, list(models)))
    with_tests = table.dropna(subset=["compared_with"])
    robust = all("chisq_scaled" in r.fit for r in results.values())
    estimator = next(iter(results.values())).estimator
    if robust:      # the statistics of the estimator that produced the fits, as lavaan prints them
        show = ["npar", "chisq_scaled", "df", "pvalue_scaled", "chisq_scaling_factor", "cfi_robust",
                "tli_robust", "rmsea_robust", "srmr", "aic", "bic"]
        print(f"Fit of each model (estimator {estimator}: scaled chi-square, robust indices; "
              "difference tests scaled as Satorra & Bentler, 2001):\n")
    else:
        show = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"]
        print(f"Fit of each model (estimator {estimator}):\n")
    fits = pd.DataFrame([{"model": k, **{c: r.fit.get(c) for c in show}} for k, r in results.items()])
    print(fits.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    if len(with_tests):
        print("\nChi-squared difference tests (restricted model vs the general one):\n")
        cols = ["model", "compared_with", "chisq_diff", "df_diff", "pvalue_diff", "rmsea_diff", "nested"]
        print(with_tests[cols].to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    for w in warnings:
        print(f"warning: {w}")
    if args.csv_out:
        write_frame(args.csv_out, table)
    if args.json_out:
        out = {"models": {k: {"n": r.n, "estimator": r.estimator, "design": r.design, "fit": r.fit}
                          for k, r in results.items()},
               "comparison": table.to_dict(orient="records"), "warnings": warnings}
        write_json(args.json_out, json_ready(out))
    return 0
