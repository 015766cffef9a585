"""Full-information ML for incomplete data, vectorised by missing-data pattern.

Rows are grouped by which model variables they observe; each pattern keeps its size,
means and covariance (divisor n_p) over its observed variables. Every quantity the
casewise normal likelihood needs is then a sum over patterns of small dense algebra,
done for all patterns at once by padding: for pattern p the matrix Sigma with the
unobserved rows/columns replaced by the identity has det = det(Sigma_oo) and an inverse
whose observed block is Sigma_oo^-1 (`padded_inverse`).

Coordinates of the saturated ("h1") model: the means mu (p) and vech(Sigma) (lavaan's
column-wise lower triangle). Derivatives are first taken with respect to the full p x p
Sigma (as if its cells were free) and mapped to vech by the duplication matrix D.

The saturated model is estimated by lavaan's EM (lav_mvnorm_missing_h1_estimate_moments:
same start, same update, same stopping rule), so the unrestricted log-likelihood, the
chi-square and SRMR are lavaan's. The same functions serve complete data as one pattern.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from alianza.sem.matrices.ram import RAMBlock

LOG2PI = math.log(2 * math.pi)


# -- vech / duplication ---------------------------------------------------------------------
def vech_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of lavaan's vech: the lower triangle, column by column."""
    rows = np.concatenate([np.arange(j, p) for j in range(p)]) if p else np.zeros(0, int)
    cols = np.concatenate([np.full(p - j, j) for j in range(p)]) if p else np.zeros(0, int)
    return rows.astype(int), cols.astype(int)


def duplication(p: int) -> np.ndarray:
    """D with vec(S) = D vech(S) for symmetric S (row-major vec; S symmetric so either)."""
    r, c = vech_index(p)
    D = np.zeros((p * p, len(r)))
    k = np.arange(len(r))
    D[r * p + c, k] = 1.0
    D[c * p + r, k] = 1.0
    return D


# -- patterns -------------------------------------------------------------------------------
@dataclass
class Patterns:
    """Missing-data patterns of an N x p matrix (rows with no observed value removed)."""
    x: np.ndarray             # N x p, NaN where missing
    mask: np.ndarray          # P x p, True where observed
    freq: np.ndarray          # P, rows per pattern
    mean: np.ndarray          # P x p, pattern means (0 where unobserved)
    cov: np.ndarray           # P x p x p, pattern covariances, divisor n_p (0 outside the block)
    row_pattern: np.ndarray   # N, pattern of each row
    weights: np.ndarray | None = None   # N, sampling weights (normalised by the caller); freq, mean
                                        # and cov are then weighted sums, means and ML covariances
    cluster: np.ndarray | None = None   # N, cluster code of each row (cluster-robust first-order info)

    @property
    def n(self) -> int | float:
        """Rows, or the sum of the sampling weights (lavaan's nobs with sampling.weights)."""
        return int(self.freq.sum()) if self.weights is None else float(self.freq.sum())

    @property
    def p(self) -> int:
        return self.x.shape[1]


def patterns_of(x: np.ndarray, weights=None, cluster=None) -> Patterns:
    """Group the rows of x (no all-missing rows) by their pattern of observed variables.

    With sampling `weights` each pattern's frequency is its sum of weights and its moments are
    weighted (lavaan's cov.wt(method = "ML") per pattern), so every likelihood quantity below
    is the weighted one; `cluster` (a code per row) only changes first-order information.
    """
    x = np.asarray(x, float)
    obs = ~np.isnan(x)
    mask, row_pattern = np.unique(obs, axis=0, return_inverse=True)
    row_pattern = row_pattern.ravel()
    counts = np.bincount(row_pattern, minlength=len(mask))
    wt = np.ones(len(x)) if weights is None else np.asarray(weights, float)
    freq = counts if weights is None else np.bincount(row_pattern, weights=wt, minlength=len(mask))
    order = np.argsort(row_pattern, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    xz = np.where(obs, x, 0.0)[order]
    wz = wt[order][:, None]
    sums = np.add.reduceat(wz * xz, starts, axis=0)
    mean = sums / freq[:, None]
    # centred cross-products: exact for weighted moments as well as for counts
    dev = (xz - mean[row_pattern[order]]) * obs[order]
    cross = np.add.reduceat(wz[:, :, None] * dev[:, :, None] * dev[:, None, :], starts, axis=0)
    cov = cross / freq[:, None, None]
    cov *= mask[:, :, None] & mask[:, None, :]
    return Patterns(x, mask, freq, mean, cov, row_pattern,
                    None if weights is None else wt, None if cluster is None else np.asarray(cluster))


def score_crossprod(pat: Patterns, scores: np.ndarray) -> np.ndarray:
    """First-order information per observation from casewise scores (lav_mvnorm_information_
    firstorder): each row's score times its sampling weight; with clusters the scores are summed
    within each cluster and scaled by sqrt(C / (C - 1)) (lavaan's small-sample correction)."""
    sc = scores if pat.weights is None else scores * pat.weights[:, None]
    if pat.cluster is not None:
        codes, inverse = np.unique(pat.cluster, return_inverse=True)
        summed = np.zeros((len(codes), sc.shape[1]))
        np.add.at(summed, inverse.ravel(), sc)
        sc = summed * math.sqrt(len(codes) / (len(codes) - 1))
    return sc.T @ sc / pat.n


def pattern_summary(data, observed: list[str]) -> dict:
    """What the outputs report about missingness of the model variables (every estimator).

    `n_patterns` and `complete_rows` count the rows handed in; `coverage` is the share of
    rows observing each variable (lavaan's diag(lavInspect(fit, "coverage")) for FIML).
    """
    # the observed-cell mask, column by column (no float copy of the data)
    obs = np.column_stack([(data[v] if pd.api.types.is_numeric_dtype(data[v]) and not pd.api.types.is_bool_dtype(data[v])
                            else pd.to_numeric(data[v], errors="coerce")).notna().to_numpy() for v in observed]) \
        if observed else np.zeros((len(data), 0), bool)
    keep = obs.any(axis=1)
    n = int(keep.sum())
    patterns = np.unique(obs[keep], axis=0) if n else np.zeros((0, len(observed)), bool)
    return {
        "n_patterns": int(len(patterns)),
        "complete_rows": int(obs.all(axis=1).sum()),
        "empty_rows": int((~keep).sum()),
        "coverage": {v: float(obs[keep, j].mean()) if n else float("nan")
                     for j, v in enumerate(observed)},
    }


# -- per-pattern algebra --------------------------------------------------------------------
def padded_inverse(sigma: np.ndarray, mask: np.ndarray):
    """(A, logdet) for every pattern: A = Sigma_oo^-1 padded with zeros, logdet = log|Sigma_oo|.

    Raises np.linalg.LinAlgError when some Sigma_oo is not positive definite.
    """
    mm = mask[:, :, None] & mask[:, None, :]
    eye = np.eye(sigma.shape[0])[None, :, :]
    M = np.where(mm, sigma[None, :, :], eye * (~mask)[:, :, None])
    L = np.linalg.cholesky(M)
    logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
    A = np.linalg.inv(M) * mm
    return 0.5 * (A + A.transpose(0, 2, 1)), logdet


def loglik(pat: Patterns, mu: np.ndarray, sigma: np.ndarray, A=None, logdet=None) -> float:
    """Casewise normal log-likelihood (lavaan's logl with missing = "ml"); -inf if not PD."""
    if A is None:
        try:
            A, logdet = padded_inverse(sigma, pat.mask)
        except np.linalg.LinAlgError:
            return -np.inf
    d = (pat.mean - mu) * pat.mask
    quad = np.einsum("pij,pij->p", A, pat.cov) + np.einsum("pi,pij,pj->p", d, A, d)
    nobs = pat.mask.sum(axis=1)
    return float(-0.5 * np.sum(pat.freq * (nobs * LOG2PI + logdet + quad)))


@dataclass
class H1Derivatives:
    """Derivatives of f = -logl / N with respect to (mu, full Sigma) at one (mu, Sigma)."""
    g_mu: np.ndarray          # p
    g_sigma: np.ndarray       # p x p (symmetric; d f / d Sigma_ij treating cells as free)
    A: np.ndarray             # P x p x p padded inverses
    b: np.ndarray             # P x p, A (xbar_p - mu)
    Q: np.ndarray             # P x p x p, A (S_p + d d') A


def h1_derivatives(pat: Patterns, mu, sigma, A=None) -> H1Derivatives:
    if A is None:
        A, _ = padded_inverse(sigma, pat.mask)
    w = pat.freq / pat.n
    d = (pat.mean - mu) * pat.mask
    b = np.einsum("pij,pj->pi", A, d)
    Q = A @ pat.cov @ A + b[:, :, None] * b[:, None, :]
    g_mu = -np.einsum("p,pi->i", w, b)
    g_sigma = 0.5 * np.einsum("p,pij->ij", w, A - Q)
    return H1Derivatives(g_mu, g_sigma, A, b, Q)


def _kron_sum(w, X, Y) -> np.ndarray:
    """sum_p w_p X_p (x) Y_p as a p^2 x p^2 matrix (row-major vec): [(i,j),(k,l)] = X_ik Y_jl."""
    P, p, _ = X.shape
    M = (X.reshape(P, -1) * w[:, None]).T @ Y.reshape(P, -1)     # [(i,k),(j,l)]
    return M.reshape(p, p, p, p).transpose(0, 2, 1, 3).reshape(p * p, p * p)


def h1_expected_information(pat: Patterns, A) -> tuple[np.ndarray, np.ndarray]:
    """Expected information per observation (lav_mvnorm_missing_information_expected):
    the mu block sum w_p A_p and the full-Sigma block 0.5 sum w_p A_p (x) A_p."""
    w = pat.freq / pat.n
    return np.einsum("p,pij->ij", w, A), 0.5 * _kron_sum(w, A, A)


def h1_observed_information(pat: Patterns, der: H1Derivatives) -> np.ndarray:
    """Hessian of f = -logl/N in (mu, full Sigma) coordinates, (p + p^2) square.

    Per pattern (A = Sigma_oo^-1, b = A d, Q = A T A with T = S_p + d d'):
      mu mu:       A
      mu Sigma:    A E b   (for a direction E of Sigma)
      Sigma Sigma: tr(E1 A E2 Q) - 0.5 tr(E1 A E2 A)
    """
    w = pat.freq / pat.n
    A, b, Q = der.A, der.b, der.Q
    p = A.shape[1]
    h_mm = np.einsum("p,pij->ij", w, A)
    # mu_i with Sigma cell (k, l), symmetrised: 0.5 (A_ik b_l + A_il b_k)
    t = np.einsum("p,pik,pl->ikl", w, A, b)
    h_ms = 0.5 * (t + t.transpose(0, 2, 1)).reshape(p, p * p)
    h_ss = 0.5 * (_kron_sum(w, A, Q) + _kron_sum(w, Q, A)) - 0.5 * _kron_sum(w, A, A)
    out = np.zeros((p + p * p, p + p * p))
    out[:p, :p] = h_mm
    out[:p, p:] = h_ms
    out[p:, :p] = h_ms.T
    out[p:, p:] = h_ss
    return 0.5 * (out + out.T)


def casewise_scores(pat: Patterns, mu, sigma, A=None) -> np.ndarray:
    """Scores of every row's log-likelihood, N x (p + p^2) in (mu, full Sigma) coordinates."""
    if A is None:
        A, _ = padded_inverse(sigma, pat.mask)
    obs = ~np.isnan(pat.x)
    d = np.where(obs, pat.x - mu, 0.0)
    Ar = A[pat.row_pattern]
    s_mu = np.einsum("nij,nj->ni", Ar, d)
    s_sig = 0.5 * (s_mu[:, :, None] * s_mu[:, None, :] - Ar)
    return np.concatenate([s_mu, s_sig.reshape(len(d), -1)], axis=1)


def to_vech(full: np.ndarray, p: int, *, meanstructure: bool = True, bilinear: bool = True) -> np.ndarray:
    """Map a (mu, full Sigma) matrix to (mu, vech Sigma): D' H D for bilinear forms (information
    matrices), or rows x D for scores; `meanstructure=False` drops the mu coordinates."""
    D = duplication(p)
    T = np.zeros((p + p * p, p + D.shape[1]))
    T[:p, :p] = np.eye(p)
    T[p:, p:] = D
    if not meanstructure:
        T = T[:, p:]
        T[:p] = 0.0
    if bilinear:
        return T.T @ full @ T
    return full @ T


# -- the saturated model by EM ----------------------------------------------------------------
@dataclass
class SaturatedFit:
    mean: np.ndarray
    cov: np.ndarray
    logl: float
    iterations: int
    converged: bool


def em_saturated(pat: Patterns, *, max_iter: int = 500, tol: float = 1e-5) -> SaturatedFit:
    """lavaan's EM for the unrestricted means and covariances (lav_mvnorm_missing_h1_estimate_moments).

    Start: available-case means and (divisor N) variances, no covariances. E-step per pattern:
    the observed variables predict the missing ones (K = Sigma A), so the completed data have
    pattern mean mu + K (xbar_p - mu) and cross-products K S_p K' + Sigma - K Sigma. Stops when no
    mean or covariance moves by more than `tol` (lavaan: 1e-5).
    """
    x = pat.x
    n = pat.n
    p = x.shape[1]
    mu = np.nansum(x, axis=0) / n
    var0 = np.nansum((x - mu) ** 2, axis=0) / n
    complete = ~np.isnan(x).any(axis=1)
    if pat.weights is not None and complete.sum() > 2:
        # lavaan's start with weights: cov.wt(method = "ML") of the complete rows
        wc = pat.weights[complete]
        mu = wc @ x[complete] / wc.sum()
        var0 = wc @ (x[complete] - mu) ** 2 / wc.sum()
    var0 = np.where(~np.isfinite(var0) | (var0 == 0), 1.0, var0)
    sigma = np.diag(var0)
    w = pat.freq
    r, c = vech_index(p)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        A, _ = padded_inverse(sigma, pat.mask)
        K = sigma[None] @ A
        yhat = mu + np.einsum("pij,pj->pi", K, (pat.mean - mu) * pat.mask)
        T1 = w @ yhat
        second = yhat[:, :, None] * yhat[:, None, :] + K @ pat.cov @ K.transpose(0, 2, 1) \
            + sigma[None] - K @ sigma[None]
        T2 = np.einsum("p,pij->ij", w, second)
        new_mu = T1 / n
        new_sigma = T2 / n - np.outer(new_mu, new_mu)
        new_sigma = 0.5 * (new_sigma + new_sigma.T)
        if np.linalg.eigvalsh(new_sigma).min() < 1e-6:
            new_sigma[np.diag_indices(p)] += np.diag(new_sigma).max() * 1e-8
        delta = max(np.abs(new_mu - mu).max(), np.abs(new_sigma[r, c] - sigma[r, c]).max())
        mu, sigma = new_mu, new_sigma
        if delta < tol:
            converged = True
            break
    return SaturatedFit(mu, sigma, loglik(pat, mu, sigma), it, converged)


# -- model side: structures theta -> (Sigma, mu) and the FIML discrepancy over them ----------
class SemStructure:
    """The moment structure of group g of a SemModel (the only group by default)."""

    def __init__(self, model, g: int = 0):
        self.model = model
        self.g = g
        self.npar = model.npar
        self.meanstructure = model.meanstructure
        # free cells -> theta as one matrix product (rows sharing a label add up)
        c = model.cells[g]
        par = model.par[c.rows]
        self._keep = par >= 0
        self._agg = np.zeros((model.npar, int(self._keep.sum())))
        self._agg[par[self._keep], np.arange(int(self._keep.sum()))] = 1.0

    def moments(self, theta):
        imp = self.model.implied(theta)[self.g]
        return imp.sigma, imp.mu

    def jacobian(self, theta):
        """(d Sigma: k x p x p, d mu: k x p) at theta (SemModel.theta_derivatives)."""
        imp = self.model.implied(theta)[self.g]
        c, keep = self.model.cells[self.g], self._keep
        dsig, dmu = RAMBlock.derivatives(imp, c.kind[keep], c.ii[keep], c.jj[keep])
        p = dsig.shape[1]
        return (self._agg @ dsig.reshape(len(dsig), -1)).reshape(-1, p, p), self._agg @ dmu


class IndependenceStructure:
    """lavaan's baseline model: free variances (and means), no covariances. theta = (var, mean)
    of the variables other than the fixed.x covariates `x_idx`, whose block keeps the values
    `x_cov`, `x_mean` (their sample moments)."""

    def __init__(self, p: int, meanstructure: bool, x_idx=(), x_cov=None, x_mean=None):
        self.p = p
        self.meanstructure = meanstructure
        self.x_idx = np.asarray(x_idx, dtype=int)
        self.y_idx = np.setdiff1d(np.arange(p), self.x_idx)
        self.x_cov, self.x_mean = x_cov, x_mean
        q = len(self.y_idx)
        self.npar = 2 * q if meanstructure else q

    def start(self, mean, cov):
        y = self.y_idx
        return np.concatenate([np.diag(cov)[y], mean[y]]) if self.meanstructure else np.diag(cov)[y].copy()

    def moments(self, theta):
        y, x, q = self.y_idx, self.x_idx, len(self.y_idx)
        sigma = np.zeros((self.p, self.p))
        sigma[y, y] = theta[:q]
        mu = np.zeros(self.p)
        if self.meanstructure:
            mu[y] = theta[q:]
        if len(x):
            sigma[np.ix_(x, x)] = self.x_cov
            mu[x] = self.x_mean
        return sigma, mu

    def jacobian(self, theta):
        p, y, q = self.p, self.y_idx, len(self.y_idx)
        dsig = np.zeros((self.npar, p, p))
        dsig[np.arange(q), y, y] = 1.0
        dmu = np.zeros((self.npar, p))
        if self.meanstructure:
            dmu[q + np.arange(q), y] = 1.0
        return dsig, dmu


def full_jacobian(structure, theta) -> np.ndarray:
    """k x (p + p^2): derivatives of (mu, full Sigma) with respect to theta."""
    dsig, dmu = structure.jacobian(theta)
    return np.concatenate([dmu, dsig.reshape(len(dsig), -1)], axis=1)


class CasewiseML:
    """f(theta) = -logl(theta) / N of a structure on incomplete (or complete) data.

    Without a mean structure (complete data only) the means are the sample means, as in
    lavaan's ML with meanstructure = FALSE, and the mu coordinates drop out.
    """

    def __init__(self, structure, pat: Patterns, fixed_mean=None):
        self.s = structure
        self.pat = pat
        self.fixed_mean = fixed_mean
        self.p = pat.p

    def moments(self, theta):
        sigma, mu = self.s.moments(theta)
        return sigma, (mu if self.s.meanstructure else self.fixed_mean)

    def fun(self, theta) -> float:
        sigma, mu = self.moments(theta)
        ll = loglik(self.pat, mu, sigma)
        return -ll / self.pat.n if np.isfinite(ll) else np.inf

    def _h1(self, theta):
        sigma, mu = self.moments(theta)
        A, _ = padded_inverse(sigma, self.pat.mask)
        return h1_derivatives(self.pat, mu, sigma, A)

    def _g(self, der) -> np.ndarray:
        g_mu = der.g_mu if self.s.meanstructure else np.zeros(self.p)
        return np.concatenate([g_mu, der.g_sigma.ravel()])

    def gradient(self, theta) -> np.ndarray:
        return full_jacobian(self.s, theta) @ self._g(self._h1(theta))

    def grad_info(self, theta):
        """Gradient and expected (Fisher) information per observation, for scoring."""
        dsig, dmu = self.s.jacobian(theta)
        return self.gradient_information(theta, dsig, dmu)

    def gradient_information(self, theta, dsig, dmu):
        """Gradient and expected information (h1 structured, lav_mvnorm_missing_information_
        expected at the model-implied moments) for any stack of derivatives d Sigma, d mu:
        the model's own, or those of candidate parameters (modification indices)."""
        der = self._h1(theta)
        J = np.concatenate([dmu, dsig.reshape(len(dsig), -1)], axis=1)
        p = self.p
        i_mm, i_ss = h1_expected_information(self.pat, der.A)
        Jm, Js = J[:, :p], J[:, p:]
        info = Js @ i_ss @ Js.T
        if self.s.meanstructure:
            info += Jm @ i_mm @ Jm.T
        return J @ self._g(der), 0.5 * (info + info.T)

    def h1_observed(self, theta) -> np.ndarray:
        """Observed information in (mu, full Sigma) at the model-implied moments."""
        h = h1_observed_information(self.pat, self._h1(theta))
        if not self.s.meanstructure:
            h[: self.p, :] = 0.0
            h[:, : self.p] = 0.0
        return h

    def hessian(self, theta, gradient=None) -> np.ndarray:
        """Observed information per observation (Hessian of f): J H J' plus the curvature of
        the structure, sum_m g_m d2 m / d theta2, by differences of J(theta)' g."""
        der = self._h1(theta)
        g = self._g(der)
        J = full_jacobian(self.s, theta)
        h1 = h1_observed_information(self.pat, der)
        if not self.s.meanstructure:
            h1[: self.p, :] = 0.0
            h1[:, : self.p] = 0.0
        hess = J @ h1 @ J.T
        k = len(theta)
        curv = np.zeros((k, k))
        jg = J @ g
        for a in range(k):
            # forward differences: g is O(misfit) at the estimates, so the error (~h) is negligible
            h = 1e-7 * max(1.0, abs(theta[a]))
            e = np.zeros(k)
            e[a] = h
            curv[a] = (full_jacobian(self.s, theta + e) @ g - jg) / h
        hess += 0.5 * (curv + curv.T)
        return 0.5 * (hess + hess.T)

    def scores(self, theta) -> np.ndarray:
        """N x (p + p^2) casewise scores at the model-implied moments (structured)."""
        sigma, mu = self.moments(theta)
        sc = casewise_scores(self.pat, mu, sigma)
        if not self.s.meanstructure:
            sc[:, : self.p] = 0.0
        return sc
