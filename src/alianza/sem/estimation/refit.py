"""Refit one model to many sets of sample moments at once (bootstrap, jackknife, Monte Carlo).

A bootstrap replicate, a leave-one-out sample or a simulated data set of the same model
needs only the ML estimates (and the discrepancy, for a chi-square), and its optimum is
close to a known solution. So instead of one full fit() per data set:

- the ML discrepancy, its analytic gradient and its analytic (observed) Hessian are
  evaluated for a whole batch of (theta, S, xbar) at once by derivatives.BatchedML, the
  derivative engine the single fit and the power replicates use too;
- every replicate starts from the same solution (warm start) and takes the Newton steps of
  the one optimiser, vectorised (scoring.newton_batch): its first steps use the full sample's
  Hessian there (a first-order prediction of the replicate's optimum), then Newton steps with
  its own Hessian (Fisher scoring where that is not positive definite), and once steps are
  small the last Hessian is kept (chord steps, gradient only). A step that does not decrease
  the replicate's own discrepancy is halved;
- a replicate stops when its own step is below `tol`; what it computes never depends on
  the other replicates of its batch, so results are the same whatever the chunking;
- a replicate the fast path cannot finish (Sigma leaves the positive-definite region,
  no decrease, too many steps) is refitted by the full optimizer (estimate.fit_ml:
  damped scoring, Newton, L-BFGS-B: scoring.minimize); one that still does not converge is
  reported as failed, never dropped silently.

The point reached is the ML optimum of the replicate's moments: the numbers a cold
fit_stats() gives (tests/unit/test_sem_refit.py checks that, and the gradient, Hessian
and information against model.py and finite differences).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from alianza.sem.matrices.derivatives import BatchedML
from alianza.sem.estimation.estimate import fit_ml, start_values
from alianza.sem.estimation.scoring import newton_batch
from alianza.sem.matrices.model import SemModel, ml_objective
from alianza.sem.data.samplestats import SampleStats

# status of a replicate after refit()
FAST, FALLBACK, FAILED = 0, 1, 2


@dataclass
class Refit:
    theta: np.ndarray        # B x npar (NaN rows where failed)
    fmin: np.ndarray         # B, lavaan's fmin at theta (chi-square = 2 N fmin)
    status: np.ndarray       # B, FAST / FALLBACK / FAILED
    iterations: np.ndarray   # B, steps of the fast path

    @property
    def converged(self) -> np.ndarray:
        return self.status != FAILED


def refit(engine: BatchedML, theta0: np.ndarray, cov: np.ndarray, mean: np.ndarray, nobs, *,
          hessian0: np.ndarray, tol: float = 1e-9, chord: float = 1e-2, shared_steps: int = 2,
          max_iter: int = 50, max_halving: int = 30, fallback: bool = True) -> Refit:
    """ML estimates for every (cov[b], mean[b]) (covariances with divisor N), from theta0.

    nobs: the sample size (one for all, or one per replicate; only the full optimizer's sample
    statistics carry it). hessian0: the Hessian (or information) of the full sample's fmin at
    theta0 (from start_hessian()), the same for every replicate, so that none depends on its
    batch; scoring.newton_batch takes the steps (its docstring says how `shared_steps`, `chord`
    and `tol` are used).
    """
    cov = np.asarray(cov, float)
    mean = np.asarray(mean, float)
    nb = len(cov)
    nobs = np.broadcast_to(np.asarray(nobs), (nb,))
    theta = np.repeat(np.asarray(theta0, float)[None, :], nb, axis=0)
    sign, logdet_s = np.linalg.slogdet(cov)
    valid = sign > 0
    logdet_s = np.where(valid, logdet_s, 0.0)
    done = np.zeros(nb, bool)
    iterations = np.zeros(nb, int)
    v = np.flatnonzero(valid)
    if len(v):
        cv, mv, lv = cov[v], mean[v], logdet_s[v]

        def evaluate(rows, th, order):
            return engine.evaluate(th, cv[rows], mv[rows], lv[rows], order=order)

        res = newton_batch(evaluate, theta[v], curvature0=hessian0, tol=tol, chord=chord,
                           shared_steps=shared_steps, max_iter=max_iter, max_halving=max_halving)
        theta[v], done[v], iterations[v] = res.theta, res.done, res.iterations
    status = np.where(done, FAST, FAILED)
    if fallback:
        for b in np.flatnonzero(~done & valid):
            res = _full_fit(engine.model, theta0, cov[b], mean[b], int(nobs[b]))
            if res is not None:
                theta[b] = res
                status[b] = FALLBACK
    theta[status == FAILED] = np.nan
    fmin = np.full(nb, np.nan)
    conv = status != FAILED
    if conv.any():
        fmin[conv] = engine.evaluate(theta[conv], cov[conv], mean[conv], logdet_s[conv], order=0).f
    return Refit(theta, fmin, status, iterations)


def start_hessian(engine: BatchedML, theta0, cov, mean) -> np.ndarray:
    """The Hessian of fmin at theta0 for one set of moments (the information where the
    Hessian is not positive definite): refit()'s metric for the first step."""
    cov = np.asarray(cov, float)[None]
    mean = np.asarray(mean, float)[None]
    ev = engine.evaluate(np.asarray(theta0, float)[None], cov, mean, np.linalg.slogdet(cov)[1], order=2)
    if not ev.ok[0]:
        raise ValueError("the model-implied covariance matrix is not positive definite at the start")
    H = ev.hess[0]
    try:
        np.linalg.cholesky(H)
        return H
    except np.linalg.LinAlgError:
        return ev.info[0]


def _full_fit(model: SemModel, theta0, cov, mean, nobs):
    """The full optimizer on one replicate (warm start); theta, or None if it does not converge."""
    stats = SampleStats.from_moments([cov], [mean], [nobs], model.names.ov)
    m = copy.copy(model)
    m.fixed = model.fixed.copy()
    m.set_exogenous(stats)
    theta0 = np.asarray(theta0, float).copy()
    if not np.isfinite(ml_objective(m, theta0, stats)):     # far from theta0: from fresh starting values
        theta0 = m.theta_from_rows(start_values(m, stats))
    try:
        est = fit_ml(m, stats, theta0)
    except (np.linalg.LinAlgError, ValueError, FloatingPointError):
        return None
    return est.theta if est.converged else None
