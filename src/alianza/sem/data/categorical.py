"""Sample statistics of ordered items, alone or beside continuous ones, with or without observed
covariates, and their asymptotic covariance (lavaan's muthen1984(), lav_samplestats_step1/step2),
for WLSMV/ULSMV.

    stats = categorical_stats(y, items, ordered=["A1", "A2"], exo=X)   # complete rows, N x p (and N x q)
    stats.wls_obs, stats.gamma     # lavaan's WLS.obs and NACOV, in lavaan's order

Step one, item by item: thresholds of the ordered items (sem/data/polychoric.py; with covariates
the ordinal probit regression of sem/data/probit.py, thresholds and slopes), intercept (the mean)
and ML residual variance (divisor N) of the continuous ones. Step two, pair by pair with step one
fixed: polychoric (two ordered), polyserial (one of each, sem/data/polyserial.py) or Pearson (two
continuous) correlations, of the residuals given the covariates when there are any (lavaan's
conditional.x). WLS.obs is
    (thresholds and minus the intercepts, interleaved in item order; the slopes, covariate by
     covariate; the continuous items' variances; the covariances below the diagonal, column by column)
where a covariance is the correlation times the continuous items' standard deviations. Gamma
(N times the asymptotic covariance of WLS.obs) is N H B^-1 (S'S) B^-T H': S holds every row's
scores (univariate, then one bivariate correlation score per pair), B the block-triangular
matrix of muthen1984() (each item's block of S'S, the cross-products A21 of the correlation
scores with the bivariate scores of the univariate parameters, the diagonal of the correlation
block), H the delta rule from correlations to covariances; the rows of the intercepts change sign.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alianza.sem.data.polychoric import Ordered, ordered_step1, pair_index, polychoric, polychoric_rows
from alianza.sem.data.polyserial import pearson_scores, polyserial_fit, polyserial_scores
from alianza.sem.data.probit import OrdinalFit, linear_regression, ordinal_fit, ordinal_probit


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
    slopes: np.ndarray | None = None   # p x q: regressions on the covariates (conditional.x), else p x 0

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
    def n_slopes(self) -> int:
        return 0 if self.slopes is None else self.slopes.size

    @property
    def n_univariate(self) -> int:
        """Entries of wls_obs before the covariances (thresholds, means, slopes, variances)."""
        return len(self.th) + self.n_slopes + int((~self.ordered).sum())

    @property
    def wls_obs(self) -> np.ndarray:
        """lavaan's WLS.obs: th (minus the continuous items' intercepts), vec(slopes) column by
        column, the continuous items' (residual) variances, covariances below the diagonal."""
        i, j = self.pairs
        th = np.where(self.th_numeric, -self.th, self.th)
        sl = np.zeros(0) if self.slopes is None else self.slopes.T.ravel()
        return np.concatenate([th, sl, self.var[~self.ordered], self.cov[i, j]])


def ordinal_stats(x: np.ndarray, items: list[str]) -> CategoricalStats:
    """Every item ordered: thresholds, polychoric correlations and their Gamma."""
    return categorical_stats(x, items, items)


@dataclass
class _Univariate:
    """Step one of one item: an ordered item's probit (bounds z1, z2) or a continuous item's
    regression (residuals), with the casewise scores of its parameters."""
    sc_th: np.ndarray                     # n x (thresholds, or 1: the intercept)
    sc_sl: np.ndarray                     # n x q
    th: np.ndarray
    slopes: np.ndarray
    fit: OrdinalFit | None = None
    resid: np.ndarray | None = None
    var: float = 1.0
    sc_var: np.ndarray | None = None


def _univariate(y: np.ndarray, ordered: bool, X: np.ndarray, ob: Ordered | None, k: int, item: str) -> _Univariate:
    q = X.shape[1]
    if ordered:
        if q == 0:     # the thresholds in closed form (the probit without covariates)
            fit = ordinal_fit(ob.codes[:, k], ob.thresholds[ob.th_item == k], np.zeros(0), X)
        else:
            fit = ordinal_probit(np.searchsorted(np.unique(y), y), X, item=item)
        return _Univariate(fit.scores_th, fit.scores_sl, fit.tau, fit.beta, fit=fit)
    lin = linear_regression(y, X)
    return _Univariate(lin.scores_int[:, None], lin.scores_sl, np.array([lin.intercept]), lin.beta,
                       resid=lin.resid, var=lin.var, sc_var=lin.scores_var)


def categorical_stats(x: np.ndarray, items: list[str], ordered, exo: np.ndarray | None = None) -> CategoricalStats:
    """Two-step statistics of complete rows x (N x p) whose `ordered` items are ordinal, and Gamma;
    with covariates `exo` (N x q, lavaan's conditional.x) every statistic is conditional on them:
    probit/linear regressions in step one (slopes), residual correlations in step two."""
    x = np.asarray(x, float)
    n, p = x.shape
    X = np.zeros((n, 0)) if exo is None else np.asarray(exo, float)
    q = X.shape[1]
    ordm = np.isin(np.asarray(items, dtype=object), list(ordered))
    o_idx, num_idx = np.flatnonzero(ordm), np.flatnonzero(~ordm)
    ob = ordered_step1(x[:, o_idx])
    uni = [_univariate(x[:, j], bool(ordm[j]), X, ob, int(np.searchsorted(o_idx, j)), items[j]) for j in range(p)]
    var = np.array([u.var for u in uni])
    sd = np.sqrt(var)
    mean = np.where(ordm, 0.0, x.mean(axis=0))

    # columns of the univariate part: th (item by item), slopes (exo by exo, item by item), variances
    nth_item = np.array([len(u.th) for u in uni], int)
    th_start = np.concatenate([[0], np.cumsum(nth_item)])[:-1]
    th_item = np.repeat(np.arange(p), nth_item)
    th = np.concatenate([u.th for u in uni]) if p else np.zeros(0)
    nth, nnum = len(th), len(num_idx)
    sl_col = lambda j: nth + np.arange(q) * p + j                  # noqa: E731
    var_col = {int(j): nth + p * q + k for k, j in enumerate(num_idx)}
    th_cols = lambda j: th_start[j] + np.arange(nth_item[j])       # noqa: E731
    size = nth + p * q + nnum
    slopes = np.array([u.slopes for u in uni]).reshape(p, q)

    pi, pj = pair_index(p)
    npair = len(pi)
    pair_pos = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(pi, pj))}
    SC = np.zeros((n, size + npair))
    for j, u in enumerate(uni):
        SC[:, th_cols(j)] = u.sc_th
        SC[:, sl_col(j)] = u.sc_sl
        if j in var_col:
            SC[:, var_col[j]] = u.sc_var
    A21 = np.zeros((npair, size))
    H21 = np.zeros((npair, size))
    h22 = np.ones(npair)
    cor = np.eye(p)

    if q == 0:         # polychoric correlations of every pair at once, from the contingency tables
        poly = polychoric(ob, x[:, o_idx])
        ord_th_cols = np.concatenate([th_cols(j) for j in o_idx]) if len(o_idx) else np.zeros(0, int)
        qa, qb = pair_index(len(o_idx))
        for k, (a, b) in enumerate(zip(qa, qb)):
            pos = pair_pos[(int(o_idx[a]), int(o_idx[b]))]
            cor[o_idx[a], o_idx[b]] = cor[o_idx[b], o_idx[a]] = poly.rho[k]
            SC[:, size + pos] = poly.scores[:, k]
            A21[pos, ord_th_cols] = poly.A21[k]

    def cross(pos, j, s_rho, mu=None, th_=None, eta=None, var_=None):
        """A21 entries of item j in pair pos: the correlation score crossed with item j's scores."""
        A21[pos, th_cols(j)] = s_rho @ (mu[:, None] if mu is not None else th_)
        if q:
            A21[pos, sl_col(j)] = s_rho @ (eta[:, None] * X)
        if var_ is not None:
            A21[pos, var_col[j]] = s_rho @ var_

    for pos, (i, j) in enumerate(zip(pi, pj)):
        i, j = int(i), int(j)
        ui, uj = uni[i], uni[j]
        if ordm[i] and ordm[j]:
            if q == 0:
                continue
            rho, s = polychoric_rows(ui.fit, uj.fit)
            cross(pos, i, s.rho, th_=s.th1, eta=s.eta1)
            cross(pos, j, s.rho, th_=s.th2, eta=s.eta2)
        elif ordm[i] or ordm[j]:                # polyserial: y1 continuous, y2 ordered
            c, o = (j, i) if ordm[i] else (i, j)
            uc, uo = uni[c], uni[o]
            rho = polyserial_fit(uc.resid, uc.var, uo.fit.z1, uo.fit.z2)
            s = polyserial_scores(uc.resid, uc.var, uo.fit.z1, uo.fit.z2, uo.fit.upper, uo.fit.lower, rho)
            cross(pos, c, s.rho, mu=s.mu1, eta=s.eta1, var_=s.var1)
            cross(pos, o, s.rho, th_=s.th2, eta=s.eta2)
            H21[pos, var_col[c]] = rho / (2 * sd[c])
            h22[pos] = sd[c]
        else:                                   # Pearson of the residuals (ML, complete rows)
            rho = float(np.mean(ui.resid * uj.resid) / (sd[i] * sd[j]))
            s = pearson_scores(ui.resid, ui.var, uj.resid, uj.var, rho)
            cross(pos, i, s.rho, mu=s.mu1, eta=s.eta1, var_=s.var1)
            cross(pos, j, s.rho, mu=s.mu2, eta=s.eta2, var_=s.var2)
            H21[pos, var_col[i]] = sd[j] * rho / (2 * sd[i])
            H21[pos, var_col[j]] = sd[i] * rho / (2 * sd[j])
            h22[pos] = sd[i] * sd[j]
        SC[:, size + pos] = s.rho
        cor[i, j] = cor[j, i] = rho

    inner = SC.T @ SC
    A11 = np.zeros((size, size))
    for j in range(p):
        block = list(th_cols(j)) + list(sl_col(j)) + ([var_col[j]] if j in var_col else [])
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
        flip = np.where(~ordm[th_item], -1.0, 1.0)      # WLS.obs holds minus the intercepts
        sign = np.concatenate([flip, np.ones(p * q + nnum + npair)])
        acov = sign[:, None] * acov * sign[None, :]
    levels = [ob.levels[int(np.flatnonzero(o_idx == j)[0])] if ordm[j] else np.zeros(0) for j in range(p)]
    return CategoricalStats(list(items), ordm, levels, th, th_item, mean, var, cor, n * acov, n, slopes)
