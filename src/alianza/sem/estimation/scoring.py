"""The one optimiser of sem/: Fisher scoring and Newton steps with step-halving, for one fit or
for a batch of fits at once (bootstrap, jackknife and power replicates).

    minimize(fun, grad_info, theta0, hessian=...)        # ML on moments, FIML, DWLS/ULS
    newton_batch(evaluate, theta0, curvature0=...)       # many moments, one model, warm start

Both walk the same way. Far from the optimum, damped Fisher scoring: Levenberg-Marquardt steps
on an information matrix (the expected information for ML and FIML, Delta' W Delta for DWLS:
Gauss-Newton), damped harder whenever the objective is not finite (Sigma leaving the
positive-definite region) or does not decrease. Close to it, Newton steps with the exact
Hessian (the information where the Hessian is not positive definite), each halved until the
objective decreases, until a step is below `tol` (about 1e-9 on the estimates; the last tiny
step adds its digits for free): lavaan's optimum to ~1e-10, more than nlminb's rel.tol gives.
`newton_batch` is that Newton phase vectorised over replicates (each replicate's numbers never
depend on the others of its batch); `minimize` runs it for one fit (a batch of one) after the
scoring phase. Should scoring stall, a quasi-Newton pass (scipy's L-BFGS-B with the analytic
gradient, preconditioned by the information) takes over and scoring resumes from its point.
Convergence is honest: a fit is converged when its Newton phase ends on a step below `tol` or
its largest gradient is below `gtol`, never because an iteration budget ran out.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from alianza.sem.matrices.derivatives import Evaluation, inverse_pd

SWITCH = 1e-9        # relative decrease of the objective below which scoring hands over to Newton


@dataclass
class Minimum:
    theta: np.ndarray
    f: float
    iterations: int
    converged: bool
    gradient: np.ndarray
    information: np.ndarray | None = None     # grad_info's information at theta


@dataclass
class BatchMinimum:
    theta: np.ndarray        # B x npar
    f: np.ndarray            # B, at the last evaluated point (not after the final tiny step)
    done: np.ndarray         # B, ended on a step below tol
    iterations: np.ndarray   # B, Newton steps taken


def _solve(mat, rhs):
    try:
        return np.linalg.solve(mat, rhs)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(mat, rhs, rcond=None)[0]


def _decreases(fn, f):
    """The acceptance rule of every step: finite and not above f (to rounding)."""
    return np.isfinite(fn) & (fn <= f + 1e-12 * np.maximum(1.0, np.abs(f)))


def newton_batch(evaluate, theta0, *, curvature0=None, tol: float = 1e-9, chord: float = 1e-2,
                 shared_steps: int = 2, max_iter: int = 50, max_halving: int = 30) -> BatchMinimum:
    """Newton steps for a batch of problems sharing one model.

    evaluate(rows, theta, order) -> Evaluation (derivatives.py) of problems `rows` at theta
    (len(rows) x npar): f and ok (order 0), + grad (1), + hess and info (2).
    theta0: B x npar starting points. curvature0: one Hessian for every problem's first
    `shared_steps` steps (a warm start from a solution of nearby moments: its curvature predicts
    the replicate's optimum better than the replicate's own Hessian there), None to start each
    problem with its own. Then each problem takes steps with its own Hessian, refreshed after every
    step larger than `chord` and kept after smaller ones (gradient-only iterations near the
    optimum). A step that does not decrease the objective is halved; a problem stops when its step
    is below `tol`, or is left not done when no halving decreases it or after `max_iter` steps.
    """
    theta = np.array(theta0, float)
    nb, k = theta.shape
    f = np.full(nb, np.inf)
    grad = np.zeros((nb, k))
    hinv = np.zeros((nb, k, k))
    done = np.zeros(nb, bool)
    own = np.zeros(nb, bool)                # has its own Hessian (else the shared one)
    iterations = np.zeros(nb, int)
    a = np.arange(nb)
    ev = evaluate(a, theta, 1 if curvature0 is not None else 2)
    f[:], grad[ev.ok] = ev.f, ev.grad[ev.ok]
    active = ev.ok.copy()
    if curvature0 is not None:
        h0 = np.asarray(curvature0, float)[None]
        hinv[:] = inverse_pd(h0, h0)[0]
    elif active.any():
        hinv[active] = inverse_pd(ev.hess[active], ev.info[active])
        own[active] = True
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if not len(idx):
            break
        step = -(hinv[idx] @ grad[idx][:, :, None])[:, :, 0]
        size = np.max(np.abs(step), axis=1, initial=0.0)
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
                ev = evaluate(r, cand, order)
                acc = ev.ok & _decreases(ev.f, f[r])
                ra = r[acc]
                theta[ra], f[ra], grad[ra] = cand[acc], ev.f[acc], ev.grad[acc]
                if order == 2 and len(ra):
                    hinv[ra] = inverse_pd(ev.hess[acc], ev.info[acc])
                    own[ra] = True
                r, s, scale = r[~acc], s[~acc], 0.5 * scale[~acc]
            active[r] = False               # no decrease along the step: not done
    return BatchMinimum(theta, f, done, iterations)


def one_problem(fun, grad_info, hessian):
    """`newton_batch`'s evaluate for a single problem given as functions of theta."""
    def evaluate(rows, theta, order):
        t = theta[0]
        f = float(fun(t))
        ok = np.array([np.isfinite(f)])
        out = Evaluation(np.array([f if ok[0] else np.inf]), ok)
        if order >= 1:
            g, info = grad_info(t) if ok[0] else (np.full(len(t), np.nan), None)
            out.grad = np.asarray(g, float)[None]
            if order >= 2:
                out.info = (np.full((len(t), len(t)), np.nan) if info is None else np.asarray(info, float))[None]
                out.hess = (np.asarray(hessian(t, g), float) if ok[0] else out.info[0])[None]
        return out
    return evaluate


def minimize(fun, grad_info, theta0, *, hessian=None, evaluate=None, max_iter: int = 500,
             gtol: float = 1e-8, tol: float = 1e-9, chord: float = 1e-2) -> Minimum:
    """fun(theta) -> float (inf outside the domain); grad_info(theta) -> (gradient, information);
    hessian(theta, gradient) -> exact Hessian (optional: without it, scoring runs until the largest
    gradient is below gtol). evaluate: `newton_batch`'s evaluate for this problem when the objective
    computes f, gradient, Hessian and information at once (else built from the three functions).
    tol, chord: the Newton phase's (newton_batch): the Hessian is kept after steps below `chord`,
    which spares the costly Hessians (FIML's) of the last, gradient-only iterations. Raises FloatingPointError when no finite objective can be reached from theta0."""
    theta = np.asarray(theta0, float).copy()
    if not len(theta):
        f = float(fun(theta))
        return Minimum(theta, f, 0, bool(np.isfinite(f)), np.zeros(0), np.zeros((0, 0)))
    if hessian is not None and evaluate is None:
        evaluate = one_problem(fun, grad_info, hessian)
    f = float(fun(theta))
    iterations = 0
    if not np.isfinite(f):
        theta, f, iterations = quasi_newton(fun, grad_info, theta)
        if not np.isfinite(f):
            raise FloatingPointError("the objective is not finite at the starting values")
    converged = False
    for attempt in range(2):
        theta, f, n, near = _damped_scoring(fun, grad_info, theta, f, max_iter, gtol, newton=evaluate is not None)
        iterations += n
        if near and evaluate is not None:
            res = newton_batch(evaluate, theta[None], tol=tol, chord=chord, shared_steps=0, max_iter=max_iter)
            iterations += int(res.iterations[0])
            fn = float(fun(res.theta[0]))
            if np.isfinite(fn) and fn <= f + 1e-12 * max(1.0, abs(f)):
                theta, f = res.theta[0], fn
            converged = bool(res.done[0])
        else:
            converged = near
        if not converged:
            g, _ = grad_info(theta)
            converged = bool(np.max(np.abs(g)) < gtol)
        if converged or attempt:
            break
        # scoring (or Newton) stalled: a quasi-Newton pass, then scoring again from the better point
        alt, fa, n = quasi_newton(fun, grad_info, theta)
        iterations += n
        if np.isfinite(fa) and fa <= f:
            theta, f = alt, fa
    grad, info = grad_info(theta)
    return Minimum(theta, f, iterations, converged, grad, info)


def _damped_scoring(fun, grad_info, theta, f, max_iter, gtol, *, newton: bool):
    """Levenberg-Marquardt scoring. -> (theta, f, iterations, near): near is True when the
    objective stopped decreasing by more than SWITCH relatively (Newton takes over) or the largest
    gradient is below gtol; False when no damping gives a decrease, or after max_iter steps."""
    lam = 1e-4
    for it in range(1, max_iter + 1):
        grad, info = grad_info(theta)
        if np.max(np.abs(grad), initial=0.0) < gtol:
            return theta, f, it, True
        damp = np.diag(np.maximum(np.abs(np.diag(info)), 1e-12))
        for _ in range(40):
            step = _solve(info + lam * damp, -grad)
            fn = float(fun(theta + step))
            if _decreases(fn, f):
                break
            lam *= 10.0
        else:
            return theta, f, it, False
        change = f - fn
        theta, f = theta + step, fn
        lam = max(lam / 10.0, 1e-12)
        if newton and change < SWITCH * max(1.0, abs(f)):
            return theta, f, it, True
    return theta, f, max_iter, False


def quasi_newton(fun, grad_info, theta):
    """L-BFGS-B with the analytic gradient; a big finite value outside the domain. -> (theta, f, iterations)

    Preconditioned by the information at the start (theta = theta0 + R^-1 z with R'R = information),
    which makes the problem well scaled (variances of 10 next to loadings of 1) and cuts the
    iterations several-fold.
    """
    theta0 = np.asarray(theta, float).copy()
    k = len(theta0)
    R = np.eye(k)
    if np.isfinite(fun(theta0)):
        _, info = grad_info(theta0)
        try:
            R = np.linalg.cholesky(info + 1e-10 * np.eye(k)).T
        except np.linalg.LinAlgError:
            R = np.eye(k)

    def to_theta(z):
        return theta0 + np.linalg.solve(R, z)

    def objective(z):
        x = to_theta(z)
        f = fun(x)
        if not np.isfinite(f):
            return np.inf, np.full_like(z, np.nan)
        g, _ = grad_info(x)
        return f, np.linalg.solve(R.T, g)

    from scipy import optimize     # the rare fallback: not imported by every fit

    res = optimize.minimize(objective, np.zeros(k), jac=True, method="L-BFGS-B",
                            options={"maxiter": 10000, "maxcor": 20, "ftol": 1e-12, "gtol": 1e-7})
    x = to_theta(res.x)
    return x, float(fun(x)), int(res.nit)
