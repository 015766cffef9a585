"""Chi-square distribution functions from scipy.special.

scipy.stats costs about a second of import time (it parses every distribution's docstring);
the estimation path needs only these three, which scipy.stats itself builds on."""
from __future__ import annotations

import numpy as np
from scipy import special


def chi2_cdf(x, df):
    # scipy.stats gives 0 below the support; cdflib gives NaN (a chi-square of -1e-13 happens)
    return special.chdtr(df, np.maximum(x, 0.0))


def chi2_sf(x, df):
    return special.chdtrc(df, np.maximum(x, 0.0))


def ncx2_cdf(x, df, ncp):
    """Noncentral chi-square cdf (cdflib's cumchn); the central one at ncp = 0, where cdflib
    answers NaN."""
    ncp = np.asarray(ncp, float)
    out = np.where(ncp > 0, special.chndtr(np.maximum(x, 0.0), df, np.maximum(ncp, 1e-300)), chi2_cdf(x, df))
    return out if out.ndim else float(out)


def ncx2_noncentrality(x, df, p) -> float:
    """The noncentrality at which the noncentral chi-square cdf at x equals p (cdflib's inversion;
    what lavaan's RMSEA interval finds with uniroot). Callers check that a root exists."""
    return float(special.chndtrinc(x, df, p))
