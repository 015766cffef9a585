"""Parameter table -> theta -> (Sigma(theta), mu(theta)) per group.

`SemModel` is the internal model every estimator reads: it knows which partable rows are
matrix cells, which theta entry each free row takes (shared labels share one entry, so
equality constraints are built in) and the fixed values of the other rows. It is pure
structure: sample statistics are passed to the functions that need them, so the same
model serves resampled covariance matrices (bootstrap) or several groups.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alianza.sem.spec.partable import VarNames
from alianza.sem.matrices.ram import Implied, RAMBlock
from alianza.sem.data.samplestats import SampleStats

MODEL_OPS = ("=~", "~", "~~", "~1")


@dataclass
class GroupCells:
    rows: np.ndarray        # partable row positions of this group's matrix cells
    kind: np.ndarray
    ii: np.ndarray
    jj: np.ndarray


class SemModel:
    def __init__(self, table: pd.DataFrame, names: VarNames, meanstructure: bool):
        self.table = table
        self.names = names
        self.meanstructure = meanstructure
        ops = table["op"].to_numpy()
        self.model_rows = np.flatnonzero(np.isin(ops, MODEL_OPS))
        self.par = table["par"].to_numpy()
        self.npar = int(self.par.max() + 1) if (self.par >= 0).any() else 0
        groups = table["group"].to_numpy()
        self.group_values = sorted({int(g) for g in groups[self.model_rows]})
        self.blocks: list[RAMBlock] = []
        self.cells: list[GroupCells] = []
        for g in self.group_values:
            rows = self.model_rows[groups[self.model_rows] == g]
            block = RAMBlock(names.ov, names.lv)
            sub = table.iloc[rows]
            kind, ii, jj = block.cells(sub["lhs"], sub["op"], sub["rhs"])
            self.blocks.append(block)
            self.cells.append(GroupCells(rows, kind, ii, jj))
        self.fixed = table["ustart"].to_numpy(dtype=float).copy()
        self.free_rows = np.flatnonzero(self.par >= 0)
        # incidence rows -> theta, to sum derivatives of rows that share a parameter
        self.exo_rows = np.flatnonzero((table["exo"].to_numpy() == 1) & (self.par < 0))

    # -- values -------------------------------------------------------------------------
    def set_exogenous(self, stats: SampleStats) -> None:
        """fixed.x: exogenous variances/covariances/means take their sample values."""
        t = self.table
        for r in self.exo_rows:
            g = self.group_values.index(int(t["group"].iat[r]))
            idx = {v: i for i, v in enumerate(stats.observed)}
            lhs, op, rhs = t["lhs"].iat[r], t["op"].iat[r], t["rhs"].iat[r]
            if op == "~~":
                self.fixed[r] = stats.cov[g][idx[lhs], idx[rhs]]
            elif op == "~1":
                self.fixed[r] = stats.mean[g][idx[lhs]]

    def row_values(self, theta: np.ndarray) -> np.ndarray:
        values = self.fixed.copy()
        values[self.free_rows] = theta[self.par[self.free_rows]]
        return values

    def implied(self, theta: np.ndarray) -> list[Implied]:
        values = self.row_values(theta)
        return [b.implied(c.kind, c.ii, c.jj, values[c.rows]) for b, c in zip(self.blocks, self.cells)]

    def theta_from_rows(self, values: np.ndarray) -> np.ndarray:
        """Rows sharing a label start from the mean of their values (the projection onto
        the equality constraint lavaan makes of its per-row starting values)."""
        rows = self.free_rows
        total = np.bincount(self.par[rows], weights=values[rows], minlength=self.npar)
        count = np.bincount(self.par[rows], minlength=self.npar)
        return total / np.maximum(count, 1)

    def theta_from_table(self, other: pd.DataFrame | None, default: np.ndarray) -> np.ndarray:
        """The free parameters at the `est` of another fit's table of the same model (lavaan's
        start = fit), or `default` when its rows differ (a bootstrap replicate whose ordered item lost
        a category has fewer thresholds)."""
        t = self.table
        keys = [k for k in ("lhs", "op", "rhs", "group") if k in t.columns]
        if other is None or "est" not in other.columns or len(other) != len(t) or not all(
                k in other.columns and np.array_equal(t[k].to_numpy(), other[k].to_numpy()) for k in keys):
            return default
        return self.theta_from_rows(other["est"].to_numpy(float))

    # -- derivatives ---------------------------------------------------------------------
    def theta_derivatives(self, g: int, imp: Implied) -> tuple[np.ndarray, np.ndarray]:
        """dSigma (npar x p x p), dmu (npar x p) of group g with respect to theta."""
        c = self.cells[g]
        dsig_r, dmu_r = RAMBlock.derivatives(imp, c.kind, c.ii, c.jj)
        par = self.par[c.rows]
        keep = par >= 0
        p = imp.sigma.shape[0]
        dsig = np.zeros((self.npar, p, p))
        dmu = np.zeros((self.npar, p))
        np.add.at(dsig, par[keep], dsig_r[keep])
        np.add.at(dmu, par[keep], dmu_r[keep])
        return dsig, dmu


def ml_discrepancy(sigma, mu, cov, mean, meanstructure) -> float:
    """lavaan's ML fx for one group: 0.5 (log|Sigma| + tr(S Sigma^-1) [+ mean part] - log|S| - p).

    Returns inf when Sigma is not positive definite (the optimizer backs off).
    """
    try:
        L = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return np.inf
    p = sigma.shape[0]
    logdet = 2.0 * np.log(np.diag(L)).sum()
    sinv = np.linalg.inv(sigma)
    f = logdet + np.sum(sinv * cov)
    if meanstructure:
        d = mean - mu
        f += d @ sinv @ d
    sign, logdet_s = np.linalg.slogdet(cov)
    return 0.5 * (f - logdet_s - p)


def ml_objective(model: SemModel, theta, stats: SampleStats) -> float:
    """Sum over groups of (N_g / N) fx_g: lavaan's `fmin`; chi-square is 2 N fmin."""
    total = 0.0
    for g, imp in enumerate(model.implied(theta)):
        f = ml_discrepancy(imp.sigma, imp.mu, stats.cov[g], stats.mean[g], model.meanstructure)
        if not np.isfinite(f):
            return np.inf
        total += stats.nobs[g] / stats.ntotal * f
    return total


def ml_gradient_information(model: SemModel, theta, stats: SampleStats, *, info: bool = True):
    """Gradient of fmin and the expected information per observation (h1 structured).

    For group g with K_a = Sigma^-1 dSigma_a:
      gradient_a    = 0.5 tr(Omega dSigma_a) - dmu_a' Sigma^-1 (xbar - mu),
                      Omega = Sigma^-1 - Sigma^-1 (S + d d') Sigma^-1
      information_ab = 0.5 tr(K_a K_b) + dmu_a' Sigma^-1 dmu_b,
    both weighted by N_g / N, as lavaan's expected information for ML.
    """
    grad = np.zeros(model.npar)
    inform = np.zeros((model.npar, model.npar)) if info else None
    for g, imp in enumerate(model.implied(theta)):
        w = stats.nobs[g] / stats.ntotal
        dsig, dmu = model.theta_derivatives(g, imp)
        g_, i_ = gradient_information_cells(imp, dsig, dmu, stats.cov[g], stats.mean[g],
                                            model.meanstructure, info=info)
        grad += w * g_
        if info:
            inform += w * i_
    return grad, inform


class MomentsObjective:
    """The ML discrepancy of a fit on its sample moments (complete rows), re-evaluable on any
    SemModel over the same table: what post-fit tools (score tests) read, never refitting."""

    def __init__(self, stats: SampleStats):
        self.stats = stats

    def gradient_information(self, model: SemModel, theta) -> tuple[np.ndarray, np.ndarray]:
        """lavaan's gradient of fmin and expected information per observation."""
        model.set_exogenous(self.stats)
        return ml_gradient_information(model, theta, self.stats)


def gradient_information_cells(imp: Implied, dsig, dmu, cov, mean, meanstructure, *, info=True,
                               x_idx=()):
    """Gradient and expected information (per observation) for any stack of derivatives.

    With fixed.x, lavaan's expected information ignores the moments of the exogenous
    covariates among themselves (lav_mvnorm_information_expected zeroes the x-x block of
    vech(Sigma) and the x means), which only matters for candidates of modindices().
    """
    sinv = np.linalg.inv(imp.sigma)
    d = (mean - imp.mu) if meanstructure else np.zeros(len(mean))
    omega = sinv - sinv @ (cov + np.outer(d, d)) @ sinv
    k = dsig.shape[0]
    grad = 0.5 * np.einsum("ij,kij->k", omega, dsig)
    if meanstructure:
        grad -= dmu @ (sinv @ d)
    if not info:
        return grad, None
    if len(x_idx):
        x = np.asarray(x_idx)
        dsig = dsig.copy()
        dsig[:, x[:, None], x[None, :]] = 0.0
        dmu = dmu.copy()
        dmu[:, x] = 0.0
    K = np.matmul(sinv[None, :, :], dsig)                  # k x p x p
    kf = K.reshape(k, -1)
    kt = K.transpose(0, 2, 1).reshape(k, -1)
    inform = 0.5 * kf @ kt.T
    if meanstructure:
        inform += dmu @ sinv @ dmu.T
    return grad, 0.5 * (inform + inform.T)
