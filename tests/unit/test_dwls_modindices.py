"""The DWLS Jacobian of a model extended by candidate parameters (DeltaModel.extend, what modification
indices of WLSMV/ULSMV read) is the derivative of the model's statistics in a model where the candidate
is free: checked by finite differences of those statistics, with a covariate (lavaan's conditional.x:
thresholds, slopes and residual correlations given the covariate), under delta and theta."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alianza.sem import fit, parse_model
from alianza.sem.data.categorical import categorical_stats
from alianza.sem.data.samplestats import SampleStats
from alianza.sem.estimation.dwls import DeltaModel, ordered_partable
from alianza.sem.inference.modindices import Candidates
from alianza.sem.matrices.model import SemModel

BFI = Path(__file__).resolve().parents[1] / "fixtures" / "shapes" / "bfi.csv"
MODEL = "a =~ A1 + A2 + A3\nc =~ C1 + C2 + C3\na + c ~ age"
ITEMS = ["A1", "A2", "A3", "C1", "C2", "C3"]
# a cross-loading, a residual covariance, a direct effect of the covariate (a slope by itself)
CANDIDATES = [("a", "=~", "C1"), ("A1", "~~", "C2"), ("A1", "~", "age")]


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(BFI)[ITEMS + ["age"]].dropna().iloc[:800]


@pytest.fixture(scope="module")
def estimates(data):
    """The fitted rows (lhs, op, rhs) -> est of MODEL, by parameterization."""
    out = {}
    for par in ("delta", "theta"):
        t = fit(MODEL, data, ordered=ITEMS, parameterization=par).partable
        out[par] = {(r.lhs, r.op, r.rhs): r.est for r in t.itertuples()}
    return out


def _delta_model(syntax, data, parameterization):
    parsed = parse_model(syntax)
    nth = {v: int(data[v].nunique()) - 1 for v in ITEMS}
    table, names = ordered_partable(parsed, ITEMS, nth)
    model = SemModel(table, names, True)
    x = data[names.ov].to_numpy(float)
    model.set_exogenous(SampleStats([np.cov(x, rowvar=False)], [x.mean(axis=0)], [len(x)], names.ov))
    stats = categorical_stats(data[names.ov_nox].to_numpy(float), names.ov_nox, ITEMS,
                              exo=data[names.ov_x].to_numpy(float))
    return DeltaModel(model, stats, 0, parameterization)


@pytest.mark.parametrize("parameterization", ["delta", "theta"])
@pytest.mark.parametrize("candidate", CANDIDATES)
def test_extend_is_the_derivative_in_the_freed_candidate(data, estimates, parameterization, candidate):
    estimate = estimates[parameterization]
    lhs, op, rhs = candidate
    base = _delta_model(MODEL, data, parameterization)
    freed_syntax = MODEL + (f"\n{lhs} ~~ {rhs}" if op == "~~" else f"\n{lhs} {op} {rhs}")
    freed = _delta_model(freed_syntax, data, parameterization)

    def theta_of(dm, value):
        t = dm.model.table
        rows = [estimate.get(k, value) for k in zip(t["lhs"], t["op"], t["rhs"])]
        return dm.model.theta_from_rows(np.array(rows, float))

    # the candidate at 0 (at its fixed value, for a fixed row), as modification indices see it
    at = float(estimate.get(candidate, 0.0))
    theta0, theta1 = theta_of(base, at), theta_of(freed, at)
    kind, ii, jj = base.block.cells(np.array([lhs]), np.array([op]), np.array([rhs]))
    jac = base.extend(theta0, Candidates(kind, ii, jj, np.array([], int)))
    assert jac.shape == (len(base.moments(theta0)), base.model.npar + 1)
    np.testing.assert_allclose(jac[:, : base.model.npar], base.jacobian(theta0), atol=1e-12)

    t1 = freed.model.table
    row = np.flatnonzero((t1["lhs"] == lhs) & (t1["op"] == op) & (t1["rhs"] == rhs))[0]
    k = freed.model.par[row]
    assert k >= 0
    h = 1e-6
    step = np.zeros_like(theta1)
    step[k] = h
    numeric = (freed.moments(theta1 + step) - freed.moments(theta1 - step)) / (2 * h)
    np.testing.assert_allclose(freed.moments(theta1), base.moments(theta0), atol=1e-12)
    np.testing.assert_allclose(jac[:, -1], numeric, atol=1e-6)
    assert np.abs(jac[:, -1]).max() > 1e-3


@pytest.mark.parametrize("parameterization", ["delta", "theta"])
def test_the_covariates_own_cells_move_no_statistic(data, estimates, parameterization):
    """Given the covariate, its variance and mean (fixed.x rows, freed as candidates) enter no
    threshold, slope or residual correlation: their columns are 0 and lavaan drops them."""
    dm = _delta_model(MODEL, data, parameterization)
    t = dm.model.table
    theta = dm.model.theta_from_rows(np.array([estimates[parameterization][k]
                                               for k in zip(t["lhs"], t["op"], t["rhs"])], float))
    kind, ii, jj = dm.block.cells(np.array(["age", "age"]), np.array(["~~", "~1"]), np.array(["age", ""]))
    jac = dm.extend(theta, Candidates(kind, ii, jj, np.array([], int)))
    assert not jac[:, -2:].any()
    assert np.abs(jac[:, : dm.model.npar]).max() > 0.1
