"""Thresholds and polychoric correlations of ordered items (lavaan's two-step estimates, Muthen
1984), vectorised over all item pairs, with the casewise scores their asymptotic covariance needs.

    o = ordered_step1(x)            # complete rows, integer-coded items: categories and thresholds
    poly = polychoric(o, x)         # poly.rho, poly.scores, poly.A21
    rho, scores = polychoric_rows(fit1, fit2)   # given covariates: each row's own probit bounds

Step 1: each item's thresholds are the normal quantiles of its cumulative proportions (the
ML estimates of a threshold-only probit, lav_uvord_fit). Step 2: for each pair, the
correlation maximises the bivariate-probit likelihood of its contingency table with the
thresholds held fixed (lav_bvord_cor_twostep_fit). sem/data/categorical.py assembles these
(with the polyserial and Pearson pieces of continuous items) into lavaan's WLS.obs and NACOV.

The bivariate normal distribution function is Genz's (2004) algorithm (as in the pbivnorm
code lavaan calls), with the 20-point Gauss-Legendre rule everywhere.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from alianza.sem.data.polyserial import BivariateScores
from alianza.sem.data.probit import OrdinalFit

_GL_X, _GL_W = np.polynomial.legendre.leggauss(20)


def _phi(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def bvn_upper(h, k, r):
    """P(X > h, Y > k) for standard bivariate normals with correlation r (finite h, k; |r| < 1)."""
    h, k, r = np.broadcast_arrays(np.asarray(h, float), np.asarray(k, float), np.asarray(r, float))
    out = np.empty(h.shape)
    small = np.abs(r) < 0.925
    if small.any():
        hs, ks, rs = h[small], k[small], r[small]
        hk = hs * ks
        hh = (hs * hs + ks * ks) / 2
        asr = np.arcsin(rs)
        sn = np.sin(asr[:, None] * (1 + _GL_X[None, :]) / 2)
        bvn = (_GL_W[None, :] * np.exp((sn * hk[:, None] - hh[:, None]) / (1 - sn * sn))).sum(axis=1)
        out[small] = bvn * asr / (4 * math.pi) + special.ndtr(-hs) * special.ndtr(-ks)
    big = ~small
    if big.any():
        hb, kb, rb = h[big], k[big].copy(), r[big]
        neg = rb < 0
        kb[neg] = -kb[neg]
        hk = hb * kb
        bvn = np.zeros(hb.shape)
        inner = np.abs(rb) < 1
        if inner.any():
            hi, ki, ri, hki = hb[inner], kb[inner], rb[inner], hk[inner]
            as_ = (1 - ri) * (1 + ri)
            a = np.sqrt(as_)
            bs = (hi - ki) ** 2
            c = (4 - hki) / 8
            d = (12 - hki) / 16
            v = a * np.exp(-(bs / as_ + hki) / 2) * (1 - c * (bs - as_) * (1 - d * bs / 5) / 3 + c * d * as_ * as_ / 5)
            b = np.sqrt(bs)
            tail = np.where(hki > -160, np.exp(-hki / 2) * math.sqrt(2 * math.pi) * special.ndtr(-b / a) * b
                            * (1 - c * bs * (1 - d * bs / 5) / 3), 0.0)
            v = v - tail
            a2 = a / 2
            xs = (a2[:, None] * (_GL_X[None, :] + 1)) ** 2
            rs = np.sqrt(1 - xs)
            terms = np.exp(-bs[:, None] / (2 * xs) - hki[:, None] / (1 + rs)) / rs \
                - np.exp(-(bs[:, None] / xs + hki[:, None]) / 2) * (1 + c[:, None] * xs * (1 + d[:, None] * xs))
            v = v + (a2[:, None] * _GL_W[None, :] * terms).sum(axis=1)
            bvn[inner] = -v / (2 * math.pi)
        pos = ~neg
        bvn[pos] += special.ndtr(-np.maximum(hb[pos], kb[pos]))
        bn = -bvn[neg]
        hn, kn = hb[neg], kb[neg]
        add = np.where(kn > hn, np.where(hn < 0, special.ndtr(kn) - special.ndtr(hn),
                                         special.ndtr(-hn) - special.ndtr(-kn)), 0.0)
        bvn[neg] = bn + add
        out[big] = bvn
    return out


def bvn_cdf(x, y, r):
    """Phi2(x, y; r) = P(X <= x, Y <= y), with x or y allowed to be +-inf."""
    x, y, r = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float), np.asarray(r, float))
    out = np.zeros(x.shape)
    fin = np.isfinite(x) & np.isfinite(y)
    out[fin] = bvn_upper(-x[fin], -y[fin], r[fin])
    xinf, yinf = np.isposinf(x), np.isposinf(y)
    out[xinf & np.isfinite(y)] = special.ndtr(y[xinf & np.isfinite(y)])
    out[yinf & np.isfinite(x)] = special.ndtr(x[yinf & np.isfinite(x)])
    out[xinf & yinf] = 1.0
    return np.clip(out, 0.0, 1.0)


def bvn_pdf(x, y, r):
    """Bivariate normal density, 0 when x or y is infinite."""
    x, y, r = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float), np.asarray(r, float))
    out = np.zeros(x.shape)
    fin = np.isfinite(x) & np.isfinite(y)
    xf, yf, rf = x[fin], y[fin], r[fin]
    one = 1 - rf * rf
    out[fin] = np.exp(-(xf * xf - 2 * rf * xf * yf + yf * yf) / (2 * one)) / (2 * math.pi * np.sqrt(one))
    return out


def pair_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    """(i, j), i > j, in lavaan's order: the lower triangle column by column."""
    i = np.concatenate([np.arange(j + 1, p) for j in range(p)]) if p > 1 else np.zeros(0, int)
    j = np.concatenate([np.full(p - j - 1, j) for j in range(p)]) if p > 1 else np.zeros(0, int)
    return i.astype(int), j.astype(int)


@dataclass
class Ordered:
    """Step one for ordered items (complete rows): categories coded 0..L-1 and thresholds."""
    levels: list[np.ndarray]      # observed values of each item, sorted
    codes: np.ndarray             # n x q, 0..L-1
    nlev: np.ndarray              # categories per item
    tau: np.ndarray               # q x (L+1): -inf, thresholds, +inf padding past the last category
    thresholds: np.ndarray        # all thresholds, item by item (lavaan's th)
    th_item: np.ndarray           # item index of each threshold


def ordered_step1(x: np.ndarray) -> Ordered:
    """Each item's thresholds: the normal quantiles of its cumulative proportions (the ML
    estimates of a threshold-only probit, lav_uvord_fit)."""
    x = np.asarray(x, float)
    n, q = x.shape
    levels = [np.unique(x[:, j]) for j in range(q)]
    codes = np.column_stack([np.searchsorted(levels[j], x[:, j]) for j in range(q)]) if q else \
        np.zeros((n, 0), int)
    nlev = np.array([len(lv) for lv in levels], int)
    L = int(nlev.max()) if q else 1
    tau = np.full((q, L + 1), np.inf)
    tau[:, 0] = -np.inf
    th_list, th_item = [], []
    for j in range(q):
        cum = np.cumsum(np.bincount(codes[:, j], minlength=nlev[j]))[:-1] / n
        t = special.ndtri(cum)
        tau[j, 1:nlev[j]] = t
        th_list.append(t)
        th_item += [j] * len(t)
    thresholds = np.concatenate(th_list) if th_list else np.zeros(0)
    return Ordered(levels, codes, nlev, tau, thresholds, np.asarray(th_item, int))


@dataclass
class Polychoric:
    """Step two for every pair of ordered items: correlations, casewise scores, and the
    cross-products A21 of the correlation scores with the bivariate threshold scores."""
    rho: np.ndarray               # one per pair (pair_index order)
    scores: np.ndarray            # n x pairs: d log P / d rho of each row's cell
    A21: np.ndarray               # pairs x thresholds


def polychoric(o: Ordered, x: np.ndarray, *, tol: float = 1e-10) -> Polychoric:
    """The two-step polychoric correlation of every pair (lav_bvord_cor_twostep_fit), vectorised
    over pairs (tables padded to L x L), with its scores for muthen1984()."""
    codes, tau = o.codes, o.tau
    n, q = codes.shape
    L = tau.shape[1] - 1
    pi, pj = pair_index(q)
    onehot = np.zeros((n, q, L))
    onehot[np.arange(n)[:, None], np.arange(q)[None, :], codes] = 1.0
    freq = np.stack([onehot[:, a, :].T @ onehot[:, b, :] for a, b in zip(pi, pj)]) if len(pi) else \
        np.zeros((0, L, L))
    ta, tb = tau[pi], tau[pj]                         # npair x (L+1)
    with np.errstate(invalid="ignore"):
        r0 = np.corrcoef(x, rowvar=False)[pi, pj] if len(pi) else np.zeros(0)   # Pearson starting values
    rho = np.where(np.isfinite(r0) & (np.abs(r0) < 1), r0, 0.0)
    rho = _fit_rho(freq, ta, tb, rho, tol)
    scores, A21 = _pair_scores(codes, o.nlev, len(o.th_item), freq, ta, tb, rho, pi, pj)
    return Polychoric(rho, scores, A21)


def _grid(ta, tb, rho):
    """Phi2 at every pair of thresholds (npair x (L+1) x (L+1)) and its rho-derivative (phi2)."""
    X = ta[:, :, None]
    Y = tb[:, None, :]
    R = rho[:, None, None]
    F = np.zeros(np.broadcast_shapes(X.shape, Y.shape))
    Xb, Yb, Rb = np.broadcast_arrays(X, Y, R)
    ok = ~(np.isneginf(Xb) | np.isneginf(Yb))
    F[ok] = bvn_cdf(Xb[ok], Yb[ok], Rb[ok])
    dF = bvn_pdf(Xb, Yb, Rb)
    return F, dF


def _cells(G):
    """Cell values from a grid of distribution-function values (rectangle differences)."""
    return G[:, 1:, 1:] - G[:, :-1, 1:] - G[:, 1:, :-1] + G[:, :-1, :-1]


def _fit_rho(freq, ta, tb, rho, tol, max_iter=100):
    """Newton-Raphson (Fisher scoring when the curvature has the wrong sign) on every pair's
    log-likelihood sum n_kl log P_kl(rho), within lavaan's bounds (-0.999, 0.999)."""
    used = freq > 0
    for _ in range(max_iter):
        F, dF = _grid(ta, tb, rho)
        P = _cells(F)
        dP = _cells(dF)
        d2F = dF * _dlogphi2(ta[:, :, None], tb[:, None, :], rho[:, None, None])
        d2P = _cells(d2F)
        Ps = np.where(used, P, 1.0)
        g = np.sum(np.where(used, freq * dP / Ps, 0.0), axis=(1, 2))
        h = np.sum(np.where(used, freq * (d2P / Ps - (dP / Ps) ** 2), 0.0), axis=(1, 2))
        fisher = freq.sum(axis=(1, 2)) * np.sum(np.where(P > 0, dP * dP / np.where(P > 0, P, 1.0), 0.0),
                                                  axis=(1, 2))
        curv = np.where(h < 0, -h, fisher)
        step = g / np.maximum(curv, 1e-300)
        new = np.clip(rho + step, -0.999, 0.999)
        done = np.abs(new - rho) < tol
        rho = new
        if done.all():
            break
    return rho


def _dlogphi2(x, y, r):
    """d log phi2(x, y; r) / dr (0 where x or y is infinite)."""
    x, y, r = np.broadcast_arrays(x, y, r)
    out = np.zeros(x.shape)
    fin = np.isfinite(x) & np.isfinite(y)
    xf, yf, rf = x[fin], y[fin], r[fin]
    one = 1 - rf * rf
    out[fin] = rf / one + xf * yf / one - rf * (xf * xf - 2 * rf * xf * yf + yf * yf) / one ** 2
    return out


def _pair_scores(codes, nlev, nth, freq, ta, tb, rho, pi, pj):
    """Each row's correlation score and A21 (lav_bvord_cor_scores crossed as muthen1984() does)."""
    th_start = np.concatenate([[0], np.cumsum(nlev - 1)])[:-1]
    # bivariate scores per cell: d log P / d rho and d log P / d (thresholds of either item)
    F, dF = _grid(ta, tb, rho)
    P = _cells(F)
    Ps = np.where(P > np.sqrt(np.finfo(float).eps), P, np.nan)
    drho = _cells(dF) / Ps                                           # npair x L x L
    R = np.sqrt(1 - rho * rho)[:, None, None]
    r = rho[:, None, None]
    # G1[k, l]: d Phi2(ta_k, tb_l) / d ta_k = phi(ta_k) Phi((tb_l - rho ta_k) / R)
    with np.errstate(invalid="ignore"):
        G1 = np.where(np.isfinite(ta[:, :, None]),
                      _phi(ta[:, :, None]) * special.ndtr((tb[:, None, :] - r * ta[:, :, None]) / R), 0.0)
        G2 = np.where(np.isfinite(tb[:, None, :]),
                      _phi(tb[:, None, :]) * special.ndtr((ta[:, :, None] - r * tb[:, None, :]) / R), 0.0)
    G1 = np.nan_to_num(G1)
    G2 = np.nan_to_num(G2)
    # d P_ab / d ta_k: (G1[a+1, b+1] - G1[a+1, b]) for k = a+1 (upper), minus that at k = a (lower)
    g1 = G1[:, :, 1:] - G1[:, :, :-1]                                  # npair x (L+1) x L
    g2 = G2[:, 1:, :] - G2[:, :-1, :]                                  # npair x L x (L+1)
    idx = np.arange(len(pi))
    ca, cb = codes[:, pi], codes[:, pj]                              # n x npair
    sc_cor = drho[idx[None, :], ca, cb]
    sc_cor = np.nan_to_num(sc_cor)
    # A21: cross-products of the correlation scores with each item's bivariate threshold scores
    A21 = np.zeros((len(pi), nth))
    w = freq * np.nan_to_num(drho) / np.where(np.isnan(Ps), 1.0, Ps)   # n_ab drho_ab / P_ab
    L = freq.shape[1]
    for side, (items, gg, axis) in enumerate(((pi, g1, 1), (pj, g2, 2))):
        for k in range(L - 1):          # threshold k+1 of the item: upper bound of cat k, lower of k+1
            if axis == 1:
                up = (w[:, k, :] * gg[:, k + 1, :]).sum(axis=1)
                lo = (w[:, k + 1, :] * gg[:, k + 1, :]).sum(axis=1)
            else:
                up = (w[:, :, k] * gg[:, :, k + 1]).sum(axis=1)
                lo = (w[:, :, k + 1] * gg[:, :, k + 1]).sum(axis=1)
            valid = k < nlev[items] - 1
            cols = th_start[items] + k
            A21[idx[valid], cols[valid]] += up[valid] - lo[valid]
    return sc_cor, A21


def _rect(z1a, z2a, z1b, z2b, r, f):
    """f at the four corners of each row's rectangle, combined as a probability is."""
    return f(z1a, z1b, r) - f(z2a, z1b, r) - f(z1a, z2b, r) + f(z2a, z2b, r)


def polychoric_rows(a: OrdinalFit, b: OrdinalFit) -> tuple[float, BivariateScores]:
    """The two-step polychoric correlation of two ordered items given covariates (each row's own
    bounds tau - x'beta from the probit regressions; lav_bvord_cor_twostep_fit with eXo) and its
    casewise scores (lav_bvord_cor_scores); rows whose likelihood underflows are left out, as lavaan."""
    small = np.sqrt(np.finfo(float).eps)

    def lik(r):
        rr = np.full(len(a.z1), r)
        return _rect(a.z1, a.z2, b.z1, b.z2, rr, bvn_cdf)

    def negll(r):
        p = lik(r)
        return -float(np.sum(np.log(p[p >= small])))

    rho = float(optimize.minimize_scalar(negll, bounds=(-0.999, 0.999), method="bounded",
                                         options={"xatol": 1e-12, "maxiter": 500}).x)
    p = lik(rho)
    p = np.where(p > small, p, np.nan)
    R = np.sqrt(1 - rho * rho)
    ya1 = _phi(a.z1) * (special.ndtr((b.z1 - rho * a.z1) / R) - special.ndtr((b.z2 - rho * a.z1) / R))
    ya2 = _phi(a.z2) * (special.ndtr((b.z1 - rho * a.z2) / R) - special.ndtr((b.z2 - rho * a.z2) / R))
    yb1 = _phi(b.z1) * (special.ndtr((a.z1 - rho * b.z1) / R) - special.ndtr((a.z2 - rho * b.z1) / R))
    yb2 = _phi(b.z2) * (special.ndtr((a.z1 - rho * b.z2) / R) - special.ndtr((a.z2 - rho * b.z2) / R))
    rr = np.full(len(p), max(min(rho, 0.9999), -0.9999))
    drho = _rect(a.z1, a.z2, b.z1, b.z2, rr, bvn_pdf) / p
    out = BivariateScores(
        rho=drho, th1=(a.upper * ya1[:, None] - a.lower * ya2[:, None]) / p[:, None], eta1=(ya2 - ya1) / p,
        th2=(b.upper * yb1[:, None] - b.lower * yb2[:, None]) / p[:, None], eta2=(yb2 - yb1) / p)
    for f in ("rho", "th1", "eta1", "th2", "eta2"):    # lavaan's NA rows drop out of every cross-product
        setattr(out, f, np.nan_to_num(getattr(out, f)))
    return rho, out
