"""Sample statistics of ordered items, alone or beside continuous ones, and their asymptotic
covariance (lavaan's muthen1984(), lav_samplestats_step1/step2), for WLSMV/ULSMV.

    stats = categorical_stats(x, items, ordered=["A1", "A2"])   # complete rows, N x p
    stats.wls_obs, stats.gamma     # lavaan's WLS.obs and NACOV, in lavaan's order

Step one, item by item: thresholds of the ordered items (sem/data/polychoric.py), mean and ML
variance (divisor N) of the continuous ones. Step two, pair by pair with step one fixed:
polychoric (two ordered), polyserial (one of each, sem/data/polyserial.py) or Pearson (two
continuous) correlations. WLS.obs is
    (thresholds and minus the means, interleaved in item order; the continuous items' variances;
     the covariances below the diagonal, column by column)
where a covariance is the correlation times the continuous items' standard deviations. Gamma
(N times the asymptotic covariance of WLS.obs) is N H B^-1 (S'S) B^-T H': S holds every row's
scores (univariate, then one bivariate correlation score per pair), B the block-triangular
matrix of muthen1984() (each item's block of S'S, the cross-products A21 of the correlation
scores with the bivariate scores of the univariate parameters, the diagonal of the correlation
block), H the delta rule from correlations to covariances; the rows of the means change sign.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alianza.sem.data.polychoric import ordered_step1, pair_index, polychoric, threshold_scores
from alianza.sem.data.polyserial import pearson_scores, polyserial_fit, polyserial_scores


@dataclass
class CategoricalStats:
    items: list[str]
    ordered: np.ndarray           # bool per item
    levels: list[np.ndarray]      # observed values of each ordered item, sorted (empty for continuous)
    th: np.ndarray                # lavaan's th: thresholds and the continuous items' means, item by item
    th_item: np.ndarray           # item index of each th entry
    mean: np.ndarray              # means (0 for ordered items)
    var: np.ndarray               # ML variances (1 for ordered items)
    correlation: np.ndarray       # p x p polychoric / polyserial / Pearson correlations
    gamma: np.ndarray             # NACOV: N x asymptotic covariance of wls_obs
    n: int

    @property
    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        return pair_index(len(self.items))

    @property
    def th_numeric(self) -> np.ndarray:
        """Which th entries are means of continuous items."""
        return ~self.ordered[self.th_item]

    @property
    def thresholds(self) -> np.ndarray:
        """The ordered items' thresholds only."""
        return self.th[~self.th_numeric]

    @property
    def cov(self) -> np.ndarray:
        sd = np.sqrt(self.var)
        return self.correlation * np.outer(sd, sd)

    @property
    def n_univariate(self) -> int:
        """Entries of wls_obs before the covariances (thresholds, means, variances)."""
        return len(self.th) + int((~self.ordered).sum())

    @property
    def wls_obs(self) -> np.ndarray:
        i, j = self.pairs
        th = np.where(self.th_numeric, -self.th, self.th)
        return np.concatenate([th, self.var[~self.ordered], self.cov[i, j]])


def ordinal_stats(x: np.ndarray, items: list[str]) -> CategoricalStats:
    """Every item ordered: thresholds, polychoric correlations and their Gamma."""
    return categorical_stats(x, items, items)


def categorical_stats(x: np.ndarray, items: list[str], ordered) -> CategoricalStats:
    """Two-step statistics of complete rows x (N x p) whose `ordered` items are ordinal, and Gamma."""
    x = np.asarray(x, float)
    n, p = x.shape
    ordm = np.isin(np.asarray(items, dtype=object), list(ordered))
    o_idx, num_idx = np.flatnonzero(ordm), np.flatnonzero(~ordm)
    ob = ordered_step1(x[:, o_idx])
    mean = np.where(ordm, 0.0, x.mean(axis=0))
    var = np.where(ordm, 1.0, ((x - mean) ** 2).mean(axis=0))
    sd = np.sqrt(var)

    # the th section: each item's thresholds (ordered) or its mean (continuous), in item order
    nth_item = np.ones(p, int)
    nth_item[o_idx] = ob.nlev - 1
    th_start = np.concatenate([[0], np.cumsum(nth_item)])[:-1]
    th_item = np.repeat(np.arange(p), nth_item)
    th = np.zeros(len(th_item))
    ord_th_cols = np.concatenate([th_start[o_idx[k]] + np.arange(ob.nlev[k] - 1) for k in range(len(o_idx))]) \
        if len(o_idx) else np.zeros(0, int)
    th[ord_th_cols] = ob.thresholds
    th[th_start[num_idx]] = mean[num_idx]
    nth, nnum = len(th), len(num_idx)
    var_col = {int(j): nth + k for k, j in enumerate(num_idx)}     # A11 column of each variance

    pi, pj = pair_index(p)
    npair = len(pi)
    pair_pos = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(pi, pj))}
    size = nth + nnum
    sc_th = np.zeros((n, nth))
    sc_th[:, ord_th_cols] = threshold_scores(ob)
    resid = x[:, num_idx] - mean[num_idx]
    sc_th[:, th_start[num_idx]] = resid / var[num_idx]
    sc_var = -1 / (2 * var[num_idx]) + resid ** 2 / (2 * var[num_idx] ** 2)
    sc_cor = np.zeros((n, npair))
    A21 = np.zeros((npair, size))
    H21 = np.zeros((npair, size))
    h22 = np.ones(npair)
    cor = np.eye(p)

    poly = polychoric(ob, x[:, o_idx])
    qa, qb = pair_index(len(o_idx))
    for k, (a, b) in enumerate(zip(qa, qb)):
        pos = pair_pos[(int(o_idx[a]), int(o_idx[b]))]
        cor[o_idx[a], o_idx[b]] = cor[o_idx[b], o_idx[a]] = poly.rho[k]
        sc_cor[:, pos] = poly.scores[:, k]
        A21[pos, ord_th_cols] = poly.A21[k]
    codes = {int(j): ob.codes[:, k] for k, j in enumerate(o_idx)}
    th_of = {int(j): ob.thresholds[ob.th_item == k] for k, j in enumerate(o_idx)}
    for pos, (i, j) in enumerate(zip(pi, pj)):
        i, j = int(i), int(j)
        if ordm[i] and ordm[j]:
            continue
        if ordm[i] or ordm[j]:                # polyserial: y1 continuous, y2 ordered
            c, o = (j, i) if ordm[i] else (i, j)
            rho = polyserial_fit(x[:, c], mean[c], var[c], codes[o], th_of[o])
            s = polyserial_scores(x[:, c], mean[c], var[c], codes[o], th_of[o], rho)
            sc_cor[:, pos] = s.rho
            A21[pos, th_start[c]] = s.rho @ s.mu1
            A21[pos, th_start[o] + np.arange(len(th_of[o]))] = s.rho @ s.th2
            A21[pos, var_col[c]] = s.rho @ s.var1
            H21[pos, var_col[c]] = rho / (2 * sd[c])
            h22[pos] = sd[c]
        else:                                 # Pearson (the ML correlation of complete rows)
            rho = float(np.mean((x[:, i] - mean[i]) * (x[:, j] - mean[j])) / (sd[i] * sd[j]))
            s = pearson_scores(x[:, i], mean[i], var[i], x[:, j], mean[j], var[j], rho)
            sc_cor[:, pos] = s.rho
            A21[pos, th_start[i]] = s.rho @ s.mu1
            A21[pos, th_start[j]] = s.rho @ s.mu2
            A21[pos, var_col[i]] = s.rho @ s.var1
            A21[pos, var_col[j]] = s.rho @ s.var2
            H21[pos, var_col[i]] = sd[j] * rho / (2 * sd[i])
            H21[pos, var_col[j]] = sd[i] * rho / (2 * sd[j])
            h22[pos] = sd[i] * sd[j]
        cor[i, j] = cor[j, i] = rho

    SC = np.concatenate([sc_th, sc_var, sc_cor], axis=1)
    inner = SC.T @ SC
    A11 = np.zeros((size, size))
    for j in range(p):
        block = list(range(th_start[j], th_start[j] + nth_item[j])) + ([var_col[j]] if j in var_col else [])
        A11[np.ix_(block, block)] = inner[np.ix_(block, block)]
    A11_inv = np.linalg.inv(A11)
    A22_inv = 1.0 / np.diag(inner)[size:]
    B_inv = np.zeros_like(inner)
    B_inv[:size, :size] = A11_inv
    B_inv[size:, :size] = -(A22_inv[:, None] * A21) @ A11_inv
    B_inv[size:, size:] = np.diag(A22_inv)
    acov = B_inv @ inner @ B_inv.T
    if nnum:
        H = np.eye(len(inner))
        H[size:, :size] = H21
        H[size:, size:] = np.diag(h22)
        acov = H @ acov @ H.T
        flip = np.where(~ordm[th_item], -1.0, 1.0)      # WLS.obs holds minus the means
        sign = np.concatenate([flip, np.ones(nnum + npair)])
        acov = sign[:, None] * acov * sign[None, :]
    levels = [ob.levels[int(np.flatnonzero(o_idx == j)[0])] if ordm[j] else np.zeros(0) for j in range(p)]
    return CategoricalStats(list(items), ordm, levels, th, th_item, mean, var, cor, n * acov, n)
