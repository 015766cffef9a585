"""The smallest sample size reaching a target power, interpolated between grid points.

For a z-test of an effect delta with standard error s / sqrt(n), power is
Phi(delta sqrt(n) / s - z_{1-alpha/2}) (plus a negligible other tail): the probit of power
is linear in sqrt(n). So the Monte Carlo powers (successes out of converged replicates at
each n) are fitted by a binomial probit regression on sqrt(n) (maximum likelihood), which
smooths Monte Carlo noise with the curve's theoretical shape, and the target is solved for:
n = ((Phi^-1(target) - a) / b)^2, rounded up. When that fit cannot be made (one grid
point, every point all-or-nothing, a non-increasing curve), linear interpolation
between the first two grid points that bracket the target is used instead.

A value is only given inside the grid: below its smallest n the status is "below_grid"
(already powered at the smallest n), above its largest "above_grid" (add larger n); the
probit extrapolation is kept as `extrapolated_n` for orientation.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special


def probit_fit(n, successes, trials):
    """ML of P(success) = Phi(a + b sqrt(n)) on grouped binomial data -> (a, b) or None."""
    n = np.asarray(n, float)
    k = np.asarray(successes, float)
    m = np.asarray(trials, float)
    ok = m > 0
    n, k, m = n[ok], k[ok], m[ok]
    if len(n) < 2 or np.all((k == 0) | (k == m)):
        return None         # every point all-or-nothing: no curvature to fit (separation)
    x = np.sqrt(n)
    # start: least squares on probits of the (clipped) proportions
    prop = np.clip((k + 0.5) / (m + 1.0), 1e-3, 1 - 1e-3)
    b0, a0 = np.polyfit(x, special.ndtri(prop), 1)

    def nll(par):
        eta = par[0] + par[1] * x
        return -(k * special.log_ndtr(eta) + (m - k) * special.log_ndtr(-eta)).sum()

    from scipy import optimize  # only here: ~0.1 s of import the other power jobs do not pay

    res = optimize.minimize(nll, [a0, b0], method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000})
    a, b = res.x
    if not (np.isfinite(a) and np.isfinite(b)) or b <= 0 or abs(b) > 1e3:
        return None
    return float(a), float(b)


def min_n(n, successes, trials, target: float = 0.8) -> dict:
    """Smallest n with power >= target: {"n", "status", "method", "extrapolated_n"} (see module doc)."""
    order = np.argsort(n)
    n = np.asarray(n, float)[order]
    k = np.asarray(successes, float)[order]
    m = np.asarray(trials, float)[order]
    lo, hi = n.min(), n.max()
    fit = probit_fit(n, k, m)
    if fit is not None:
        a, b = fit
        root = (special.ndtri(target) - a) / b
        value = root ** 2 if root > 0 else 0.0
        return _status(value, lo, hi, "probit in sqrt(n)")
    with np.errstate(invalid="ignore", divide="ignore"):
        power = np.where(m > 0, k / np.maximum(m, 1), np.nan)
    valid = ~np.isnan(power)
    n, power = n[valid], power[valid]
    if not len(n):
        return {"n": None, "status": "no_converged_replicates", "method": None, "extrapolated_n": None}
    if power[0] >= target:
        return {"n": None, "status": "below_grid", "method": "observed", "extrapolated_n": None}
    for i in range(1, len(n)):
        if power[i] >= target:
            value = n[i - 1] + (target - power[i - 1]) * (n[i] - n[i - 1]) / (power[i] - power[i - 1])
            return _status(value, lo, hi, "linear between grid points")
    return {"n": None, "status": "above_grid", "method": "observed", "extrapolated_n": None}


def _status(value: float, lo: float, hi: float, method: str) -> dict:
    needed = int(math.ceil(value - 1e-9))
    if needed < lo:
        return {"n": None, "status": "below_grid", "method": method, "extrapolated_n": needed}
    if needed > hi:
        return {"n": None, "status": "above_grid", "method": method, "extrapolated_n": needed}
    return {"n": needed, "status": "interpolated", "method": method, "extrapolated_n": None}


def probit_curve(n, successes, trials, grid):
    """The fitted power curve on `grid` (None when the probit fit cannot be made)."""
    fit = probit_fit(n, successes, trials)
    if fit is None:
        return None
    a, b = fit
    return special.ndtr(a + b * np.sqrt(np.asarray(grid, float)))
