"""A generic minimiser for the estimators of sem/: damped Fisher scoring, then Newton.

`minimize(fun, grad_info, theta0, hessian=...)` walks from theta0 with Levenberg-Marquardt
steps on an information matrix (expected information for FIML, Delta' W Delta for DWLS:
Gauss-Newton), backing off whenever the objective is not finite (Sigma leaving the
positive-definite region); close to the optimum it switches to Newton steps with the
exact Hessian when one is given (quadratic convergence to ~1e-10 on the estimates).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Minimum:
    theta: np.ndarray
    f: float
    iterations: int
    converged: bool
    gradient: np.ndarray


def _solve(mat, rhs):
    try:
        return np.linalg.solve(mat, rhs)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(mat, rhs, rcond=None)[0]


def minimize(fun, grad_info, theta0, *, hessian=None, max_iter: int = 500, gtol: float = 1e-8) -> Minimum:
    """fun(theta) -> float (inf outside the domain); grad_info(theta) -> (gradient, information);
    hessian(theta, gradient) -> exact Hessian (optional)."""
    theta = np.asarray(theta0, float).copy()
    f = fun(theta)
    if not np.isfinite(f):
        raise FloatingPointError("the objective is not finite at the starting values")
    lam = 1e-4
    newton = False
    grad = np.zeros_like(theta)
    for it in range(1, max_iter + 1):
        grad, info = grad_info(theta)
        if np.max(np.abs(grad), initial=0.0) < gtol:
            return Minimum(theta, f, it, True, grad)
        if newton:
            curv = hessian(theta, grad)
            step = _solve(curv, -grad)
            if not np.isfinite(step).all() or -grad @ step <= 0:
                newton = False
                continue
            for _ in range(30):
                fn = fun(theta + step)
                if np.isfinite(fn) and fn <= f + 1e-12 * max(1.0, abs(f)):
                    break
                step = 0.5 * step
            else:
                newton = False
                continue
            theta, f = theta + step, fn
            continue
        damp = np.diag(np.maximum(np.abs(np.diag(info)), 1e-12))
        for _ in range(40):
            step = _solve(info + lam * damp, -grad)
            fn = fun(theta + step)
            if np.isfinite(fn) and fn <= f + 1e-15 * max(1.0, abs(f)):
                break
            lam *= 10.0
        else:
            return Minimum(theta, f, it, False, grad)
        change = f - fn
        theta, f = theta + step, fn
        lam = max(lam / 10.0, 1e-12)
        if hessian is not None and change < 1e-8 * max(1.0, abs(f)):
            newton = True
    grad, _ = grad_info(theta)
    return Minimum(theta, f, max_iter, bool(np.max(np.abs(grad), initial=0.0) < gtol), grad)
