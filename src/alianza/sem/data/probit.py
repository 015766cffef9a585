"""Step one of lavaan's two-step statistics with observed covariates (conditional.x): each ordered
item's ordinal probit regression and each continuous item's linear regression on the covariates
(lav_uvord.R, lav_uvreg.R), with their casewise scores.

    fit = ordinal_probit(codes, X)    # P(y <= k | x) = Phi(tau_k - x'beta): fit.tau, fit.beta, fit.z1, fit.z2
    fit = linear_regression(y, X)     # y = b0 + x'beta + e, Var(e) by ML (divisor N)

z1 and z2 are each row's upper and lower standardized bounds, tau - x'beta, with lavaan's offsets
(+-100) for the end categories, which the bivariate step reuses.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from alianza.errors import ConfigError

OFFSET = 100.0


def _phi(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


@dataclass
class OrdinalFit:
    codes: np.ndarray             # 0..L-1
    tau: np.ndarray               # thresholds
    beta: np.ndarray              # slopes (q)
    z1: np.ndarray                # tau_upper - x'beta (+100 past the last category)
    z2: np.ndarray                # tau_lower - x'beta (-100 below the first)
    scores_th: np.ndarray         # n x thresholds
    scores_sl: np.ndarray         # n x q

    @property
    def upper(self) -> np.ndarray:
        """n x thresholds: 1 where the threshold is the row's upper bound (lavaan's Y1)."""
        return indicator(self.codes, len(self.tau), 0)

    @property
    def lower(self) -> np.ndarray:
        """n x thresholds: 1 where the threshold is the row's lower bound (lavaan's Y2)."""
        return indicator(self.codes, len(self.tau), 1)


def indicator(codes, nth, shift):
    """n x thresholds: 1 where threshold code - shift bounds the row's category (shift 0: upper, 1: lower)."""
    out = np.zeros((len(codes), nth))
    k = codes - shift
    ok = (k >= 0) & (k < nth)
    out[np.flatnonzero(ok), k[ok]] = 1.0
    return out


def bounds(codes, tau, eta):
    """Each row's (upper, lower) bound tau - eta, with lavaan's +-100 offsets at the ends."""
    th = np.concatenate([[0.0], tau, [0.0]])
    nth = len(tau)
    z1 = th[codes + 1] - eta + np.where(codes == nth, OFFSET, 0.0)
    z2 = th[codes] - eta + np.where(codes == 0, -OFFSET, 0.0)
    return z1, z2


def interval_prob(z1, z2):
    """Phi(z1) - Phi(z2), in the upper tail where both bounds are large (as lavaan)."""
    p = special.ndtr(z1) - special.ndtr(z2)
    large = z2 > 1                       # lavaan: upper tails where both bounds are large
    p[large] = special.ndtr(-z2[large]) - special.ndtr(-z1[large])
    return p


def ordinal_probit(codes: np.ndarray, X: np.ndarray, *, tol: float = 1e-10, max_iter: int = 200,
                   item: str = "") -> OrdinalFit:
    """ML ordinal probit regression of codes (0..L-1) on X (n x q), by Newton-Raphson with the
    analytic Hessian and step halving, from lavaan's starting values (normal quantiles of the
    categories' positions, slopes 0)."""
    codes = np.asarray(codes, int)
    n, q = X.shape
    nth = int(codes.max())
    tau = special.ndtri(np.arange(1, nth + 1) / (nth + 1)) if nth > 1 else np.zeros(1)
    theta = np.concatenate([tau, np.zeros(q)])
    up, lo = indicator(codes, nth, 0), indicator(codes, nth, 1)
    J1 = np.hstack([up, -X])                 # d z1 / d (tau, beta)
    J2 = np.hstack([lo, -X])

    def loglik(th):
        z1, z2 = bounds(codes, th[:nth], X @ th[nth:])
        if np.any(np.diff(th[:nth]) <= 0):
            return -np.inf
        return float(np.sum(np.log(np.maximum(interval_prob(z1, z2), 1e-300))))

    ll = loglik(theta)
    for _ in range(max_iter):
        z1, z2 = bounds(codes, theta[:nth], X @ theta[nth:])
        p = np.maximum(interval_prob(z1, z2), 1e-300)
        f1, f2 = _phi(z1), _phi(z2)
        a1, a2 = f1 / p, -f2 / p
        grad = J1.T @ a1 + J2.T @ a2
        h11 = -z1 * f1 / p - a1 * a1
        h22 = z2 * f2 / p - a2 * a2
        h12 = f1 * f2 / (p * p)
        hess = (J1 * h11[:, None]).T @ J1 + (J2 * h22[:, None]).T @ J2 \
            + (J1 * h12[:, None]).T @ J2 + (J2 * h12[:, None]).T @ J1
        step = np.linalg.solve(hess, -grad)
        t = 1.0
        while t > 1e-8:
            new = theta + t * step
            ll_new = loglik(new)
            if ll_new >= ll - 1e-12:
                break
            t /= 2
        else:
            raise ConfigError(f"the probit regression of ordered item {item} on the covariates did not converge",
                              key="model", column=item or None)
        done = np.max(np.abs(new - theta)) < tol
        theta, ll = new, ll_new
        if done:
            break
    return ordinal_fit(codes, theta[:nth], theta[nth:], X)


def ordinal_fit(codes: np.ndarray, tau: np.ndarray, beta: np.ndarray, X: np.ndarray) -> OrdinalFit:
    """The probit at given thresholds and slopes, with its casewise scores (lav_uvord_scores)."""
    z1, z2 = bounds(codes, tau, X @ beta)
    p = interval_prob(z1, z2)
    f1, f2 = _phi(z1), _phi(z2)
    up, lo = indicator(codes, len(tau), 0), indicator(codes, len(tau), 1)
    return OrdinalFit(codes, tau, beta, z1, z2, (up * f1[:, None] - lo * f2[:, None]) / p[:, None],
                      -X * ((f1 - f2) / p)[:, None])


@dataclass
class LinearFit:
    intercept: float
    beta: np.ndarray              # slopes (q)
    var: float                    # residual variance, divisor N
    resid: np.ndarray
    scores_int: np.ndarray        # n
    scores_sl: np.ndarray         # n x q
    scores_var: np.ndarray        # n


def linear_regression(y: np.ndarray, X: np.ndarray) -> LinearFit:
    """OLS (the ML estimates) of y on [1, X] with lav_uvreg_scores."""
    X1 = np.column_stack([np.ones(len(y)), X])
    coef, *_ = np.linalg.lstsq(X1, y, rcond=None)
    resid = y - X1 @ coef
    var = float(np.mean(resid ** 2))
    sc = X1 * (resid / var)[:, None]
    return LinearFit(float(coef[0]), coef[1:], var, resid, sc[:, 0], sc[:, 1:],
                     -1 / (2 * var) + resid ** 2 / (2 * var ** 2))
