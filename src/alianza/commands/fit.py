"""`alianza fit MODEL DATA [--json OUT]`: fit a lavaan-syntax model, print lavaan's summary.

Options map one-to-one onto keywords of alianza.sem.fit (OPTIONS below), so a later
estimator, missing-data or grouping option is one more entry there.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError, ModelSyntaxError

# (flag, fit() keyword, argparse settings)
OPTIONS: list[tuple[str, str, dict]] = [
    ("--estimator", "estimator", dict(default="ML", metavar="NAME",
                                      help="estimator (default ML, lavaan's default for continuous data)")),
]


def add_parser(subparsers):
    p = subparsers.add_parser("fit", help="fit a structural equation model (lavaan syntax)",
                              description=__doc__.splitlines()[0])
    p.add_argument("model", metavar="MODEL", help="model file in lavaan syntax (.lav)")
    p.add_argument("data", metavar="DATA", help="data file (any format alianza reads)")
    p.add_argument("--json", dest="json_out", metavar="OUT",
                   help="write the results (fit measures, parameters, R2, modification indices) as JSON")
    for flag, dest, settings in OPTIONS:
        p.add_argument(flag, dest=dest, **settings)
    return p


def fit_options(args) -> dict:
    """The fit() keywords given on the command line."""
    return {dest: getattr(args, dest) for _, dest, _ in OPTIONS}


def run(args) -> int:
    from ..readers import read_table
    from ..sem import fit, parse_model

    model_path = Path(args.model)
    if not model_path.is_file():
        raise InputError("no such model file", file=model_path)
    try:
        parsed = parse_model(model_path.read_text(encoding="utf-8"))
    except ModelSyntaxError as exc:       # name the file; the line is in exc.row
        raise ModelSyntaxError(exc.detail, file=model_path, row=exc.row) from None
    data = read_table(args.data)
    result = fit(parsed, data, source=args.data, **fit_options(args))
    print(result.summary())
    if args.json_out:
        out = Path(args.json_out)
        if out.parent != Path(""):
            out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0
