"""`alianza tables`: manuscript tables (and figures) of a finished run, in Spanish or English.

Reads the pipeline's results where it leaves them (reports/validity/<sample>.json,
reports/models/<sample>/<model>.json, reports/invariance/<group>.json, data/processed/)
and writes the APA table set again, e.g. in the other language without rerunning anything:

    alianza tables --lang en --out reports/tables_en
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ConfigError, InputError


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("tables", help="APA tables and figures of a finished run (es/en)",
                              description=__doc__.splitlines()[0])
    p.add_argument("--config", type=Path, default=Path("config/config.yaml"),
                   help="pipeline configuration (default config/config.yaml)")
    p.add_argument("--sample", default=None, help="sample (wave id or pooled); default: first of output.samples")
    p.add_argument("--lang", choices=["es", "en"], default=None, help="language (default: config language)")
    p.add_argument("--formats", default=None,
                   help="comma-separated: tex,docx,md,csv,html (default: config output.formats; html always)")
    p.add_argument("--reports", type=Path, default=Path("reports"), help="results folder (default reports)")
    p.add_argument("--processed", type=Path, default=Path("data/processed"),
                   help="processed data folder, for Table 1 and the Likert figures (default data/processed)")
    p.add_argument("--out", type=Path, required=True, help="folder to write the tables (and figures/) to")
    p.add_argument("--figures", action="store_true", help="also draw the path diagram and the Likert figures")
    return p


def run(args) -> int:
    import pandas as pd

    from ..codebook import load_codebook
    from ..figures import likert_figure, path_diagram
    from ..schemas import validate_config
    from ..tables.catalog import (OutputOptions, TableInputs, load_json, provenance_line, sample_description_table,
                                  sample_part, sample_tables, write_set)
    from ..yamlfiles import load_yaml

    if not args.config.is_file():
        raise ConfigError("no such file", file=args.config)
    config = load_yaml(args.config)
    validate_config(config, str(args.config))
    opts = OutputOptions.from_config(config, lang=args.lang)
    if args.formats:
        opts.formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
        OutputOptions.from_config({"output": {"formats": list(opts.formats)}})  # validates the names
    out_cfg = config.get("output") or {}
    sample = args.sample or (out_cfg.get("samples") or ["pooled"])[0]
    codebook = load_codebook(config["codebook"])
    rep = args.reports
    model_names = list(config["models"])
    measurement = config["validity"]["model"]

    prov_path = rep / "provenance.json"
    prov = provenance_line(load_json(prov_path), prov_path, opts.lang) if prov_path.is_file() else None
    groups = (config.get("invariance") or {}).get("groups", []) if sample == "pooled" else []
    inputs = TableInputs(
        validity=load_json(rep / "validity" / f"{sample}.json"),
        measurement=load_json(rep / "models" / sample / f"{measurement}.json"),
        models=[(m, load_json(rep / "models" / sample / f"{m}.json")) for m in model_names],
        invariance={g: load_json(rep / "invariance" / f"{g}.json") for g in groups
                    if (rep / "invariance" / f"{g}.json").is_file()},
    )
    # the structural step's reports (all samples in one file each), when the run has them
    for key, name in (("hypotheses", "hypotheses"), ("indirect", "indirect_effects"), ("comparison", "model_comparison")):
        path = rep / "tables" / f"{name}.json"
        if path.is_file():
            setattr(inputs, key, sample_part(load_json(path), key, sample))
    inputs.structural_model = out_cfg.get("path_model")
    # effects of the path model and AMOS-style indices (workflow/rules/outputs.smk), when the run has them
    effects = rep / "effects" / sample / f"{out_cfg.get('path_model', 'five_stage')}.json"
    inputs.effects = load_json(effects) if effects.is_file() else None
    amos = rep / "amos" / f"{sample}.json"
    inputs.amos = load_json(amos) if amos.is_file() and out_cfg.get("amos_indices") else None
    tables = sample_tables(inputs, codebook, opts, provenance=prov)
    waves = sorted(p for p in args.processed.glob("*.parquet") if p.stem != "pooled")
    if waves:  # Table 1 describes the waves
        tables.insert(0, sample_description_table({p.stem: pd.read_parquet(p) for p in waves}, codebook, opts, prov))
    args.out.mkdir(parents=True, exist_ok=True)
    written = write_set(tables, args.out, opts.formats)
    if args.figures:
        figdir = args.out / "figures"
        figdir.mkdir(exist_ok=True)
        path_model = out_cfg.get("path_model", "five_stage")
        pngs = [figdir / "path_diagram.png", figdir / "path_diagram.svg"]
        path_diagram(load_json(rep / "models" / sample / f"{path_model}.json"), codebook, opts.lang, pngs,
                     decimals=opts.decimals)
        written += pngs
        data_path = args.processed / f"{sample}.parquet"
        if not data_path.is_file():
            raise InputError("processed data not found (run the pipeline first)", file=data_path)
        data = pd.read_parquet(data_path)
        for c in codebook.constructs:
            paths = [figdir / f"likert_{c}.png", figdir / f"likert_{c}.svg"]
            likert_figure(data, codebook, c, opts.lang, paths)
            written += paths
    print(f"{len(written)} files written to {args.out}")
    return 0
