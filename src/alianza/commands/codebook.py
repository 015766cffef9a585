"""`alianza codebook`: the instrument as an XLSForm (KoboToolbox / ODK) and back.

  export-xlsform CODEBOOK --out FORM.xlsx     a form KoboToolbox/ODK can field (checked with pyxform)
  import-xlsform FORM.xlsx --out CODEBOOK.yaml a codebook from an XLSForm (validated before it is written)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers):
    p = subparsers.add_parser(
        "codebook", help="the codebook as an XLSForm (KoboToolbox/ODK) and back",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="codebook_command", required=True, metavar="ACTION")
    ex = sub.add_parser("export-xlsform", help="write the instrument as an XLSForm",
                        description="Write CODEBOOK as an XLSForm: survey, choices and settings sheets, Spanish and "
                                    "English labels, one group per construct; pyxform converts it before it is written.")
    ex.add_argument("codebook", metavar="CODEBOOK", help="codebook YAML (e.g. config/codebook.yaml)")
    ex.add_argument("--out", required=True, metavar="FORM.xlsx", help="the XLSForm to write")
    im = sub.add_parser("import-xlsform", help="build a codebook from an XLSForm",
                        description="Build a codebook from FORM: constructs from groups (or a `construct` column), "
                                    "reverse keys from a `reverse` column, scales from choice lists.")
    im.add_argument("form", metavar="FORM.xlsx", help="the XLSForm")
    im.add_argument("--out", required=True, metavar="CODEBOOK.yaml", help="the codebook to write")
    im.add_argument("--base", metavar="CODEBOOK",
                    help="codebook supplying what a form made elsewhere cannot hold (wave, quality rules, ...)")
    return p


def run(args) -> int:
    if args.codebook_command == "export-xlsform":
        return _export(args)
    return _import(args)


def _export(args) -> int:
    from ..codebook import load_codebook
    from ..xlsform import codebook_to_xlsform, convert_xlsform, xlsform_bytes

    codebook = load_codebook(args.codebook)
    form = codebook_to_xlsform(codebook.data)
    data = xlsform_bytes(form)
    result = convert_xlsform(data, source=args.out)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    for warning in result.warnings:
        print(f"alianza codebook: pyxform: {warning}", file=sys.stderr)
    n_questions = sum(1 for row in form.survey if not row["type"].endswith("_group"))
    print(f"Wrote {out}: {n_questions} questions, {len(codebook.constructs)} construct groups, "
          f"{len({row['list_name'] for row in form.choices})} choice lists (pyxform converts it).")
    return 0


def _import(args) -> int:
    from ..codebook import Codebook, load_codebook
    from ..xlsform import codebook_yaml, read_xlsform, xlsform_to_codebook

    base = load_codebook(args.base).data if args.base else None
    survey, extras = read_xlsform(args.form)
    data, warnings = xlsform_to_codebook(survey, extras, base=base, source=args.form)
    codebook = Codebook(data, source=f"{args.form} (imported)")
    for warning in warnings:
        print(f"alianza codebook: warning: {warning}", file=sys.stderr)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(codebook_yaml(data, Path(args.form).name), encoding="utf-8")
    print(f"Wrote {out}: {len(codebook.constructs)} constructs, {len(codebook.items())} items, "
          f"{len(codebook.context)} context variables.")
    return 0
