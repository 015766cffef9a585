"""Model matrices of one block in RAM form, and their derivatives.

All variables v = (observed..., latent...) satisfy v = A v + m + e with Cov(e) = S, so
    Sigma = F B S B' F',  mu = F B m,  B = (I - A)^-1,
with F selecting the observed rows. `=~` and `~` fill A, `~~` fills S, `~1` fills m.
This is the same implied moments lavaan's LISREL matrices give, in a form where every
partable row is one matrix cell, so d Sigma / d row has a closed form (below) and the
whole model is "row values -> (Sigma, mu)": what bootstrap, multi-group and other
estimators reuse.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KIND_A, KIND_S, KIND_M = 0, 1, 2


@dataclass
class Implied:
    """Model-implied moments at one set of row values, with the pieces derivatives need."""
    sigma: np.ndarray        # p x p
    mu: np.ndarray           # p
    B: np.ndarray            # n x n, (I - A)^-1
    C: np.ndarray            # p x n, F B
    H: np.ndarray            # n x p, B S C'
    Bm: np.ndarray           # n, B m
    V: np.ndarray            # n x n, covariance of all variables, B S B'


class RAMBlock:
    """Structure of one block: which cell each partable row occupies."""

    def __init__(self, observed: list[str], latent: list[str]):
        self.observed = list(observed)
        self.latent = list(latent)
        self.variables = self.observed + self.latent
        self.p = len(self.observed)
        self.n = len(self.variables)
        self.index = {v: i for i, v in enumerate(self.variables)}

    def cells(self, lhs, op, rhs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(kind, i, j) of each (lhs, op, rhs); kind is A, S or m."""
        kind = np.empty(len(lhs), dtype=int)
        ii = np.zeros(len(lhs), dtype=int)
        jj = np.zeros(len(lhs), dtype=int)
        for k, (l, o, r) in enumerate(zip(lhs, op, rhs)):
            if o == "=~":          # indicator r loads on factor l
                kind[k], ii[k], jj[k] = KIND_A, self.index[r], self.index[l]
            elif o == "~":         # l regressed on r
                kind[k], ii[k], jj[k] = KIND_A, self.index[l], self.index[r]
            elif o == "~~":
                kind[k], ii[k], jj[k] = KIND_S, self.index[l], self.index[r]
            elif o == "~1":
                kind[k], ii[k], jj[k] = KIND_M, self.index[l], 0
            else:
                raise ValueError(f"operator {o!r} has no matrix cell")
        return kind, ii, jj

    def matrices(self, kind, ii, jj, values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        A = np.zeros((self.n, self.n))
        S = np.zeros((self.n, self.n))
        m = np.zeros(self.n)
        a, s, mm = kind == KIND_A, kind == KIND_S, kind == KIND_M
        A[ii[a], jj[a]] = values[a]
        S[ii[s], jj[s]] = values[s]
        S[jj[s], ii[s]] = values[s]
        m[ii[mm]] = values[mm]
        return A, S, m

    def implied(self, kind, ii, jj, values) -> Implied:
        A, S, m = self.matrices(kind, ii, jj, values)
        B = np.linalg.inv(np.eye(self.n) - A)
        C = B[: self.p]
        BS = B @ S
        H = BS @ C.T
        V = BS @ B.T
        sigma = C @ S @ C.T
        sigma = 0.5 * (sigma + sigma.T)
        Bm = B @ m
        return Implied(sigma, C @ m, B, C, H, Bm, 0.5 * (V + V.T))

    @staticmethod
    def derivatives(imp: Implied, kind, ii, jj) -> tuple[np.ndarray, np.ndarray]:
        """d Sigma (k x p x p) and d mu (k x p) with respect to each listed cell.

        A cell (i, j):  dSigma = c_i h_j' + h_j c_i',  dmu = c_i (Bm)_j
        S cell (i, j):  dSigma = c_i c_j' + c_j c_i'  (c_i c_i' on the diagonal)
        m cell i:       dmu = c_i
        with c_i the i-th column of C = F B and h_j the j-th row of H = B S C'.
        """
        k = len(kind)
        p = imp.C.shape[0]
        dsig = np.zeros((k, p, p))
        dmu = np.zeros((k, p))
        Ct = imp.C.T
        a = np.flatnonzero(kind == KIND_A)
        if len(a):
            ci, hj = Ct[ii[a]], imp.H[jj[a]]
            outer = ci[:, :, None] * hj[:, None, :]
            dsig[a] = outer + outer.transpose(0, 2, 1)
            dmu[a] = ci * imp.Bm[jj[a]][:, None]
        s = np.flatnonzero(kind == KIND_S)
        if len(s):
            ci, cj = Ct[ii[s]], Ct[jj[s]]
            outer = ci[:, :, None] * cj[:, None, :]
            off = (ii[s] != jj[s]).astype(float)[:, None, None]
            dsig[s] = outer + off * outer.transpose(0, 2, 1)
        mm = np.flatnonzero(kind == KIND_M)
        if len(mm):
            dmu[mm] = Ct[ii[mm]]
        return dsig, dmu
