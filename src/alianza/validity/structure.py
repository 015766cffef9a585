"""Which items measure which factor, read from a lavaan-syntax measurement model.

Uses the SEM core's parser (alianza.sem.parse_model) when it is importable; otherwise a
small reader of `=~` statements only (all the validity checks need), which understands
comments (# and !), statements split by `;`, formulas continued on the next line after a
trailing `+`, and modifiers such as `1*x1`, `NA*x1`, `a*x1` or `start(.5)*x1`.
"""
from __future__ import annotations

import re

from ..errors import ModelSyntaxError

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


def _statements(model_text: str):
    """Yield (line number, statement) with comments removed and continuations joined."""
    pending, start = "", 0
    for number, raw in enumerate(model_text.splitlines(), start=1):
        line = re.split(r"[#!]", raw, maxsplit=1)[0].strip()
        for part in (p.strip() for p in line.split(";")):
            if not part:
                continue
            # lavaan joins a statement ending in an operator with the next line, and a
            # line starting with `+` with the previous statement
            if pending and (re.search(r"(\+|\*|=~|~~|~|,)$", pending) or part.startswith("+")):
                pending = f"{pending} {part}"
                continue
            if pending:
                yield start, pending
            pending, start = part, number
    if pending:
        yield start, pending


def _local_factor_items(model_text: str) -> dict[str, list[str]]:
    factors: dict[str, list[str]] = {}
    for number, stmt in _statements(model_text):
        if "=~" not in stmt:
            continue
        lhs, rhs = (s.strip() for s in stmt.split("=~", 1))
        if not _NAME.match(lhs):
            raise ModelSyntaxError(f"line {number}: bad factor name {lhs!r} in {stmt!r}", row=number)
        for term in rhs.split("+"):
            term = term.strip()
            name = term.rsplit("*", 1)[-1].strip()
            if not _NAME.match(name):
                raise ModelSyntaxError(f"line {number}: bad indicator {term!r} in {stmt!r}", row=number)
            items = factors.setdefault(lhs, [])
            if name not in items:
                items.append(name)
    if not factors:
        raise ModelSyntaxError("the model has no measurement statement (F =~ item + ...)")
    return factors


def _core_parser():
    try:
        from ..sem import parse_model  # type: ignore[attr-defined]
    except ImportError:
        try:
            from ..sem.spec.syntax import parse_model  # type: ignore[no-redef]
        except ImportError:
            return None
    return parse_model


def _from_core(model_text: str):
    parse_model = _core_parser()
    if parse_model is None:
        return None
    parsed = parse_model(model_text)
    factors: dict[str, list[str]] = {}
    for formula in parsed.formulas:
        if formula.op == "=~":
            items = factors.setdefault(formula.lhs, [])
            if formula.rhs not in items:
                items.append(formula.rhs)
    if not factors:
        raise ModelSyntaxError("the model has no measurement statement (F =~ item + ...)")
    return factors


def factor_items(model_text: str) -> dict[str, list[str]]:
    """Factor -> its indicators, in model order (indicators may be other factors)."""
    found = _from_core(model_text)
    return found if found is not None else _local_factor_items(model_text)


def observed_factor_items(model_text: str) -> dict[str, list[str]]:
    """Factor -> its observed indicators; higher-order factors (no observed indicator) left out.

    This is the set semTools' compRelSEM/AVE/htmt work on for a first-order model.
    """
    fi = factor_items(model_text)
    latent = set(fi)
    out = {f: [i for i in items if i not in latent] for f, items in fi.items()}
    return {f: items for f, items in out.items() if items}
