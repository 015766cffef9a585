"""Ingest one survey wave as delivered: validated tidy data plus a quarantine, never losing a row.

Steps (all driven by the codebook):

1. read the file as delivered (alianza.readers.read_raw);
2. match the header to the codebook, ignoring case, accents and spacing
   (aliases allowed); a column the codebook does not describe, a required
   column that is absent, or two columns for one variable stop ingestion;
3. code every cell (alianza.coding): text labels -> codes, missing codes -> NA;
   an answer label the codebook does not know stops ingestion;
4. row checks (alianza.quality): empty rows, missing id, duplicate firm ids,
   out-of-range values, failed attention check, straight-lining, partial
   completes -> quarantine, with every reason;
5. kept rows: reverse-keyed items recoded (min + max - x, i.e. 6 - x on 1..5) so
   processed items point in the construct's direction; nullable integer codes;
   the `wave` column added. The attention item is dropped from processed data:
   once the check has run it carries no information (kept rows answered it as
   expected, or left it blank).

Rows in = rows kept + rows quarantined, always (checked before returning).
"Row k" everywhere means the k-th data row of the file (1-based, header not
counted; in a spreadsheet that is sheet row k + 1).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .codebook import Codebook, load_codebook, normalize_name, normalize_text
from .coding import MISSING, cell_text, code_column, delivered_text
from .errors import InputError
from .provenance import sha256
from .quality import REASONS, row_problems
from .survey_design import design_summary
from .readers import TableInfo, read_raw


@dataclass
class IngestResult:
    wave: str
    kept: pd.DataFrame  # processed data, codebook.output_columns
    quarantine: pd.DataFrame  # delivered columns as text + source_row + reason
    summary: dict


def match_columns(headers, codebook: Codebook, file) -> tuple[dict[str, str], list[str]]:
    """Codebook variable -> delivered header, and the delivered headers ignored on purpose."""
    lookup = {}
    for var in codebook.variables():
        for name in (var.name, *var.aliases):
            lookup[normalize_name(name)] = var.name
    ignore = {normalize_name(c) for c in codebook.ignore_columns}
    found: dict[str, str] = {}
    ignored: list[str] = []
    for header in headers:
        norm = normalize_name(header)
        if norm in lookup:
            name = lookup[norm]
            if name in found:
                raise InputError(
                    f"columns {found[name]!r} and {header!r} are both codebook variable {name!r}", file=file, column=header
                )
            found[name] = header
        elif norm in ignore:
            ignored.append(header)
        elif norm == normalize_name(codebook.wave_name):
            raise InputError(
                "the wave is set by ingestion from the file name (or --wave); remove this column "
                "or list it under the codebook's ignore_columns", file=file, column=header,
            )
        else:
            raise InputError(
                "column not in the codebook (describe it there, or list it under ignore_columns to skip it)",
                file=file, column=header,
            )
    for var in codebook.variables():
        if var.name not in found and var.required:
            raise InputError(f"required column missing from the file (codebook {var.key})", file=file, column=var.name)
    return found, ignored


def check_value_labels(info: TableInfo, columns: dict[str, str], codebook: Codebook, file) -> None:
    """SPSS/Stata files label their codes; a label the codebook gives another code means they disagree."""
    for name, header in columns.items():
        var = codebook.variable(name)
        file_labels = info.value_labels.get(header)
        if not var.coded or not file_labels:
            continue
        ours = codebook.label_map(var)
        for code, label in file_labels.items():
            norm = normalize_text(label)
            if norm not in ours:
                continue  # a wording the codebook does not know cannot be checked
            if ours[norm] is None:
                if float(code) not in {float(c) for c in var.missing_codes}:
                    raise InputError(
                        f"the file labels code {cell_text(code)} as {label!r} (no answer), but the codebook's "
                        f"missing codes are {list(var.missing_codes)}", file=file, column=header,
                    )
            elif float(ours[norm]) != float(code):
                raise InputError(
                    f"the file labels code {cell_text(code)} as {label!r}, which the codebook codes as {ours[norm]}",
                    file=file, column=header,
                )


def ingest_wave(path, codebook, wave: str | None = None) -> IngestResult:
    """Read, code and check one wave; nothing is written (see write_outputs)."""
    path = Path(path)
    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    wave = wave or path.stem
    if not wave or any(ch in wave for ch in "/\\") or wave.startswith("."):
        raise InputError(f"wave id {wave!r} cannot name output files", file=path)

    raw, info = read_raw(path)
    columns, ignored = match_columns([str(c) for c in raw.columns], codebook, path)
    check_value_labels(info, columns, codebook, path)
    raw = raw.reset_index(drop=True)
    n = len(raw)
    source_row = pd.Series(range(1, n + 1), name="source_row")

    values, status, problem = {}, {}, {}
    for name, header in columns.items():
        coded = code_column(raw[header], codebook.variable(name), codebook, file=path, header=header)
        values[name], status[name], problem[name] = coded.values, coded.status, coded.problem
    values, status, problem = pd.DataFrame(values), pd.DataFrame(status), pd.DataFrame(problem)

    problems = row_problems(values, status, problem, codebook, source_row)
    bad = pd.Series([bool(p) for p in problems])

    kept = _processed(values[~bad.to_numpy()], codebook, wave)
    quarantine = raw[bad.to_numpy()].map(delivered_text)
    quarantine["source_row"] = source_row[bad].to_numpy()
    quarantine["reason"] = ["; ".join(msg for _, msg in p) for p in problems if p]
    quarantine = quarantine.reset_index(drop=True)

    if n != len(kept) + len(quarantine):
        raise AssertionError(f"{path}: {n} rows in but {len(kept)} kept + {len(quarantine)} quarantined")

    reasons = {k: 0 for k in REASONS}
    for p in problems:
        for kind in {k for k, _ in p}:
            reasons[kind] += 1
    kept_status = status[~bad.to_numpy()]
    coded_cols = [v.name for v in codebook.variables() if v.name in columns and v.type != "id"]
    summary = {
        "wave": wave,
        "file": str(path),
        "sha256": sha256(path),
        "format": info.format,
        "encoding": info.encoding,
        "delimiter": info.delimiter,
        "decimal": info.decimal,
        "sheet": info.sheet,
        "codebook": str(codebook.source),
        "codebook_version": codebook.version,
        "rows_in": n,
        "rows_kept": len(kept),
        "rows_quarantined": len(quarantine),
        "reasons": reasons,
        # NA in processed data that came from a missing-data code or label (kept rows only)
        "missing_codes_to_na": {c: int(kept_status[c].eq(MISSING).sum()) for c in coded_cols},
        "columns": columns,
        "absent_columns": [v.name for v in codebook.variables() if v.name not in columns],
        "ignored_columns": ignored,
        "reverse_keyed": codebook.reverse_items,
        "attention_item_dropped": None if codebook.attention is None else codebook.attention.name,
        # the codebook's survey design: weights' sum and range as delivered (never rescaled), clusters
        "design": design_summary(kept, codebook),
    }
    return IngestResult(wave=wave, kept=kept, quarantine=quarantine, summary=summary)


def _processed(values: pd.DataFrame, codebook: Codebook, wave: str) -> pd.DataFrame:
    out = {}
    idname = codebook.id.name
    out[idname] = pd.array(values[idname].tolist() if idname in values else [None] * len(values), dtype="string")
    out[codebook.wave_name] = pd.array([wave] * len(values), dtype="string")
    for var in [*codebook.context, *codebook.item_variables()]:
        col = values[var.name].tolist() if var.name in values else [None] * len(values)
        if var.type == "number":
            arr = pd.array(col, dtype="Float64")
        else:
            arr = pd.array(col, dtype="Int64")
        if var.reverse:
            lo, hi = min(var.codes), max(var.codes)
            arr = (lo + hi) - arr
        out[var.name] = arr
    return pd.DataFrame(out, columns=codebook.output_columns)


def write_outputs(result: IngestResult, outdir) -> dict[str, Path]:
    """<wave>.parquet, <wave>.quarantine.csv (UTF-8) and <wave>.summary.json in outdir."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = {
        "data": outdir / f"{result.wave}.parquet",
        "quarantine": outdir / f"{result.wave}.quarantine.csv",
        "summary": outdir / f"{result.wave}.summary.json",
    }
    result.kept.to_parquet(paths["data"], index=False)
    result.quarantine.to_csv(paths["quarantine"], index=False, encoding="utf-8")
    with open(paths["summary"], "w", encoding="utf-8") as fh:
        json.dump(result.summary, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    return paths


def describe(summary: dict) -> str:
    """One paragraph for people: rows in, kept, quarantined by reason, missing codes."""
    by_reason = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary["reasons"].items() if v) or "none"
    na = sum(summary["missing_codes_to_na"].values())
    return (
        f"{summary['wave']}: {summary['rows_in']} rows in, {summary['rows_kept']} kept, "
        f"{summary['rows_quarantined']} quarantined (by reason: {by_reason}; a row can have several); "
        f"{na} missing-data codes set to NA in kept rows. Source {summary['file']} "
        f"({summary['format']}, sha256 {summary['sha256'][:12]}...), codebook version {summary['codebook_version']}."
    )
