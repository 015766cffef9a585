"""Fit measures with lavaan's definitions (lav_fit_*.R of lavaan 0.6.14), ML estimator.

Names are lavaan's with dots turned into underscores. N is the total sample size (not
N - 1: lavaan's default "normal" likelihood), the baseline is lavaan's independence
model (exogenous covariates keep their sample covariances under fixed.x), and SRMR is
lavaan's default srmr_bentler, means included when the model has a mean structure.
"""
from __future__ import annotations

import math

import numpy as np
from alianza.sem.inference.distributions import chi2_cdf, chi2_sf, ncx2_cdf, ncx2_noncentrality

LOG2PI = math.log(2 * math.pi)


def _all_equal_zero(x: float) -> bool:
    """R's isTRUE(all.equal(x, 0)): |x| within 1.5e-8."""
    return abs(x) <= 1.5e-8


def _pchisq(x, df, ncp=0.0):
    if ncp <= 0:
        return chi2_cdf(x, df)
    return ncx2_cdf(x, df, ncp)


def chisq_pvalue(x2: float, df: float) -> float:
    return float(chi2_sf(x2, df)) if df > 0 else float("nan")


def cfi(x2, df, x2_null, df_null):
    if any(np.isnan([x2, df, x2_null, df_null])):
        return float("nan")
    t1 = max(x2 - df, 0.0)
    t2 = max(x2 - df, x2_null - df_null, 0.0)
    if _all_equal_zero(t1) and _all_equal_zero(t2):
        return 1.0
    return 1.0 - t1 / t2


def tli(x2, df, x2_null, df_null):
    """lavaan's TLI (= NNFI): 1 when df == 0 or the baseline has no excess misfit."""
    if any(np.isnan([x2, df, x2_null, df_null])):
        return float("nan")
    t1 = (x2 - df) * df_null
    t2 = (x2_null - df_null) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    if not (np.isfinite(t1) and np.isfinite(t2)):
        return float("nan")
    return 1.0


def rfi(x2, df, x2_null, df_null):
    if df > df_null:
        return float("nan")
    if df > 0 and df_null > 0:
        t1, t2 = x2_null / df_null - x2 / df, x2_null / df_null
        if not (np.isfinite(t1) and np.isfinite(t2)):
            return float("nan")
        return 1.0 if (t1 < 0 or t2 < 0) else t1 / t2
    return 1.0


def nfi(x2, df, x2_null, df_null):
    if df > df_null or _all_equal_zero(x2_null):
        return float("nan")
    return (x2_null - x2) / x2_null if df > 0 else 1.0


def pnfi(x2, df, x2_null, df_null):
    if df_null > 0 and x2_null > 0:
        return (df / df_null) * (x2_null - x2) / x2_null
    return float("nan")


def ifi(x2, df, x2_null, df_null):
    t1, t2 = x2_null - x2, x2_null - df
    if not (np.isfinite(t1) and np.isfinite(t2)):
        return float("nan")
    if t2 < 0:
        return 1.0
    if _all_equal_zero(t2):
        return float("nan")
    return t1 / t2


def rni(x2, df, x2_null, df_null):
    t1, t2 = x2 - df, x2_null - df_null
    if _all_equal_zero(t2) or not (np.isfinite(t1) and np.isfinite(t2)):
        return float("nan")
    return 1.0 - t1 / t2


def rmsea(x2, df, n, groups=1):
    if df <= 0:
        return 0.0
    return math.sqrt(max(x2 / n / df - 1.0 / n, 0.0)) * math.sqrt(groups)


def rmsea_ci(x2, df, n, groups=1, level=0.90):
    """lav_fit_rmsea_ci: the noncentrality values whose chi-square cdf at x2 is .95 / .05."""
    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2
    if not (np.isfinite(x2) and np.isfinite(df)):
        return float("nan"), float("nan")

    def lower_fn(lam):
        return _pchisq(x2, df, lam) - upper_p

    def upper_fn(lam):
        return _pchisq(x2, df, lam) - lower_p

    if df < 1 or lower_fn(0.0) < 0:
        lo = 0.0
    else:
        lam = ncx2_noncentrality(x2, df, upper_p)
        lo = math.sqrt(lam / (n * df)) * math.sqrt(groups)
    n_rmsea = max(n, x2 * 4)
    if df < 1 or upper_fn(n_rmsea) > 0 or upper_fn(0.0) < 0:
        hi = 0.0
    else:
        lam = ncx2_noncentrality(x2, df, lower_p)
        hi = math.sqrt(lam / (n * df)) * math.sqrt(groups)
    return lo, hi


def rmsea_pvalue(x2, df, n, groups=1, h0=0.05, close=True):
    if df <= 0:
        return float("nan")
    ncp = n * df * h0 ** 2 / groups
    p = _pchisq(x2, df, ncp)
    return float(1 - p) if close else float(p)


def srmr_bentler(obs_cov, obs_mean, imp_cov, imp_mean, meanstructure: bool) -> float:
    """lavaan's srmr_bentler for one group: residuals of the covariances (and means) after
    scaling both by the observed standard deviations; entries below 1e-5 left unscaled,
    as lav_residuals_rescale does."""
    sd_obs = np.sqrt(np.diag(obs_cov))

    def rescale(cov, mean):
        scale = np.outer(1 / sd_obs, 1 / sd_obs)
        scale[np.abs(cov) < 1e-5] = 1.0
        c = cov * scale
        smean = 1 / sd_obs
        smean = np.where(np.abs(mean) < 1e-5, 1.0, smean)
        return c, mean * smean

    oc, om = rescale(obs_cov, obs_mean)
    ic, im = rescale(imp_cov, imp_mean)
    rc = (oc - ic)[np.tril_indices(len(sd_obs))]
    if meanstructure:
        stats = np.concatenate([om - im, rc])
    else:
        stats = rc
    return float(math.sqrt(np.sum(stats ** 2) / len(stats)))


def loglik(cov, mean, sigma, mu, n, x_idx=None):
    """Normal log-likelihood from sample moments (divisor N); with fixed.x the marginal
    log-likelihood of the exogenous covariates is subtracted (lavaan's conditional logl)."""
    p = cov.shape[0]
    sign, logdet = np.linalg.slogdet(sigma)
    sinv = np.linalg.inv(sigma)
    d = mean - mu
    ll = -n / 2 * (p * LOG2PI + logdet + np.sum(sinv * cov) + d @ sinv @ d)
    if x_idx is not None and len(x_idx):
        sx = cov[np.ix_(x_idx, x_idx)]
        ll -= loglik(sx, mean[x_idx], sx, mean[x_idx], n)
    return float(ll)


def baseline_chisq(cov, n, x_idx) -> float:
    """Independence model: free variances, exogenous block at its sample values (ML closed form)."""
    sigma0 = np.diag(np.diag(cov))
    if len(x_idx):
        sigma0[np.ix_(x_idx, x_idx)] = cov[np.ix_(x_idx, x_idx)]
    _, ld0 = np.linalg.slogdet(sigma0)
    _, lds = np.linalg.slogdet(cov)
    p = cov.shape[0]
    f = ld0 + np.sum(np.linalg.inv(sigma0) * cov) - lds - p
    return float(n * f)


def chisq_based_measures(chisq, df, base_chisq, base_df, n, npar, logl, unrestricted_logl,
                         *, fmin, groups=1) -> dict:
    """The fit measures every estimation path shares, from the test statistics and log-likelihoods
    (lavaan's names): chi-square test, baseline comparisons, information criteria, RMSEA family.
    Callers add what depends on their residuals (srmr) and options (ngroups, scaled tests)."""
    lo, hi = rmsea_ci(chisq, df, n, groups=groups)
    return {
        "npar": npar, "fmin": fmin, "chisq": chisq, "df": df, "pvalue": chisq_pvalue(chisq, df),
        "baseline_chisq": base_chisq, "baseline_df": base_df,
        "baseline_pvalue": chisq_pvalue(base_chisq, base_df),
        "cfi": cfi(chisq, df, base_chisq, base_df), "tli": tli(chisq, df, base_chisq, base_df),
        "nnfi": tli(chisq, df, base_chisq, base_df), "rfi": rfi(chisq, df, base_chisq, base_df),
        "nfi": nfi(chisq, df, base_chisq, base_df), "pnfi": pnfi(chisq, df, base_chisq, base_df),
        "ifi": ifi(chisq, df, base_chisq, base_df), "rni": rni(chisq, df, base_chisq, base_df),
        "logl": logl, "unrestricted_logl": unrestricted_logl,
        "aic": -2 * logl + 2 * npar, "bic": -2 * logl + npar * np.log(n),
        "ntotal": n, "bic2": -2 * logl + npar * np.log((n + 2) / 24),
        "rmsea": rmsea(chisq, df, n, groups=groups), "rmsea_ci_lower": lo, "rmsea_ci_upper": hi,
        "rmsea_ci_level": 0.90,
        "rmsea_pvalue": rmsea_pvalue(chisq, df, n, groups=groups, h0=0.05, close=True), "rmsea_close_h0": 0.05,
        "rmsea_notclose_pvalue": rmsea_pvalue(chisq, df, n, groups=groups, h0=0.08, close=False),
        "rmsea_notclose_h0": 0.08,
    }
