"""Modification indices (score tests for fixed parameters), as lavaan's modindices().

lavaan 0.6.14 frees every fixed parameter of the model and adds the candidates of
lav_partable_full (cross-loadings, residual covariances among indicators, latent
(co)variances, regressions among the variables of the structural part, intercepts),
then for each candidate c, with g the gradient of fmin and I the expected information
per observation at the estimates:
    mi  = N g_c^2 / V_c,   V_c = I_cc - I_c,theta I_theta^-1 I_theta,c
    epc = -g_c / V_c
sepc.lv / sepc.all standardize the EPC with the fitted model (residual variances kept
at their estimates), and non-identified candidates (V_c ~ 0) are dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alianza.sem.matrices.model import SemModel, gradient_information_cells
from alianza.sem.spec.partable import VarNames
from alianza.sem.matrices.ram import RAMBlock
from alianza.sem.data.samplestats import SampleStats
from alianza.sem.solution.standardize import standardize_all, standardize_lv


@dataclass
class Candidates:
    """The candidates of one group in the order of their gradient entries: matrix cells (kind, ii,
    jj), then fixed table rows that are no matrix cell (`other_rows`: the scaling factors `~*~` of
    ordered items, which only the DWLS moments depend on)."""
    kind: np.ndarray
    ii: np.ndarray
    jj: np.ndarray
    other_rows: np.ndarray


def candidate_rows(names: VarNames, meanstructure: bool, strict_exo: bool = False) -> list[tuple[str, str, str]]:
    """lav_partable_full(free = TRUE) for one block, in lavaan's order. `strict_exo` (lavaan's
    under conditional.x) leaves out the covariates' (co)variances and intercepts and every
    regression of a covariate."""
    ov, ov_nox, ov_x, lv = names.ov, names.ov_nox, names.ov_x, names.lv
    eqs = list(dict.fromkeys(names.eqs_y + names.eqs_x))
    eqs_y = [v for v in eqs if v not in ov_x] if strict_exo else eqs
    rows: list[tuple[str, str, str]] = []
    rows += [(f, "=~", v) for f in lv for v in ov_nox if v not in eqs]
    other = {v for v in ov if v not in names.ov_ind}
    rows += [(ov_nox[j], "~~", ov_nox[i]) for j in range(len(ov_nox)) for i in range(j, len(ov_nox))
             if ov_nox[j] not in other and ov_nox[i] not in other]
    if not strict_exo:
        rows += [(ov_x[j], "~~", ov_x[i]) for j in range(len(ov_x)) for i in range(j, len(ov_x))]
    rows += [(lv[j], "~~", lv[i]) for j in range(len(lv)) for i in range(j, len(lv))]
    rows += [(y, "~", x) for y in eqs_y for x in eqs
             if y != x and not (y in names.ov_ind and x in lv)]
    if meanstructure:
        rows += [(v, "~1", "") for v in (ov_nox if strict_exo else ov) + lv]
    return rows


def modification_indices(model: SemModel, theta: np.ndarray, stats: SampleStats,
                         inv_information: np.ndarray, *, group: int | None = None,
                         gradient_information=None, strict_exo: bool = False,
                         other_ops: tuple[str, ...] = ()) -> pd.DataFrame:
    """lhs, op, rhs, mi, epc, sepc_lv, sepc_all, sorted by mi (largest first).

    `group` (0-based) takes the candidates of one group of a multi-group model (then a
    `group` column, 1-based as lavaan's, is added): that group's gradient and information
    enter with its weight N_g / N, as in the information of the whole model.
    `gradient_information(dsig, dmu, candidates) -> (gradient, expected information)` per
    observation replaces the complete-data formulas for other objectives (FIML:
    sem/estimation/casewise.py; DWLS: sem/estimation/dwls.py): dsig, dmu stack the derivatives in
    the model's parameters and then in the candidate cells; `candidates` (Candidates) says which
    they are, for an objective whose moments are not (Sigma, mu) (DWLS on the moments given the
    covariates), and adds the fixed rows of `other_ops` (no matrix cell), whose entries the
    callback appends. `strict_exo`: lavaan's candidates under conditional.x (candidate_rows).
    """
    t = model.table
    g = 0 if group is None else group
    weight = stats.nobs[g] / stats.ntotal
    block, cells = model.blocks[g], model.cells[g]
    values = model.row_values(theta)
    imp = block.implied(cells.kind, cells.ii, cells.jj, values[cells.rows])

    lhs_t, op_t, rhs_t = t["lhs"].to_numpy(), t["op"].to_numpy(), t["rhs"].to_numpy()
    exo_t = t["exo"].to_numpy()
    present = set(zip(lhs_t[cells.rows], op_t[cells.rows], rhs_t[cells.rows]))
    fixed_rows = [r for r in cells.rows if model.par[r] < 0]
    cand = [(lhs_t[r], op_t[r], rhs_t[r], values[r], int(exo_t[r])) for r in fixed_rows]
    cand += [(a, o, b, 0.0, 0) for a, o, b in candidate_rows(model.names, model.meanstructure, strict_exo)
             if (a, o, b) not in present]
    ncell = len(cand)
    other = np.flatnonzero(np.isin(op_t, other_ops) & (model.par < 0)
                           & (t["group"].to_numpy() == model.group_values[g]))
    cand += [(lhs_t[r], op_t[r], rhs_t[r], values[r], int(exo_t[r])) for r in other]
    empty = pd.DataFrame(columns=["lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all"])
    if not cand:
        return empty
    c_lhs = np.array([c[0] for c in cand], dtype=object)
    c_op = np.array([c[1] for c in cand], dtype=object)
    c_rhs = np.array([c[2] for c in cand], dtype=object)
    kind, ii, jj = block.cells(c_lhs[:ncell], c_op[:ncell], c_rhs[:ncell])
    dsig_c, dmu_c = RAMBlock.derivatives(imp, kind, ii, jj)
    dsig_t, dmu_t = model.theta_derivatives(g, imp)
    k = model.npar
    if gradient_information is not None:
        grad, info = gradient_information(np.concatenate([dsig_t, dsig_c]), np.concatenate([dmu_t, dmu_c]),
                                          Candidates(kind, ii, jj, other))
    else:
        grad, info = gradient_information_cells(imp, np.concatenate([dsig_t, dsig_c]),
                                                np.concatenate([dmu_t, dmu_c]),
                                                stats.cov[g], stats.mean[g], model.meanstructure,
                                                x_idx=[block.index[v] for v in model.names.ov_x])
        grad, info = weight * grad, weight * info
    n = stats.ntotal
    i_ct = info[k:, :k]
    v_diag = np.diag(info[k:, k:]) - np.einsum("ij,jk,ik->i", i_ct, inv_information, i_ct)
    v_diag[v_diag < np.finfo(float).eps ** (1 / 3)] = np.nan
    score = grad[k:]
    mi = n * score ** 2 / v_diag
    d = -n * score
    d[np.abs(d) < 1e-15] = 1.0
    epc = mi / d

    # standardized EPCs: lavaan standardizes |EPC| with the model's variances, keeps the
    # estimated (residual) variances in the variance rows, and restores the sign
    all_lhs = np.concatenate([lhs_t[cells.rows], c_lhs])
    all_op = np.concatenate([op_t[cells.rows], c_op])
    all_rhs = np.concatenate([rhs_t[cells.rows], c_rhs])
    all_exo = np.concatenate([exo_t[cells.rows], [c[4] for c in cand]])
    nmod = len(cells.rows)
    epc_all = np.concatenate([np.full(nmod, np.nan), epc])
    est_all = np.concatenate([values[cells.rows], [c[3] for c in cand]])
    epc_std = epc_all.copy()
    var_rows = (all_op == "~~") & (all_lhs == all_rhs)
    epc_std[var_rows & (all_exo == 0)] = est_all[var_rows & (all_exo == 0)]
    small = var_rows & (np.abs(epc_std) < np.sqrt(np.finfo(float).eps))
    epc_std[small] = np.nan
    sign = np.sign(epc_all)
    lv_var = np.diag(imp.V)[block.p:]
    ov_var = np.diag(imp.sigma)
    s_lv = standardize_lv(all_lhs, all_op, all_rhs, np.abs(epc_std), block.latent, lv_var)
    s_all = standardize_all(all_lhs, all_op, all_rhs, np.abs(epc_std), s_lv, block.latent,
                            block.observed, ov_var)
    s_lv, s_all = sign * s_lv, sign * s_all
    s_lv[small], s_all[small] = 0.0, 0.0
    out = pd.DataFrame({"lhs": c_lhs.astype(str), "op": c_op.astype(str), "rhs": c_rhs.astype(str),
                        "mi": mi, "epc": epc, "sepc_lv": s_lv[nmod:], "sepc_all": s_all[nmod:]})
    if group is not None:
        out.insert(3, "group", group + 1)
    out = out[np.isfinite(out["mi"].to_numpy())]
    order = np.argsort(-out["mi"].to_numpy(), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def modification_indices_by_group(model: SemModel, theta: np.ndarray, stats: SampleStats,
                                  inv_information: np.ndarray, gradient_information=None,
                                  strict_exo: bool = False, other_ops: tuple[str, ...] = ()) -> pd.DataFrame:
    """modindices() of every group of the model (a `group` column when there are several), largest
    first. `gradient_information(g)` gives group g's callback of modification_indices (its part of the
    gradient and information, weighted as in the whole model's information), or None for ML on moments."""
    G = len(model.cells)
    parts = [modification_indices(model, theta, stats, inv_information, group=g if G > 1 else None,
                                  gradient_information=None if gradient_information is None
                                  else gradient_information(g), strict_exo=strict_exo,
                                  other_ops=other_ops)
             for g in range(G)]
    mi = pd.concat(parts, ignore_index=True) if G > 1 else parts[0]
    return mi.iloc[np.argsort(-mi["mi"].to_numpy(), kind="stable")].reset_index(drop=True)
