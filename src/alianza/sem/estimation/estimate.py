"""Maximum likelihood estimation: starting values, then Fisher scoring to the exact optimum.

Fisher scoring (Newton steps with the expected information, step-halving line search)
converges to lavaan's optimum to ~1e-9 in a handful of iterations from sensible starts;
when a step cannot decrease the discrepancy (far from the optimum, near-singular
information) a quasi-Newton pass (scipy L-BFGS-B with the analytic gradient) takes over
and scoring resumes from where it stops.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from alianza.sem.matrices.derivatives import observed_hessian
from alianza.sem.matrices.model import SemModel, ml_gradient_information, ml_objective
from alianza.sem.data.samplestats import SampleStats


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
    """Minimise lavaan's ML fmin from theta0.

    Damped Fisher scoring (Levenberg-Marquardt on the expected information) walks from
    the start, backing off whenever Sigma leaves the positive-definite region; Newton
    steps with the observed Hessian (differentiated from the analytic gradient) then
    polish to the optimum with quadratic convergence (~1e-10 on the estimates). Should
    scoring stall, L-BFGS-B (what lavaan's nlminb is closest to) takes over, and the best
    point found is kept.
    """
    messages: list[str] = []
    theta = np.asarray(theta0, float).copy()
    if model.npar == 0:
        f = ml_objective(model, theta, stats)
        return Estimate(theta, f, bool(np.isfinite(f)), 0, np.zeros((0, 0)), np.zeros(0), messages)
    f = ml_objective(model, theta, stats)
    iterations = 0
    if not np.isfinite(f):
        theta, f, iterations = _quasi_newton(model, stats, theta)
    theta, f, n1, converged = _scoring(model, stats, theta, f, max_iter)
    iterations += n1
    if not converged:
        alt, fa, n2 = _quasi_newton(model, stats, theta)
        iterations += n2
        if np.isfinite(fa) and fa <= f:
            theta, f = alt, fa
        theta, f, n3, converged = _scoring(model, stats, theta, f, max_iter)
        iterations += n3
    grad, info = ml_gradient_information(model, theta, stats)
    if not converged and np.max(np.abs(grad)) < gtol:
        converged = True
    if not converged:
        messages.append(f"the optimizer did not converge (largest gradient {np.max(np.abs(grad)):.2e} "
                        f"after {iterations} iterations)")
    return Estimate(theta, f, converged, iterations, info, grad, messages)


def _scoring(model, stats, theta, f, max_iter):
    """Levenberg-Marquardt Fisher scoring, then Newton polishing. -> (theta, f, iters, converged)"""
    lam = 1e-4
    it = 0
    newton = False
    newton_steps = 0
    while it < max_iter:
        it += 1
        if newton:
            grad, _ = ml_gradient_information(model, theta, stats, info=False)
            curv = _hessian(model, stats, theta)
        else:
            grad, curv = ml_gradient_information(model, theta, stats)
        damp = np.diag(np.maximum(np.abs(np.diag(curv)), 1e-12))
        step = _solve(curv + (0.0 if newton else lam) * damp, -grad)
        decrement = float(-grad @ step)
        if newton:
            if not np.isfinite(decrement) or decrement <= 0:
                newton = False          # not locally convex: back to damped scoring
                continue
            if decrement < 1e-20:
                return theta, f, it, True
        accepted = False
        for _ in range(40):
            new = theta + step
            fn = ml_objective(model, new, stats)
            if np.isfinite(fn) and fn <= f + 1e-15 * max(1.0, abs(f)):
                accepted = True
                break
            if newton:
                step = 0.5 * step
            else:
                lam *= 10.0
                step = _solve(curv + lam * damp, -grad)
        if not accepted:
            if newton:
                newton = False
                continue
            return theta, f, it, False
        change = f - fn
        theta, f = new, fn
        if not newton:
            lam = max(lam / 10.0, 1e-12)
            if change < 1e-9 * max(1.0, abs(f)):
                newton = True   # close to the optimum: switch to Newton steps
        else:
            newton_steps += 1
            # at the limit of floating point (or along a flat, unidentified direction)
            if newton_steps >= 50 or change <= 1e-16 * max(1.0, abs(f)):
                g_now, _ = ml_gradient_information(model, theta, stats, info=False)
                return theta, f, it, bool(np.max(np.abs(g_now)) < 1e-7)
    return theta, f, it, False


def _hessian(model: SemModel, stats: SampleStats, theta: np.ndarray) -> np.ndarray:
    """Observed Hessian of fmin in closed form (derivatives.py, which the bootstrap refits share),
    any number of groups; central differences of the analytic gradient only where Sigma is not
    positive definite."""
    hess = observed_hessian(model, stats, theta)
    if hess is not None:
        return hess
    return _hessian_fd(model, stats, theta)


def _hessian_fd(model: SemModel, stats: SampleStats, theta: np.ndarray) -> np.ndarray:
    """Observed Hessian of fmin by central differences of the analytic gradient."""
    k = len(theta)
    hess = np.zeros((k, k))
    for i in range(k):
        h = 1e-6 * max(1.0, abs(theta[i]))
        e = np.zeros(k)
        e[i] = h
        gp, _ = ml_gradient_information(model, theta + e, stats, info=False)
        gm, _ = ml_gradient_information(model, theta - e, stats, info=False)
        hess[i] = (gp - gm) / (2 * h)
    return 0.5 * (hess + hess.T)


def _solve(info: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(info, rhs)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(info, rhs, rcond=None)[0]


def _quasi_newton(model: SemModel, stats: SampleStats, theta: np.ndarray):
    """L-BFGS-B on fmin with the analytic gradient; a big finite value outside the PD region.

    Preconditioned by the expected information at the start (theta = theta0 + R^-1 z with
    R'R = information), which makes the problem well scaled (variances of 10 next to
    loadings of 1) and cuts the iterations several-fold.
    """
    theta0 = theta.copy()
    R = np.eye(len(theta))
    if np.isfinite(ml_objective(model, theta0, stats)):
        _, info = ml_gradient_information(model, theta0, stats)
        try:
            R = np.linalg.cholesky(info + 1e-10 * np.eye(len(theta))).T
        except np.linalg.LinAlgError:
            R = np.eye(len(theta))

    def to_theta(z):
        return theta0 + np.linalg.solve(R, z)

    def fun(z):
        x = to_theta(z)
        f = ml_objective(model, x, stats)
        if not np.isfinite(f):
            return np.inf, np.full_like(z, np.nan)
        g, _ = ml_gradient_information(model, x, stats, info=False)
        return f, np.linalg.solve(R.T, g)

    from scipy import optimize     # the rare fallback: not imported by every fit

    res = optimize.minimize(fun, np.zeros(len(theta)), jac=True, method="L-BFGS-B",
                            options={"maxiter": 10000, "maxcor": 20, "ftol": 1e-12, "gtol": 1e-7})
    x = to_theta(res.x)
    return x, ml_objective(model, x, stats), int(res.nit)


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
        est.theta = reflect_factors(model, est.theta)
    return model, est
