"""Polyserial correlations (a continuous item with an ordered one) and Pearson correlations of two
continuous items, as lavaan's two-step estimates with their casewise scores (lav_bvmix.R,
lav_bvreg.R), for the asymptotic covariance of mixed sample statistics (sem/data/categorical.py).

    rho = polyserial_fit(resid, var, z1, z2)
    scores = polyserial_scores(resid, var, z1, z2, upper, lower, rho)   # d log L_i / d (mu, var, tau, rho)

Step one fixes the continuous item's residuals y - yhat and ML variance and the ordered item's
standardized bounds z1, z2 (tau - x'beta; sem/data/probit.py); step two maximises the bivariate
likelihood phi(y) P(category | y) over rho alone, within lavaan's bounds (-0.995, 0.995). Without
covariates yhat is the mean and z the thresholds themselves.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

_EPS = np.finfo(float).eps


def _phi(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _parts(resid, var, z1, z2, rho):
    sd = math.sqrt(var)
    z = resid / sd
    r = math.sqrt(1 - rho * rho)
    t1, t2 = (z1 - rho * z) / r, (z2 - rho * z) / r
    p = np.maximum(special.ndtr(t1) - special.ndtr(t2), _EPS)
    return sd, z, r, t1, t2, p


def _loglik(resid, var, z1, z2, rho) -> float:
    sd, z, _, _, _, p = _parts(resid, var, z1, z2, rho)
    lik = _phi(z) / sd * p
    ok = lik >= math.sqrt(_EPS)          # lavaan leaves out rows whose likelihood underflows
    return float(np.sum(np.log(lik[ok])))


def polyserial_fit(resid: np.ndarray, var: float, z1: np.ndarray, z2: np.ndarray) -> float:
    """Two-step ML polyserial correlation of a continuous item (residuals y - yhat, ML variance)
    with an ordered item (each row's bounds z1, z2) (lav_bvmix_cor_twostep_fit)."""
    res = optimize.minimize_scalar(lambda r: -_loglik(resid, var, z1, z2, r), bounds=(-0.995, 0.995),
                                   method="bounded", options={"xatol": 1e-12, "maxiter": 500})
    return float(res.x)


@dataclass
class BivariateScores:
    """Casewise scores of one pair's two-step likelihood (rows x ...), lavaan's dx.* names; item 1
    continuous (mu, var) or ordered (th), item 2 likewise. The slopes' scores are d_eta * X."""
    rho: np.ndarray                  # d / d rho
    mu1: np.ndarray | None = None    # d / d intercept of item 1 (continuous)
    var1: np.ndarray | None = None   # d / d residual variance of item 1
    th1: np.ndarray | None = None    # rows x thresholds of item 1 (ordered)
    eta1: np.ndarray | None = None   # d / d x'beta of item 1
    mu2: np.ndarray | None = None
    var2: np.ndarray | None = None
    th2: np.ndarray | None = None
    eta2: np.ndarray | None = None


def polyserial_scores(resid, var, z1, z2, upper, lower, rho) -> BivariateScores:
    """lav_bvmix_cor_scores: item 1 continuous, item 2 ordered (upper, lower: lavaan's Y1, Y2)."""
    sd, z, r, t1, t2, p = _parts(resid, var, z1, z2, rho)
    inv = 1.0 / p
    d1, d2 = _phi(t1), _phi(t2)
    diff = d1 - d2
    mu1 = (z + inv * (rho / r) * diff) / sd
    return BivariateScores(
        rho=inv / r ** 3 * (d1 * (z1 * rho - z) - d2 * (z2 * rho - z)),
        mu1=mu1, eta1=mu1,
        var1=((z * z - 1) + inv * rho * z / r * diff) / (2 * var),
        th2=(upper * d1[:, None] - lower * d2[:, None]) * (inv / r)[:, None],
        eta2=-diff * inv / r,
    )


def pearson_scores(c1, var1, c2, var2, rho) -> BivariateScores:
    """lav_bvreg_cor_scores: both items continuous (residuals y - yhat, ML residual variances)."""
    s1, s2 = math.sqrt(var1), math.sqrt(var2)
    R = 1 - rho * rho
    cross = c1 * c2 / (s1 * s2)
    z = c1 * c1 / var1 - 2 * rho * cross + c2 * c2 / var2
    mu1 = (c1 / var1 - rho * c2 / (s1 * s2)) / R
    mu2 = (c2 / var2 - rho * c1 / (s1 * s2)) / R
    return BivariateScores(
        rho=rho / R + cross / R - z * rho / R ** 2,
        mu1=mu1, eta1=mu1, mu2=mu2, eta2=mu2,
        var1=-(0.5 / var1 - (c1 * c1 / var1 ** 2 - rho * cross / var1) / (2 * R)),
        var2=-(0.5 / var2 + (rho * cross / var2 - c2 * c2 / var2 ** 2) / (2 * R)),
    )
