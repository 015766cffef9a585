"""Item diagnostics: descriptives, corrected item-total correlations, alpha if item deleted, Mardia.

Conventions follow psych 2.2.9 (the reference most readers of such tables know):
- skewness and excess kurtosis are psych::describe's default `type = 3`
  (b1 = m3 / s^3 and b2 = m4 / s^4 - 3 with s the n-1 standard deviation, i.e. the
  moment estimators g1, g2 times ((n-1)/n)^(3/2) and ((n-1)/n)^2). `type = 1` gives the
  moment estimators g1, g2 (scipy `bias=True`), `type = 2` the bias-corrected G1, G2
  (scipy `bias=False`, SPSS, SAS).
- r_drop and alpha_drop are psych::alpha's `item.stats$r.drop` (correlation of the item with
  the sum of the other items) and `alpha.drop$raw_alpha`, computed from the item covariance.
- mardia() is psych::mardia (covariance with divisor n-1); `ml_cov=True` gives Mardia's (1970)
  original definition with the maximum-likelihood covariance (divisor n) as MVN does.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats (~0.4 s of import per job): same functions

from .reliability import alpha_from_cov


def skewness(x, type: int = 3) -> float:
    """Sample skewness of the non-missing values of x (psych::skew types 1-3)."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n < 3:
        return float("nan")
    d = x - x.mean()
    m2 = np.mean(d**2)
    if m2 == 0:
        return float("nan")
    g1 = np.mean(d**3) / m2**1.5
    if type == 1:
        return float(g1)
    if type == 2:
        return float(g1 * np.sqrt(n * (n - 1)) / (n - 2))
    if type == 3:
        return float(g1 * ((n - 1) / n) ** 1.5)
    raise ValueError(f"skewness type must be 1, 2 or 3, not {type!r}")


def kurtosis(x, type: int = 3) -> float:
    """Sample excess kurtosis of the non-missing values of x (psych::kurtosi types 1-3)."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n < 4:
        return float("nan")
    d = x - x.mean()
    m2 = np.mean(d**2)
    if m2 == 0:
        return float("nan")
    g2 = np.mean(d**4) / m2**2 - 3
    if type == 1:
        return float(g2)
    if type == 2:
        return float(((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3)))
    if type == 3:
        return float((g2 + 3) * (1 - 1 / n) ** 2 - 3)
    raise ValueError(f"kurtosis type must be 1, 2 or 3, not {type!r}")


def item_descriptives(
    data: pd.DataFrame,
    items: list[str],
    scale_min: float | None = None,
    scale_max: float | None = None,
    moment_type: int = 3,
) -> pd.DataFrame:
    """One row per item from all its non-missing values (as psych::describe, na.rm = TRUE).

    floor_pct / ceiling_pct are the percentages of non-missing answers at the scale's minimum
    and maximum; when not given, the scale ends are the smallest and largest values observed
    on any of `items` (they share one response scale).
    """
    block = data[items].astype(float)
    lo = float(np.nanmin(block.to_numpy())) if scale_min is None else float(scale_min)
    hi = float(np.nanmax(block.to_numpy())) if scale_max is None else float(scale_max)
    rows = []
    total = len(block)
    for item in items:
        x = block[item].to_numpy()
        ok = x[~np.isnan(x)]
        n = ok.size
        rows.append(
            {
                "item": item,
                "n": int(n),
                "missing_pct": 100.0 * (total - n) / total if total else float("nan"),
                "mean": float(ok.mean()) if n else float("nan"),
                "sd": float(ok.std(ddof=1)) if n > 1 else float("nan"),
                "skew": skewness(ok, moment_type),
                "kurtosis": kurtosis(ok, moment_type),
                "min": float(ok.min()) if n else float("nan"),
                "max": float(ok.max()) if n else float("nan"),
                "floor_pct": 100.0 * float(np.mean(ok == lo)) if n else float("nan"),
                "ceiling_pct": 100.0 * float(np.mean(ok == hi)) if n else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def item_total(complete: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    """Corrected item-total correlation and alpha if item deleted (psych::alpha r.drop, alpha.drop).

    `complete` must hold no missing values in `items` (callers pass listwise-complete rows).
    """
    C = complete[items].astype(float).cov().to_numpy()
    k = len(items)
    col = C.sum(axis=0)
    rows = []
    for i, item in enumerate(items):
        keep = [j for j in range(k) if j != i]
        rest = C[np.ix_(keep, keep)]
        r_drop = (col[i] - C[i, i]) / np.sqrt(C[i, i] * rest.sum())
        alpha_drop = alpha_from_cov(rest) if k > 2 else float("nan")
        rows.append({"item": item, "r_drop": float(r_drop), "alpha_drop": alpha_drop})
    return pd.DataFrame(rows)


def mardia(complete: pd.DataFrame, ml_cov: bool = False) -> dict:
    """Mardia's multivariate skewness and kurtosis with their tests (psych::mardia).

    b1p = sum(D^3)/n^2 and b2p = tr(D^2)/n with D the matrix of Mahalanobis cross-products of
    the centred rows; skew = n b1p / 6 ~ chi2(p(p+1)(p+2)/6), small_skew with the small-sample
    factor k, kurtosis = (b2p - p(p+2)) / sqrt(8p(p+2)/n) ~ N(0, 1).
    """
    X = complete.astype(float).to_numpy()
    n, p = X.shape
    Xc = X - X.mean(axis=0)
    S = (Xc.T @ Xc) / (n if ml_cov else n - 1)
    D = Xc @ np.linalg.solve(S, Xc.T)
    b1p = float(np.sum(D**3) / n**2)
    b2p = float(np.sum(np.diag(D) ** 2) / n)
    chi_df = p * (p + 1) * (p + 2) / 6
    k = (p + 1) * (n + 1) * (n + 3) / (n * ((n + 1) * (p + 1) - 6))
    skew = n * b1p / 6
    small_skew = n * k * b1p / 6
    kurt = (b2p - p * (p + 2)) * np.sqrt(n / (8 * p * (p + 2)))
    return {
        "n": int(n),
        "p": int(p),
        "covariance": "ml (divisor n)" if ml_cov else "unbiased (divisor n-1), as psych::mardia",
        "b1p": b1p,
        "b2p": b2p,
        "skew": float(skew),
        "skew_df": float(chi_df),
        "p_skew": float(special.chdtrc(chi_df, skew)),
        "small_skew": float(small_skew),
        "p_small": float(special.chdtrc(chi_df, small_skew)),
        "kurtosis": float(kurt),
        "p_kurt": float(2 * special.ndtr(-abs(kurt))),
    }
