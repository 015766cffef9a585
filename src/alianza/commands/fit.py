"""`alianza fit MODEL DATA [--json OUT]`: fit a lavaan-syntax model, print lavaan's summary.

Options map one-to-one onto keywords of alianza.sem.fit (commands/estimation_flags.py).
"""
from __future__ import annotations

from .estimation_flags import add_estimation_flags, estimation_kwargs


def add_parser(subparsers):
    p = subparsers.add_parser("fit", help="fit a structural equation model (lavaan syntax)",
                              description=__doc__.splitlines()[0])
    p.add_argument("model", metavar="MODEL", help="model file in lavaan syntax (.lav)")
    p.add_argument("data", metavar="DATA", help="data file (any format alianza reads)")
    p.add_argument("--json", dest="json_out", metavar="OUT",
                   help="write the results (fit measures, parameters, R2, modification indices) as JSON")
    add_estimation_flags(p)
    # the nonparametric bootstrap of the whole model (sem/inference/bootstrap.py)
    p.add_argument("--bootstrap", type=int, nargs="?", const=2000, default=None, metavar="N",
                   help="bootstrap SEs, percentile and BCa intervals and the Bollen-Stine p from N "
                        "replicates (default 2000); needs --seed")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="seed of the bootstrap")
    p.add_argument("--workers", type=int, default=None, metavar="K",
                   help="processes for the bootstrap (default: all cores; the numbers do not depend on it)")
    return p


def run(args) -> int:
    from ..workflow import load_model_files
    from ..readers import read_table
    from ..sem import fit

    parsed = load_model_files([args.model])[1]
    data = read_table(args.data)
    if getattr(args, "bootstrap", None) is not None:
        result = _bootstrap(parsed, data, args)
    else:
        result = fit(parsed, data, source=args.data, **estimation_kwargs(args))
    print(result.summary())
    if args.json_out:
        from ..atomic import write_json

        write_json(args.json_out, result.to_dict())
    return 0


def _bootstrap(parsed, data, args):
    """`--bootstrap N --seed S`: lavaan's se = "bootstrap" with the fit's own estimator options; with
    --cluster / --sampling-weights whole clusters are resampled and rows keep their weights."""
    import sys

    from ..errors import ConfigError
    from ..sem.inference.bootstrap import bootstrap, with_bootstrap

    if args.seed is None:
        raise ConfigError("--bootstrap needs --seed S (the same seed gives the same numbers)", key="--seed")
    boot = bootstrap(parsed, data, replicates=args.bootstrap, seed=args.seed, workers=args.workers,
                     progress=sys.stderr.isatty(), source=args.data, **estimation_kwargs(args))
    return with_bootstrap(boot.fit, boot)
