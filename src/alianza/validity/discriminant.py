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


def _blocks(columns: list[str], factor_items: dict[str, list[str]]) -> np.ndarray:
    """Items x factors 0/1 membership matrix (columns in factor_items order)."""
    pos = {c: i for i, c in enumerate(columns)}
    P = np.zeros((len(columns), len(factor_items)))
    for j, items in enumerate(factor_items.values()):
        P[[pos[i] for i in items], j] = 1.0
    return P


def _htmt_matrix(R: np.ndarray, P: np.ndarray, geometric: bool) -> np.ndarray:
    """HTMT of one correlation matrix (p x p) or of a stack of them (b x p x p), by block sums
    P' V P rather than a Python loop over factor pairs: the bootstrap calls this once per batch."""
    A = np.abs(R)
    p = A.shape[-1]
    off = ~np.eye(p, dtype=bool)
    counts = P.sum(axis=0)
    pairs = np.outer(counts, counts) - np.diag(counts)  # within a block, the diagonal is left out
    with np.errstate(divide="ignore", invalid="ignore"):
        if geometric:
            zero = P.T @ ((A == 0) & off) @ P > 0  # a zero correlation makes its geometric mean 0
            V = np.where(off & (A > 0), np.log(np.where(A > 0, A, 1.0)), 0.0)
            M = np.where(zero, 0.0, np.exp((P.T @ V @ P) / pairs))
        else:
            M = (P.T @ np.where(off, A, 0.0) @ P) / pairs
        within = np.diagonal(M, axis1=-2, axis2=-1)  # NaN for a one-item factor (0 / 0)
        H = M / np.sqrt(within[..., :, None] * within[..., None, :])
    k = P.shape[1]
    H[..., np.arange(k), np.arange(k)] = 1.0
    return H


def _correlations(Xb: np.ndarray) -> np.ndarray:
    """Pearson correlation matrices of a stack of data sets (b x n x p)."""
    Z = Xb - Xb.mean(axis=1, keepdims=True)
    C = np.swapaxes(Z, 1, 2) @ Z
    sd = np.sqrt(np.diagonal(C, axis1=1, axis2=2))
    return C / (sd[:, :, None] * sd[:, None, :])


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
    batch = max(1, 2_000_000 // max(1, n * X.shape[1]))  # resampled data sets held at once (~16 MB)
    with tqdm(total=n_boot, desc="HTMT bootstrap", disable=not progress, leave=False) as bar:
        for start in range(0, n_boot, batch):
            stop = min(n_boot, start + batch)
            # one draw per replicate, in order: the same resamples as drawing them one by one
            Xb = np.stack([X[rng.integers(0, n, n)] for _ in range(start, stop)])
            ok = ~np.any(Xb.std(axis=1) == 0, axis=1)  # an item without variance: skipped, counted
            with np.errstate(invalid="ignore", divide="ignore"):
                R = _correlations(Xb[ok])
            idx = np.arange(start, stop)[ok]
            draws[False][idx] = _htmt_matrix(R, blocks, geometric=False)
            draws[True][idx] = _htmt_matrix(R, blocks, geometric=True)
            bar.update(stop - start)
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
