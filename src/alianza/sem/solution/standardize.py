"""Standardized solutions (std.lv, std.all) and R-squared, as lavaan computes them.

Transcribes lavaan 0.6.14's lav_standardize_lv / lav_standardize_all with cov.std = TRUE:
latent variables scaled by their model-implied SD (std.lv), then observed ones too
(std.all); covariances become correlations of the (residual) variances in the table.
Works on any rows (lhs, op, rhs) and values, so modification indices reuse it for SEPCs.
"""
from __future__ import annotations

import numpy as np


def _lookup(names, values):
    pos = {v: i for i, v in enumerate(names)}

    def get(keys):
        out = np.full(len(keys), np.nan)
        for k, key in enumerate(keys):
            if key in pos:
                out[k] = values[pos[key]]
        return out
    return get


def _residual_sd(lhs, op, rhs, est, which):
    """RV of lavaan: sqrt(|est|) of the variance rows (lhs == rhs) of variables in `which`."""
    rv = {}
    for l, o, r, e in zip(lhs, op, rhs, est):
        if o == "~~" and l == r and l in which and l not in rv:
            rv[l] = np.sqrt(abs(e)) if np.isfinite(e) else np.nan
    return rv


def standardize_lv(lhs, op, rhs, est, lv_names, lv_var):
    """std.lv of every row; `lv_var` are the model-implied variances of lv_names."""
    lhs, op, rhs = np.asarray(lhs), np.asarray(op), np.asarray(rhs)
    est = np.asarray(est, float)
    out = est.copy()
    if len(lv_names) == 0:
        return out
    eta2 = np.asarray(lv_var, float).copy()
    eta2[eta2 < 0] = np.nan
    eta = _lookup(lv_names, np.sqrt(eta2))
    lvs = set(lv_names)
    in_lv_l = np.array([x in lvs for x in lhs])
    in_lv_r = np.array([x in lvs for x in rhs])
    idx = (op == "=~") & ~in_lv_r
    out[idx] = out[idx] * eta(lhs[idx])
    idx = (op == "=~") & in_lv_r
    out[idx] = out[idx] * eta(lhs[idx]) / eta(rhs[idx])
    idx = (op == "~") & in_lv_l
    out[idx] = out[idx] / eta(lhs[idx])
    idx = (op == "~") & in_lv_r
    out[idx] = out[idx] * eta(rhs[idx])
    var = (op == "~~") & in_lv_r & (lhs == rhs)
    out[var] = out[var] / eta(lhs[var]) / eta(rhs[var])
    rv = _residual_sd(lhs, op, rhs, est, lvs)
    cov_l = (op == "~~") & in_lv_l & (lhs != rhs)
    out[cov_l] = out[cov_l] / np.array([rv.get(x, np.nan) for x in lhs[cov_l]])
    cov_r = (op == "~~") & in_lv_r & (lhs != rhs)
    out[cov_r] = out[cov_r] / np.array([rv.get(x, np.nan) for x in rhs[cov_r]])
    idx = (op == "~1") & in_lv_l
    out[idx] = out[idx] / eta(lhs[idx])
    return out


def standardize_all(lhs, op, rhs, est, std_lv, lv_names, ov_names, ov_var):
    """std.all from std.lv; `ov_var` are the model-implied variances of ov_names."""
    lhs, op, rhs = np.asarray(lhs), np.asarray(op), np.asarray(rhs)
    est = np.asarray(est, float)
    out = np.asarray(std_lv, float).copy()
    ov2 = np.asarray(ov_var, float).copy()
    ov2[np.abs(ov2) < np.finfo(float).eps] = np.nan
    sd = ov2.copy()
    sd[sd < 0] = np.nan
    ov_sd = _lookup(ov_names, np.sqrt(sd))
    ov_v = _lookup(ov_names, ov2)
    lvs, ovs = set(lv_names), set(ov_names)
    in_lv_l = np.array([x in lvs for x in lhs])
    in_lv_r = np.array([x in lvs for x in rhs])
    in_ov_l = np.array([x in ovs for x in lhs])
    in_ov_r = np.array([x in ovs for x in rhs])
    idx = (op == "=~") & ~in_lv_r
    out[idx] = out[idx] / ov_sd(rhs[idx])
    idx = (op == "~") & in_ov_l
    out[idx] = out[idx] / ov_sd(lhs[idx])
    idx = (op == "~") & in_ov_r
    out[idx] = out[idx] * ov_sd(rhs[idx])
    var = (op == "~~") & ~in_lv_l & (lhs == rhs)
    out[var] = out[var] / ov_v(lhs[var])
    not_lv = {x for x in lhs[var]}
    rv = _residual_sd(lhs, op, rhs, est, not_lv)
    cov_l = (op == "~~") & ~in_lv_l & (lhs != rhs)
    out[cov_l] = out[cov_l] / np.array([rv.get(x, np.nan) for x in lhs[cov_l]])
    cov_r = (op == "~~") & ~in_lv_r & (lhs != rhs)
    out[cov_r] = out[cov_r] / np.array([rv.get(x, np.nan) for x in rhs[cov_r]])
    idx = (op == "~1") & ~in_lv_l
    out[idx] = out[idx] / ov_sd(lhs[idx])
    # ordered items: thresholds on the standardized y* scale; scaling factors are 1 (lavaan's 4d)
    idx = op == "|"
    out[idx] = est[idx] / ov_sd(lhs[idx])
    out[op == "~*~"] = 1.0
    return out


def rsquare(lhs, op, rhs, std_all) -> dict[str, float]:
    """lavaan's inspect(fit, "r2"): 1 - std.all of the residual variance of every indicator
    and every regression outcome (NaN when that exceeds 1), in table order."""
    lhs, op, rhs = np.asarray(lhs), np.asarray(op), np.asarray(rhs)
    ys = set(rhs[op == "=~"]) | set(lhs[op == "~"])
    out: dict[str, float] = {}
    for l, o, r, s in zip(lhs, op, rhs, std_all):
        if o == "~~" and l == r and l in ys and l not in out:
            val = 1.0 - s
            out[l] = float(val) if np.isfinite(val) and val <= 1 else float("nan")
    return out
