"""alianza.sem against lavaan 0.6.14 on the cases of tests/fixtures/sem_fixtures.json
(made by tests/fixtures/make_sem_fixtures.R): labels and `:=`, observed exogenous
covariates (fixed.x) with listwise deletion, a path model, mean structures, equality
constraints through shared labels, a freed marker, and a Heywood case.

Same tolerances as the public reference: chi-square 0.01, other indices 0.001, estimates,
SEs and standardized values 0.001 (relative for variances), R2 and MIs 0.01.
"""
import json
import math

import numpy as np
import pandas as pd
import pytest

from alianza.sem import fit
from alianza.sem.spec.partable import build_partable
from alianza.sem.spec.syntax import parse_model
from tests.conftest import FIXTURES, REFERENCE

FIXTURE = json.loads((FIXTURES / "sem_fixtures.json").read_text())
CASES = sorted(k for k in FIXTURE if k != "versions")


def _data(case):
    folder = FIXTURES if case["data"] == "sem_heywood.csv" else REFERENCE
    return pd.read_csv(folder / case["data"])


def _args(case):
    return case["args"] if isinstance(case["args"], dict) else {}


@pytest.fixture(scope="module", params=CASES)
def fitted(request):
    case = FIXTURE[request.param]
    return request.param, case, fit(case["model"], _data(case), **_args(case))


def _close(ours, theirs, tol):
    if theirs is None:
        return ours is None or not math.isfinite(ours)
    return ours is not None and math.isfinite(ours) and abs(ours - theirs) <= tol


def test_parameter_table_matches_lavaanify(fitted):
    """Rows, order, free/fixed, fixed values, exogenous flags and labels of parTable()."""
    name, case, _ = fitted
    table, names = build_partable(parse_model(case["model"]), meanstructure=_args(case).get("meanstructure"))
    ref = [r for r in case["partable"] if r["op"] != "=="]   # lavaan's equality rows = our shared `par`
    assert len(table) == len(ref)
    for (_, row), r in zip(table.iterrows(), ref):
        assert (row["lhs"], row["op"], row["rhs"], row["user"], row["exo"], row["label"]) == \
            (r["lhs"], r["op"], r["rhs"], r["user"], r["exo"], r["label"])
        assert (row["free"] > 0) == (r["free"] > 0), r
        if r["ustart"] is None:
            assert math.isnan(row["ustart"]), r
        else:
            assert row["ustart"] == r["ustart"], r
    assert names.ov == case["observed"]
    latent = case["latent"] if isinstance(case["latent"], list) else [case["latent"]]
    assert names.lv == latent


def test_sample_size_and_convergence(fitted):
    _, case, res = fitted
    assert res.n == case["nobs"]
    assert res.converged == case["converged"]


def test_fit_measures(fitted):
    _, case, res = fitted
    for name, value in case["fit"].items():
        tol = 0.01 if name == "chisq" else 0.001
        assert _close(res.fit[name.replace(".", "_")], value, tol), (name, res.fit[name.replace(".", "_")], value)


def test_parameters(fitted):
    _, case, res = fitted
    assert len(res.params) == len(case["params"])
    for (_, row), r in zip(res.params.iterrows(), case["params"]):
        assert (row["lhs"], row["op"], row["rhs"], row["label"]) == (r["lhs"], r["op"], r["rhs"], r["label"])
        relative = (r["op"] == "~~" and r["lhs"] == r["rhs"]) or r["op"] == "~1"
        for col in ("est", "se", "z", "pvalue", "ci.lower", "ci.upper", "std.lv", "std.all"):
            theirs, ours = r[col], row[col.replace(".", "_")]
            tol = 0.001 * max(1.0, abs(theirs)) if theirs is not None and (relative or col == "z") else 0.001
            assert _close(ours, theirs, tol), (r["lhs"], r["op"], r["rhs"], col, ours, theirs)


def test_r2(fitted):
    _, case, res = fitted
    assert list(res.r2) == list(case["r2"])
    for k, v in case["r2"].items():
        assert _close(res.r2[k], v, 0.01), (k, res.r2[k], v)


def test_modification_indices(fitted):
    """Every candidate lavaan reports with a non-negligible index, with mi, epc, sepc."""
    _, case, res = fitted
    ref = pd.DataFrame(case["modindices"], columns=["lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all"])
    ours = res.modindices
    assert len(ours) == len(ref)
    big = ref[ref["mi"] > 1e-6]
    merged = big.merge(ours, on=["lhs", "op", "rhs"], how="left")
    assert merged["mi_y"].notna().all()
    for _, row in merged.iterrows():
        assert abs(row["mi_x"] - row["mi_y"]) <= 0.01, row
        assert abs(row["epc_x"] - row["epc_y"]) <= 0.01, row
        assert abs(row["sepc.all"] - row["sepc_all"]) <= 0.01, row
        assert abs(row["sepc.lv"] - row["sepc_lv"]) <= 0.01, row
    # the same order as modindices(sort. = TRUE) where neighbours differ by more than 0.01
    # (hs_path has two indices 163.1871 and 163.1868 apart by less than the tolerance)
    top = ours[ours["mi"] > 1e-6].head(6)
    ranks = {key: i for i, key in enumerate(zip(top["lhs"], top["op"], top["rhs"]))}
    ref_top = big.head(6).reset_index(drop=True)
    for i in range(len(ref_top) - 1):
        a, b = ref_top.iloc[i], ref_top.iloc[i + 1]
        if a["mi"] - b["mi"] > 0.01:
            assert ranks[(a["lhs"], a["op"], a["rhs"])] < ranks[(b["lhs"], b["op"], b["rhs"])]


def test_covariance_matrices(fitted):
    _, case, res = fitted
    np.testing.assert_allclose(res.sample_cov.to_numpy(), np.array(case["sample_cov"]), atol=1e-9)
    np.testing.assert_allclose(res.implied_cov.to_numpy(), np.array(case["implied_cov"]), atol=1e-3)
    lv = np.atleast_2d(np.array(case["latent_cov"], dtype=float)) if case["latent"] else np.zeros((0, 0))
    np.testing.assert_allclose(res.latent_cov.to_numpy(), lv, atol=1e-3)
    if case.get("implied_mean"):          # lavaan has no implied mean without a mean structure
        np.testing.assert_allclose(res.implied_mean.to_numpy(), np.array(case["implied_mean"]), atol=1e-3)
