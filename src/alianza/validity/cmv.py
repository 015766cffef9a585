"""Common-method variance: Harman's single-factor test and the single-factor CFA comparison.

Harman's test as the literature runs it (Podsakoff et al. 2003): all items of the model in one
unrotated factor analysis; common-method variance is suspected when a single factor accounts
for the majority (> 50%) of the variance. Both usual extractions are reported: the first
principal component's share (lambda_1 / p, SPSS "principal components", psych::principal) and
the share of a one-factor minres solution (psych::fa(nfactors = 1)).
The single-factor CFA loads every item on one factor and is compared with the measurement
model by a chi-square difference test (it is nested: all latent correlations fixed at 1).
"""
from __future__ import annotations

from scipy import special  # not scipy.stats (~0.4 s of import per job): same functions

from .efa import efa, first_eigen_share


def harman_single_factor(complete, method: str = "pca") -> dict:
    """Variance share of one unrotated factor; `method` ("pca" or "fa") picks the share tested."""
    if method not in ("pca", "fa"):
        raise ValueError(f"Harman method must be 'pca' or 'fa', not {method!r}")
    pca_share = first_eigen_share(complete)
    fa_share = float(efa(complete, 1, method="minres", rotation=None)["variance"]["proportion"].iloc[0])
    return {
        "method": method,
        "share": pca_share if method == "pca" else fa_share,
        "pca_share": pca_share,
        "fa_share": fa_share,
    }


def single_factor_syntax(factor_items: dict[str, list[str]], name: str = "CMV") -> str:
    """lavaan syntax of the model with every indicator on one factor."""
    items = list(dict.fromkeys(i for v in factor_items.values() for i in v))
    while name in items:
        name = f"{name}_"
    return f"{name} =~ " + " + ".join(items) + "\n"


def chisq_difference(restricted: dict, full: dict) -> dict:
    """Likelihood-ratio (chi-square difference) test of a restricted model against a fuller one.

    With plain ML: chisq_r - chisq_f on df_r - df_f. When both fit dicts carry
    `chisq_scaling_factor` (robust estimators, e.g. MLR) the Satorra-Bentler (2001) scaled
    difference is used, as lavaan's lavTestLRT: cd = (df_r c_r - df_f c_f) / (df_r - df_f) and
    T = (chisq_r - chisq_f) / cd with the unscaled chi-squares.
    """
    d_df = restricted["df"] - full["df"]
    diff = restricted["chisq"] - full["chisq"]
    method = "standard"
    c_r, c_f = restricted.get("chisq_scaling_factor"), full.get("chisq_scaling_factor")
    if c_r is not None and c_f is not None:
        cd = (restricted["df"] * c_r - full["df"] * c_f) / d_df
        diff = diff / cd
        method = "satorra.bentler.2001"
    return {
        "chisq_diff": float(diff),
        "df_diff": int(d_df),
        "pvalue": float(special.chdtrc(d_df, diff)) if d_df > 0 else float("nan"),
        "method": method,
    }
