"""Score tests for releasing equality constraints: lavaan 0.6.14's lavTestScore().

lavaan writes every equality ("==" row, from shared labels or group.equal) as a linear
constraint R x = 0 on the unconstrained parameters x (one per free row: the `free`
numbering of the table). At the constrained estimates, with g the gradient of fmin and
I the expected information per observation, both in x, and N the total sample size:

    total test       X2 = N g' I^+ g,                                 df = #constraints
    univariate, r    X2 = N g' [Z_r^+]_xx g,  Z_r = [[I, R_r'], [R_r, 0]], df = 1

where R_r is R without row r and ^+ is the Moore-Penrose inverse (MASS::ginv's
tolerance). Each univariate test asks how much chi-square would drop if that one
constraint alone were released: what partial-invariance searches rank.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from alianza.sem.inference.distributions import chi2_sf

from alianza.sem.matrices.model import SemModel
from alianza.sem.spec.multigroup import equality_constraints
from alianza.sem.solution.result import SemFit

_GINV_TOL = np.sqrt(np.finfo(float).eps)      # MASS::ginv(tol = sqrt(.Machine$double.eps))


def _ginv(a: np.ndarray) -> np.ndarray:
    return np.linalg.pinv(a, rcond=_GINV_TOL)


def score_test(result: SemFit) -> dict:
    """lavTestScore(fit): {"total": {X2, df, pvalue}, "uni": DataFrame}.

    `uni` has lavaan's lhs, op, rhs (the plabels of the two rows), X2, df, pvalue, plus the
    parameter the constraint is on (par_lhs, par_op, par_rhs) and the group of its second
    row, so a reader does not need the parameter table to see what the test is about.
    """
    table = result.partable
    if table is None or result.objective is None or result.names is None:
        raise ValueError("score tests need a fit made by alianza.sem (partable and objective)")
    cons = equality_constraints(table)
    if cons.empty:
        raise ValueError("the model has no equality constraints to release")
    free_rows = np.flatnonzero(table["free"].to_numpy() > 0)
    free_rows = free_rows[np.argsort(table["free"].to_numpy()[free_rows])]
    # the unconstrained space: one parameter per free row, at the constrained estimates
    par_x = np.full(len(table), -1)
    par_x[free_rows] = np.arange(len(free_rows))
    model_x = SemModel(table.assign(par=par_x), result.names, bool((table["op"] == "~1").any()))
    x = table["est"].to_numpy(dtype=float)[free_rows]
    # the estimator's own objective (ML on the moments, the casewise likelihood under FIML, DWLS),
    # as lavTestScore's gradient.logl and information "expected"; lavaan uses this ordinary score
    # test under robust estimators too
    grad, info = result.objective.gradient_information(model_x, x)
    n = int(sum(result.group_nobs)) if result.group_nobs else int(result.n)
    R = np.zeros((len(cons), len(free_rows)))
    R[np.arange(len(cons)), par_x[cons["row_lhs"].to_numpy()]] = 1.0
    R[np.arange(len(cons)), par_x[cons["row_rhs"].to_numpy()]] = -1.0

    total = float(n * grad @ _ginv(info) @ grad)
    uni = univariate_scores(info, R, grad, n)
    rows = cons["row_rhs"].to_numpy()
    out = pd.DataFrame({
        "lhs": cons["lhs"], "op": "==", "rhs": cons["rhs"], "X2": uni, "df": 1,
        "pvalue": chi2_sf(uni, 1),
        "par_lhs": table["lhs"].to_numpy()[rows], "par_op": table["op"].to_numpy()[rows],
        "par_rhs": table["rhs"].to_numpy()[rows], "group": table["group"].to_numpy()[rows].astype(int),
    })
    return {"total": {"X2": total, "df": len(cons), "pvalue": float(chi2_sf(total, len(cons)))},
            "uni": out}


def univariate_scores(info: np.ndarray, R: np.ndarray, grad: np.ndarray, n: int) -> np.ndarray:
    """lavTestScore's univariate statistics: for every constraint r, N g' Z_r^+ g with Z_r the
    information bordered by the other constraints (MASS::ginv of the whole bordered matrix).

    When the information and R I^-1 R' are invertible (an identified configural model), the
    top-left block of Z_r^-1 is I^-1 - I^-1 R_r' (R_r I^-1 R_r')^-1 R_r I^-1, and
    (R_r I^-1 R_r')^-1 follows from (R I^-1 R')^-1 by removing one row and column (a Schur
    downdate): one inversion instead of one pseudo-inverse per constraint, the same numbers.
    When only the bordered matrix is invertible, the same downdate works on its inverse; the
    bordered matrices are pseudo-inverted one by one, as lavaan does, only where neither applies.
    """
    k = info.shape[0]
    try:
        A = np.linalg.inv(info)
        M = R @ A @ R.T
        Minv = np.linalg.inv(M)
        ok = np.all(np.isfinite(Minv)) and np.linalg.cond(info) < 1e12 and np.linalg.cond(M) < 1e12
    except np.linalg.LinAlgError:
        ok = False
    if ok:
        u = A @ grad
        base = grad @ u
        v = R @ u                                   # R I^-1 g
        w = Minv @ v
        # v_r' (M_rr)^-1 v_r with one constraint removed = v' M^-1 v - (M^-1 v)_r^2 / (M^-1)_rr
        quad = v @ w - w ** 2 / np.diag(Minv)
        return n * (base - quad)
    # The information alone is singular (the scalar and strict steps: parameters identified only through
    # the constraints) but the fully bordered matrix Z = [[I, R'], [R, 0]] is not: removing constraint r
    # from Z^-1 = W is again a Schur downdate, top-left block W_xx - w_r w_r' / W_rr.
    nc = len(R)
    Z = np.block([[info, R.T], [R, np.zeros((nc, nc))]])
    out = np.full(nc, np.nan)
    try:
        if np.linalg.cond(Z) < 1e12:
            W = np.linalg.inv(Z)
            base = grad @ W[:k, :k] @ grad
            wr = grad @ W[:k, k:]                   # g' w_r for every r
            d = np.diag(W)[k:]
            good = np.abs(d) > 1e-10 * np.abs(W).max()
            out[good] = n * (base - wr[good] ** 2 / d[good])
    except np.linalg.LinAlgError:
        pass
    for r in np.flatnonzero(~np.isfinite(out)):
        out[r] = bordered_statistic(info, R, r, grad, n)
    return out


def bordered_statistic(info: np.ndarray, R: np.ndarray, r: int, grad: np.ndarray, n: int) -> float:
    """lavTestScore's univariate statistic of constraint r as lavaan computes it: N g' Z_r^+ g with
    Z_r the information bordered by the other constraints, pseudo-inverted (MASS::ginv)."""
    k = info.shape[0]
    R1 = np.delete(R, r, axis=0)
    Z = np.block([[info, R1.T], [R1, np.zeros((len(R1), len(R1)))]])
    return float(n * grad @ _ginv(Z)[:k, :k] @ grad)
