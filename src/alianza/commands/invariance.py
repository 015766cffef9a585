"""`alianza invariance MODEL DATA --group COL [--json OUT]`: measurement invariance across groups.

Fits configural, metric, scalar and strict models (lavaan's group.equal), compares each
with the previous one (chi-square difference, changes of CFI/RMSEA/SRMR judged by the
rules of config `invariance:`, default Chen 2007), frees the non-invariant parameters
found by score tests when a step fails (partial invariance), and compares latent means.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, InputError
from .estimation_flags import add_estimation_flags, estimation_kwargs


def add_parser(subparsers):
    p = subparsers.add_parser("invariance", help="measurement invariance across groups (waves, sectors, ...)",
                              description=__doc__.splitlines()[0])
    p.add_argument("model", metavar="MODEL", help="measurement model in lavaan syntax (.lav)")
    p.add_argument("data", metavar="DATA", help="data file (any format alianza reads)")
    p.add_argument("--group", required=True, metavar="COL", help="grouping column (e.g. wave, sector)")
    p.add_argument("--json", dest="json_out", metavar="OUT", help="write the results as JSON")
    p.add_argument("--config", metavar="YAML",
                   help="YAML with an `invariance:` section (e.g. config/config.yaml) or that section "
                        "alone: steps, rules, partial, min_group_n, small_groups")
    p.add_argument("--group-label", metavar="LIST",
                   help="comma-separated group order; the first is the reference group "
                        "(default: order of first appearance, as lavaan)")
    p.add_argument("--min-group-n", type=int, metavar="N", help="groups with fewer complete rows are merged/skipped")
    p.add_argument("--small-groups", choices=["merge", "skip"], help="what to do with groups below --min-group-n")
    p.add_argument("--no-partial", action="store_true", help="do not search for partial invariance")
    add_estimation_flags(p, groups=False)
    return p


def _settings(args) -> dict:
    from ..yamlfiles import load_yaml

    settings: dict = {}
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise InputError("no such config file", file=path)
        doc = load_yaml(path)
        if isinstance(doc, dict) and isinstance(doc.get("invariance"), dict):
            doc = doc["invariance"]
        if not isinstance(doc, dict):
            raise ConfigError("no `invariance:` mapping", file=path)
        settings = dict(doc)
    if args.min_group_n is not None:
        settings["min_group_n"] = args.min_group_n
    if args.small_groups:
        settings["small_groups"] = args.small_groups
    if args.no_partial:
        settings["partial"] = {**(settings.get("partial") or {}), "enabled": False}
    return settings


def run(args) -> int:
    from ..atomic import write_json
    from ..invariance import invariance_markdown, invariance_report
    from ..tables.flags import flag_invariance
    from ..workflow import load_model_files
    from ..readers import read_table

    parsed = load_model_files([args.model])[1]
    settings = _settings(args)
    data = read_table(args.data)
    labels = [x.strip() for x in args.group_label.split(",")] if args.group_label else None
    result = invariance_report(parsed, data, args.group, settings, group_label=labels, source=args.data,
                               estimation=estimation_kwargs(args, groups=False))
    result = flag_invariance(result)      # a step resting on an improper solution is not assessable
    print(invariance_markdown(result))
    if args.json_out:
        write_json(args.json_out, result)
    return 0
