"""The estimation flags every model-fitting command shares (fit, invariance, compare), with the
survey design (--sampling-weights, --cluster).

Each maps one-to-one onto a keyword of alianza.sem.fit, whose options module
(sem/estimation/options.py) validates them together: one more estimator option is one more entry here.
"""
from __future__ import annotations


def _names(text: str) -> list[str]:
    """'loadings, intercepts' -> ['loadings', 'intercepts'] (lavaan's character vectors)."""
    return [t.strip() for t in text.split(",") if t.strip()]


# (flag, fit() keyword, argparse settings)
OPTIONS: list[tuple[str, str, dict]] = [
    ("--estimator", "estimator", dict(default=None, metavar="NAME",
                                      help="ML, MLR (robust: sandwich SEs, Yuan-Bentler scaled test), WLSMV or ULSMV "
                                           "(ordered items); default ML, or WLSMV with --ordered, as lavaan")),
    ("--missing", "missing", dict(default=None, metavar="HOW",
                                  help="listwise (default: drop rows with a missing model variable) or fiml "
                                       "(full-information ML, lavaan's missing='ml'; ML/MLR only)")),
    ("--ordered", "ordered", dict(default=None, metavar="all|ITEM,...",
                                  help="treat these items as ordered categories (polychoric correlations, "
                                       "thresholds); 'all' for every observed variable of the model")),
    ("--parameterization", "parameterization", dict(default=None, choices=["delta", "theta"],
                                                    help="ordered items: lavaan's delta (default) or theta "
                                                         "parameterization")),
    ("--std-lv", "std_lv", dict(action="store_true", default=False,
                                help="lavaan's std.lv: latent variances fixed to 1, every loading free, "
                                     "the first loading of each factor positive")),
    ("--sampling-weights", "sampling_weights", dict(
        default=None, metavar="COL",
        help="column of sampling weights (expansion factors, e.g. INEGI's factor de expansión): weighted "
             "estimates, robust SEs and scaled test (lavaan's sampling.weights; ML becomes MLR)")),
    ("--cluster", "cluster", dict(
        default=None, metavar="COL",
        help="column of cluster ids (e.g. municipality): cluster-robust SEs and scaled test "
             "(lavaan's cluster=, se = robust.cluster)")),
    ("--group", "group", dict(default=None, metavar="COL",
                              help="fit a multi-group model across the values of column COL (lavaan's group=)")),
    ("--group-equal", "group_equal", dict(type=_names, default=(), metavar="LIST",
                                          help="with --group: comma-separated lavaan group.equal keywords, "
                                               "e.g. loadings,intercepts")),
    ("--group-partial", "group_partial", dict(type=_names, default=(), metavar="LIST",
                                              help="with --group: parameters exempt from group.equal, "
                                                   "e.g. 'x3~1,visual=~x2'")),
]



# the flags that do not define groups (invariance defines its own groups)
ESTIMATOR_FLAGS = ("--estimator", "--missing", "--ordered", "--parameterization", "--std-lv", "--sampling-weights",
                   "--cluster")


def add_estimation_flags(parser, *, groups: bool = True) -> None:
    for flag, dest, settings in OPTIONS:
        if groups or flag in ESTIMATOR_FLAGS:
            parser.add_argument(flag, dest=dest, **settings)


def estimation_kwargs(args, *, groups: bool = True) -> dict:
    """The fit() keywords given on the command line."""
    return {dest: getattr(args, dest) for flag, dest, _ in OPTIONS
            if (groups or flag in ESTIMATOR_FLAGS) and hasattr(args, dest)}
