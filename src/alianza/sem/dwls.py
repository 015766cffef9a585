"""WLSMV for ordered items: DWLS estimates from thresholds and polychoric correlations,
robust ("robust.sem") standard errors and the mean- and variance-adjusted
("scaled.shifted") test, with lavaan 0.6.14's defaults for cfa()/sem(ordered = ...):
parameterization = "delta", listwise deletion, meanstructure on.

Delta parameterization: every ordered item is the discretised y* = (model) + residual with
Var(y*) = 1, so the residual variances are not free parameters but 1 minus the explained
variance (shown in the parameter table with se 0, as lavaan does); intercepts and latent
means are 0, the scaling factors (`~*~`) 1, and the thresholds (`|`, t1..tK) free. The
model's statistics are (thresholds, off-diagonal correlations of Sigma*), fitted to the
sample ones s by minimising F = (s - m)' W (s - m), W = diag(Gamma)^-1; lavaan's
fmin = (N - 1) / N F / 2, so chisq = (N - 1) F, and the covariance divides by N - 1:
    vcov         = (D'WD)^-1 D'W Gamma W D (D'WD)^-1 / (N - 1),  D = dm/dtheta
    U            = W - W D (D'WD)^-1 D'W
    a            = sqrt(df / tr((U Gamma)^2)),  shift b = df - a tr(U Gamma)
    chisq_scaled = a chisq + b,  chisq_scaling_factor = 1 / a
(lav_model_nvcov_robust_sem, lav_test_satorra_bentler with test = "scaled.shifted").
The baseline model keeps the thresholds and sets every correlation to 0. Robust CFI/TLI/
RMSEA follow lavaan's catML correction; modification indices use Delta' W Delta of the
model extended by each candidate (lavaan's modindices() with information = "expected").
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputError
from . import fitmeasures as fm
from .estimate import start_values
from .model import SemModel
from .modindices import modification_indices
from .partable import number_parameters, build_partable
from .polychoric import OrdinalStats, ordinal_stats, pair_index
from .ram import KIND_S, RAMBlock
from .result import SemFit
from .robust import robust_indices, scaled_indices
from .samplestats import SampleStats, select_complete
from .scoring import minimize
from .solution import improper, order_fit, parameter_table
from .standardize import rsquare
from .syntax import ParsedModel


def ordered_partable(parsed: ParsedModel, ordered: list[str], nthresholds: dict[str, int]):
    """lavaan's parameter table for ordered items (lav_partable_flat with categorical = TRUE):
    user rows, thresholds, (co)variances, scaling factors `~*~`, intercepts, `:=` rows."""
    table, names = build_partable(parsed, meanstructure=True)
    op, lhs, rhs, user = (table[c].to_numpy() for c in ("op", "lhs", "rhs", "user"))
    ords = set(ordered)
    bad = [l for l, o, r, u in zip(lhs, op, rhs, user) if u == 1 and o == "~~" and l == r and l in ords]
    if bad:
        raise ConfigError(f"the residual variance of ordered item {bad[0]} is not a free parameter under "
                          "the delta parameterization; remove it from the model", key="model", column=bad[0])
    if any((o == "|") for o in op):
        raise ConfigError("thresholds in the model syntax are not supported; they are added for every "
                          "ordered item", key="model")
    table = table.copy()
    var_rows = (op == "~~") & (lhs == rhs) & (user == 0) & np.isin(lhs, list(ords))
    table.loc[var_rows, ["free", "ustart"]] = [0, 1.0]
    int_rows = (op == "~1") & (user == 0) & np.isin(lhs, list(ords))
    table.loc[int_rows, ["free", "ustart"]] = [0, 0.0]
    base = dict(user=0, exo=0, label="", start=np.nan, line=0, block=1, group=1, plabel="", par=-1, id=0)
    th = pd.DataFrame([dict(base, lhs=v, op="|", rhs=f"t{k}", free=1, ustart=np.nan)
                       for v in names.ov if v in ords for k in range(1, nthresholds[v] + 1)],
                      columns=table.columns)
    delta = pd.DataFrame([dict(base, lhs=v, op="~*~", rhs=v, free=0, ustart=1.0)
                          for v in names.ov if v in ords], columns=table.columns)
    is_user = (user == 1) & (op != ":=")
    is_def = op == ":="
    is_int = (user == 0) & (op == "~1")
    is_cov = ~is_user & ~is_def & ~is_int
    parts = [table[is_user], th, table[is_cov], delta, table[is_int]]
    out = pd.concat(parts, ignore_index=True)
    out["id"] = np.arange(1, len(out) + 1)
    out["plabel"] = [f".p{i}." for i in out["id"]]
    out = number_parameters(out.astype({"free": int}))
    defs = table[is_def].assign(id=np.arange(len(out) + 1, len(out) + 1 + int(is_def.sum())))
    return pd.concat([out, defs], ignore_index=True), names


class DeltaModel:
    """theta -> (thresholds, correlations of y*) with the residual variances solved for."""

    def __init__(self, model: SemModel, stats: OrdinalStats):
        t = model.table
        self.model = model
        self.block, self.cells = model.blocks[0], model.cells[0]
        ops, lhs, rhs = t["op"].to_numpy(), t["lhs"].to_numpy(), t["rhs"].to_numpy()
        ov = model.names.ov
        th_rows = {(l, r): i for i, (o, l, r) in enumerate(zip(ops, lhs, rhs)) if o == "|"}
        self.th_rows = np.array([th_rows[(ov[j], f"t{k}")] for j in range(len(ov))
                                 for k in range(1, int((stats.th_item == j).sum()) + 1)], dtype=int)
        pos = {int(r): c for c, r in enumerate(self.cells.rows)}
        var_rows = [next(i for i, (o, l, r) in enumerate(zip(ops, lhs, rhs)) if o == "~~" and l == v and r == v)
                    for v in ov]
        self.var_cells = np.array([pos[r] for r in var_rows], dtype=int)
        self.var_rows = np.array(var_rows, dtype=int)
        self.pi, self.pj = pair_index(len(ov))
        self.p = len(ov)
        self.th_item = np.asarray(stats.th_item, int)

    def values(self, theta):
        """Row values with the residual variances that make every Var(y*) = 1, and the implied moments."""
        values = self.model.row_values(theta)
        c = self.cells
        vals = values[c.rows].copy()
        vals[self.var_cells] = 0.0
        imp0 = self.block.implied(c.kind, c.ii, c.jj, vals)
        M = imp0.C[:, : self.p] ** 2          # d diag(Sigma) / d residual variance
        resid = np.linalg.solve(M, 1.0 - np.diag(imp0.sigma))
        values[self.var_rows] = resid
        vals[self.var_cells] = resid
        return values, self.block.implied(c.kind, c.ii, c.jj, vals)

    def moments(self, theta):
        values, imp = self.values(theta)
        return np.concatenate([values[self.th_rows], imp.sigma[self.pi, self.pj]])

    def jacobian(self, theta):
        values, imp = self.values(theta)
        k = self.model.npar
        dsig, _ = self.model.theta_derivatives(0, imp)
        idx = np.arange(self.p)
        dvar, _ = RAMBlock.derivatives(imp, np.full(self.p, KIND_S), idx, idx)
        Mt = dvar[:, idx, idx].T                              # [i, j]: d Sigma_ii / d resid_j
        dres = -np.linalg.solve(Mt, dsig[:, idx, idx].T)       # p x k
        total = dsig + np.einsum("jk,jab->kab", dres, dvar)
        d_th = np.zeros((len(self.th_rows), k))
        par = self.model.par[self.th_rows]
        d_th[np.arange(len(par))[par >= 0], par[par >= 0]] = 1.0
        return np.vstack([d_th, total[:, self.pi, self.pj].T])


    def extend(self, theta, dsig, dmu, d_th_model):
        """Jacobian of (thresholds, correlations) for any stack of cell derivatives (the model's
        parameters first, then candidates): residual variances re-solved, thresholds shifted
        by the mean of y* (a candidate intercept or latent mean moves them)."""
        _, imp = self.values(theta)
        idx = np.arange(self.p)
        dvar, _ = RAMBlock.derivatives(imp, np.full(self.p, KIND_S), idx, idx)
        Mt = dvar[:, idx, idx].T
        dres = -np.linalg.solve(Mt, dsig[:, idx, idx].T)
        total = dsig + np.einsum("jk,jab->kab", dres, dvar)
        d_th = np.zeros((len(self.th_rows), len(dsig)))
        d_th[:, : d_th_model.shape[1]] = d_th_model
        d_th -= dmu[:, self.th_item].T
        return np.vstack([d_th, total[:, self.pi, self.pj].T])


def _scaled_shifted(chisq, df, W, Delta, gamma):
    """lavaan's scaled.shifted test -> (stat, scaling factor 1/a, shift b, pvalue)."""
    nan = float("nan")
    if df <= 0:
        return chisq, nan, nan, nan
    WD = W[:, None] * Delta
    try:
        E_inv = np.linalg.inv(Delta.T @ WD)
    except np.linalg.LinAlgError:
        return nan, nan, nan, nan
    U = np.diag(W) - WD @ E_inv @ WD.T
    UG = U @ gamma
    tr, tr2 = np.trace(UG), np.sum(UG * UG.T)
    a = np.sqrt(df / tr2)
    shift = df - a * tr
    stat = chisq * a + shift
    return stat, 1 / a, shift, fm.chisq_pvalue(stat, df)


def _catml_robust(R, sigma, Delta, W, gamma, E_inv, nthr, df, n) -> dict | None:
    """lavaan's robust CFI/TLI/RMSEA for ordered data (lav_fit_catml_dwls, Savalei 2021):
    the normal-theory ML discrepancy of the polychoric matrix R from the model's correlation
    matrix at the DWLS estimates (XX3), scaled by c.hat3 = tr(U' V U Gamma) / df with V the
    ML information of the correlations and U = I - D E^-1 D' W (correlation rows)."""
    p = R.shape[0]
    if np.linalg.eigvalsh(R).min() < np.sqrt(np.finfo(float).eps):
        return None        # lavaan refits a smoothed matrix here; not reproduced
    _, ld_s = np.linalg.slogdet(sigma)
    _, ld_r = np.linalg.slogdet(R)
    sinv = np.linalg.inv(sigma)
    xx3 = n * (ld_s + np.sum(R * sinv) - ld_r - p)
    xx3_null = -n * ld_r
    i, j = pair_index(p)
    # 0.5 D'(S^-1 x S^-1) D on the off-diagonal cells: S^-1_ik S^-1_jl + S^-1_il S^-1_jk
    V = sinv[i][:, i] * sinv[j][:, j] + sinv[i][:, j] * sinv[j][:, i]
    Dc = Delta[nthr:]
    U = np.eye(len(i)) - Dc @ E_inv @ Dc.T @ np.diag(W[nthr:])
    G = gamma[nthr:, nthr:]
    c_hat3 = float(np.trace(U.T @ V @ U @ G)) / df
    c_hat3_null = float(np.trace(G)) / len(i)
    return dict(xx3=xx3, c_hat3=c_hat3, xx3_scaled=xx3 / c_hat3, xx3_null=xx3_null, c_hat3_null=c_hat3_null)


def fit_wlsmv(parsed: ParsedModel, data: pd.DataFrame, ordered: list[str], *, source=None) -> SemFit:
    """cfa()/sem() with ordered = items, estimator WLSMV (DWLS + robust SEs + scaled-shifted test)."""

    _, names0 = build_partable(parsed, meanstructure=True)
    complete = select_complete(data, names0.ov, source=source)
    warnings: list[str] = []
    if complete.n_dropped:
        warnings.append(f"{complete.n_dropped} of {complete.n_input} rows dropped (listwise deletion: "
                        f"missing values in model variables); N = {complete.n_input - complete.n_dropped}")
    x = complete.data.to_numpy(dtype=float)
    if len(x) < 2:
        raise ConfigError(f"only {len(x)} complete rows for the model variables", key="data")
    for j, v in enumerate(names0.ov):
        if len(np.unique(x[:, j])) < 2:
            raise InputError("ordered item has a single category in the complete rows", file=source, column=v)
    stats = ordinal_stats(x, names0.ov)
    nth = {v: len(stats.levels[j]) - 1 for j, v in enumerate(names0.ov)}
    table, names = ordered_partable(parsed, ordered, nth)
    model = SemModel(table, names, True)
    dm = DeltaModel(model, stats)
    s = stats.wls_obs
    gamma = stats.gamma
    W = 1.0 / np.diag(gamma)
    n = stats.n

    def fun(theta):
        try:
            r = s - dm.moments(theta)
        except np.linalg.LinAlgError:
            return np.inf
        return 0.5 * float(np.sum(W * r * r))

    def grad_info(theta):
        D = dm.jacobian(theta)
        r = s - dm.moments(theta)
        WD = W[:, None] * D
        return -WD.T @ r, D.T @ WD

    start = start_values(model, SampleStats([stats.correlation], [np.zeros(len(names.ov))], [n], names.ov))
    start[dm.th_rows] = stats.thresholds
    theta0 = model.theta_from_rows(start)
    est = minimize(fun, grad_info, theta0, gtol=1e-9)
    theta = est.theta
    if not est.converged:
        warnings.append(f"the optimizer did not converge (largest gradient {np.max(np.abs(est.gradient)):.2e})")
    values, imp = dm.values(theta)
    D = dm.jacobian(theta)
    WD = W[:, None] * D
    info = D.T @ WD
    vcov = None
    eig = np.linalg.eigvalsh(info)
    if eig.min() <= 1e-10 * max(eig.max(), 1e-300):
        warnings.append("standard errors could not be computed: the information matrix is singular "
                        "(the model may not be identified)")
    else:
        E_inv = np.linalg.inv(info)
        vcov = E_inv @ (WD.T @ gamma @ WD) @ E_inv / (n - 1)
    params = parameter_table(table, model, values, theta, vcov, imp, names)
    warnings += improper(table, values, imp, names)

    fmin = (n - 1) / n * est.f
    chisq = 2 * n * fmin
    nstat = len(s)
    df = nstat - model.npar
    stat, scale, shift, pval = _scaled_shifted(chisq, df, W, D, gamma)
    nthr = len(stats.thresholds)
    r = s[nthr:]
    base_chisq = (n - 1) * float(np.sum(W[nthr:] * r * r))
    base_df = nstat - nthr
    base_D = np.zeros((nstat, nthr))
    base_D[np.arange(nthr), np.arange(nthr)] = 1.0
    b_stat, b_scale, b_shift, b_pval = _scaled_shifted(base_chisq, base_df, W, base_D, gamma)
    lo, hi = fm.rmsea_ci(chisq, df, n)
    resid = (stats.correlation - imp.sigma)[np.tril_indices(len(names.ov))]
    f = {
        "npar": model.npar, "fmin": fmin, "chisq": chisq, "df": df, "pvalue": fm.chisq_pvalue(chisq, df),
        "chisq_scaled": stat, "df_scaled": df, "pvalue_scaled": pval, "chisq_scaling_factor": scale,
        "chisq_shift_parameters": shift,
        "baseline_chisq": base_chisq, "baseline_df": base_df, "baseline_pvalue": fm.chisq_pvalue(base_chisq, base_df),
        "baseline_chisq_scaled": b_stat, "baseline_df_scaled": base_df, "baseline_pvalue_scaled": b_pval,
        "baseline_chisq_scaling_factor": b_scale,
        "cfi": fm.cfi(chisq, df, base_chisq, base_df), "tli": fm.tli(chisq, df, base_chisq, base_df),
        "nnfi": fm.tli(chisq, df, base_chisq, base_df), "rfi": fm.rfi(chisq, df, base_chisq, base_df),
        "nfi": fm.nfi(chisq, df, base_chisq, base_df), "pnfi": fm.pnfi(chisq, df, base_chisq, base_df),
        "ifi": fm.ifi(chisq, df, base_chisq, base_df), "rni": fm.rni(chisq, df, base_chisq, base_df),
        "ntotal": n,
        "rmsea": fm.rmsea(chisq, df, n), "rmsea_ci_lower": lo, "rmsea_ci_upper": hi, "rmsea_ci_level": 0.90,
        "rmsea_pvalue": fm.rmsea_pvalue(chisq, df, n, h0=0.05, close=True), "rmsea_close_h0": 0.05,
        "rmsea_notclose_pvalue": fm.rmsea_pvalue(chisq, df, n, h0=0.08, close=False), "rmsea_notclose_h0": 0.08,
        # lavaan's srmr for ordered data: correlation residuals, no thresholds
        "srmr": float(np.sqrt(np.mean(resid ** 2))),
        "wrmr": float(np.sqrt(chisq / nstat)),
    }
    # scaled-shifted: the scaled indices and RMSEA take the scaled statistic with the model's df
    f.update(scaled_indices(stat, df, b_stat, base_df, n, stat, df))
    robust = _catml_robust(stats.correlation, imp.sigma, D, W, gamma, np.linalg.inv(info), nthr, df, n) \
        if vcov is not None and df > 0 else None
    if robust is not None:
        f.update(robust_indices(robust["xx3"], df, n, robust["c_hat3"], robust["xx3_scaled"],
                                robust["xx3_null"], base_df, robust["c_hat3_null"]))

    mi = pd.DataFrame(columns=["lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all"])
    if vcov is not None and est.converged:
        model.fixed[dm.var_rows] = values[dm.var_rows]     # the table's fixed rows at their values
        resid = s - dm.moments(theta)
        d_th_model = D[: len(dm.th_rows)]

        def grad_info_cells(dsig, dmu):
            De = dm.extend(theta, dsig, dmu, d_th_model)
            WDe = W[:, None] * De
            return -(n - 1) / n * WDe.T @ resid, De.T @ WDe

        mi = modification_indices(model, theta, SampleStats([imp.sigma], [imp.mu], [n], names.ov),
                                  np.linalg.inv(info), gradient_information=grad_info_cells)

    ov, lv = names.ov, names.lv
    p = len(ov)
    r2 = rsquare(params["lhs"], params["op"], params["rhs"], params["std_all"].to_numpy())
    return SemFit(
        params=params, fit=order_fit(f), r2=r2, modindices=mi, n=n, converged=est.converged,
        warnings=warnings, estimator="WLSMV", observed=list(ov), latent=list(lv),
        sample_cov=pd.DataFrame(stats.correlation, index=ov, columns=ov),
        implied_cov=pd.DataFrame(imp.sigma, index=ov, columns=ov),
        latent_cov=pd.DataFrame(imp.V[p:, p:], index=lv, columns=lv),
        n_input=complete.n_input, n_dropped=complete.n_dropped,
        partable=table.assign(est=values), vcov=vcov,
        extra={"fmin": fmin, "iterations": est.iterations, "se": "robust.sem", "information": "expected", "h1_information": "unstructured",
               "test": "scaled.shifted", "parameterization": "delta",
               "thresholds": pd.Series(stats.thresholds,
                                       index=[f"{ov[j]}|t{k + 1}" for j in range(p)
                                              for k in range(int((stats.th_item == j).sum()))])},
    )
