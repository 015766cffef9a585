"""Scale reliability and convergent validity: alpha (with Feldt CI), omega, CR, AVE.

Definitions are semTools 0.5.6's (checked against its source):
- compRelSEM(fit) (omega): sum(Lambda_f Phi_ff Lambda_f') / sum(Sigma_f), with Lambda and Phi the
  model estimates (unstandardised) and Sigma the OBSERVED covariance matrix of the factor's
  indicators (`obs.var = TRUE` default: lavaan's sample statistics, divisor N);
  `obs.var = False` uses the model-implied covariance instead.
- compRelSEM(fit, tau.eq = TRUE) (alpha): Cronbach's alpha of that same covariance matrix.
- AVE(fit): sum(lambda^2) * phi / sum(diag(Sigma_f)), the same observed variances by default;
  NA for a factor with an indicator that also loads on another factor.
- Factors with a single indicator are left out (semTools' dropSingle = TRUE).
CR is Fornell & Larcker's (1981) composite reliability from standardised loadings,
(sum l)^2 / ((sum l)^2 + sum(1 - l^2)): the model-implied reliability of the sum of the
standardised indicators (with uncorrelated residuals and no cross-loadings). It differs from
omega, which weighs the raw indicators, when their variances differ.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats (~0.4 s of import per job): same functions


def alpha_from_cov(S) -> float:
    """Cronbach's alpha of a covariance matrix (semTools' computeAlpha)."""
    S = np.asarray(S, dtype=float)
    k = S.shape[0]
    return float(k / (k - 1) * (1 - np.trace(S) / S.sum()))


def feldt_ci(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) F-based interval for alpha, as psych::alpha.ci and pingouin.

    pingouin.cronbach_alpha rounds its interval to 3 decimals, so the bounds are computed here.
    """
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - level) / 2
    lower = 1 - (1 - alpha) * special.fdtri(df1, df2, 1 - tail)
    upper = 1 - (1 - alpha) * special.fdtri(df1, df2, tail)
    return float(lower), float(upper)


def cronbach_alpha(complete: pd.DataFrame, level: float = 0.95) -> tuple[float, tuple[float, float]]:
    """Cronbach's alpha of listwise-complete item scores (their covariance matrix, n - 1 as psych and
    pingouin) and its Feldt interval. Not pingouin.cronbach_alpha: importing pingouin (matplotlib,
    seaborn) cost each validity job 0.6 s for this one line of arithmetic."""
    alpha = alpha_from_cov(np.cov(complete.to_numpy(dtype=float), rowvar=False))
    return alpha, feldt_ci(alpha, len(complete), complete.shape[1], level)


def omega_from(loadings, phi: float, sigma) -> float:
    """(sum lambda)^2 phi / sum(Sigma): reliability of the unit-weighted sum of the indicators."""
    lam = np.asarray(loadings, dtype=float)
    return float(lam.sum() ** 2 * phi / np.asarray(sigma, dtype=float).sum())


def ave_from(loadings, phi: float, variances) -> float:
    """sum(lambda^2) phi / sum(indicator variances) (semTools::AVE)."""
    lam = np.asarray(loadings, dtype=float)
    return float((lam**2).sum() * phi / np.asarray(variances, dtype=float).sum())


def composite_reliability(std_loadings) -> float:
    """Fornell-Larcker / Raykov CR from standardised loadings."""
    l = np.asarray(std_loadings, dtype=float)
    common = l.sum() ** 2
    return float(common / (common + (1 - l**2).sum()))


def loading_matrix(params: pd.DataFrame, factor_items: dict[str, list[str]], column: str = "est") -> pd.DataFrame:
    """Indicators x factors matrix of `column` from a lavaan-style parameter table (0 = no loading)."""
    items = list(dict.fromkeys(i for v in factor_items.values() for i in v))
    L = pd.DataFrame(0.0, index=items, columns=list(factor_items))
    rows = params[(params["op"] == "=~") & params["lhs"].isin(L.columns) & params["rhs"].isin(L.index)]
    for lhs, rhs, value in zip(rows["lhs"], rows["rhs"], rows[column]):
        L.loc[rhs, lhs] = float(value)
    return L


def reliability_table(
    params: pd.DataFrame,
    latent_cov: pd.DataFrame,
    sigma: pd.DataFrame,
    factor_items: dict[str, list[str]],
) -> pd.DataFrame:
    """alpha (tau-equivalent), omega, CR and AVE per factor, as semTools on a fitted CFA.

    params: parameter table with lavaan columns (est and std_all of the `=~` rows are used);
    latent_cov: model-implied latent covariance (lavInspect(fit, "cov.lv"));
    sigma: covariance of the indicators used as total variance -- the observed one (divisor N)
    for semTools' default obs.var = TRUE, the model-implied one for obs.var = FALSE.
    """
    L = loading_matrix(params, factor_items, "est")
    Lstd = loading_matrix(params, factor_items, "std_all")
    cross = (L.round(5) != 0).sum(axis=1) > 1
    rows = []
    for f in factor_items:
        idx = [i for i in L.index if L.loc[i, f] != 0]
        if len(idx) < 2:  # semTools' dropSingle
            continue
        S = sigma.loc[idx, idx].to_numpy()
        phi = float(latent_cov.loc[f, f])
        lam = L.loc[idx, f].to_numpy()
        rows.append(
            {
                "factor": f,
                "n_items": len(idx),
                "alpha_taueq": alpha_from_cov(S),
                "omega": omega_from(lam, phi, S),
                "cr": composite_reliability(Lstd.loc[idx, f].to_numpy()),
                "ave": float("nan") if cross[idx].any() else ave_from(lam, phi, np.diag(S)),
            }
        )
    return pd.DataFrame(rows).set_index("factor")
