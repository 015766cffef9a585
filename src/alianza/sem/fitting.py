"""fit(model, data): lavaan's sem() with ML, the entry point of alianza.sem."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ..errors import ConfigError, InputError
from . import fitmeasures as fm
from .defined import Definitions
from .estimate import fit_ml, start_values
from .fiml import pattern_summary
from .model import SemModel
from .modindices import modification_indices
from .partable import build_partable
from .result import SemFit
from .samplestats import SampleStats, sample_stats, select_complete
from .standardize import rsquare, standardize_all, standardize_lv
from .syntax import ParsedModel, parse_model

Z975 = 1.959963984540054   # qnorm(0.975)


def fit(model: str | ParsedModel, data: pd.DataFrame, *, estimator: str | None = None,
        se: str = "standard", meanstructure: bool | None = None, source=None,
        group: str | None = None, group_equal=(), group_partial=(), group_label=None,
        missing: str | None = None, ordered=None) -> SemFit:
    """Fit a lavaan-syntax model by ML with lavaan's sem()/cfa() defaults.

    Rows with a missing value in a model variable are deleted listwise (reported in
    `warnings`, `n_dropped`). `meanstructure=None` follows lavaan: on when the syntax
    has `~1` formulas. `source` names the data file in error messages. `group` (a column)
    fits a multi-group model with lavaan's group.equal / group.partial / group.label
    (sem/multigroup.py; meanstructure is then always on, as in lavaan).
    `estimator` (ML, MLR, WLSMV; default ML, or WLSMV when items are `ordered`), `missing`
    ("listwise" or "fiml") and `ordered` ("all" or item names) are lavaan's options of the
    same names (sem/estimators.py).
    """
    if group is None and (group_equal or group_partial):
        raise ConfigError("group_equal / group_partial need a grouping variable (group=)", key="group")
    from .estimators import fit_estimator, plain_ml_options

    if group is not None:
        from .multigroup import fit_groups     # multigroup builds on this module

        if not plain_ml_options(None, missing, ordered):
            raise ConfigError("multi-group fits take complete rows of continuous variables "
                              "(missing = listwise, no ordered items)", key="missing")
        return fit_groups(model, data, group, group_equal=group_equal, group_partial=group_partial,
                          group_label=group_label, estimator=estimator or "ML", se=se, source=source)
    if not plain_ml_options(estimator, missing, ordered):     # MLR, FIML, WLSMV
        return fit_estimator(model, data, estimator=estimator, missing=missing, ordered=ordered,
                             meanstructure=meanstructure, se=se, source=source)
    if se != "standard":
        raise ConfigError(f"se {se!r} is not available yet (only 'standard')", key="se")
    parsed = model if isinstance(model, ParsedModel) else parse_model(model)
    table, names = build_partable(parsed, meanstructure=meanstructure)
    ms = bool((table["op"] == "~1").any())
    complete = select_complete(data, names.ov, source=source)
    warnings: list[str] = []
    if complete.n_dropped:
        warnings.append(f"{complete.n_dropped} of {complete.n_input} rows dropped (listwise deletion: "
                        f"missing values in model variables); N = {complete.n_input - complete.n_dropped}")
    if len(complete.data) < 2:
        raise ConfigError(f"only {len(complete.data)} complete rows for the model variables", key="data")
    stats = sample_stats(complete.data, names.ov)
    _check_positive_definite(stats, source)
    result = fit_stats(table, names, stats, meanstructure=ms, warnings=warnings,
                       n_input=complete.n_input, n_dropped=complete.n_dropped)
    result.missing_patterns = pattern_summary(data, names.ov)
    return result


def _check_positive_definite(stats: SampleStats, source) -> None:
    """ML needs a positive-definite sample covariance matrix (lavaan stops here too)."""
    cov = stats.cov[0]
    constant = [v for v, var in zip(stats.observed, np.diag(cov)) if var <= 1e-12 * max(1.0, np.abs(cov).max())]
    if constant:
        raise InputError("model variable has no variance in the complete rows", file=source, column=constant[0])
    eig = np.linalg.eigvalsh(cov)
    if eig.min() <= 1e-12 * eig.max():
        raise InputError("the sample covariance matrix of the model variables is not positive definite "
                         "(some variable is a linear combination of others)", file=source)


def fit_stats(table, names, stats: SampleStats, *, meanstructure: bool, warnings=None,
              n_input=None, n_dropped=0) -> SemFit:
    """Fit from sample moments (the part bootstrap replicates reuse)."""
    warnings = list(warnings or [])
    model = SemModel(table, names, meanstructure)
    model.set_exogenous(stats)
    theta0 = model.theta_from_rows(start_values(model, stats))
    est = fit_ml(model, stats, theta0)
    warnings += est.messages
    n = stats.ntotal
    values = model.row_values(est.theta)
    imp = model.implied(est.theta)[0]

    # standard errors: inverse of N times the expected information (lavaan's default for ML)
    vcov = information_vcov(est.information, n, model.npar, warnings)
    params = _parameter_table(table, model, values, est.theta, vcov, imp, names)
    warnings += _improper(table, values, imp, names)

    fit_dict = _fit_measures(model, stats, imp, est.fmin, meanstructure)
    r2 = rsquare(params["lhs"], params["op"], params["rhs"], params["std_all"].to_numpy())
    if vcov is not None and est.converged:
        mi = modification_indices(model, est.theta, stats, vcov * n)
    else:
        mi = pd.DataFrame(columns=["lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all"])
    ov, lv = names.ov, names.lv
    p = len(ov)
    result = SemFit(
        params=params, fit=fit_dict, r2=r2, modindices=mi, n=n, converged=est.converged,
        warnings=warnings, estimator="ML", observed=list(ov), latent=list(lv),
        sample_cov=pd.DataFrame(stats.cov[0], index=ov, columns=ov),
        implied_cov=pd.DataFrame(imp.sigma, index=ov, columns=ov),
        latent_cov=pd.DataFrame(imp.V[p:, p:], index=lv, columns=lv),
        n_input=n if n_input is None else n_input, n_dropped=n_dropped,
        sample_mean=pd.Series(stats.mean[0], index=ov),
        implied_mean=pd.Series(imp.mu if meanstructure else stats.mean[0], index=ov),
        partable=table.assign(est=values), vcov=vcov,
        extra={"fmin": est.fmin, "iterations": est.iterations},
    )
    return result


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


def _parameter_table(table, model, values, theta, vcov, imp, names) -> pd.DataFrame:
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


def _improper(table, values, imp, names) -> list[str]:
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


def _fit_measures(model: SemModel, stats: SampleStats, imp, fmin: float, meanstructure: bool) -> dict:
    names = model.names
    n = stats.ntotal
    cov, mean = stats.cov[0], stats.mean[0]
    p = cov.shape[0]
    x_idx = [names.ov.index(v) for v in names.ov_x]
    px = len(x_idx)
    ndat = p * (p + 1) // 2 - px * (px + 1) // 2
    if meanstructure:
        ndat += p - px
    npar = model.npar
    df = ndat - npar
    chisq = 2 * n * fmin
    # baseline (independence) model: variances (and means) of the non-exogenous variables
    base_chisq = fm.baseline_chisq(cov, n, x_idx)
    base_df = ndat - (p - px) * (2 if meanstructure else 1)
    mu = imp.mu if meanstructure else mean
    logl = fm.loglik(cov, mean, imp.sigma, mu, n, x_idx)
    unres = fm.loglik(cov, mean, cov, mean, n, x_idx)
    out = fm.chisq_based_measures(chisq, df, base_chisq, base_df, n, npar, logl, unres, fmin=fmin)
    out.update({
        "srmr": fm.srmr_bentler(cov, mean, imp.sigma, mu, meanstructure),
        "srmr_bentler_nomean": fm.srmr_bentler(cov, mean, imp.sigma, mu, False),
    })
    return {k: (float(v) if not isinstance(v, int) else v) for k, v in out.items()}
