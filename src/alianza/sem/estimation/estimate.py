"""Maximum likelihood estimation on sample moments: starting values, then the one optimiser.

`fit_ml` hands lavaan's fmin (derivatives.MomentsML: f, gradient, expected information and
observed Hessian in closed form, any number of groups) to scoring.minimize, the optimiser FIML,
DWLS and (batched) the bootstrap and power refits share; `estimate_moments` is the estimation
stage of the moments path.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from alianza.sem.matrices.derivatives import MomentsML
from alianza.sem.matrices.model import SemModel
from alianza.sem.data.samplestats import SampleStats
from alianza.sem.estimation.scoring import minimize


@dataclass
class Estimate:
    theta: np.ndarray
    fmin: float
    converged: bool
    iterations: int
    information: np.ndarray | None        # expected, per observation, at theta
    gradient: np.ndarray
    messages: list[str] = field(default_factory=list)


def start_values(model: SemModel, stats: SampleStats) -> np.ndarray:
    """Row values to start from, close to lavaan's simple/fabin-style defaults."""
    t = model.table
    values = model.fixed.copy()
    lhs, op, rhs = t["lhs"].to_numpy(), t["op"].to_numpy(), t["rhs"].to_numpy()
    ustart = t["ustart"].to_numpy(dtype=float)
    g = 0   # starting values from the first group's moments (single group for now)
    S, mean = stats.cov[g], stats.mean[g]
    idx = {v: i for i, v in enumerate(stats.observed)}
    lv_var: dict[str, float] = {}
    loading: dict[tuple[str, str], float] = {}
    for f in model.names.lv:
        inds = [(r, rhs[r]) for r in np.flatnonzero((op == "=~") & (lhs == f)) if rhs[r] in idx]
        fixed = [(r, v) for r, v in inds if model.par[r] < 0 and np.isfinite(values[r]) and values[r] != 0]
        psi_rows = np.flatnonzero((op == "~~") & (lhs == f) & (rhs == f))
        psi_fixed = None
        if len(psi_rows) and model.par[psi_rows[0]] < 0 and np.isfinite(values[psi_rows[0]]):
            psi_fixed = values[psi_rows[0]]
        if fixed:
            mr, mv = fixed[0]
            lam_m = values[mr]
            m = idx[mv]
            for r, v in inds:
                if model.par[r] < 0:
                    loading[(f, v)] = values[r]
                    continue
                j = idx[v]
                others = [idx[w] for _, w in inds if w not in (v, mv)]
                if others:
                    k = max(others, key=lambda k: abs(S[m, k]))
                    lam = lam_m * S[j, k] / S[m, k] if abs(S[m, k]) > 1e-12 else 1.0
                else:
                    lam = lam_m * S[j, m] / S[m, m]
                loading[(f, v)] = lam if np.isfinite(lam) and abs(lam) < 1e3 else 1.0
            ests = [S[m, idx[w]] / (lam_m * loading[(f, w)]) for _, w in inds
                    if w != mv and abs(loading[(f, w)]) > 1e-8]
            psi = float(np.mean(ests)) if ests else 0.5 * S[m, m] / lam_m ** 2
            lo, hi = 0.05 * S[m, m] / lam_m ** 2, S[m, m] / lam_m ** 2
            lv_var[f] = float(np.clip(psi, lo, hi)) if np.isfinite(psi) else lo
        else:
            psi = psi_fixed if psi_fixed and psi_fixed > 0 else 1.0
            for r, v in inds:
                j = idx[v]
                loading[(f, v)] = values[r] if model.par[r] < 0 else np.sqrt(0.5 * S[j, j] / psi)
            lv_var[f] = psi
    for r in model.free_rows:
        if np.isfinite(ustart[r]):
            values[r] = ustart[r]
            continue
        o, a, b = op[r], lhs[r], rhs[r]
        if o == "=~":
            values[r] = loading.get((a, b), 1.0)
        elif o == "~~" and a == b:
            if a in idx:
                values[r] = 0.5 * S[idx[a], idx[a]]
            else:
                values[r] = lv_var.get(a, 0.05)
        elif o == "~1":
            values[r] = mean[idx[a]] if a in idx else 0.0
        else:
            values[r] = 0.0
    return values


def fit_ml(model: SemModel, stats: SampleStats, theta0: np.ndarray, *,
           max_iter: int = 1000, gtol: float = 1e-7) -> Estimate:
    """Minimise lavaan's ML fmin from theta0 with the one optimiser (scoring.py: damped Fisher
    scoring, Newton steps with the closed-form Hessian of derivatives.py, the quasi-Newton fallback)."""
    messages: list[str] = []
    objective = MomentsML(model, stats)
    try:
        est = minimize(objective.fun, objective.grad_info, theta0, evaluate=objective.evaluate,
                       hessian=objective.hessian, max_iter=max_iter, gtol=gtol)
    except FloatingPointError:
        theta = np.asarray(theta0, float).copy()
        messages.append("the optimizer did not converge (the model-implied covariance matrix is not "
                        "positive definite at the starting values)")
        return Estimate(theta, np.inf, False, 0, None, np.full(len(theta), np.nan), messages)
    if not est.converged:
        messages.append(f"the optimizer did not converge (largest gradient {np.max(np.abs(est.gradient)):.2e} "
                        f"after {est.iterations} iterations)")
    return Estimate(est.theta, est.f, est.converged, est.iterations, est.information, est.gradient, messages)


def reflect_factors(model: SemModel, theta: np.ndarray) -> np.ndarray:
    """std.lv: the first loading of every factor positive (lavaan's sign convention, the sign the
    marker-variable solution has). Reflecting a factor negates its loadings, its covariances with
    other variables, the regressions it enters and its mean; the fit is unchanged."""
    t = model.table
    lhs, op, rhs, par = t["lhs"].to_numpy(), t["op"].to_numpy(), t["rhs"].to_numpy(), model.par
    group = t["group"].to_numpy()
    values = model.row_values(theta)
    sign = {}
    for g in sorted(set(group[model.model_rows])):
        for f in model.names.lv:
            rows = np.flatnonzero((op == "=~") & (lhs == f) & (group == g))
            if len(rows) and values[rows[0]] < 0:
                sign[(g, f)] = -1.0
    if not sign:
        return theta
    row_sign = np.ones(len(t))
    for r in model.model_rows:
        g = group[r]
        s_l = sign.get((g, lhs[r]), 1.0)
        s_r = sign.get((g, rhs[r]), 1.0)
        if op[r] == "=~":
            row_sign[r] = s_l
        elif op[r] in ("~", "~~"):
            row_sign[r] = s_l * s_r
        elif op[r] == "~1":
            row_sign[r] = s_l
    out = theta.copy()
    for k in range(model.npar):
        rows = np.flatnonzero(par == k)
        s = row_sign[rows]
        if np.all(s == s[0]):
            out[k] = s[0] * theta[k]
    return out


def estimate_moments(table, names, stats: SampleStats, *, meanstructure: bool, start, std_lv: bool = False):
    """The estimation stage of the moments path, one group or G: the model with fixed.x at the sample
    moments, ML from `start(model, stats)` (row values), factors reflected under std.lv.
    -> (model, Estimate)."""
    model = SemModel(table, names, meanstructure)
    model.set_exogenous(stats)
    est = fit_ml(model, stats, model.theta_from_rows(start(model, stats)))
    if std_lv:
        reflected = reflect_factors(model, est.theta)
        if reflected is not est.theta and est.information is not None:
            # the information (the SEs' and the delta method's covariances) at the reflected point
            est.gradient, est.information = MomentsML(model, stats).grad_info(reflected)
        est.theta = reflected
    return model, est
