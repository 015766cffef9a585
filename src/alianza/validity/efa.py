"""Exploratory factor analysis: KMO, Bartlett, Horn's parallel analysis, rotated loadings.

Extraction and rotation come from factor_analyzer (minres or ML, GPA oblimin), whose loadings
equal psych::fa's. Two of its conventions differ from psych and are replaced here:
- factor_analyzer 0.5.1 calls scikit-learn's check_array(force_all_finite=...), a keyword
  scikit-learn 1.8 removed; `FactorAnalyzer.fit` raises TypeError under the pinned
  scikit-learn, so fits run inside `_sklearn_compat()`, which translates the keyword.
- after an oblique rotation it sorts the loadings (and structure) columns by variance but not
  `phi_`, which stays in the unsorted order; Phi is recovered here from structure = P Phi.
- under an oblique rotation its communalities and factor variances are sums of squared pattern
  coefficients, ignoring Phi; psych (and the rotation-invariant definition) use
  h2 = diag(P Phi P') and SS loadings = colSums(P * (P Phi)).
"""
from __future__ import annotations

import inspect
from contextlib import contextmanager

import numpy as np
import pandas as pd


@contextmanager
def _sklearn_compat():
    import factor_analyzer.factor_analyzer as fa_module

    original = fa_module.check_array
    if "force_all_finite" in inspect.signature(original).parameters:
        yield
        return

    def check_array(X, *args, force_all_finite=True, **kwargs):
        return original(X, *args, ensure_all_finite=force_all_finite, **kwargs)

    fa_module.check_array = check_array
    try:
        yield
    finally:
        fa_module.check_array = original


def kmo(complete: pd.DataFrame) -> tuple[float, pd.Series]:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, overall and per item (psych::KMO)."""
    from factor_analyzer import calculate_kmo

    per_item, overall = calculate_kmo(complete.astype(float))
    return float(overall), pd.Series(per_item, index=complete.columns, name="kmo")


def bartlett(complete: pd.DataFrame) -> dict:
    """Bartlett's test of sphericity: -ln|R| (n - 1 - (2p + 5)/6) ~ chi2(p(p-1)/2)."""
    from factor_analyzer import calculate_bartlett_sphericity

    chisq, pvalue = calculate_bartlett_sphericity(complete.astype(float))
    p = complete.shape[1]
    return {"chisq": float(chisq), "df": int(p * (p - 1) // 2), "pvalue": float(pvalue)}


def _leading_above(observed: np.ndarray, reference: np.ndarray) -> int:
    """How many leading eigenvalues exceed their random counterparts (stop at the first that doesn't)."""
    above = observed > reference
    return int(above.size if above.all() else np.argmin(above))


def reduced_eigenvalues(R: np.ndarray) -> np.ndarray:
    """Eigenvalues of R with squared multiple correlations on the diagonal, descending."""
    smc = 1 - 1 / np.diag(np.linalg.inv(R))
    Rr = R.copy()
    np.fill_diagonal(Rr, smc)
    return np.sort(np.linalg.eigvalsh(Rr))[::-1]


def parallel_analysis(
    complete: pd.DataFrame, seed: int, n_iter: int = 100, percentile: float = 95.0
) -> dict:
    """Horn's parallel analysis with Glorfeld's percentile criterion.

    Observed eigenvalues -- of R (components) and of the SMC-reduced R (common factors, as
    psych::fa.parallel(SMC = TRUE)) -- are compared with the `percentile` of the eigenvalues of
    `n_iter` correlation matrices of standard-normal data of the same n and p, drawn from
    numpy's default_rng(seed). The suggested number is the count of leading observed
    eigenvalues above their random counterparts.
    """
    X = complete.astype(float).to_numpy()
    n, p = X.shape
    R = np.corrcoef(X, rowvar=False)
    obs_pc = np.sort(np.linalg.eigvalsh(R))[::-1]
    obs_fa = reduced_eigenvalues(R)
    rng = np.random.default_rng(seed)
    sim_pc = np.empty((n_iter, p))
    sim_fa = np.empty((n_iter, p))
    for b in range(n_iter):
        Rs = np.corrcoef(rng.standard_normal((n, p)), rowvar=False)
        sim_pc[b] = np.sort(np.linalg.eigvalsh(Rs))[::-1]
        sim_fa[b] = reduced_eigenvalues(Rs)
    ref_pc = np.percentile(sim_pc, percentile, axis=0)
    ref_fa = np.percentile(sim_fa, percentile, axis=0)
    return {
        "n_factors": _leading_above(obs_fa, ref_fa),
        "n_components": _leading_above(obs_pc, ref_pc),
        "eigen_fa": obs_fa.tolist(),
        "eigen_fa_random": ref_fa.tolist(),
        "eigen_pc": obs_pc.tolist(),
        "eigen_pc_random": ref_pc.tolist(),
        "n_iter": int(n_iter),
        "percentile": float(percentile),
        "seed": int(seed),
    }


def efa(
    complete: pd.DataFrame, n_factors: int, method: str = "minres", rotation: str | None = "oblimin"
) -> dict:
    """Factor loadings (pattern), communalities, variance explained and factor correlations.

    method: "minres", "ml" or "principal" (factor_analyzer names); rotation: any
    factor_analyzer rotation or None. Factors are named F1..Fk in factor_analyzer's order
    (by variance explained, signs making column sums positive, as psych).
    """
    from factor_analyzer import FactorAnalyzer

    X = complete.astype(float)
    rot = rotation if n_factors > 1 else None
    fa = FactorAnalyzer(n_factors=n_factors, method=method, rotation=rot)
    with _sklearn_compat():
        fa.fit(X)
    names = [f"F{j + 1}" for j in range(n_factors)]
    P = np.asarray(fa.loadings_)
    if getattr(fa, "structure_", None) is not None:
        # structure = P Phi with both in the sorted order (factor_analyzer's phi_ is not sorted)
        phi = np.linalg.lstsq(P, np.asarray(fa.structure_), rcond=None)[0]
        phi = (phi + phi.T) / 2
        np.fill_diagonal(phi, 1.0)
    else:
        phi = np.eye(n_factors)
    ss = (P * (P @ phi)).sum(axis=0)
    p = X.shape[1]
    return {
        "method": method,
        "rotation": rot,
        "loadings": pd.DataFrame(P, index=X.columns, columns=names),
        "communalities": pd.Series(np.diag(P @ phi @ P.T), index=X.columns, name="h2"),
        "variance": pd.DataFrame(
            {"ss_loadings": ss, "proportion": ss / p, "cumulative": np.cumsum(ss) / p}, index=names
        ),
        "factor_correlations": pd.DataFrame(phi, index=names, columns=names),
    }


def first_eigen_share(complete: pd.DataFrame) -> float:
    """Share of total variance of the first principal component: lambda_1 / p."""
    R = np.corrcoef(complete.astype(float).to_numpy(), rowvar=False)
    return float(np.linalg.eigvalsh(R)[-1] / R.shape[0])

