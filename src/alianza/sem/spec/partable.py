"""Parsed syntax -> lavaan's parameter table, with sem()/cfa() defaults (lavaanify).

Row order, defaults and free/fixed status follow lavaan 0.6.14's lavaanify +
lav_partable_flat with the options sem() and cfa() set: auto.fix.first, auto.fix.single,
auto.var, auto.cov.lv.x, auto.cov.y, int.ov.free, int.lv.free = FALSE, fixed.x = TRUE.
The table is a DataFrame, one row per parameter, with lavaan's columns plus `par`:
the index into the free-parameter vector theta (rows sharing a label share it; -1 fixed).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from alianza.errors import ModelSyntaxError
from alianza.sem.spec.syntax import ParsedModel


@dataclass(frozen=True)
class VarNames:
    """Variable roles of one block, in lavaan's order (lav_partable_vnames)."""
    ov: list[str]          # observed: indicators, outcomes, exogenous, others
    lv: list[str]          # latent, in order of first `=~`
    ov_x: list[str]        # observed exogenous covariates treated as fixed (fixed.x)
    ov_nox: list[str]
    lv_x: list[str]        # exogenous latent variables
    lvov_y: list[str]      # pure outcomes (auto.cov.y): latent then observed
    ov_ind: list[str]
    eqs_y: list[str]
    eqs_x: list[str]


def var_names(rows: list[dict], fixed_x: bool = True) -> VarNames:
    """lav_partable_vnames for the user's formulas (rows need lhs, op, rhs)."""
    def uniq(seq):
        return list(dict.fromkeys(seq))

    lv = uniq(r["lhs"] for r in rows if r["op"] == "=~")
    v_ind = uniq(r["rhs"] for r in rows if r["op"] == "=~")
    eqs_y = uniq(r["lhs"] for r in rows if r["op"] == "~")
    eqs_x = uniq(r["rhs"] for r in rows if r["op"] == "~")
    ov_ind = [v for v in v_ind if v not in lv]
    ov_y_all = [v for v in eqs_y if v not in lv and v not in ov_ind]
    ov_x = [v for v in eqs_x if v not in lv and v not in ov_ind and v not in ov_y_all]
    ov_cov = [r["lhs"] for r in rows if r["op"] == "~~" and r["lhs"] not in lv] + \
             [r["rhs"] for r in rows if r["op"] == "~~" and r["rhs"] not in lv]
    ov_int = [r["lhs"] for r in rows if r["op"] == "~1" and r["lhs"] not in lv]
    base = ov_ind + ov_y_all + ov_x
    ov = base + [v for v in uniq(ov_cov + ov_int) if v not in base]
    # an exogenous covariate the user gives a variance/covariance/intercept becomes random
    mentioned = {r["lhs"] for r in rows if r["op"] in ("~1", "~~")} | \
                {r["rhs"] for r in rows if r["op"] == "~~"}
    ov_x = [v for v in ov_x if v not in mentioned] if fixed_x else []
    ov_nox = [v for v in ov if v not in ov_x]
    lv_x = [v for v in lv if v not in v_ind and v not in eqs_y]
    pure_y = [v for v in eqs_y if v not in v_ind and v not in eqs_x]
    lv_y = [v for v in lv if v in pure_y]
    ov_y = [v for v in ov if v in pure_y and v not in lv]
    return VarNames(ov, lv, ov_x, ov_nox, lv_x, lv_y + ov_y, ov_ind, eqs_y, eqs_x)


def build_partable(parsed: ParsedModel, *, meanstructure: bool | None = None,
                   fixed_x: bool = True, ngroups: int = 1, std_lv: bool = False) -> tuple[pd.DataFrame, VarNames]:
    """The full parameter table (user rows, then lavaan's defaults, then `:=` rows)."""
    if ngroups != 1:
        raise NotImplementedError("multi-group parameter tables are built by a later issue")
    if meanstructure is None:
        meanstructure = parsed.meanstructure_requested
    meanstructure = bool(meanstructure or parsed.meanstructure_requested)
    user = [dict(lhs=f.lhs, op=f.op, rhs=f.rhs, formula=f) for f in parsed.formulas]
    names = var_names(user, fixed_x=fixed_x)
    _reorder_covariances(user, names.lv + names.ov)

    # defaults (lav_partable_flat), in lavaan's order
    default: list[tuple[str, str, str]] = []
    default += [(v, "~~", v) for v in names.ov_nox]
    default += [(v, "~~", v) for v in names.lv]
    default += [(a, "~~", b) for a, b in combinations(names.lv_x, 2)]
    default += [(a, "~~", b) for a, b in combinations(names.lvov_y, 2)]
    nx = len(names.ov_x)
    default += [(names.ov_x[j], "~~", names.ov_x[i]) for j in range(nx) for i in range(j, nx)]
    if meanstructure:
        default += [(v, "~1", "") for v in names.ov + names.lv]
    user_keys = {(r["lhs"], r["op"], r["rhs"]) for r in user}
    default = [d for d in default if d not in user_keys]

    rows = [dict(lhs=r["lhs"], op=r["op"], rhs=r["rhs"], user=1, free=1, ustart=np.nan, exo=0,
                 label="", start=np.nan, line=r["formula"].line) for r in user]
    rows += [dict(lhs=a, op=o, rhs=b, user=0, free=1, ustart=np.nan, exo=0, label="",
                  start=np.nan, line=0) for a, o, b in default]
    _apply_defaults(rows, names, meanstructure, std_lv)
    _apply_modifiers(rows, user)
    table = pd.DataFrame(rows)
    table.insert(0, "id", np.arange(1, len(table) + 1))
    table["block"] = 1
    table["group"] = 1
    table["plabel"] = [f".p{i}." for i in table["id"]]
    table = number_parameters(table)
    table = append_definitions(table, parsed)
    return table, names


def _reorder_covariances(rows: list[dict], order: list[str]) -> None:
    """lav_partable_covariance_reorder: `b ~~ a` becomes `a ~~ b` when a comes first."""
    pos = {v: i for i, v in enumerate(order)}
    for r in rows:
        if r["op"] == "~~" and r["lhs"] != r["rhs"] and pos[r["lhs"]] > pos[r["rhs"]]:
            r["lhs"], r["rhs"] = r["rhs"], r["lhs"]


def _apply_defaults(rows: list[dict], names: VarNames, meanstructure: bool, std_lv: bool = False) -> None:
    if std_lv:
        # std.lv: every latent (residual) variance fixed to 1, every loading free
        lv = set(names.lv)
        for r in rows:
            if r["op"] == "~~" and r["lhs"] == r["rhs"] and r["lhs"] in lv and r["user"] == 0:
                r["ustart"], r["free"] = 1.0, 0
    else:
        # auto.fix.first: the first loading of every latent variable is fixed to 1
        seen: set[str] = set()
        for r in rows:
            if r["op"] == "=~" and r["lhs"] not in seen:
                seen.add(r["lhs"])
                r["ustart"], r["free"] = 1.0, 0
    # auto.fix.single: a single-indicator factor fixes that indicator's residual variance to 0
    mm = [r for r in rows if r["op"] == "=~"]
    counts: dict[str, int] = {}
    for r in mm:
        counts[r["lhs"]] = counts.get(r["lhs"], 0) + 1
    rhs_counts: dict[str, int] = {}
    for r in mm:
        rhs_counts[r["rhs"]] = rhs_counts.get(r["rhs"], 0) + 1
    single_ind = {r["rhs"] for r in mm if counts[r["lhs"]] == 1 and r["lhs"] != r["rhs"]
                  and rhs_counts[r["rhs"]] == 1}
    for r in rows:
        if r["op"] == "~~" and r["lhs"] == r["rhs"] and r["lhs"] in single_ind and r["user"] == 0:
            r["ustart"], r["free"] = 0.0, 0
    if meanstructure:   # int.lv.free = FALSE
        for r in rows:
            if r["op"] == "~1" and r["lhs"] in names.lv and r["user"] == 0:
                r["ustart"], r["free"] = 0.0, 0
    # fixed.x: variances/covariances/means of exogenous covariates fixed at the sample values
    xs = set(names.ov_x)
    for r in rows:
        if r["user"] == 0 and ((r["op"] == "~~" and r["lhs"] in xs and r["rhs"] in xs)
                               or (r["op"] == "~1" and r["lhs"] in xs)):
            r["ustart"], r["free"], r["exo"] = np.nan, 0, 1


def _single(values, what: str, r: dict):
    if len(values) != 1:
        raise ModelSyntaxError(f"{what} modifier of {r['lhs']} {r['op']} {r['rhs']} has "
                               f"{len(values)} values but the model has 1 group", row=r["line"])
    return values[0]


def _apply_modifiers(rows: list[dict], user: list[dict]) -> None:
    for r, u in zip(rows, user):
        f = u["formula"]
        if f.fixed is not None:
            v = _single(f.fixed, "fixed-value", r)
            if v is None:                       # NA*x frees a parameter (e.g. a marker)
                r["free"], r["ustart"] = 1, np.nan
            else:
                r["free"], r["ustart"] = 0, float(v)
        if f.start is not None:
            v = _single(f.start, "start", r)
            r["ustart"] = np.nan if v is None else float(v)
        if f.label is not None:
            r["label"] = _single(f.label, "label", r)
        if f.lower is not None or f.upper is not None:
            raise ModelSyntaxError("lower()/upper() bounds are not supported (yet)", row=r["line"])


def number_parameters(table: pd.DataFrame) -> pd.DataFrame:
    """lavaan's `free` numbering, and `par`: shared labels mean one free parameter.

    A label shared with a fixed parameter fixes every row to the first fixed value,
    as lavaan does (lavaanify's eq.LABELS loop).
    """
    free = table["free"].to_numpy().copy()
    ustart = table["ustart"].to_numpy(dtype=float).copy()
    labels = table["label"].to_numpy()
    for lab in pd.unique(labels[labels != ""]):
        idx = np.flatnonzero(labels == lab)
        if len(idx) > 1 and (free[idx] == 0).any():
            first = idx[free[idx] == 0][0]
            ustart[idx] = ustart[first]
            free[idx] = 0
    is_free = free > 0
    free_num = np.zeros(len(table), dtype=int)
    free_num[is_free] = np.arange(1, is_free.sum() + 1)
    par = np.full(len(table), -1, dtype=int)
    by_label: dict[str, int] = {}
    k = 0
    for i in np.flatnonzero(is_free):
        lab = labels[i]
        if lab and lab in by_label:
            par[i] = by_label[lab]
            continue
        par[i] = k
        if lab:
            by_label[lab] = k
        k += 1
    table = table.assign(free=free_num, ustart=ustart, par=par)
    return table


def append_definitions(table: pd.DataFrame, parsed: ParsedModel) -> pd.DataFrame:
    if not parsed.definitions:
        return table
    labels = table["label"].to_numpy()
    rows = []
    for d in parsed.definitions:
        for lab in d.labels:
            hit = np.flatnonzero(labels == lab)
            if len(hit) and table["free"].iloc[hit[0]] == 0:
                raise ModelSyntaxError(f"definition of {d.name!r} uses the fixed parameter {lab!r}", row=d.line)
        rows.append(dict(id=0, lhs=d.name, op=":=", rhs=d.expr, user=1, free=0, ustart=np.nan,
                         exo=0, label=d.name, start=np.nan, line=d.line, block=0, group=0,
                         plabel="", par=-1))
    extra = pd.DataFrame(rows)
    extra["id"] = np.arange(len(table) + 1, len(table) + len(rows) + 1)
    return pd.concat([table, extra], ignore_index=True)
