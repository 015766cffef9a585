"""The solution stage: the parameter table every output reads, and lavaan's post-fit checks.

    parameter_table(table, model, values, theta, vcov, implied, names)   # one group or several
    improper(table, values, implied, names)     # lav_object_post_check, naming the variables
    information_vcov(information, n, npar, warnings)
    order_fit(measures)                          # fitMeasures() order and plain floats

Every estimator's fit goes through these, so the parameter table keeps lavaan's columns
(lhs, op, rhs, [group,] label, est, se, z, pvalue, ci_lower, ci_upper, std_lv, std_all).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from alianza.sem.spec.defined import Definitions
from alianza.sem.solution.standardize import standardize_all, standardize_lv

Z975 = 1.959963984540054   # qnorm(0.975)


def information_vcov(information, n, npar, warnings: list) -> np.ndarray | None:
    """(N * information)^-1, or None with a warning when the information is singular."""
    if not npar:
        return None
    eig = np.linalg.eigvalsh(information)
    if eig.min() <= 1e-10 * max(eig.max(), 1e-300):
        warnings.append("standard errors could not be computed: the information matrix is singular "
                        "(the model may not be identified)")
        return None
    return np.linalg.inv(n * information)


def parameter_table(table, model, values, theta, vcov, imps, names) -> pd.DataFrame:
    """parameterEstimates(standardized = TRUE); `imps` is one Implied or a list (one per group):
    several groups add the `group` column and standardize each group with its own moments."""
    if isinstance(imps, (list, tuple)):
        if len(imps) > 1:
            return _groups_table(table, model, values, theta, vcov, imps, names)
        imps = imps[0]
    return _one_group_table(table, model, values, theta, vcov, imps, names)


def _one_group_table(table, model, values, theta, vcov, imp, names) -> pd.DataFrame:
    par = model.par
    out = table[["lhs", "op", "rhs", "label"]].copy()
    est = values.copy()
    se = np.zeros(len(table))
    theta_se = np.sqrt(np.clip(np.diag(vcov), 0, None)) if vcov is not None else np.full(model.npar, np.nan)
    free = par >= 0
    se[free] = theta_se[par[free]]
    defs = Definitions(table)
    def_rows = np.flatnonzero(table["op"].to_numpy() == ":=")
    if len(defs):
        est[def_rows] = defs.at_theta(theta)
        if vcov is not None:
            jac = defs.jacobian(theta)
            se[def_rows] = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", jac, vcov, jac), 0, None))
        else:
            se[def_rows] = np.nan
    # lavaan prints se 0 (and no z) below sqrt(machine epsilon)
    tiny = se < np.sqrt(np.finfo(float).eps)
    se = np.where(tiny, 0.0, se)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(tiny | np.isnan(se), np.nan, est / se)
    pvalue = 2 * (1 - special.ndtr(np.abs(z)))
    lhs, op, rhs = table["lhs"].to_numpy(), table["op"].to_numpy(), table["rhs"].to_numpy()
    p = len(names.ov)
    lv_var = np.diag(imp.V)[p:]
    ov_var = np.diag(imp.sigma)
    std_lv = standardize_lv(lhs, op, rhs, est, names.lv, lv_var)
    std_all = standardize_all(lhs, op, rhs, est, std_lv, names.lv, names.ov, ov_var)
    if len(defs):
        std_lv[def_rows] = defs.at_rows(std_lv)
        std_all[def_rows] = defs.at_rows(std_all)
    return out.assign(est=est, se=se, z=z, pvalue=pvalue, ci_lower=est - Z975 * se,
                      ci_upper=est + Z975 * se, std_lv=std_lv, std_all=std_all)


def _groups_table(table, model, values, theta, vcov, imps, names) -> pd.DataFrame:
    """parameterEstimates(standardized = TRUE): each group standardized with its own moments."""
    params = _one_group_table(table, model, values, theta, vcov, imps[0], names)
    lhs, op, rhs = table["lhs"].to_numpy(), table["op"].to_numpy(), table["rhs"].to_numpy()
    group = table["group"].to_numpy()
    std_lv = params["std_lv"].to_numpy().copy()
    std_all = params["std_all"].to_numpy().copy()
    est = params["est"].to_numpy()
    p = len(names.ov)
    for g, imp in enumerate(imps):
        r = np.flatnonzero(group == g + 1)
        lv_var = np.diag(imp.V)[p:]
        std_lv[r] = standardize_lv(lhs[r], op[r], rhs[r], est[r], names.lv, lv_var)
        std_all[r] = standardize_all(lhs[r], op[r], rhs[r], est[r], std_lv[r], names.lv, names.ov,
                                     np.diag(imp.sigma))
    defs = Definitions(table)
    if len(defs):
        def_rows = np.flatnonzero(op == ":=")
        std_lv[def_rows] = defs.at_rows(std_lv)
        std_all[def_rows] = defs.at_rows(std_all)
    params = params.assign(std_lv=std_lv, std_all=std_all)
    params.insert(3, "group", table["group"].to_numpy().astype(int))
    return params


def improper(table, values, imp, names) -> list[str]:
    """lavaan's post-fit checks (lav_object_post_check), naming the variables involved."""
    out = []
    lhs, op, rhs = table["lhs"].to_numpy(), table["op"].to_numpy(), table["rhs"].to_numpy()
    var = (op == "~~") & (lhs == rhs)
    neg_ov = [l for l, v, is_var in zip(lhs, values, var) if is_var and l in names.ov and v < 0]
    neg_lv = [l for l, v, is_var in zip(lhs, values, var) if is_var and l in names.lv and v < 0]
    if neg_ov:
        out.append("improper solution: negative residual variance of observed variable(s) "
                   f"{', '.join(neg_ov)} (Heywood case)")
    if neg_lv:
        out.append(f"improper solution: negative variance of latent variable(s) {', '.join(neg_lv)}")
    p = len(names.ov)
    if not neg_lv and names.lv:
        eig = np.linalg.eigvalsh(imp.V[p:, p:])
        if np.any(eig < -np.finfo(float).eps ** 0.75):
            out.append("improper solution: the covariance matrix of the latent variables is not positive definite")
    if not neg_ov:
        nox = [i for i, v in enumerate(names.ov) if v not in names.ov_x]
        A_S = _residual_cov(table, values, names)
        if len(nox) and np.any(np.linalg.eigvalsh(A_S[np.ix_(nox, nox)]) < -np.finfo(float).eps ** 0.75):
            out.append("improper solution: the covariance matrix of the residuals of the observed "
                       "variables is not positive definite")
    return out


def _residual_cov(table, values, names) -> np.ndarray:
    idx = {v: i for i, v in enumerate(names.ov)}
    theta = np.zeros((len(idx), len(idx)))
    for l, o, r, v in zip(table["lhs"], table["op"], table["rhs"], values):
        if o == "~~" and l in idx and r in idx:
            theta[idx[l], idx[r]] = theta[idx[r], idx[l]] = v
    return theta


_ORDER = ["npar", "fmin", "chisq", "df", "pvalue", "chisq_scaled", "df_scaled", "pvalue_scaled",
          "chisq_scaling_factor", "baseline_chisq", "baseline_df", "baseline_pvalue",
          "baseline_chisq_scaled", "baseline_df_scaled", "baseline_pvalue_scaled",
          "baseline_chisq_scaling_factor", "cfi", "tli", "cfi_scaled", "tli_scaled", "cfi_robust",
          "tli_robust", "nnfi", "rfi", "nfi", "pnfi", "ifi", "rni", "nnfi_scaled", "rfi_scaled",
          "nfi_scaled", "pnfi_scaled", "ifi_scaled", "rni_scaled", "nnfi_robust", "rni_robust",
          "logl", "unrestricted_logl", "aic", "bic", "ntotal", "bic2", "scaling_factor_h1",
          "scaling_factor_h0", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_ci_level",
          "rmsea_pvalue", "rmsea_close_h0", "rmsea_notclose_pvalue", "rmsea_notclose_h0",
          "rmsea_scaled", "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled", "rmsea_pvalue_scaled",
          "rmsea_notclose_pvalue_scaled", "rmsea_robust", "rmsea_ci_lower_robust",
          "rmsea_ci_upper_robust", "rmsea_pvalue_robust", "rmsea_notclose_pvalue_robust"]


def order_fit(f: dict) -> dict:
    """lavaan's fitMeasures() order; values as plain floats (ints stay ints)."""
    keys = [k for k in _ORDER if k in f] + [k for k in f if k not in _ORDER]
    return {k: (f[k] if isinstance(f[k], int) else float(f[k])) for k in keys}


