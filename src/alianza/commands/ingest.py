"""`alianza ingest`: one survey wave as delivered -> processed data, quarantine and summary."""
from __future__ import annotations


def add_parser(subparsers):
    p = subparsers.add_parser(
        "ingest",
        help="validate one survey wave: processed data, quarantine of rejected rows, summary",
        description=(
            "Read DATA (.csv .xlsx .xls .sav .dta .parquet) as a survey tool exported it, check it against "
            "the codebook and write <wave>.parquet, <wave>.quarantine.csv and <wave>.summary.json to OUTDIR. "
            "Rows in = rows kept + rows quarantined."
        ),
    )
    p.add_argument("data", metavar="DATA", help="the wave as delivered")
    p.add_argument("--codebook", default="config/codebook.yaml", help="instrument (default: %(default)s)")
    p.add_argument("--outdir", default="data/processed", help="output folder (default: %(default)s)")
    p.add_argument("--wave", help="wave id (default: the file name without extension)")
    p.add_argument("--columns", metavar="MAP",
                   help="column map: header -> codebook id | ignore | personal (default: <wave>.columns.yaml beside DATA)")
    p.add_argument("--config", help="pipeline config whose `ingest` section applies (unknown columns, personal data); "
                                    "default: the schema's defaults")
    return p


def run(args) -> int:
    import sys

    from ..codebook import load_codebook
    from ..ingest import describe, ingest_wave, write_outputs
    from ..privacy import ingest_options
    from ..yamlfiles import load_yaml

    codebook = load_codebook(args.codebook)
    cfg = (load_yaml(args.config) or {}).get("ingest") if args.config else None
    result = ingest_wave(args.data, codebook, wave=args.wave, options=ingest_options(cfg), column_map=args.columns)
    for line in result.warnings:
        print(f"alianza: warning: {line}", file=sys.stderr)
    paths = write_outputs(result, args.outdir)
    print(describe(result.summary))
    print("Wrote " + ", ".join(str(p) for p in paths.values()) + ".")
    return 0
