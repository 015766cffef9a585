"""Read a survey file of any supported format into a DataFrame.

Two views of the same file:

- ``read_raw(path) -> (DataFrame, TableInfo)``: values as delivered, for
  ingestion and its quarantine. CSV cells stay text exactly as written
  (``"7,5"``, ``"007"``, ``""``), other formats keep their stored values.
  Columns are the header as delivered.
- ``read_table(path) -> DataFrame``: typed values for analysis (numbers are
  numbers; a decimal comma is honoured).

CSV: the encoding is tried as UTF-8 (a byte-order mark is tolerated), then
cp1252, then latin-1 (Spanish-locale Excel exports); the delimiter is sniffed
(csv.Sniffer on a sample, among ``; , tab |``) and the decimal mark inferred
(a comma when the delimiter is not a comma and numbers like ``7,5`` appear).

SPSS .sav and Stata .dta: values are the stored codes, not their labels; the
files' value labels are returned beside them (``TableInfo.value_labels`` and
``df.attrs["value_labels"]``, column -> {code: label}). Codes are kept because
the codebook's codes are authoritative and survive relabelling; ingestion
uses the file's labels only to check they agree with the codebook. User-
defined missing values (e.g. 9, 99) are read as the codes they are, so they
can be counted as missing codes.

Every failure (unknown format, empty file, header only, unreadable file) is an
InputError naming the file.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".sav": "sav", ".dta": "dta", ".parquet": "parquet"}
_DELIMITERS = ";,\t|"
_SNIFF_CHARS = 64 * 1024
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
# pandas.read_csv's default missing-value tokens: the typed view reads a CSV as pandas would
# (R writes NA). The raw view keeps them as text; ingestion follows the codebook's missing labels.
_NA_TOKENS = frozenset({
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
})
_NUMBER = re.compile(r"^\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*$")


@dataclass(frozen=True)
class TableInfo:
    """How a file was read: what a reviewer needs to reproduce the parse."""

    path: str
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    sheet: str | None = None
    value_labels: dict = field(default_factory=dict)


def file_format(path) -> str:
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        hint = " (save it as .xlsx)" if path.suffix.lower() == ".xls" else ""
        raise InputError(
            f"unknown format {path.suffix or '(no extension)'!r}{hint}; supported: {', '.join(FORMATS)}", file=path
        )
    return fmt


def read_raw(path) -> tuple[pd.DataFrame, TableInfo]:
    """Values as delivered (see module doc) and how they were read."""
    path = Path(path)
    fmt = file_format(path)
    if not path.is_file():
        raise InputError("no such file", file=path)
    reader = {"csv": _csv_raw, "xlsx": _xlsx_raw, "sav": _stat_raw, "dta": _stat_raw, "parquet": _parquet_raw}[fmt]
    df, info = reader(path, fmt)
    _check_not_empty(df, path)
    return df, info


def read_table(path) -> pd.DataFrame:
    """Typed values for analysis; SPSS/Stata value labels in df.attrs['value_labels']."""
    df, info = read_raw(path)
    if info.format == "csv":
        df = df.apply(lambda col: _typed_column(col, info.decimal))
    elif info.format == "xlsx":
        df = df.infer_objects()  # cells were read as objects to keep them as stored
    if info.value_labels:
        df.attrs["value_labels"] = info.value_labels
    return df


# ------------------------------------------------------------------------- CSV
def decode_bytes(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM tolerated), else cp1252, else latin-1 (which never fails)."""
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        return text, ("utf-8" if enc == "utf-8-sig" else enc)
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def sniff_delimiter(text: str) -> str:
    sample = text[:_SNIFF_CHARS]
    lines = [l for l in sample.splitlines() if l.strip()][:50]
    if len(sample) == _SNIFF_CHARS and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut
    try:
        delim = csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delim = None
    if delim is None or not _consistent(lines, delim):
        # Sniffer can be fooled (e.g. decimal commas); take the delimiter that splits
        # the header into most columns and every line into the same count.
        best = max(_DELIMITERS, key=lambda d: (_consistent(lines, d), lines[0].count(d) if lines else 0))
        delim = best if lines and lines[0].count(best) else ","
    return delim


def _consistent(lines, delim) -> bool:
    if not lines:
        return False
    counts = {len(next(csv.reader([l], delimiter=delim))) for l in lines}
    return len(counts) == 1 and counts.pop() > 1


def _csv_raw(path: Path, fmt: str):
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=path) from None
    text, encoding = decode_bytes(raw)
    # Trailing empty lines are not records (editors add them); empty lines inside are kept as rows.
    text = text.rstrip("\r\n")
    if not text.strip():
        raise InputError("empty file: no header and no data rows", file=path)
    delim = sniff_delimiter(text)
    try:
        grid = pd.read_csv(
            io.StringIO(text), sep=delim, header=None, dtype=str, keep_default_na=False,
            na_filter=False, skip_blank_lines=False, engine="c",
        )
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise InputError(
                f"{m.group(3)} fields where the header has {m.group(1)} (delimiter {delim!r})",
                file=path, row=int(m.group(2)) - 1,
            ) from None
        raise InputError(f"cannot parse as CSV: {exc}", file=path) from None
    header = [str(h) for h in grid.iloc[0].tolist()]
    body = grid.iloc[1:].reset_index(drop=True)
    df = _with_header(body, header, path)
    decimal = "," if delim != "," and _has_decimal_comma(df) else "."
    return df, TableInfo(str(path), fmt, encoding=encoding, delimiter=delim, decimal=decimal)


def _has_decimal_comma(df: pd.DataFrame) -> bool:
    for col in df.columns:
        if df[col].astype(str).str.match(_DECIMAL_COMMA).any():
            return True
    return False


def _typed_column(col: pd.Series, decimal: str | None) -> pd.Series:
    text = col.astype(str).str.strip()
    blank = text.isin(_NA_TOKENS)
    if blank.all() or not text[~blank].str.match(_NUMBER).all():
        return col.where(~blank, None)  # text column: blanks become missing
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    values = pd.to_numeric(text.where(~blank, None), errors="coerce")
    if not values.isna().any() and (values % 1 == 0).all():
        return values.astype("int64")
    return values.astype("float64")


# ------------------------------------------------------------ other formats
def _xlsx_raw(path: Path, fmt: str):
    try:
        book = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ... all mean unreadable
        raise InputError(f"cannot read as XLSX: {exc}", file=path) from None
    if not book:
        raise InputError("empty file: the workbook has no sheets", file=path)
    sheet, grid = next(iter(book.items()))  # the first sheet holds the data
    if grid.empty:
        raise InputError(f"empty file: sheet {sheet!r} has no header and no data rows", file=path)
    header = ["" if _blank(h) else _cell_text(h) for h in grid.iloc[0].tolist()]
    body = grid.iloc[1:].reset_index(drop=True)
    return _with_header(body, header, path), TableInfo(str(path), fmt, sheet=str(sheet))


def _stat_raw(path: Path, fmt: str):
    import pyreadstat

    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    try:
        df, meta = read(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError/PyreadstatError
        raise InputError(f"cannot read as {fmt.upper()}: {exc}", file=path) from None
    labels = {col: dict(lab) for col, lab in (meta.variable_value_labels or {}).items()}
    return df, TableInfo(str(path), fmt, encoding=getattr(meta, "file_encoding", None), value_labels=labels)


def _parquet_raw(path: Path, fmt: str):
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow.ArrowInvalid and friends
        raise InputError(f"cannot read as Parquet: {exc}", file=path) from None
    return df, TableInfo(str(path), fmt)


# ------------------------------------------------------------------ helpers
def _blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and not value.strip()


def _cell_text(value) -> str:
    """A stored cell as the text a person would read: 3.0 -> '3', 7.5 -> '7.5', blank -> ''."""
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _with_header(body: pd.DataFrame, header: list[str], path: Path) -> pd.DataFrame:
    """Attach the delivered header; blank headers are allowed only on empty columns (export artifacts)."""
    keep, names, seen = [], [], {}
    for j, name in enumerate(header):
        col = body.iloc[:, j]
        if not name.strip():
            if col.map(_blank).all():
                continue
            raise InputError(f"column {j + 1} has data but no header", file=path)
        if name in seen:
            raise InputError(f"duplicate column header {name!r} (columns {seen[name] + 1} and {j + 1})", file=path)
        seen[name] = j
        keep.append(j)
        names.append(name)
    df = body.iloc[:, keep].copy()
    df.columns = names
    return df


def _check_not_empty(df: pd.DataFrame, path: Path) -> None:
    if df.shape[1] == 0:
        raise InputError("empty file: no header", file=path)
    if df.shape[0] == 0:
        raise InputError("no data rows (header only)", file=path)
