"""Ingest one survey wave as delivered: validated tidy data plus a quarantine, never losing a row.

Steps (all driven by the codebook):

1. read the file as delivered (alianza.readers.read_raw), damaged cells marked;
2. match the header (alianza.headers): the wave's column map, codebook ids,
   aliases and question texts, survey tools' metadata columns; unknown columns
   are carried as text with a warning (or stop ingestion, per config); a required
   column that is absent, or two columns for one variable stop ingestion;
3. code every cell (alianza.coding): text labels -> codes, missing codes (and the
   file's own declared missing values) -> NA; an answer label the codebook does
   not know stops ingestion;
4. row checks (alianza.quality): empty rows, no consent, truncated rows,
   unreadable cells, missing id, duplicate firm ids, out-of-range values, failed
   attention check, straight-lining, partial completes -> quarantine, with every reason;
5. kept rows: reverse-keyed items recoded (min + max - x, i.e. 6 - x on 1..5) so
   processed items point in the construct's direction; nullable integer codes;
   the `wave` column added. The attention item and consent answer are dropped from
   processed data: once checked they carry no information. Personal columns are
   dropped or pseudonymised (alianza.privacy); tool columns are only recorded.

Rows in = rows kept + rows quarantined, always (checked before returning).
"Row k" everywhere means the k-th data row of the file (1-based, header rows not
counted; in a spreadsheet that is sheet row k + 1, in a Qualtrics export line k + 3).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .atomic import atomic_paths
from .codebook import Codebook, load_codebook, normalize_text
from .coding import MISSING, cell_text, code_column, delivered_text, is_blank
from .errors import InputError
from .headers import HeaderMatch, match_headers
from .privacy import IngestOptions, ingest_options, pseudonym
from .provenance import sha256
from .quality import REASONS, row_problems
from .readers import TableInfo, is_declared_missing, read_raw
from .survey_design import design_summary
from .schemas import SCHEMA_DIR, validate_schema
from .yamlfiles import load_yaml

COLUMN_MAP_SUFFIX = ".columns.yaml"


@dataclass
class IngestResult:
    wave: str
    kept: pd.DataFrame  # processed data: codebook.output_columns, then carried (non-analysis) columns
    quarantine: pd.DataFrame  # delivered columns as text (personal ones left out) + source_row + reason
    summary: dict
    warnings: list = field(default_factory=list)  # one line each, for the log and the terminal


def column_map_path(wave_file) -> Path:
    """The optional per-wave column map beside a raw file: data/raw/<wave>.columns.yaml."""
    wave_file = Path(wave_file)
    return wave_file.with_name(wave_file.stem + COLUMN_MAP_SUFFIX)


def load_column_map(path) -> dict[str, str]:
    """header as delivered -> codebook id, 'ignore' or 'personal' (validated, one line on error)."""
    data = load_yaml(path)
    validate_schema(data, str(path), SCHEMA_DIR / "columns.schema.yaml")
    return {str(k): v for k, v in (data or {}).items()}


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


def ingest_wave(path, codebook, wave: str | None = None, *, options: IngestOptions | None = None,
                column_map=None, label: dict | None = None) -> IngestResult:
    """Read, code and check one wave; nothing is written (see write_outputs).

    options: config `ingest` (alianza.privacy.ingest_options; its defaults when None).
    column_map: a path or mapping (header -> codebook id | ignore | personal); by default
    data/raw/<wave>.columns.yaml beside the file when it exists. label: the wave's display name.
    """
    path = Path(path)
    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    options = options or ingest_options()
    wave = wave or path.stem
    if not wave or any(ch in wave for ch in "/\\") or wave.startswith("."):
        raise InputError(f"wave id {wave!r} cannot name output files", file=path)
    map_file = None
    if column_map is None and column_map_path(path).is_file():
        column_map = column_map_path(path)
    if column_map is not None and not isinstance(column_map, dict):
        map_file, column_map = Path(column_map), load_column_map(column_map)

    raw, info = read_raw(path)
    headers = [str(c) for c in raw.columns]
    m = match_headers(headers, codebook, path, question_texts=info.question_texts, column_map=column_map,
                      map_file=map_file)
    warnings = _unknown_columns(m, options, path)
    columns = m.columns
    check_value_labels(info, columns, codebook, path)
    raw = raw.reset_index(drop=True)
    n = len(raw)
    source_row = pd.Series(range(1, n + 1), name="source_row")

    # Cells reading could not recover (Excel errors, uncomputed formulas) are not answers: they are
    # coded as blank here and their rows quarantined below, with the cell as delivered.
    coding_input = raw.copy()
    for row, header in info.unreadable_cells:
        coding_input.at[row, header] = None
    values, status, problem = {}, {}, {}
    for name, header in columns.items():
        declared = (lambda v, h=header: is_declared_missing(info, h, v)) if header in info.declared_missing else None
        coded = code_column(coding_input[header], codebook.variable(name), codebook, file=path, header=header,
                            declared_missing=declared)
        values[name], status[name], problem[name] = coded.values, coded.status, coded.problem
    values, status, problem = pd.DataFrame(values), pd.DataFrame(status), pd.DataFrame(problem)
    idname = codebook.id.name
    if options.pseudonymise_id and idname in values:
        # before the checks, so that no message (a duplicate's reason) names the real id
        values[idname] = values[idname].map(lambda v: pseudonym(v, options.salt))

    problems = row_problems(values, status, problem, codebook, source_row)
    for row, damage in info.damaged.items():
        problems[row].extend(damage)
    no_consent = _consent_problems(raw, m.consent, codebook)
    for row, msg in no_consent.items():
        problems[row] = [("no_consent", msg)]  # without consent the row is not data: no other reason matters
    bad = pd.Series([bool(p) for p in problems])

    kept = _processed(values[~bad.to_numpy()], codebook, wave)
    hashed = options.personal_data == "pseudonymise"
    extra = list(m.unknown) + (m.personal if hashed else [])
    for header in extra:
        col = raw.loc[~bad.to_numpy(), header].map(delivered_text).tolist()
        if header in m.personal:
            col = [pseudonym(v, options.salt) for v in col]
        kept[header] = pd.array([None if v == "" else v for v in col], dtype="string")

    quarantine = _quarantine(raw, bad, problems, source_row, m, no_consent, codebook, options)
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
        "label": label,
        "file": str(path),
        "sha256": sha256(path),
        "format": info.format,
        "encoding": info.encoding,
        "delimiter": info.delimiter,
        "decimal": info.decimal,
        "sheet": info.sheet,
        "header_rows": info.header_rows,
        "codebook": str(codebook.source),
        "codebook_version": codebook.version,
        "column_map": None if map_file is None else str(map_file),
        "rows_in": n,
        "rows_kept": len(kept),
        "rows_quarantined": len(quarantine),
        "reasons": reasons,
        # NA in processed data that came from a missing-data code or label (kept rows only)
        "missing_codes_to_na": {c: int(kept_status[c].eq(MISSING).sum()) for c in coded_cols},
        "columns": columns,
        "matched_by": {h: m.how[h] for h in columns.values() if m.how.get(h, "name") != "name"},
        "absent_columns": [v.name for v in codebook.variables() if v.name not in columns],
        "consent_column": m.consent,
        "tool_columns": {h: t for h, t in m.tool.items() if h not in m.personal},
        "personal_columns": {h: ("pseudonymised" if hashed else "dropped") for h in m.personal},
        "id_pseudonymised": options.pseudonymise_id,
        "carried_columns": {h: {"closest_codebook_match": c} for h, c in m.unknown.items()},
        "ignored_columns": m.ignored,
        "reverse_keyed": codebook.reverse_items,
        "attention_item_dropped": None if codebook.attention is None else codebook.attention.name,
        # the codebook's survey design: weights' sum and range as delivered (never rescaled), clusters
        "design": design_summary(kept, codebook),
    }
    return IngestResult(wave=wave, kept=kept, quarantine=quarantine, summary=summary, warnings=warnings)


def _unknown_columns(m: HeaderMatch, options: IngestOptions, path) -> list[str]:
    """All unknown columns at once, each with the closest codebook match: a warning, or an error if config says so."""
    if not m.unknown:
        return []
    listed = ", ".join(
        f"{h!r} ({'closest: ' + c if c else 'no close match'})" for h, c in m.unknown.items()
    )
    n = len(m.unknown)
    if options.unknown_columns == "error":
        raise InputError(
            f"{n} column{'s' if n > 1 else ''} not in the codebook: {listed}; describe them in the codebook or "
            f"map them in {column_map_path(path).name} (ingest.unknown_columns is 'error')",
            file=path, column=next(iter(m.unknown)),
        )
    return [f"file {path}: {n} column{'s' if n > 1 else ''} not in the codebook, carried along as text "
            f"(not analysed): {listed}"]


def _consent_problems(raw, header, codebook) -> dict[int, str]:
    if header is None:
        return {}
    out = {}
    for i, cell in enumerate(raw[header].tolist()):
        if is_blank(cell):
            out[i] = "no consent (no answer)"
        elif not codebook.consents(cell):
            out[i] = f"no consent (answered {delivered_text(cell)!r})"
    return out


def _quarantine(raw, bad, problems, source_row, m: HeaderMatch, no_consent, codebook, options) -> pd.DataFrame:
    """Rejected rows as delivered, with only what a researcher needs to fix them: no personal columns;
    a row without consent keeps nothing but where it is and why."""
    keep = [h for h in raw.columns if h not in m.personal]
    q = raw.loc[bad.to_numpy(), keep].map(delivered_text)
    idheader = m.columns.get(codebook.id.name)
    if options.pseudonymise_id and idheader is not None:
        q[idheader] = [pseudonym(v, options.salt) or "" for v in q[idheader].tolist()]
    rows = [i for i in range(len(raw)) if bad.iat[i]]
    for pos, i in enumerate(rows):
        if i in no_consent:
            q.iloc[pos, [j for j, h in enumerate(keep) if h != m.consent]] = ""
    q["source_row"] = source_row[bad].to_numpy()
    q["reason"] = ["; ".join(msg for _, msg in p) for p in problems if p]
    return q.reset_index(drop=True)


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
    with atomic_paths(*paths.values()) as (data, quarantine, summary):
        result.kept.to_parquet(data, index=False)
        result.quarantine.to_csv(quarantine, index=False, encoding="utf-8")
        summary.write_text(json.dumps(result.summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return paths


def describe(summary: dict) -> str:
    """One paragraph for people: rows in, kept, quarantined by reason, missing codes."""
    by_reason = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in summary["reasons"].items() if v) or "none"
    na = sum(summary["missing_codes_to_na"].values())
    extra = []
    for key, what in (("tool_columns", "survey-tool columns recorded"), ("personal_columns", "personal columns "
                      + ("pseudonymised" if "pseudonymised" in summary.get("personal_columns", {}).values() else "dropped")),
                      ("carried_columns", "unknown columns carried")):
        if summary.get(key):
            extra.append(f"{len(summary[key])} {what}")
    return (
        f"{summary['wave']}: {summary['rows_in']} rows in, {summary['rows_kept']} kept, "
        f"{summary['rows_quarantined']} quarantined (by reason: {by_reason}; a row can have several); "
        f"{na} missing-data codes set to NA in kept rows. Source {summary['file']} "
        f"({summary['format']}, sha256 {summary['sha256'][:12]}...), codebook version {summary['codebook_version']}."
    ) + (" Columns: " + "; ".join(extra) + "." if extra else "")
