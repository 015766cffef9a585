"""`alianza validity MODEL DATA --json OUT`: scale validation report of a measurement model."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..atomic import write_json
from ..errors import AlianzaError, ConfigError, InputError, ModelSyntaxError
from ..yamlfiles import read_text


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "validity",
        help="reliability, convergent/discriminant validity, EFA and common-method checks",
        description=(
            "Scale validation of a lavaan-syntax measurement model on one data set: alpha, omega, "
            "CR, AVE, item diagnostics, HTMT/HTMT2 with bootstrap CIs, Fornell-Larcker, EFA "
            "(KMO, Bartlett, parallel analysis), Mardia, Harman and single-factor CFA."
        ),
    )
    p.add_argument("model", type=Path, help="lavaan-syntax measurement model (F =~ item + ...)")
    p.add_argument("data", type=Path, help="data file (CSV or Parquet)")
    p.add_argument("--json", type=Path, required=True, dest="json_out", help="where to write the report")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and parallel analysis (default 0)")
    p.add_argument("--boot", type=int, default=1000, help="bootstrap resamples for the HTMT CIs (default 1000; 0 = none)")
    p.add_argument(
        "--thresholds",
        type=Path,
        help="YAML with validity.thresholds (e.g. config/config.yaml) or a flat mapping; "
        "default: the conventional cut-offs recorded in the report",
    )
    p.add_argument("--efa-method", default="minres", choices=["minres", "ml", "principal"])
    p.add_argument("--rotation", default="oblimin", help="EFA rotation, a factor_analyzer name or 'none' (default oblimin)")
    p.add_argument("--scale-min", type=float, help="lowest response code (floor); default: observed")
    p.add_argument("--scale-max", type=float, help="highest response code (ceiling); default: observed")
    p.add_argument("--sampling-weights", metavar="COL",
                   help="column of sampling weights: checked and described; reliability and validity stay "
                        "unweighted (weighted reliability is not standard), as the report notes")
    p.add_argument("--cluster", metavar="COL", help="column of cluster ids: checked and described, as weights")
    return p


def _rotations() -> list[str]:
    from factor_analyzer.rotator import POSSIBLE_ROTATIONS

    return list(POSSIBLE_ROTATIONS)


def _thresholds(path: Path | None) -> dict:
    from ..validity import DEFAULT_THRESHOLDS
    from ..yamlfiles import load_yaml

    if path is None:
        return dict(DEFAULT_THRESHOLDS)
    doc = load_yaml(path)
    if isinstance(doc, dict) and isinstance(doc.get("validity"), dict):
        doc = doc["validity"].get("thresholds")
    if not isinstance(doc, dict):
        raise ConfigError("no validity.thresholds mapping", file=path)
    return doc


def _with_file(exc: AlianzaError, path) -> AlianzaError:
    """The same error, naming `path` unless it already names a file."""
    if exc.file is not None or path is None:
        return exc
    return type(exc)(exc.detail, file=path, column=exc.column, row=exc.row, key=exc.key)


def run(args) -> int:
    from ..readers import read_table
    from ..validity import check_thresholds, validity_report

    rotations = _rotations()
    if args.rotation != "none" and args.rotation not in rotations:
        raise ConfigError(f"unknown rotation {args.rotation!r}; use one of {', '.join(rotations)} or none", key="--rotation")
    if not args.model.exists():
        raise ConfigError("no such file", file=args.model)
    model_text = read_text(args.model)
    try:
        thresholds = check_thresholds(_thresholds(args.thresholds))
    except ConfigError as exc:
        raise _with_file(exc, args.thresholds) from None
    data = read_table(args.data)
    try:
        report = validity_report(
            model_text,
            data,
            thresholds,
            seed=args.seed,
            n_boot=args.boot,
            efa_method=args.efa_method,
            rotation=None if args.rotation == "none" else args.rotation,
            scale_min=args.scale_min,
            scale_max=args.scale_max,
            progress=sys.stderr.isatty(),
            design={"weights": args.sampling_weights, "cluster": args.cluster},
        )
    except ModelSyntaxError as exc:
        raise _with_file(exc, args.model) from None
    except InputError as exc:
        raise _with_file(exc, args.data) from None
    report["inputs"] = {"model": str(args.model), "data": str(args.data)}
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    write_json(args.json_out, report, allow_nan=False)
    return 0
