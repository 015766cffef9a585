"""Refit one model to many sets of sample moments at once (bootstrap, jackknife, Monte Carlo).

A bootstrap replicate, a leave-one-out sample or a simulated data set of the same model
needs only the ML estimates (and the discrepancy, for a chi-square), and its optimum is
close to a known solution. So instead of one full fit() per data set:

- the ML discrepancy, its analytic gradient and its analytic (observed) Hessian are
  evaluated for a whole batch of (theta, S, xbar) at once, batched numpy over the
  replicates. In the RAM form of ram.py every first derivative of Sigma is
  w (u v' + v u') with u, v columns of Z = [F B, (B S B' F')'], so the gradient and every
  second-order term are products of entries of the small matrices Z' W Z and Z' Omega Z
  (W = Sigma^-1, Omega = W - W (S + d d') W): no p x p matrix per parameter is formed;
- every replicate starts from the same solution (warm start). Its first steps use the
  full sample's Hessian there (a first-order prediction of the replicate's optimum),
  then Newton steps with its own Hessian (Fisher scoring where that is not positive
  definite), and once steps are small the last Hessian is kept (chord steps, gradient
  only). A step that does not decrease the replicate's own discrepancy is halved;
- a replicate stops when its own step is below `tol`; what it computes never depends on
  the other replicates of its batch, so results are the same whatever the chunking;
- a replicate the fast path cannot finish (Sigma leaves the positive-definite region,
  no decrease, too many steps) is refitted by the full optimizer (estimate.fit_ml:
  damped scoring, Newton, L-BFGS-B); one that still does not converge is reported as
  failed, never dropped silently.

The point reached is the ML optimum of the replicate's moments: the numbers a cold
fit_stats() gives (tests/unit/test_sem_refit.py checks that, and the gradient, Hessian
and information against model.py and finite differences).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from alianza.sem.matrices.derivatives import BatchedML, inverse_pd
from alianza.sem.estimation.estimate import fit_ml
from alianza.sem.matrices.model import SemModel
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


def refit(engine: BatchedML, theta0: np.ndarray, cov: np.ndarray, mean: np.ndarray, nobs: int, *,
          hessian0: np.ndarray, tol: float = 1e-9, chord: float = 1e-2, shared_steps: int = 2,
          max_iter: int = 50, max_halving: int = 30, fallback: bool = True) -> Refit:
    """ML estimates for every (cov[b], mean[b]) (covariances with divisor N), from theta0.

    hessian0: the Hessian (or information) of the full sample's fmin at theta0 (from
    start_hessian()), the same for every replicate, so that none depends on its batch. The
    first `shared_steps` steps use it (from theta0 the full sample's curvature predicts the
    replicate's optimum better than the replicate's own Hessian there); then a replicate
    takes Newton steps with its own Hessian, refreshed after every step larger than `chord`
    and kept after smaller ones (gradient-only iterations near the optimum). A replicate
    stops when its step is below `tol`.
    """
    cov = np.asarray(cov, float)
    mean = np.asarray(mean, float)
    nb, k = len(cov), engine.npar
    theta = np.repeat(np.asarray(theta0, float)[None, :], nb, axis=0)
    sign, logdet_s = np.linalg.slogdet(cov)
    valid = sign > 0
    logdet_s = np.where(valid, logdet_s, 0.0)
    f = np.full(nb, np.inf)
    grad = np.zeros((nb, k))
    hinv = np.zeros((nb, k, k))
    done = np.zeros(nb, bool)
    own = np.zeros(nb, bool)                # has its own Hessian (else the shared one)
    iterations = np.zeros(nb, int)
    active = valid.copy()
    if active.any():
        a = np.flatnonzero(active)
        ev = engine.evaluate(theta[a], cov[a], mean[a], logdet_s[a], order=1)
        f[a], grad[a] = ev.f, ev.grad
        active[a[~ev.ok]] = False
        h0 = np.asarray(hessian0, float)[None]
        hinv[:] = inverse_pd(h0, h0)[0]
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if not len(idx):
            break
        step = -(hinv[idx] @ grad[idx][:, :, None])[:, :, 0]
        size = np.max(np.abs(step), axis=1)
        small = size < tol
        fin = idx[small]
        theta[fin] += step[small]          # the last, tiny step: one more digit for free
        done[fin] = True
        active[fin] = False
        rest, st, size = idx[~small], step[~small], size[~small]
        iterations[rest] += 1
        fresh = (iterations[rest] >= shared_steps) & ((size > chord) | ~own[rest])
        for order in (2, 1):
            sel = fresh if order == 2 else ~fresh
            r, s = rest[sel], st[sel]
            scale = np.ones(len(r))
            for _ in range(max_halving):
                if not len(r):
                    break
                cand = theta[r] + scale[:, None] * s
                ev = engine.evaluate(cand, cov[r], mean[r], logdet_s[r], order=order)
                acc = ev.ok & (ev.f <= f[r] + 1e-12 * np.maximum(1.0, np.abs(f[r])))
                ra = r[acc]
                theta[ra], f[ra], grad[ra] = cand[acc], ev.f[acc], ev.grad[acc]
                if order == 2 and len(ra):
                    hinv[ra] = inverse_pd(ev.hess[acc], ev.info[acc])
                    own[ra] = True
                r, s, scale = r[~acc], s[~acc], 0.5 * scale[~acc]
            active[r] = False               # no decrease along the step: full optimizer
    status = np.where(done, FAST, FAILED)
    if fallback:
        for b in np.flatnonzero(~done & valid):
            res = _full_fit(engine.model, theta0, cov[b], mean[b], nobs)
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
    try:
        est = fit_ml(m, stats, np.asarray(theta0, float).copy())
    except (np.linalg.LinAlgError, ValueError, FloatingPointError):
        return None
    return est.theta if est.converged else None
