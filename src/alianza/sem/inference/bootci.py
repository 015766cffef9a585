"""Bootstrap confidence intervals and standard errors from replicate draws (pure functions).

- norm_inter: R's boot:::norm.inter, the quantile of the replicates interpolated on the
  normal scale, which lavaan's parameterEstimates() uses for every bootstrap interval;
- percentile_ci: lavaan's boot.ci.type = "perc" (the default);
- bca_ci: bias-corrected and accelerated interval (Efron 1987) as boot::boot.ci(type =
  "bca") computes it, the acceleration from empirical influence values. Here those come
  from the jackknife (n leave-one-out fits, boot's empinf(type = "jack")). lavaan 0.6.14
  offers "bca.simple" (no acceleration) and "bca", which estimates the influence values by
  regressing the replicates on their resampling frequencies (it needs R >= N): an
  estimate of the same quantity, so the two agree within Monte Carlo error;
- bootstrap_se: lavaan's standard error, the SD of the successful replicates.
"""
from __future__ import annotations

import numpy as np
from scipy import special

_qnorm = special.ndtri
_pnorm = special.ndtr


def norm_inter(t, alpha) -> np.ndarray:
    """boot:::norm.inter(t, alpha)[, 2]: interpolated order statistics of the finite t."""
    t = np.asarray(t, float)
    t = np.sort(t[np.isfinite(t)])
    alpha = np.atleast_1d(np.asarray(alpha, float))
    R = len(t)
    out = np.full(len(alpha), np.nan)
    if R == 0:
        return out
    rk = (R + 1) * alpha
    k = np.trunc(rk).astype(int)
    for n, (a, r, kk) in enumerate(zip(alpha, rk, k)):
        if not np.isfinite(a):
            continue
        if kk == r and 1 <= kk <= R:                 # an exact order statistic
            out[n] = t[kk - 1]
        elif kk <= 0:
            out[n] = t[0]
        elif kk >= R:
            out[n] = t[R - 1]
        else:
            z, zk, zk1 = _qnorm(a), _qnorm(kk / (R + 1)), _qnorm((kk + 1) / (R + 1))
            out[n] = t[kk - 1] + (z - zk) / (zk1 - zk) * (t[kk] - t[kk - 1])
    return out


def percentile_ci(t, level: float = 0.95) -> tuple[float, float]:
    lo, hi = norm_inter(t, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def jackknife_influence(tj) -> np.ndarray:
    """Empirical influence values from leave-one-out estimates: (n - 1) (mean - t_(i))."""
    tj = np.asarray(tj, float)
    tj = tj[np.isfinite(tj)]
    return (len(tj) - 1) * (tj.mean() - tj)


def acceleration(influence) -> float:
    """a = sum(L^3) / (6 sum(L^2)^1.5), as boot's bca.ci."""
    L = np.asarray(influence, float)
    den = 6.0 * np.sum(L ** 2) ** 1.5
    return float(np.sum(L ** 3) / den) if den > 0 else float("nan")


def bca_ci(t, t0: float, accel: float, level: float = 0.95) -> tuple[float, float]:
    """boot::boot.ci(type = "bca") from replicates t, estimate t0 and acceleration a.

    NaN when the bias correction is infinite (t0 below or above every replicate), where
    boot stops with an error.
    """
    t = np.asarray(t, float)
    t = t[np.isfinite(t)]
    if len(t) == 0 or not np.isfinite(accel):
        return float("nan"), float("nan")
    if np.var(t) == 0:                      # lavaan keeps the estimate for a constant parameter
        return float(t0), float(t0)
    w = _qnorm(np.sum(t < t0) / len(t))
    if not np.isfinite(w):
        return float("nan"), float("nan")
    z = _qnorm(np.array([(1 - level) / 2, (1 + level) / 2]))
    adj = _pnorm(w + (w + z) / (1 - accel * (w + z)))
    lo, hi = norm_inter(t, adj)
    return float(lo), float(hi)


def bootstrap_se(t, *, ddof: int = 0) -> float:
    """SD of the finite replicates. lavaan divides by R for free parameters
    (lav_model_nvcov_bootstrap: cov(COEF) * (R - 1) / R) and by R - 1 for `:=` ones
    (lav_model_vcov_se: cov(BOOT.def)); `ddof` picks one."""
    t = np.asarray(t, float)
    t = t[np.isfinite(t)]
    if len(t) <= ddof:
        return float("nan")
    return float(np.std(t, ddof=ddof))
