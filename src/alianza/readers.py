"""Read a survey file of any supported format into a DataFrame.

Two views of the same file:

- ``read_raw(path) -> (DataFrame, TableInfo)``: values as delivered, for
  ingestion and its quarantine. CSV cells stay text exactly as written
  (``"7,5"``, ``"007"``, ``""``), other formats keep their stored values.
  Columns are the header as delivered.
- ``read_table(path) -> DataFrame``: typed values for analysis (numbers are
  numbers; a decimal comma is honoured).

CSV: a UTF-32 or UTF-16 byte-order mark decides the encoding; otherwise it is
tried as UTF-8 (a byte-order mark is tolerated), then cp1252, then latin-1
(Spanish-locale Excel exports); the delimiter is sniffed
(csv.Sniffer on a sample, among ``; , tab |``) and the decimal mark inferred
(a comma when the delimiter is not a comma and numbers like ``7,5`` appear).

SPSS .sav and Stata .dta: values are the stored codes, not their labels; the
files' value labels are returned beside them (``TableInfo.value_labels`` and
``df.attrs["value_labels"]``, column -> {code: label}). Codes are kept because
the codebook's codes are authoritative and survive relabelling; ingestion
uses the file's labels only to check they agree with the codebook. User-
defined missing values (e.g. 9, 99) are read as the codes they are, so they
can be counted as missing codes.

Excel: .xlsx through openpyxl, .xls through xlrd (pandas' calamine engine turns
error cells into blanks, so it is not used). Qualtrics exports carry two more
header rows (question texts, then ImportId JSON): they are recognised, the texts
kept in ``TableInfo.question_texts`` and neither row counted as data.

Cells that reading would turn into a missing value although the source holds
no empty answer are never blanked silently: ``TableInfo.damaged`` maps the
0-based data row to its problems, (kind, message) with kind ``truncated_row``
(a CSV row with fewer fields than the header) or ``unreadable_cell`` (an Excel
error such as #DIV/0! or #N/A, or a formula saved without its computed value).
Ingestion quarantines those rows. SPSS user-defined missing values and Stata
extended missing values (.a ... .z) are in ``TableInfo.declared_missing``
(column -> values and (low, high) ranges) so ingestion counts them as missing codes.

Every failure (unknown format, empty file, header only, unreadable file) is an
InputError naming the file.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".xls": "xls", ".sav": "sav", ".dta": "dta", ".parquet": "parquet"}
TRUNCATED, UNREADABLE = "truncated_row", "unreadable_cell"
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
# Longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
_QUALTRICS_IMPORT = '{"importid"'
# What Excel writes for an error cell, also when it saves the sheet as CSV.
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!",
    "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})


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
    header_rows: int = 1
    question_texts: dict = field(default_factory=dict)  # header -> question text (Qualtrics' second row)
    damaged: dict = field(default_factory=dict)  # 0-based data row -> [(kind, message)]
    declared_missing: dict = field(default_factory=dict)  # header -> missing values and (low, high) ranges
    unreadable_cells: frozenset = frozenset()  # (0-based data row, header) of error / uncomputed cells


def file_format(path) -> str:
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unknown format {path.suffix or '(no extension)'!r}; supported: {', '.join(FORMATS)}", file=path
        )
    return fmt


def read_raw(path) -> tuple[pd.DataFrame, TableInfo]:
    """Values as delivered (see module doc) and how they were read."""
    path = Path(path)
    fmt = file_format(path)
    if not path.is_file():
        raise InputError("no such file", file=path)
    reader = {"csv": _csv_raw, "xlsx": _xlsx_raw, "xls": _xls_raw, "sav": _stat_raw, "dta": _stat_raw,
              "parquet": _parquet_raw}[fmt]
    df, info = reader(path, fmt)
    _check_not_empty(df, path)
    return df, info


def read_table(path) -> pd.DataFrame:
    """Typed values for analysis; SPSS/Stata value labels in df.attrs['value_labels'].

    A clean UTF-8 CSV of numbers and plain text (what analysis files mostly are) is read by
    pyarrow's CSV reader, which is several times faster on large files; anything it cannot read
    with exactly the typed view's result (other encodings, decimal commas, short rows, numbers
    with spaces, dates) goes through the full reader below."""
    path = Path(path)
    if file_format(path) == "csv" and path.is_file():
        fast = _csv_typed_fast(path)
        if fast is not None:
            return fast
    df, info = read_raw(path)
    if info.format == "csv":
        df = df.apply(lambda col: _typed_column(col, info.decimal))
    elif info.format in ("xlsx", "xls"):
        df = df.infer_objects()  # cells were read as objects to keep them as stored
    if info.value_labels:
        df.attrs["value_labels"] = info.value_labels
    return df


# ------------------------------------------------------------------------- CSV
def _csv_typed_fast(path: Path) -> pd.DataFrame | None:
    """read_table's view of a clean UTF-8 CSV by pyarrow, or None for the full reader."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as pacsv

    try:
        # only the head is read into Python (byte-order mark, delimiter); pyarrow streams the file and
        # checks its UTF-8 itself, so a 44 MB CSV costs no 44 MB copy of its bytes
        with path.open("rb") as fh:
            raw = fh.read(_SNIFF_CHARS + 1)
        if any(raw.startswith(bom) for bom, _ in _BOMS):
            return None
        head = raw[:_SNIFF_CHARS].decode("utf-8", errors="strict" if len(raw) <= _SNIFF_CHARS else "ignore")
        delim = sniff_delimiter(head)
        table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=delim),
                               convert_options=pacsv.ConvertOptions(
                                   null_values=sorted(_NA_TOKENS), strings_can_be_null=True,
                                   quoted_strings_can_be_null=True, true_values=[], false_values=[]))
    except (pa.ArrowException, UnicodeDecodeError, OSError, ValueError):
        return None
    names = table.column_names
    if (table.num_rows == 0 or len(set(names)) != len(names)
            or any(not n.strip() or _NUMBER.match(n) for n in names)):
        return None              # empty, header only, duplicate or numeric headers: the full reader says why
    for spec, column in zip(table.schema, table.columns):
        if pa.types.is_integer(spec.type) or pa.types.is_floating(spec.type):
            continue
        if pa.types.is_string(spec.type) or pa.types.is_large_string(spec.type):
            # numbers the typed view would read (decimal commas, spaces) or a text column of
            # numbers: the full reader decides
            if pc.any(pc.match_substring_regex(column, _NUMBER.pattern)).as_py():
                return None
        elif not pa.types.is_null(spec.type):
            return None          # dates, times ...: the typed view keeps them as text
    schema = table.schema
    # column by column, releasing each Arrow buffer once converted: the data is held once, not twice
    df = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    for spec in schema:
        if pa.types.is_string(spec.type) or pa.types.is_large_string(spec.type):
            df[spec.name] = df[spec.name].astype("str")      # the typed view's text dtype
        elif pa.types.is_null(spec.type):
            df[spec.name] = pd.Series([None] * len(df), dtype=object, index=df.index)
    return df


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """(text, encoding): by byte-order mark (UTF-32/UTF-16), else UTF-8 (BOM tolerated), cp1252, latin-1."""
    for bom, enc in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(enc), enc
            except UnicodeDecodeError:
                break  # a mark followed by something else: fall back to the byte guesses
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
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise InputError(f"cannot parse as CSV: {exc}", file=path) from None
    width = len(rows[0])
    damaged = {}
    for i, row in enumerate(rows[1:]):
        if len(row) > width:
            raise InputError(f"{len(row)} fields where the header has {width} (delimiter {delim!r})", file=path, row=i + 1)
        if 0 < len(row) < width:  # an empty line is an empty row, not a short one
            damaged[i] = len(row)
            row.extend([""] * (width - len(row)))
        elif not row:
            row.extend([""] * width)
    grid = [list(r) for r in rows]
    df, info_extra = _frame(grid, path)
    df = df.astype("str")  # every cell is text, as pandas.read_csv(dtype=str) gives it
    kept = info_extra["kept"]
    report: dict = {}
    for i, n_fields in damaged.items():
        i = i - (info_extra["header_rows"] - 1)
        lost = [h for j, h in kept if j >= n_fields]
        if i >= 0 and lost:
            report[i] = [(TRUNCATED, (
                f"truncated row: {n_fields} of {width} fields, nothing delivered for "
                f"{_listed(lost)}"))]
    last = len(df) - 1
    if rows[1:] and _ends_inside_quotes(text, delim) and last not in report and len(rows[-1]) <= width:
        column = _header_at(kept, len(rows[-1]) - 1)
        report[last] = [(TRUNCATED, f"truncated row: the file ends inside the quoted value of column {column!r}")]
    # A sheet saved as CSV keeps Excel's error cells as text (#DIV/0!): unreadable, not an answer.
    cells = set()
    for header in df.columns:
        for i in df.index[df[header].str.strip().isin(EXCEL_ERRORS)]:
            report.setdefault(int(i), []).append((UNREADABLE, f"Excel error {df.at[i, header].strip()} in column {header!r}"))
            cells.add((int(i), header))
    info_extra["damaged"] = dict(sorted(report.items()))
    decimal = "," if delim != "," and _has_decimal_comma(df) else "."
    return df, _info(path, fmt, info_extra, encoding=encoding, delimiter=delim, decimal=decimal,
                     unreadable_cells=frozenset(cells))


def _ends_inside_quotes(text: str, delim: str) -> bool:
    """A file cut off inside a quoted field: the lenient parse above took the rest as the value."""
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _header_at(kept, position: int) -> str:
    """The header of the delivered column at a position (or of the nearest kept one before it)."""
    names = [h for j, h in kept if j <= position]
    return names[-1] if names else kept[0][1]


def _listed(headers) -> str:
    shown = ", ".join(repr(h) for h in headers[:3])
    more = f" and {len(headers) - 3} more" if len(headers) > 3 else ""
    return f"column{'s' if len(headers) > 1 else ''} {shown}{more}"


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


# ---------------------------------------------------------------- Excel
def _xlsx_raw(path: Path, fmt: str):
    from openpyxl import load_workbook

    try:
        # Two views: cached values (what Excel showed) and formulas (to tell an uncomputed formula from a blank).
        values_book = load_workbook(path, read_only=True, data_only=True)
        formula_book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ... all mean unreadable
        raise InputError(f"cannot read as XLSX: {exc}", file=path) from None
    if not values_book.sheetnames:
        raise InputError("empty file: the workbook has no sheets", file=path)
    sheet = values_book.sheetnames[0]  # the first sheet holds the data
    grid, problems = [], {}
    formula_rows = formula_book[sheet].iter_rows()
    for r, (cells, fcells) in enumerate(zip(values_book[sheet].iter_rows(), formula_rows)):
        row = []
        for c, (cell, fcell) in enumerate(zip(cells, fcells)):
            value = cell.value
            if cell.data_type == "e":
                problems[(r, c)] = f"Excel error {value} in column {{col}}"
                value = str(value)
            elif value is None and fcell.data_type == "f":
                problems[(r, c)] = (
                    "formula without a saved value in column {col} (open and save the file in Excel or "
                    "LibreOffice to compute it)"
                )
                value = str(fcell.value)
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            row.append(value)
        grid.append(row)
    values_book.close()
    formula_book.close()
    return _sheet_frame(grid, problems, path, fmt, sheet)


def _xls_raw(path: Path, fmt: str):
    import xlrd

    try:
        book = xlrd.open_workbook(str(path))
    except Exception as exc:  # xlrd.XLRDError, struct.error, CompDocError ... all mean unreadable
        raise InputError(f"cannot read as XLS: {exc}", file=path) from None
    if book.nsheets == 0:
        raise InputError("empty file: the workbook has no sheets", file=path)
    sh = book.sheet_by_index(0)
    grid, problems = [], {}
    for r in range(sh.nrows):
        row = []
        for c in range(sh.ncols):
            kind, value = sh.cell_type(r, c), sh.cell_value(r, c)
            if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                value = None
            elif kind == xlrd.XL_CELL_ERROR:
                text = xlrd.error_text_from_code.get(value, f"#ERR{value}")
                problems[(r, c)] = f"Excel error {text} in column {{col}}"
                value = text
            elif kind == xlrd.XL_CELL_DATE:
                value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
            elif kind == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            row.append(value)
        grid.append(row)
    return _sheet_frame(grid, problems, path, fmt, sh.name)


def _sheet_frame(grid, problems, path, fmt, sheet):
    while grid and all(_blank(v) for v in grid[-1]):
        grid.pop()  # formatted but empty rows at the end are not records
    if not grid:
        raise InputError(f"empty file: sheet {sheet!r} has no header and no data rows", file=path)
    width = max(len(r) for r in grid)
    grid = [list(r) + [None] * (width - len(r)) for r in grid]
    grid[0] = ["" if _blank(h) else _cell_text(h) for h in grid[0]]
    df, extra = _frame(grid, path)
    names = dict(extra["kept"])
    damaged: dict = {}
    cells = set()
    for (r, c), message in sorted(problems.items()):
        i = r - extra["header_rows"]
        if i >= 0 and c in names:
            damaged.setdefault(i, []).append((UNREADABLE, message.format(col=repr(names[c]))))
            cells.add((i, names[c]))
    extra["damaged"] = damaged
    return df, _info(path, fmt, extra, sheet=str(sheet), unreadable_cells=frozenset(cells))


# ------------------------------------------------------------ other formats
def _stat_raw(path: Path, fmt: str):
    import pyreadstat

    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    try:
        df, meta = read(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError/PyreadstatError
        raise InputError(f"cannot read as {fmt.upper()}: {exc}", file=path) from None
    labels = {col: dict(lab) for col, lab in (meta.variable_value_labels or {}).items()}
    # SPSS user-missing values and ranges; Stata extended missing values (.a-.z, read as 'a'-'z').
    declared: dict = {}
    for col, values in (getattr(meta, "missing_user_values", None) or {}).items():
        declared.setdefault(col, []).extend(values)
    for col, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        declared.setdefault(col, []).extend((r["lo"], r["hi"]) for r in ranges)
    return df, TableInfo(str(path), fmt, encoding=getattr(meta, "file_encoding", None), value_labels=labels,
                         declared_missing={c: tuple(v) for c, v in declared.items()})


def _parquet_raw(path: Path, fmt: str):
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow.ArrowInvalid and friends
        raise InputError(f"cannot read as Parquet: {exc}", file=path) from None
    return df, TableInfo(str(path), fmt)


def is_declared_missing(info: TableInfo, header: str, value) -> bool:
    """Whether the file itself declares this cell a missing value (SPSS user missing, Stata .a-.z)."""
    for spec in info.declared_missing.get(header, ()):
        if isinstance(spec, tuple):
            if isinstance(value, (int, float)) and not isinstance(value, bool) and spec[0] <= value <= spec[1]:
                return True
        elif value == spec:
            return True
    return False


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


def _frame(grid: list[list], path: Path):
    """Header row(s) + body of a grid of cells -> DataFrame and what was learnt on the way."""
    header = [str(h) for h in grid[0]]
    body_rows = grid[1:]
    header_rows, texts_row = 1, None
    if len(body_rows) >= 2 and _is_qualtrics_import_row(body_rows[1]):
        texts_row, body_rows, header_rows = body_rows[0], body_rows[2:], 3
    body = pd.DataFrame(body_rows, columns=range(len(header)), dtype=object)
    kept = _header_columns(body, header, path)
    df = body.iloc[:, [j for j, _ in kept]].copy()
    df.columns = [h for _, h in kept]
    df = df.reset_index(drop=True)
    texts = {} if texts_row is None else {h: _cell_text(texts_row[j]) for j, h in kept}
    return df, {"kept": kept, "header_rows": header_rows, "question_texts": texts}


def _info(path, fmt, extra, **kw) -> TableInfo:
    return TableInfo(str(path), fmt, header_rows=extra["header_rows"], question_texts=extra["question_texts"],
                     damaged=extra.get("damaged", {}), **kw)


def _is_qualtrics_import_row(row) -> bool:
    cells = [str(v).strip().lower() for v in row if not _blank(v)]
    return bool(cells) and sum(c.startswith(_QUALTRICS_IMPORT) for c in cells) > len(cells) / 2


def _header_columns(body: pd.DataFrame, header: list[str], path: Path) -> list[tuple[int, str]]:
    """(position, header) of the columns kept; blank headers are allowed only on empty columns (export artifacts)."""
    keep, seen = [], {}
    for j, name in enumerate(header):
        if not name.strip():
            if body.iloc[:, j].map(_blank).all():
                continue
            raise InputError(f"column {j + 1} has data but no header", file=path)
        if name in seen:
            raise InputError(f"duplicate column header {name!r} (columns {seen[name] + 1} and {j + 1})", file=path)
        seen[name] = j
        keep.append((j, name))
    return keep


def _check_not_empty(df: pd.DataFrame, path: Path) -> None:
    if df.shape[1] == 0:
        raise InputError("empty file: no header", file=path)
    if df.shape[0] == 0:
        raise InputError("no data rows (header only)", file=path)
