"""Turn delivered cell values into the codebook's codes, one column at a time.

A cell is one of:

- ``blank``: empty -> NA;
- ``missing``: a missing-data code (9, 99) or label ("NS/NC") -> NA, counted;
- ``value``: a valid code, a number in range, or a text label mapped to its code
  (Spanish or English, ignoring case and accents);
- ``invalid``: a number the respondent (or data entry) got wrong: out of range
  (6, 0, 55) or not an integer (3,5) -> a row-level problem, quarantined.

A text answer that matches no label of the codebook is not the respondent's
fault but the codebook's (or the file's): it is a file-level InputError naming
the file, the column and the first row where it occurs.
"""
from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .codebook import Codebook, Variable, normalize_text
from .errors import InputError
from .survey_design import design_columns

_INT_TEXT = re.compile(r"^[-+]?\d+(?:[.,]0*)?$")
_NUM_TEXT = re.compile(r"^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$")

BLANK, MISSING, VALUE, INVALID = "blank", "missing", "value", "invalid"


@dataclass
class CodedColumn:
    """One column after coding: values (NA where not a valid value) and what each cell was."""

    values: pd.Series  # object: int / float / str, or None
    status: pd.Series  # BLANK | MISSING | VALUE | INVALID
    problem: pd.Series  # text naming the invalid value (None elsewhere)


def cell_text(value) -> str:
    """A delivered cell as text, as a person would read it: 3.0 -> '3', NaN -> ''."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def delivered_text(value) -> str:
    """A cell for the quarantine file: text exactly as delivered, stored numbers as a person reads them."""
    if isinstance(value, str):
        return value
    return cell_text(value)


def is_blank(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _as_number(value) -> float | None:
    """A numeric cell or numeric text ('7,5', ' 3 ') as a float; None if it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if _NUM_TEXT.match(text):
            return float(text.replace(",", "."))
    return None


def code_column(raw: pd.Series, var: Variable, codebook: Codebook, *, file, header: str,
                declared_missing=None) -> CodedColumn:
    """Code every cell of one delivered column (see module doc).

    declared_missing: a predicate on a cell, true where the file itself declares a missing value
    (SPSS user-missing, Stata .a-.z); those cells count as missing codes.
    """
    labels = codebook.label_map(var) if var.coded else None
    missing_texts = {normalize_text(lab[lang]) for lab in codebook.missing_labels for lang in ("es", "en")}
    # text in a numeric column stops the file, except in the sampling weights: that row is quarantined
    weights = design_columns(codebook).get("weights") == var.name
    cache: dict = {}
    values, status, problem = [], [], []
    for pos, cell in enumerate(raw.tolist()):
        key = (type(cell).__name__, cell_text(cell))
        if key not in cache:
            if declared_missing is not None and not is_blank(cell) and declared_missing(cell):
                cache[key] = (MISSING, None, None)
            else:
                try:
                    cache[key] = _code_cell(cell, var, labels, missing_texts, file=file, header=header,
                                            row=pos + 1)
                except InputError:
                    if not weights:
                        raise
                    cache[key] = (INVALID, None, f"sampling weight {cell_text(cell).strip()!r} is not a "
                                                 f"number in column {var.name!r}")
        st, val, prob = cache[key]
        status.append(st)
        values.append(val)
        problem.append(prob)
    index = raw.index
    return CodedColumn(
        values=pd.Series(values, index=index, dtype=object),
        status=pd.Series(status, index=index, dtype=object),
        problem=pd.Series(problem, index=index, dtype=object),
    )


def _code_cell(cell, var: Variable, labels, missing_texts, *, file, header, row):
    if is_blank(cell):
        return BLANK, None, None
    shown = cell_text(cell).strip()
    if var.type == "id":
        return VALUE, shown, None
    number = _as_number(cell)
    if var.coded:
        if number is not None:
            if not number.is_integer():
                return INVALID, None, f"non-integer value {shown!r} in column {var.name!r}"
            code = int(number)
            if code in var.missing_codes:
                return MISSING, None, None
            if code in var.code_labels:
                return VALUE, code, None
            return INVALID, None, f"out-of-range value {shown!r} in column {var.name!r}"
        if isinstance(cell, str):
            norm = normalize_text(cell)
            if norm in labels:
                code = labels[norm]
                return (MISSING, None, None) if code is None else (VALUE, code, None)
        raise InputError(
            f"unknown answer label {shown!r} (not a code or label of the codebook's {var.key})",
            file=file, column=header, row=row,
        )
    # integer / number
    if number is not None:
        if number in var.missing_codes:
            return MISSING, None, None
        if var.type == "integer" and not number.is_integer():
            return INVALID, None, f"non-integer value {shown!r} in column {var.name!r}"
        if not (var.minimum <= number <= var.maximum):
            return INVALID, None, (
                f"out-of-range value {shown!r} in column {var.name!r} (allowed {_fmt(var.minimum)}..{_fmt(var.maximum)})"
            )
        return VALUE, (int(number) if var.type == "integer" else number), None
    if isinstance(cell, str) and normalize_text(cell) in missing_texts:
        return MISSING, None, None
    raise InputError(f"{shown!r} is not a number (codebook {var.key})", file=file, column=header, row=row)


def _fmt(x) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
