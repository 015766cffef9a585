"""The manuscript-table model shared by every writer: columns, raw values, APA 7 number formats.

A table is built once (ApaTable: raw values at full precision plus how each column
is to be shown) and written to LaTeX, Word, Markdown, HTML and CSV by
alianza.tables.writers / alianza.tables.word. The CSV keeps the raw values; every
other format shows them with APA 7 rules:

- no leading zero for statistics that cannot exceed 1 in absolute value
  (correlations, standardized coefficients, p, CFI, RMSEA, SRMR, reliabilities,
  AVE); a leading zero for those that can (HTMT, TLI, unstandardized estimates);
- p with three decimals, and "< .001" below that;
- the same number of decimals within a column; a true minus sign; an em dash
  for a cell that has no value (e.g. the SE of a loading fixed to 1).

Decimal separator: APA-style journals in Spanish differ (some ask for the comma).
We keep the point in both languages -- it is what Mexican usage, APA 7 and the
statistical software share, and it keeps the tables identical across languages --
and use the comma only as the thousands separator (APA 7, 6.38).

Text may carry four tags of markup, <i>...</i> (italics: statistical symbols),
<b>...</b>, <sub>...</sub> and <sup>...</sup> (the letter of a specific note); each writer
converts them to its own markup.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from ..i18n import t

MINUS = "\u2212"
DASH = "\u2014"
GROUP = "_group"  # optional body column: rows are shown under a group heading when it changes
KINDS = ("text", "int", "num", "bounded", "p", "pct", "ci", "bool")
_TAG = re.compile(r"(</?(?:i|sub|sup|b)>)")


def missing(x) -> bool:
    if x is None or x is pd.NA:
        return True
    if isinstance(x, float):
        return math.isnan(x)
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):  # list-likes are values, not missing
        return False


def fmt_num(x, decimals: int = 2, *, leading_zero: bool = True, thousands: bool = True) -> str:
    """APA number: fixed decimals, true minus, no '-0.00', optional leading zero."""
    if missing(x):
        return DASH
    x = float(x)
    body = f"{abs(x):,.{decimals}f}" if thousands else f"{abs(x):.{decimals}f}"
    if not leading_zero and body.startswith("0."):
        body = body[1:]
    negative = x < 0 and any(ch not in "0.," for ch in body)  # a value that rounds to zero has no sign
    return (MINUS if negative else "") + body


def fmt_bounded(x, decimals: int = 2) -> str:
    """A statistic bounded by 1 (correlation, beta, CFI, RMSEA, reliability): no leading zero."""
    return fmt_num(x, decimals, leading_zero=False)


def fmt_int(x, thousands: bool = True) -> str:
    if missing(x):
        return DASH
    return f"{int(round(float(x))):,}" if thousands else str(int(round(float(x))))


def fmt_p(p, decimals: int = 3) -> str:
    """p-value cell: '.045', '< .001' (APA 7: exact p to three decimals, no leading zero)."""
    if missing(p):
        return DASH
    if p < 10 ** (-decimals):
        return "< ." + "0" * (decimals - 1) + "1"
    return fmt_num(p, decimals, leading_zero=False)


def fmt_p_text(p, decimals: int = 3) -> str:
    """p in running text: '= .045' or '< .001'."""
    cell = fmt_p(p, decimals)
    return cell if cell.startswith("<") or cell == DASH else "= " + cell


# How each statistic is shown everywhere (tables, notes, figures, the HTML page): decimals, and whether
# it is bounded by 1 in absolute value (APA 7, 6.36: no leading zero). TLI can exceed 1 a little but is
# read on the CFI's scale, so it is shown like the CFI (".982" beside ".985", not "0.982").
# Fit indices and products of paths take three decimals (small values; APA 7, 6.36); the rest two.
STATISTICS: dict[str, tuple[int, bool]] = {
    "cfi": (3, True), "tli": (3, True), "rmsea": (3, True), "srmr": (3, True), "gfi": (3, True),
    "agfi": (3, True), "delta_cfi": (3, True), "delta_rmsea": (3, True), "delta_srmr": (3, True),
    "p": (3, True), "r": (2, True), "beta": (2, True), "r2": (2, True), "alpha": (2, True), "omega": (2, True),
    "cr": (2, True), "ave": (2, True), "kmo": (2, True), "variance_share": (2, True), "loading": (2, True),
    "chisq": (2, False), "chisq_df": (2, False), "aic": (2, False), "bic": (2, False), "est": (2, False),
    "se": (2, False), "z": (2, False), "htmt": (2, False), "indirect": (3, False), "indirect_beta": (3, True),
    "mardia": (2, False), "eigen": (2, False),
}


def stat_format(stat: str) -> tuple[int, bool]:
    """(decimals, leading zero) of a statistic of STATISTICS."""
    decimals, bounded = STATISTICS[stat]
    return decimals, not bounded


def fmt_stat(stat: str, x, decimals: int | None = None) -> str:
    """A statistic with its own decimals and leading-zero rule ('cfi' .985, 'tli' .982, 'chisq' 12.30)."""
    d, lz = stat_format(stat)
    if stat == "p":
        return fmt_p(x, d if decimals is None else decimals)
    return fmt_num(x, d if decimals is None else decimals, leading_zero=lz)


def fmt_apart(stat: str, x, threshold) -> str:
    """`x` with as many more decimals (up to 4) as it takes not to look equal to `threshold`: an AVE of
    .497 against .50 reads '.497', not '.50' flagged as below .50."""
    d = stat_format(stat)[0]
    text = fmt_stat(stat, x)
    while not missing(threshold) and not missing(x) and text == fmt_stat(stat, threshold, d) and d < 4 \
            and float(x) != float(threshold):
        d += 1
        text = fmt_stat(stat, x, d)
    return text


def stars(p) -> str:
    if missing(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def fmt_ci(lower, upper, decimals: int = 2, *, leading_zero: bool = True) -> str:
    if missing(lower) or missing(upper):
        return DASH
    lo, hi = (fmt_num(v, decimals, leading_zero=leading_zero) for v in (lower, upper))
    return f"[{lo}, {hi}]"


def plain(text: str) -> str:
    """Markup removed (CSV headers, alt text)."""
    return _TAG.sub("", text)


def _char_width(ch: str) -> float:
    """Advance width of a character in Times New Roman 12 pt, in inches, roughly (layout estimates only)."""
    if ch in "il.,;:'|! \u200b":
        return 0.042
    if ch in "()[]-fjrt":
        return 0.056
    if ch.isdigit() or ch in "$*+=<>\u2212\u2264\u2265":
        return 0.0833
    if ch in "MW%\u2014\u2192":
        return 0.15
    if ch.isupper() or ch in "mw":
        return 0.115
    return 0.075


def text_width(text: str) -> float:
    """Estimated printed width of a cell (markup removed), Times New Roman 12 pt, inches."""
    return sum(_char_width(ch) for ch in plain(text))


def wrap_words(text: str, width: float) -> list[str]:
    """Greedy line breaking at spaces (and after underscores, for ids such as wave names) so that each
    line is at most `width` inches; a word longer than that stays whole."""
    lines: list[str] = []
    for word in re.sub(r"_(?=[^_\s])", "_ ", text).split(" "):
        glue = "" if lines and lines[-1].endswith("_") else " "
        if lines and text_width(lines[-1] + glue + word) <= width:
            lines[-1] += glue + word
        else:
            lines.append(word)
    return lines


class Run(NamedTuple):
    text: str
    italic: bool = False
    sub: bool = False
    bold: bool = False
    sup: bool = False  # superscript: the letter of a specific note (APA 7, 7.14)


def split_markup(text: str) -> list[Run]:
    """'<i>M</i> (<i>SD</i>)' -> [Run('M', italic=True), Run(' ('), ...] for writers that build runs."""
    out: list[Run] = []
    state = {"i": False, "sub": False, "b": False, "sup": False}
    for part in _TAG.split(text):
        m = _TAG.fullmatch(part) if part else None
        if m:
            state[part.strip("</>")] = not part.startswith("</")
        elif part:
            out.append(Run(part, state["i"], state["sub"], state["b"], state["sup"]))
    return out


@dataclass
class Column:
    """How one column is shown. `key` names a body column; a 'ci' column takes (lower_key, upper_key)."""

    key: str | tuple[str, str]
    header: str
    kind: str = "num"
    decimals: int | None = None  # None: the table's default
    spanner: str | None = None  # heading over adjacent columns sharing it
    align: str | None = None  # l, c, r; default: l for text, r for numbers
    width: float | None = None  # inches; wraps long text (Word, LaTeX p{})
    stars_from: str | None = None  # body column of p-values: append *, **, ***
    leading_zero: bool | None = None  # override the kind's rule (ci, num)
    thousands: bool = True
    csv_header: str | list[str] | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if (self.kind == "ci") != isinstance(self.key, tuple) or (self.kind == "ci" and len(self.key) not in (2, 3)):
            raise ValueError("a 'ci' column takes a (lower, upper) or (estimate, lower, upper) key tuple, and only it")

    @property
    def alignment(self) -> str:
        return self.align or ("l" if self.kind == "text" else "r")

    def keys(self) -> list[str]:
        return list(self.key) if isinstance(self.key, tuple) else [self.key]


def stat_column(key, header: str, stat: str, **kw) -> Column:
    """A column showing statistic `stat` with its STATISTICS format (a 'ci' column when `key` is a tuple)."""
    d, lz = stat_format(stat)
    kw.setdefault("decimals", d)
    if isinstance(key, tuple):
        return Column(key, header, kind="ci", leading_zero=lz, **kw)
    kind = "p" if stat == "p" else "num" if lz else "bounded"
    return Column(key, header, kind=kind, **kw)


@dataclass
class ApaTable:
    """One manuscript table: raw values, column formats, title and notes, in one language."""

    name: str  # file stem: reliability, fit_indices, ...
    title: str
    columns: list[Column]
    body: pd.DataFrame
    lang: str
    notes: list[str] = field(default_factory=list)  # general note, then probability note (one paragraph each)
    number: int | str | None = None  # 'S1' for supplementary tables
    decimals: int = 2
    p_decimals: int = 3
    group_header: str | None = None  # CSV header of the group column
    landscape: bool = False
    raw: pd.DataFrame | None = None  # CSV content when the body holds pre-formatted text
    provenance: str | None = None  # one line naming the provenance record (comments / document properties)

    def __post_init__(self):
        missing_cols = [k for c in self.columns for k in c.keys() if k not in self.body.columns]
        missing_cols += [c.stars_from for c in self.columns if c.stars_from and c.stars_from not in self.body.columns]
        if missing_cols:
            raise KeyError(f"table {self.name}: body has no column {missing_cols[0]!r}")

    # -------------------------------------------------------------- headings
    @property
    def label(self) -> str:
        from ..i18n import t

        return f"{t('table', self.lang)} {self.number}" if self.number is not None else t("table", self.lang)

    @property
    def has_spanners(self) -> bool:
        return any(c.spanner for c in self.columns)

    def spanner_row(self) -> list[tuple[str, int]]:
        """(text, width) runs over the columns; '' where a column has no spanner."""
        runs: list[tuple[str, int]] = []
        for c in self.columns:
            text = c.spanner or ""
            if runs and text and runs[-1][0] == text:
                runs[-1] = (text, runs[-1][1] + 1)
            else:
                runs.append((text, 1))
        return runs

    # -------------------------------------------------------------- cells
    def cell(self, col: Column, row) -> str:
        d = self.decimals if col.decimals is None else col.decimals
        if col.kind == "ci":
            lz = True if col.leading_zero is None else col.leading_zero
            ci = fmt_ci(row[col.key[-2]], row[col.key[-1]], d, leading_zero=lz)
            if len(col.key) == 3:  # 'estimate [lower, upper]' in one cell
                est = fmt_num(row[col.key[0]], d, leading_zero=lz)
                return est if ci == DASH else f"{est} {ci}"
            return ci
        v = row[col.key]
        if col.kind == "text":
            text = DASH if missing(v) else str(v)
        elif col.kind == "int":
            text = fmt_int(v, col.thousands)
        elif col.kind == "p":
            text = fmt_p(v, self.p_decimals if col.decimals is None else col.decimals)
        elif col.kind == "pct":
            text = fmt_num(v, 1 if col.decimals is None else col.decimals)
        elif col.kind == "bool":
            from ..i18n import t

            text = DASH if missing(v) else t("yes" if bool(v) else "no", self.lang)
        else:
            lz = (col.kind == "num") if col.leading_zero is None else col.leading_zero
            text = fmt_num(v, d, leading_zero=lz, thousands=col.thousands)
        if col.stars_from and text != DASH:
            text += stars(row[col.stars_from])
        return text

    @property
    def grouped(self) -> bool:
        return GROUP in self.body.columns and any(not missing(g) and str(g) for g in self.body[GROUP])

    def in_group(self) -> list[bool]:
        """Per body row: does it sit under a group heading (indented in the first column)?"""
        if GROUP not in self.body.columns:
            return [False] * len(self.body)
        return [not missing(g) and bool(str(g)) for g in self.body[GROUP]]

    def rows(self) -> list[tuple[str, object]]:
        """('group', heading) and ('row', [cell, ...]) in display order, cells with markup."""
        out: list[tuple[str, object]] = []
        current = object()
        for _, row in self.body.iterrows():
            if GROUP in self.body.columns and row[GROUP] != current:
                current = row[GROUP]
                if not missing(current) and str(current):
                    out.append(("group", str(current)))
            out.append(("row", [self.cell(c, row) for c in self.columns]))
        return out

    def n_data_rows(self) -> int:
        return len(self.body)

    # -------------------------------------------------------------- CSV
    def csv_frame(self) -> pd.DataFrame:
        """Full-precision values under plain-text headers (group column first when there is one)."""
        if self.raw is not None:
            return self.raw
        out = {}
        if GROUP in self.body.columns:
            out[self.group_header or "group"] = self.body[GROUP].to_numpy()
        for c in self.columns:
            if c.kind == "ci":
                base = f"{plain(c.spanner or c.header)} {plain(c.header) if c.spanner else ''}".strip()
                suffixes = ((" estimate",) if len(c.key) == 3 else ()) + (" lower", " upper")
                names = c.csv_header or [base + s for s in suffixes]
                for name, key in zip(names, c.key):
                    out[name] = self.body[key].to_numpy()
            else:
                name = c.csv_header or (f"{plain(c.spanner)} {plain(c.header)}" if c.spanner else plain(c.header))
                out[name] = self.body[c.key].to_numpy()
        return pd.DataFrame(out)


def note_paragraphs(table: ApaTable) -> list[str]:
    """'<i>Nota.</i> general note' then any further notes (probability note) as their own paragraphs."""
    if not table.notes:
        return []
    first = f"<i>{t('note', table.lang)}</i> {table.notes[0]}"
    return [first, *table.notes[1:]]
