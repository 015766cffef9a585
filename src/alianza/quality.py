"""Row-level quality checks of a coded wave: which rows go to quarantine, and why.

Each check returns, per row, problems as (kind, message). `kind` is what the
summary counts (one of REASONS); `message` is what the quarantine file says,
naming the column, the value or the other row involved. The thresholds come
from the codebook's `quality:` section.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .codebook import Codebook
from .coding import BLANK, INVALID, MISSING, VALUE
from .survey_design import design_columns

# Every reason a row can be quarantined for, in the order messages are listed.
REASONS = (
    "empty_row",
    "no_consent",
    "truncated_row",
    "unreadable_cell",
    "missing_id",
    "exact_duplicate",
    "conflicting_duplicate",
    "out_of_range",
    "failed_attention_check",
    "straight_lining",
    "partial_complete",
    "invalid_design",
)


def row_problems(
    values: pd.DataFrame,
    status: pd.DataFrame,
    problem: pd.DataFrame,
    codebook: Codebook,
    source_row: pd.Series,
) -> list[list[tuple[str, str]]]:
    """Problems of every row (empty list = the row is kept).

    values/status/problem: one column per codebook variable present in the file
    (see alianza.coding), aligned on the same index as source_row.
    """
    n = len(values)
    out: list[list[tuple[str, str]]] = [[] for _ in range(n)]
    idname = codebook.id.name
    empty = status.eq(BLANK).all(axis=1).to_numpy()
    for i in np.flatnonzero(empty):
        out[i].append(("empty_row", "empty row"))
    live = ~empty  # an empty row has no other problem worth listing

    ids = values[idname]
    for i in np.flatnonzero(live & ids.isna().to_numpy()):
        out[i].append(("missing_id", f"missing {idname}"))

    _duplicates(values, status, problem, ids, source_row, live, out)

    for col in problem.columns:
        for i in np.flatnonzero(live & status[col].eq(INVALID).to_numpy()):
            out[i].append(("out_of_range", problem[col].iat[i]))

    _design(values, status, codebook, live, out)
    _attention(values, status, codebook, live, out)

    items = [c for c in codebook.items() if c in values.columns]
    item_status = status[items]
    valid = item_status.eq(VALUE).to_numpy()
    answers = values[items].where(item_status.eq(VALUE)).astype(float).to_numpy()
    answered = valid.sum(axis=1)
    missing = item_status.isin([BLANK, MISSING]).sum(axis=1).to_numpy()
    q = codebook.quality
    if q["straight_lining"]["enabled"] and items:
        need = q["straight_lining"]["min_answered_share"] * len(items)
        lo = np.where(valid, answers, np.inf).min(axis=1)
        hi = np.where(valid, answers, -np.inf).max(axis=1)
        for i in np.flatnonzero(live & (answered > 1) & (answered >= need) & (lo == hi)):
            out[i].append((
                "straight_lining",
                f"straight-lining: the same answer ({int(lo[i])}) to all {answered[i]} answered items",
            ))
    limit = q["partial_complete"]["max_missing_share"]
    if items:
        for i in np.flatnonzero(live & (missing / len(items) > limit)):
            out[i].append((
                "partial_complete",
                f"partial complete: {missing[i]} of {len(items)} items missing (more than {limit:.0%})",
            ))
    return out


def _duplicates(values, status, problem, ids, source_row, live, out) -> None:
    """Same firm twice: identical rows keep the first; differing rows are all quarantined (no way to know which is right)."""
    # A row's content: codes where valid, the delivered text where invalid, NA where missing.
    content = values.astype(object).where(status.ne(INVALID), problem)
    content = content.where(~status.isin([BLANK, MISSING]), "<NA>").astype(str)
    has_id = [live[i] and ids.iat[i] is not None for i in range(len(ids))]
    groups: dict[str, list[int]] = {}
    for i, fid in enumerate(ids.tolist()):
        if has_id[i]:
            groups.setdefault(fid, []).append(i)
    for fid, rows in groups.items():
        if len(rows) < 2:
            continue
        signatures = {tuple(content.iloc[i].tolist()) for i in rows}
        if len(signatures) == 1:
            first = int(source_row.iat[rows[0]])
            for i in rows[1:]:
                out[i].append(("exact_duplicate", f"exact duplicate of row {first}"))
        else:
            listed = ", ".join(str(int(source_row.iat[i])) for i in rows)
            for i in rows:
                out[i].append(("conflicting_duplicate", f"conflicting duplicate {ids.name} {fid!r} (rows {listed})"))


def _attention(values, status, codebook, live, out) -> None:
    att = codebook.attention
    rule = codebook.quality["attention_check"]
    if att is None or not rule["enabled"] or att.name not in values.columns:
        return
    expected = codebook.data["attention"]["expected"]
    want = f"{expected} ({att.code_labels[expected]['es']!r})"
    for i in range(len(values)):
        if not live[i]:
            continue
        st = status[att.name].iat[i]
        if st == VALUE and values[att.name].iat[i] != expected:
            got = values[att.name].iat[i]
            out[i].append((
                "failed_attention_check",
                f"failed attention check: answered {got} ({att.code_labels[got]['es']!r}), expected {want}",
            ))
        elif st in (BLANK, MISSING) and rule["missing_fails"]:
            out[i].append(("failed_attention_check", f"failed attention check: no answer, expected {want}"))


def _design(values, status, codebook, live, out) -> None:
    """Rows the weighted, clustered fits could not use: a missing or non-positive sampling weight,
    a missing cluster id (a weight that is not a number is out of range: alianza.coding)."""
    cols = design_columns(codebook)
    for role, what in (("weights", "sampling weight"), ("cluster", "cluster id")):
        col = cols.get(role)
        if col is None or col not in values.columns:
            continue
        absent = status[col].isin([BLANK, MISSING]).to_numpy()
        for i in np.flatnonzero(live & absent):
            out[i].append(("invalid_design", f"missing {what} in column {col!r}"))
        if role == "weights":
            number = pd.to_numeric(values[col].where(status[col].eq(VALUE)), errors="coerce").to_numpy(dtype=float)
            for i in np.flatnonzero(live & (number <= 0)):
                out[i].append(("invalid_design", f"non-positive sampling weight {number[i]:g} in column {col!r}"))
