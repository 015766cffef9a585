"""The derivative engine: lavaan's ML discrepancy, its analytic gradient and its analytic
observed Hessian, for one model at many points at once (batched numpy over replicates).

In the RAM form of ram.py every first derivative of Sigma is w (u v' + v u') with u, v
columns of Z = [F B, (B S B' F')'], so the gradient and every second-order term are products
of entries of the small matrices Z' W Z and Z' Omega Z (W = Sigma^-1, Omega = W - W (S + d d') W):
no p x p matrix per parameter is formed. The ML fit on moments (any number of
groups, through `MomentsML`), the bootstrap and jackknife refits (refit.py) and the power
replicates (power/replicate.py) read their derivatives here, and all minimise with the one
optimiser of estimation/scoring.py.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from alianza.errors import ConfigError
from alianza.sem.matrices.model import SemModel
from alianza.sem.matrices.ram import KIND_A, KIND_M, KIND_S
from alianza.sem.data.samplestats import SampleStats


@dataclass
class Evaluation:
    f: np.ndarray                    # B
    ok: np.ndarray                   # B, Sigma positive definite
    grad: np.ndarray | None = None   # B x npar
    hess: np.ndarray | None = None   # B x npar x npar, observed
    info: np.ndarray | None = None   # B x npar x npar, expected


class BatchedML:
    """ML discrepancy, gradient and Hessian of one single-group SemModel at many points."""

    def __init__(self, model: SemModel):
        if len(model.cells) != 1:
            raise ConfigError("batched refitting (bootstrap) of multi-group models is not available yet; "
                              "use group_view(model, g) for one group's part", key="group")
        self.model = model
        c = model.cells[0]
        self.p = model.blocks[0].p
        self.nv = nv = model.blocks[0].n
        self.meanstructure = model.meanstructure
        kind, ii, jj = c.kind, c.ii, c.jj
        self.kind, self.ii, self.jj = kind, ii, jj
        par = model.par[c.rows]
        self.base = model.fixed[c.rows].astype(float).copy()
        self.npar = model.npar
        # fixed.x: exogenous covariates' (co)variances and means are the replicate's own
        exo = np.isin(c.rows, model.exo_rows)
        self.exo_s = np.flatnonzero(exo & (kind == KIND_S))
        self.exo_m = np.flatnonzero(exo & (kind == KIND_M))
        self.a = np.flatnonzero(kind == KIND_A)
        self.s = np.flatnonzero(kind == KIND_S)
        self.m = np.flatnonzero(kind == KIND_M)
        # (I - A)^-1 only needs inverting among variables that send a path: a variable
        # without outgoing paths (a pure indicator) has B e_j = e_j
        sends = np.zeros(nv, bool)
        live = (par[self.a] >= 0) | (self.base[self.a] != 0)
        sends[jj[self.a][live]] = True
        self.senders = np.flatnonzero(sends)

        # free cells in the order A, S, m; derivative bookkeeping is in this cell order
        free = np.flatnonzero(par >= 0)
        self.dcell = np.concatenate([free[kind[free] == k] for k in (KIND_A, KIND_S, KIND_M)])
        self.dpar = par[self.dcell]
        self.na = int((kind[free] == KIND_A).sum())
        self.ns = int((kind[free] == KIND_S).sum())
        fk, fi, fj = kind[self.dcell], ii[self.dcell], jj[self.dcell]
        self.fi, self.fj = fi, fj
        self.is_a, self.is_s, self.is_m = fk == KIND_A, fk == KIND_S, fk == KIND_M
        # cells -> theta: a permutation unless labels make cells share a parameter
        if len(np.unique(self.dpar)) == len(self.dpar) == self.npar:
            self.perm = np.argsort(self.dpar)
            self.incidence = None
        else:
            self.perm = None
            self.incidence = np.zeros((len(self.dcell), self.npar))
            self.incidence[np.arange(len(self.dcell)), self.dpar] = 1.0
        # dSigma of a cell = w (u v' + v u'), u and v columns of Z = [C | H'], C = F B,
        # H = B S C':  A (i, j): u = c_i, v = h_j, w = 1;  S (i, j): u = c_i, v = c_j,
        # w = 1 (1/2 on the diagonal);  m: no Sigma part.  dmu = s c_i, s = (Bm)_j or 1.
        zc = np.unique(np.concatenate([fi, fj[self.is_s]]))
        zh = np.unique(fj[self.is_a])
        self.zc, self.zh = zc, zh
        cpos = {z: k for k, z in enumerate(zc)}
        hpos = {z: len(zc) + k for k, z in enumerate(zh)}
        nz = len(zc) + len(zh)
        self.nz = nz
        u = np.array([cpos[i] for i in fi], dtype=int)
        v = np.array([hpos[j] if a else (cpos[j] if s else cpos[i])
                      for i, j, a, s in zip(fi, fj, self.is_a, self.is_s)], dtype=int)
        self.u, self.v = u, v
        self.w = np.where(self.is_m, 0.0, np.where(self.is_s & (fi == fj), 0.5, 1.0))
        self.ww = self.w[:, None] * self.w[None, :]
        self.has_mean = self.meanstructure and bool(self.is_a.any() or self.is_m.any())

        def flat(x, y):   # positions of G[x_a, y_b] in a flattened nz x nz matrix
            return (x[:, None] * nz + y[None, :]).ravel()

        self.idx_uv1 = u * nz + v
        self.idx = {"uu": flat(u, u), "vv": flat(v, v), "uv": flat(u, v), "vu": flat(v, u)}
        na = self.na
        ua, va, ia, ja = u[:na], v[:na], fi[:na], fj[:na]
        us, vs, is_, js = u[na:na + self.ns], v[na:na + self.ns], fi[na:na + self.ns], fj[na:na + self.ns]
        nvv = nv
        self.idx_aa = {
            "B_li": (ja[None, :] * nvv + ia[:, None]).ravel(),   # B[l, i] for (a = (i, j), b = (k, l))
            "B_jk": (ja[:, None] * nvv + ia[None, :]).ravel(),   # B[j, k]
            "V_jl": (ja[:, None] * nvv + ja[None, :]).ravel(),
            "O_kj": (ua[None, :] * nz + va[:, None]).ravel(),    # GO[c_k, h_j]
            "O_il": (ua[:, None] * nz + va[None, :]).ravel(),    # GO[c_i, h_l]
            "O_ik": (ua[:, None] * nz + ua[None, :]).ravel(),    # GO[c_i, c_k]
        }
        self.idx_as = {
            "B_jk": (ja[:, None] * nvv + is_[None, :]).ravel(),
            "B_jl": (ja[:, None] * nvv + js[None, :]).ravel(),
            "O_il": (ua[:, None] * nz + vs[None, :]).ravel(),
            "O_ik": (ua[:, None] * nz + us[None, :]).ravel(),
            "w": self.w[na:na + self.ns][None, None, :],
        }

    # -- model matrices for a batch ------------------------------------------------------
    def cell_values(self, theta, cov, mean) -> np.ndarray:
        vals = np.repeat(self.base[None, :], len(theta), axis=0)
        vals[:, self.dcell] = theta[:, self.dpar]
        if len(self.exo_s):
            vals[:, self.exo_s] = cov[:, self.ii[self.exo_s], self.jj[self.exo_s]]
        if len(self.exo_m):
            vals[:, self.exo_m] = mean[:, self.ii[self.exo_m]]
        return vals

    def matrices(self, vals):
        """(I - A)^-1, S and m of every replicate."""
        nb, nv = len(vals), self.nv
        A = np.zeros((nb, nv, nv))
        S = np.zeros((nb, nv, nv))
        A[:, self.ii[self.a], self.jj[self.a]] = vals[:, self.a]
        S[:, self.ii[self.s], self.jj[self.s]] = vals[:, self.s]
        S[:, self.jj[self.s], self.ii[self.s]] = vals[:, self.s]
        m = np.zeros((nb, nv))
        m[:, self.ii[self.m]] = vals[:, self.m]
        r = self.senders
        Binv = np.repeat(np.eye(nv)[None], nb, axis=0)
        if len(r):
            # B[:, R] = A[:, R] B_RR + E_R with B_RR = (I - A_RR)^-1
            A_r = A[:, :, r]
            B_rr = np.linalg.inv(np.eye(len(r))[None] - A_r[:, r, :])
            Binv[:, :, r] = A_r @ B_rr
            Binv[:, r[:, None], r[None, :]] += np.eye(len(r))[None]
        return Binv, S, m

    def variances(self, theta, cov, mean) -> np.ndarray:
        """Model-implied variances of all variables (observed, then latent), B x nv."""
        Binv, S, _ = self.matrices(self.cell_values(theta, cov, mean))
        return np.einsum("bij,bij->bi", Binv @ S, Binv)

    def covariances(self, theta, cov, mean) -> np.ndarray:
        """Model-implied covariance matrix of all variables (observed, then latent), B x nv x nv."""
        Binv, S, _ = self.matrices(self.cell_values(theta, cov, mean))
        return Binv @ S @ Binv.transpose(0, 2, 1)

    def row_values(self, theta, cov, mean) -> np.ndarray:
        """Values of every partable row (B x rows) at theta; `:=` rows are NaN."""
        out = np.full((len(theta), len(self.model.table)), np.nan)
        out[:, self.model.cells[0].rows] = self.cell_values(theta, cov, mean)
        return out

    def to_theta(self, g):
        """Cell-order derivatives (B x k [x k]) -> theta order (rows sharing a label add)."""
        if self.perm is not None:
            return g[:, self.perm] if g.ndim == 2 else g[:, self.perm[:, None], self.perm[None, :]]
        P = self.incidence
        return g @ P if g.ndim == 2 else P.T @ g @ P

    # -- discrepancy and derivatives -----------------------------------------------------
    def evaluate(self, theta, cov, mean, logdet_s, order: int = 2) -> Evaluation:
        """fmin (order 0), + gradient (1), + observed Hessian and expected information (2)."""
        nb, p = len(theta), self.p
        Binv, S, m = self.matrices(self.cell_values(theta, cov, mean))
        C = Binv[:, :p, :]
        CS = C @ S
        sigma = CS @ C.transpose(0, 2, 1)
        sigma = 0.5 * (sigma + sigma.transpose(0, 2, 1))
        L, ok = _cholesky(sigma)
        if not ok.all():
            return self._evaluate_some(theta, cov, mean, logdet_s, order, ok)
        Li = _tri_inv(L)
        W = Li.transpose(0, 2, 1) @ Li
        logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
        f = logdet + np.einsum("bij,bij->b", W, cov) - logdet_s - p
        if self.meanstructure:
            d = mean - (C @ m[:, :, None])[:, :, 0]
            Wd = (W @ d[:, :, None])[:, :, 0]
            f = f + np.einsum("bi,bi->b", d, Wd)
        out = Evaluation(0.5 * f, ok)
        if order == 0:
            return out
        Z = np.concatenate([C[:, :, self.zc], CS @ Binv[:, self.zh, :].transpose(0, 2, 1)], axis=2)
        WZ = W @ Z
        GW = Z.transpose(0, 2, 1) @ WZ
        M = cov + d[:, :, None] * d[:, None, :] if self.meanstructure else cov
        GO = WZ.transpose(0, 2, 1) @ (sigma - M) @ WZ       # Z' Omega Z
        gw, go = GW.reshape(nb, -1), GO.reshape(nb, -1)
        grad = self.w * go[:, self.idx_uv1]                 # 0.5 tr(Omega dSigma) = w u' Omega v
        if self.has_mean:
            q = (Z.transpose(0, 2, 1) @ Wd[:, :, None])[:, :, 0]     # Z' W (xbar - mu)
            bm = (Binv @ m[:, :, None])[:, :, 0]
            s = np.where(self.is_a[None], bm[:, self.fj], 1.0) * ~self.is_s[None]
            grad = grad - s * q[:, self.u]
        out.grad = self.to_theta(grad)
        if order == 1:
            return out

        k = len(self.u)
        ix = self.idx
        gw_uu, gw_vv, gw_uv = (gw[:, ix[x]].reshape(nb, k, k) for x in ("uu", "vv", "uv"))
        go_uu, go_vv, go_vu = (go[:, ix[x]].reshape(nb, k, k) for x in ("uu", "vv", "vu"))
        # expected information 0.5 tr(W dS_a W dS_b); observed Hessian adds the terms in
        # Omega (which vanish at S = Sigma) and the second derivatives of Sigma
        # (in place: these k x k products are most of the time of a Newton step)
        info = gw_uu * gw_vv
        tmp = gw_uv * gw_uv.transpose(0, 2, 1)
        info += tmp
        info *= self.ww
        y = np.multiply(gw_uv, go_vu, out=gw_uv)
        hess = y + y.transpose(0, 2, 1)
        hess += np.multiply(gw_vv, go_uu, out=tmp)
        hess += np.multiply(gw_uu, go_vv, out=tmp)
        hess *= -self.ww
        hess += info
        self._add_second_sigma(hess, go, Binv, S)
        if self.has_mean:
            u = self.u
            mm = s[:, :, None] * s[:, None, :] * gw_uu       # dmu_a' W dmu_b (c_i = u)
            info = info + mm
            gw_vu = gw[:, self.idx["vu"]].reshape(nb, k, k)
            # dmu_b' W dSigma_a W d, both ways round
            t = s[:, None, :] * self.w[None, :, None] * (gw_uu * q[:, self.v][:, :, None]
                                                         + gw_vu * q[:, u][:, :, None])
            hess = hess + mm + t + t.transpose(0, 2, 1)
            self._sub_second_mean(hess, Binv, bm, q)
        out.hess = self.to_theta(hess)
        out.info = self.to_theta(info)
        return out

    def _evaluate_some(self, theta, cov, mean, logdet_s, order, ok) -> Evaluation:
        """Where Sigma is not positive definite: f = inf, derivatives NaN."""
        nb, k = len(theta), self.npar
        out = Evaluation(np.full(nb, np.inf), ok)
        if order >= 1:
            out.grad = np.full((nb, k), np.nan)
        if order >= 2:
            out.hess = np.full((nb, k, k), np.nan)
            out.info = out.hess.copy()
        if ok.any():
            sub = self.evaluate(theta[ok], cov[ok], mean[ok], logdet_s[ok], order)
            out.f[ok] = sub.f
            for name in ("grad", "hess", "info"):
                if getattr(sub, name) is not None:
                    getattr(out, name)[ok] = getattr(sub, name)
        return out

    def _add_second_sigma(self, hess, go, Binv, S):
        """+ 0.5 tr(Omega d2Sigma / d cell_a d cell_b): only A x A and A x S pairs."""
        na, ns, nb = self.na, self.ns, len(hess)
        if not na:
            return
        b = Binv.reshape(nb, -1)
        V = (Binv @ S @ Binv.transpose(0, 2, 1)).reshape(nb, -1)
        x = self.idx_aa
        # A (i, j) x A (k, l): B_li c_k'O h_j + B_jk c_i'O h_l + V_jl c_i'O c_k
        hess[:, :na, :na] += (b[:, x["B_li"]] * go[:, x["O_kj"]] + b[:, x["B_jk"]] * go[:, x["O_il"]]
                              + V[:, x["V_jl"]] * go[:, x["O_ik"]]).reshape(nb, na, na)
        if ns:
            y = self.idx_as
            # A (i, j) x S (k, l), weight w: w (B_jk c_i'O c_l + B_jl c_i'O c_k)
            blk = y["w"] * (b[:, y["B_jk"]] * go[:, y["O_il"]]
                            + b[:, y["B_jl"]] * go[:, y["O_ik"]]).reshape(nb, na, ns)
            hess[:, :na, na:na + ns] += blk
            hess[:, na:na + ns, :na] += blk.transpose(0, 2, 1)

    def _sub_second_mean(self, hess, Binv, bm, q):
        """- d2mu / d cell_a d cell_b ' W (xbar - mu): A x A and A x m pairs."""
        na, ns = self.na, self.ns
        if not na:
            return
        i, j, u = self.fi[:na], self.fj[:na], self.u[:na]
        qa, bj = q[:, u], bm[:, j]
        # A (i, j) x A (k, l): B_li (Bm)_j q(c_k) + B_jk (Bm)_l q(c_i)
        hess[:, :na, :na] -= (Binv[:, j[None, :], i[:, None]] * bj[:, :, None] * qa[:, None, :]
                              + Binv[:, j[:, None], i[None, :]] * bj[:, None, :] * qa[:, :, None])
        mc = slice(na + ns, len(self.u))
        if len(self.u) > na + ns:
            # A (i, j) x m (k): B_jk q(c_i)
            blk = Binv[:, j[:, None], self.fi[mc][None, :]] * qa[:, :, None]
            hess[:, :na, mc] -= blk
            hess[:, mc, :na] -= blk.transpose(0, 2, 1)


def _cholesky(sigma):
    try:
        return np.linalg.cholesky(sigma), np.ones(len(sigma), bool)
    except np.linalg.LinAlgError:
        ok = np.ones(len(sigma), bool)
        L = np.zeros_like(sigma)
        for b in range(len(sigma)):
            try:
                L[b] = np.linalg.cholesky(sigma[b])
            except np.linalg.LinAlgError:
                ok[b] = False
        return L, ok


def _tri_inv(L):
    """Inverse of a batch of lower-triangular matrices by 2 x 2 blocks (matrix products only:
    faster than LAPACK's per-matrix calls for the small matrices of a batch)."""
    n = L.shape[-1]
    if n == 1:
        return 1.0 / L
    if n == 2:
        out = np.zeros_like(L)
        a, c = 1.0 / L[:, 0, 0], 1.0 / L[:, 1, 1]
        out[:, 0, 0], out[:, 1, 1], out[:, 1, 0] = a, c, -L[:, 1, 0] * a * c
        return out
    h = n // 2
    A = _tri_inv(L[:, :h, :h])
    C = _tri_inv(L[:, h:, h:])
    out = np.zeros_like(L)
    out[:, :h, :h] = A
    out[:, h:, h:] = C
    out[:, h:, :h] = -C @ L[:, h:, :h] @ A
    return out


def inverse_pd(H, fallback):
    """Inverses of positive-definite H (by Cholesky), `fallback` where H is not."""
    L, ok = _cholesky(H)
    if not ok.all():
        L[~ok] = _cholesky(fallback[~ok])[0]
    Li = _tri_inv(L)
    return Li.transpose(0, 2, 1) @ Li


def group_view(model: SemModel, g: int) -> SemModel:
    """Group g of a multi-group model as a one-group model over the same theta."""
    view = copy.copy(model)
    view.cells, view.blocks, view.group_values = [model.cells[g]], [model.blocks[g]], [model.group_values[g]]
    return view


class MomentsML:
    """lavaan's ML fmin of a SemModel (any number of groups: the N_g / N-weighted sum of each group's
    discrepancy) at one point, through BatchedML: what the optimiser (estimation/scoring.py) needs for
    the ML fit on sample moments, f, gradient, expected information and observed Hessian, from one
    evaluation per group."""

    def __init__(self, model: SemModel, stats: SampleStats):
        G = len(model.cells)
        self.engines = [BatchedML(group_view(model, g) if G > 1 else model) for g in range(G)]
        self.cov = [np.asarray(c, float)[None] for c in stats.cov]
        self.mean = [np.asarray(m, float)[None] for m in stats.mean]
        self.logdet = [np.linalg.slogdet(c)[1] for c in self.cov]
        self.w = [n / stats.ntotal for n in stats.nobs]
        self.npar = model.npar

    def evaluate(self, rows, theta, order: int = 2) -> Evaluation:
        """The sum over groups at theta (1 x npar): f, ok, and the derivatives up to `order`."""
        theta = np.asarray(theta, float)
        out = None
        for w, e, c, m, ld in zip(self.w, self.engines, self.cov, self.mean, self.logdet):
            ev = e.evaluate(theta, c, m, ld, order)
            if not ev.ok.all():
                return e.evaluate(theta, c, m, ld, order)       # f = inf, derivatives NaN
            if out is None:
                out = Evaluation(w * ev.f, ev.ok, *(None if x is None else w * x
                                                    for x in (ev.grad, ev.hess, ev.info)))
                continue
            out.f = out.f + w * ev.f
            for name in ("grad", "hess", "info"):
                if getattr(ev, name) is not None:
                    setattr(out, name, getattr(out, name) + w * getattr(ev, name))
        return out

    def fun(self, theta) -> float:
        return float(self.evaluate(None, np.asarray(theta, float)[None], 0).f[0])

    def grad_info(self, theta, *, info: bool = True):
        ev = self.evaluate(None, np.asarray(theta, float)[None], 2 if info else 1)
        return ev.grad[0], (ev.info[0] if info else None)

    def hessian(self, theta, gradient=None) -> np.ndarray:
        return self.evaluate(None, np.asarray(theta, float)[None], 2).hess[0]
