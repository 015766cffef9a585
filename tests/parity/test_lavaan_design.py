"""Complex survey designs against lavaan 0.6.14: sampling weights, clusters, both.

Fixtures: tests/fixtures/design/make_design_fixtures.R simulates firms in 40 municipalities
(clusters, intra-class correlation about 0.2), two strata sampled with unequal probabilities
(expansion factor `w`), two sectors and some missing answers, and records lavaan's results for:
MLR with weights, clusters and both; ML with weights (lavaan turns it into MLR) and ML with
clusters (cluster-robust SEs, Yuan-Bentler test); FIML with weights (and clusters); listwise
deletion with weights and clusters; multi-group MLR with weights (configural, metric, clusters,
FIML); a MIMIC model (factor regressed on firm size, fixed.x) with weights and clusters.
Tolerances (issue "complex survey designs"): estimates, SEs, std_all 0.002; scaled chi-square
0.05; robust CFI/RMSEA 0.002; N and df exact.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alianza.sem import fit

from .lavaan_params import assert_params_match

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "design"
FIX = json.loads((HERE / "design_fixtures.json").read_text())
CASES = [k for k in FIX if k != "versions"]
DATA = pd.read_csv(HERE / "design.csv")
INDICES = ["cfi", "tli", "rmsea", "srmr", "cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust",
           "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust",
           "chisq_scaling_factor"]
ARG_NAMES = {"sampling.weights": "sampling_weights", "group.equal": "group_equal"}


def alianza_args(fx: dict) -> dict:
    """fit()'s keywords for lavaan's arguments (groups in lavaan's order)."""
    out = {ARG_NAMES.get(k, k): v for k, v in fx["args"].items()}
    if out.get("missing") == "ml":
        out["missing"] = "fiml"
    if isinstance(out.get("group_equal"), str):
        out["group_equal"] = [out["group_equal"]]
    if "group" in out:
        out["group_label"] = fx["group_labels"]
    return out


@pytest.fixture(scope="module", params=CASES)
def case(request):
    fx = FIX[request.param]
    return request.param, fx, fit(fx["model"], DATA, **alianza_args(fx))


def test_n_df_and_test_statistics(case):
    name, fx, res = case
    f, ref = res.fit, fx["fit"]
    assert res.n == fx["n"]
    if res.groups:
        assert res.group_nobs == list(fx["nobs"])
    assert f["df"] == ref["df"]
    assert f["npar"] == ref["npar"]
    assert f["chisq"] == pytest.approx(ref["chisq"], abs=0.05)
    assert f["logl"] == pytest.approx(ref["logl"], abs=0.05)
    assert f["chisq_scaled"] == pytest.approx(ref["chisq.scaled"], abs=0.05), name
    assert f["baseline_chisq_scaled"] == pytest.approx(ref["baseline.chisq.scaled"], rel=1e-3), name


def test_fit_indices(case):
    name, fx, res = case
    ref = {k.replace(".", "_"): v for k, v in fx["fit"].items()}
    for key in INDICES:
        assert res.fit[key] == pytest.approx(ref[key], abs=0.002), f"{name}: {key}"


def test_estimates_ses_std_all(case):
    name, fx, res = case
    assert_params_match(name, fx["params"], res.params)
    assert len(res.params) == len(fx["params"])



def test_the_design_is_reported(case):
    name, fx, res = case
    design = res.to_dict()["design"]
    args = fx["args"]
    assert design["se"] == fx["se"]
    assert design["sampling_weights"] == args.get("sampling.weights")
    if "cluster" in args:
        rows = DATA if "e1_2m" not in fx["model"] or args.get("missing") == "ml" else \
            DATA.dropna(subset=["e1_2m", "e2_2m", "e1_3m"])
        assert design["n_clusters"] == rows[args["cluster"]].nunique()
    else:
        assert design["n_clusters"] is None
