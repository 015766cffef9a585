"""The sample-size sentence every table note carries: N, and what happened to the rows with missing
answers (left out by listwise deletion, or kept by FIML), so that a reader sees why N differs
between Table 1 (every firm) and the model tables (the firms the models used)."""
from __future__ import annotations

import re

from ..i18n import t

_N = re.compile(r"^<i>N</i> = (\d+)(?!\d)")


def n_sentence(n, n_rows=None, missing: str = "listwise", lang: str = "es") -> str:
    """'N = 507 (20 of 527 firms with missing answers left out: listwise deletion).' or 'N = 527.'"""
    if n is None:
        return ""
    n, rows = int(n), None if n_rows is None else int(n_rows)
    if rows is not None and rows > n:
        return t("note.n_listwise", lang, n=n, dropped=rows - n, rows=rows)
    if missing == "fiml":
        return t("note.n_fiml", lang, n=n)
    return t("note.n", lang, n=n)


def sample_of(model: dict | None, validity: dict | None) -> tuple[int | None, int | None, str]:
    """(N used, rows available, missing-data method) of a sample's models, else of its validity report."""
    if model and model.get("n") is not None:
        return model["n"], model.get("n_input"), model.get("missing", "listwise")
    if validity and validity.get("n_complete") is not None:
        return validity["n_complete"], validity.get("n_rows"), "listwise"
    return None, None, "listwise"


def with_sample_size(note: str, n, n_rows, missing: str, lang: str) -> str:
    """The note opening with the full sample-size sentence: a bare '<i>N</i> = 507' of the same N is
    expanded; a note with no N gets the sentence in front; a note about another N is left alone."""
    sentence = n_sentence(n, n_rows, missing, lang)
    if not sentence or note.startswith(sentence.rstrip(".")):
        return note
    m = _N.match(note)
    if m is None:
        return note if "<i>N</i> =" in note else f"{sentence} {note}"
    if int(m.group(1)) != int(n):
        return note
    rest = note[m.end():]
    if rest.lstrip().startswith("("):  # the note explains its N already
        return note
    if rest.startswith("."):
        return sentence + rest[1:]
    return sentence.rstrip(".") + rest  # '; ML estimator.' goes on after the parenthesis
