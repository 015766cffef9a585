"""Polyserial correlations (a continuous item with an ordered one) and Pearson correlations of two
continuous items, as lavaan's two-step estimates with their casewise scores (lav_bvmix.R,
lav_bvreg.R), for the asymptotic covariance of mixed sample statistics (sem/data/categorical.py).

    rho = polyserial_fit(y, mean, var, codes, tau)
    scores = polyserial_scores(y, mean, var, codes, tau, rho)   # d log L_i / d (mu, var, tau, rho)

Step one fixes the continuous item's mean and ML variance and the ordered item's thresholds; step
two maximises the bivariate likelihood phi(y) P(category | y) over rho alone, within lavaan's
bounds (-0.995, 0.995). The ordered item's end categories use lavaan's offsets (+-100 instead of
+-inf), which keeps 0 * inf out of the scores.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

_EPS = np.finfo(float).eps
_OFFSET = 100.0


def _phi(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _bounds(codes: np.ndarray, tau: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(upper, lower) threshold of each row's category (lavaan's z1, z2 without covariates)."""
    th = np.concatenate([[-_OFFSET], tau, [_OFFSET]])
    return th[codes + 1], th[codes]


def _parts(y, mean, var, codes, tau, rho):
    sd = math.sqrt(var)
    z = (y - mean) / sd
    z1, z2 = _bounds(codes, tau)
    r = math.sqrt(1 - rho * rho)
    t1, t2 = (z1 - rho * z) / r, (z2 - rho * z) / r
    p = np.maximum(special.ndtr(t1) - special.ndtr(t2), _EPS)
    return sd, z, z1, z2, r, t1, t2, p


def _loglik(y, mean, var, codes, tau, rho) -> float:
    sd, z, _, _, _, _, _, p = _parts(y, mean, var, codes, tau, rho)
    lik = _phi(z) / sd * p
    ok = lik >= math.sqrt(_EPS)          # lavaan leaves out rows whose likelihood underflows
    return float(np.sum(np.log(lik[ok])))


def polyserial_fit(y: np.ndarray, mean: float, var: float, codes: np.ndarray, tau: np.ndarray) -> float:
    """Two-step ML polyserial correlation of continuous y (mean, ML variance fixed) with the
    ordered item coded 0..L-1 with thresholds tau (lav_bvmix_cor_twostep_fit)."""
    res = optimize.minimize_scalar(lambda r: -_loglik(y, mean, var, codes, tau, r), bounds=(-0.995, 0.995),
                                   method="bounded", options={"xatol": 1e-12, "maxiter": 500})
    return float(res.x)


@dataclass
class BivariateScores:
    """Casewise scores of one pair's two-step likelihood (rows x ...), lavaan's dx.* names."""
    rho: np.ndarray               # d / d rho
    mu1: np.ndarray               # d / d mean of item 1 (continuous)
    var1: np.ndarray              # d / d variance of item 1
    th2: np.ndarray | None = None  # rows x thresholds of item 2 (ordered)
    mu2: np.ndarray | None = None  # item 2 continuous: d / d mean, d / d variance
    var2: np.ndarray | None = None


def polyserial_scores(y, mean, var, codes, tau, rho) -> BivariateScores:
    """lav_bvmix_cor_scores without covariates: y continuous, codes (0..L-1) ordered."""
    sd, z, z1, z2, r, t1, t2, p = _parts(y, mean, var, codes, tau, rho)
    inv = 1.0 / p
    d1, d2 = _phi(t1), _phi(t2)
    diff = d1 - d2
    nth = len(tau)
    up = np.zeros((len(y), nth))
    lo = np.zeros((len(y), nth))
    rows = np.arange(len(y))
    has_up, has_lo = codes < nth, codes > 0
    up[rows[has_up], codes[has_up]] = 1.0
    lo[rows[has_lo], codes[has_lo] - 1] = 1.0
    return BivariateScores(
        rho=inv / r ** 3 * (d1 * (z1 * rho - z) - d2 * (z2 * rho - z)),
        mu1=(z + inv * (rho / r) * diff) / sd,
        var1=((z * z - 1) + inv * rho * z / r * diff) / (2 * var),
        th2=(up * d1[:, None] - lo * d2[:, None]) * (inv / r)[:, None],
    )


def pearson_scores(y1, mean1, var1, y2, mean2, var2, rho) -> BivariateScores:
    """lav_bvreg_cor_scores without covariates: both items continuous (ML means and variances)."""
    c1, c2 = y1 - mean1, y2 - mean2
    s1, s2 = math.sqrt(var1), math.sqrt(var2)
    R = 1 - rho * rho
    cross = c1 * c2 / (s1 * s2)
    z = c1 * c1 / var1 - 2 * rho * cross + c2 * c2 / var2
    return BivariateScores(
        rho=rho / R + cross / R - z * rho / R ** 2,
        mu1=(c1 / var1 - rho * c2 / (s1 * s2)) / R,
        var1=-(0.5 / var1 - (c1 * c1 / var1 ** 2 - rho * cross / var1) / (2 * R)),
        mu2=(c2 / var2 - rho * c1 / (s1 * s2)) / R,
        var2=-(0.5 / var2 + (rho * cross / var2 - c2 * c2 / var2 ** 2) / (2 * R)),
    )
