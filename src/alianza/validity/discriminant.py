"""Discriminant validity: HTMT and HTMT2 (semTools::htmt), bootstrap CIs, Fornell-Larcker, cross-loadings.

semTools 0.5.6's htmt() works on the absolute Pearson correlations of the listwise-complete
indicators. HTMT (Henseler, Ringle & Sarstedt 2015) is the mean heterotrait-heteromethod
correlation over the geometric mean of the two mean monotrait-heteromethod correlations;
HTMT2 (Roemer, Schuberth & Henseler 2021) uses geometric instead of arithmetic means.
Note that semTools 0.5.6's htmt() DEFAULTS to htmt2 = TRUE: a bare `htmt(model, data)` is HTMT2.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def _blocks(columns: list[str], factor_items: dict[str, list[str]]):
    pos = {c: i for i, c in enumerate(columns)}
    return {f: np.array([pos[i] for i in items]) for f, items in factor_items.items()}


def _htmt_matrix(R: np.ndarray, blocks: dict[str, np.ndarray], geometric: bool) -> np.ndarray:
    A = np.abs(R)
    mean = (lambda v: np.exp(np.mean(np.log(v)))) if geometric else np.mean
    names = list(blocks)
    within = []
    for f in names:
        b = blocks[f]
        sub = A[np.ix_(b, b)]
        within.append(mean(sub[~np.eye(len(b), dtype=bool)]) if len(b) > 1 else np.nan)
    k = len(names)
    H = np.ones((k, k))
    for a in range(k):
        for c in range(a + 1, k):
            between = mean(A[np.ix_(blocks[names[a]], blocks[names[c]])].ravel())
            H[a, c] = H[c, a] = between / np.sqrt(within[a] * within[c])
    return H


def htmt(R: pd.DataFrame, factor_items: dict[str, list[str]], geometric: bool = False) -> pd.DataFrame:
    """HTMT (geometric=False) or HTMT2 (geometric=True) from a correlation matrix of the items."""
    blocks = _blocks(list(R.columns), factor_items)
    H = _htmt_matrix(R.to_numpy(dtype=float), blocks, geometric)
    return pd.DataFrame(H, index=list(factor_items), columns=list(factor_items))


def htmt_bootstrap(
    complete: pd.DataFrame,
    factor_items: dict[str, list[str]],
    n_boot: int,
    seed: int,
    level: float = 0.95,
    progress: bool = False,
) -> dict:
    """Percentile bootstrap intervals for HTMT and HTMT2 (rows resampled with replacement).

    Uses numpy's default_rng(seed); resamples in which an item has no variance are skipped and
    counted (n_valid). Quantiles are numpy's default (linear, R type 7).
    """
    from tqdm import tqdm

    names = list(factor_items)
    X = complete.astype(float).to_numpy()
    n = X.shape[0]
    blocks = _blocks(list(complete.columns), factor_items)
    rng = np.random.default_rng(seed)
    shape = (n_boot, len(names), len(names))
    draws = {False: np.full(shape, np.nan), True: np.full(shape, np.nan)}
    with np.errstate(invalid="ignore", divide="ignore"):
        for b in tqdm(range(n_boot), desc="HTMT bootstrap", disable=not progress, leave=False):
            Xb = X[rng.integers(0, n, n)]
            if np.any(Xb.std(axis=0) == 0):
                continue
            R = np.corrcoef(Xb, rowvar=False)
            draws[False][b] = _htmt_matrix(R, blocks, geometric=False)
            draws[True][b] = _htmt_matrix(R, blocks, geometric=True)
    tail = (1 - level) / 2
    valid = ~np.isnan(draws[False][:, 0, 0])
    out = {"level": level, "n_boot": int(n_boot), "n_valid": int(valid.sum()), "seed": int(seed)}
    for geometric, key in ((False, "htmt"), (True, "htmt2")):
        if valid.any():
            lo, hi = np.quantile(draws[geometric][valid], [tail, 1 - tail], axis=0)
        else:
            lo = hi = np.full(shape[1:], np.nan)
        out[key] = {
            "lower": pd.DataFrame(lo, index=names, columns=names),
            "upper": pd.DataFrame(hi, index=names, columns=names),
        }
    return out


def latent_correlations(latent_cov: pd.DataFrame) -> pd.DataFrame:
    sd = np.sqrt(np.diag(latent_cov.to_numpy(dtype=float)))
    return latent_cov / np.outer(sd, sd)


def fornell_larcker(ave: pd.Series, latent_cor: pd.DataFrame) -> pd.DataFrame:
    """sqrt(AVE) on the diagonal, latent correlations off it (Fornell & Larcker 1981)."""
    names = list(ave.index)
    T = latent_cor.loc[names, names].astype(float).copy()
    for f in names:
        T.loc[f, f] = float(np.sqrt(ave[f]))
    return T


def cross_loadings(complete: pd.DataFrame, factor_items: dict[str, list[str]]) -> pd.DataFrame:
    """Items x constructs: Pearson correlation of each item with each construct's unit-weighted
    composite (the mean of its items), on the listwise-complete rows. The own-construct value
    includes the item itself; see r_drop in the item table for the corrected one."""
    X = complete.astype(float)
    comps = pd.DataFrame({f: X[items].mean(axis=1) for f, items in factor_items.items()})
    items = list(dict.fromkeys(i for v in factor_items.values() for i in v))
    out = pd.DataFrame(index=items, columns=list(factor_items), dtype=float)
    for f in factor_items:
        for i in items:
            out.loc[i, f] = float(np.corrcoef(X[i], comps[f])[0, 1])
    return out
