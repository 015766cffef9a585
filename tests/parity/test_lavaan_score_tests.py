"""lavTestScore under every estimator against lavaan 0.6.14 (make_score_fixtures.R).

lavaan's score test releases each equality constraint with the gradient of the estimator's own
objective and its expected information (the ordinary score test, also under MLR and WLSMV): the
casewise likelihood under FIML, the DWLS/ULS discrepancy of the thresholds and polychoric
correlations under WLSMV/ULSMV, ML on the moments otherwise. Cases: FIML and MLR + FIML on
HolzingerSwineford1939 with 10% MCAR (metric and scalar across schools), MLR, and WLSMV/ULSMV on
psychTools' bfi ordered items (equal thresholds and loadings across gender). Tolerance: X2 within
0.01 (relative above 1), df exact, lavaan's order of constraints.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from alianza.sem import fit
from alianza.sem.inference.scoretest import score_test

from .test_lavaan_shapes import DATA, alianza_args

FIX = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "shapes" / "score_fixtures.json").read_text())
CASES = [k for k in FIX if k != "versions"]


@pytest.mark.parametrize("case", [k for k in CASES if "uni" in FIX[k]])
def test_score_tests_match_lavTestScore(case):
    spec = FIX[case]
    ours = score_test(fit(spec["model"], DATA[spec["data"]], **alianza_args(spec["args"])))
    theirs = pd.DataFrame(spec["uni"])
    assert list(ours["uni"]["lhs"]) == list(theirs["lhs"])
    assert list(ours["uni"]["rhs"]) == list(theirs["rhs"])
    for a, b in zip(ours["uni"]["X2"], theirs["X2"]):
        assert abs(a - b) <= 0.01 * max(1.0, b), (a, b)
    assert abs(ours["total"]["X2"] - spec["total"]["X2"]) <= 0.01 * max(1.0, spec["total"]["X2"])
    assert ours["total"]["df"] == spec["total"]["df"]


def test_fiml_score_tests_are_not_those_of_the_em_moments():
    """The FIML gradient is the casewise likelihood's, not ML's on the EM-estimated moments (which
    would give 7.6 instead of lavaan's 4.6 on the metric model)."""
    spec = FIX["fiml_hs_metric"]
    res = fit(spec["model"], DATA[spec["data"]], **alianza_args(spec["args"]))
    from alianza.sem.matrices.model import MomentsObjective

    moments = score_test(res)["total"]["X2"]
    res.objective = MomentsObjective(res.sample_stats)
    assert abs(score_test(res)["total"]["X2"] - moments) > 1.0


@pytest.mark.parametrize("case", [k for k in CASES if "modindices" in FIX[k]])
def test_modification_indices_match(case):
    """modindices() under FIML (several groups, covariates: the casewise likelihood's expected
    information) and of WLSMV/ULSMV across groups (also with continuous items beside the ordered
    ones): the 15 largest, with their group, EPC and sepc.all."""
    spec = FIX[case]
    mi = fit(spec["model"], DATA[spec["data"]], **alianza_args(spec["args"])).modindices
    for row in spec["modindices"]:
        hit = mi[(mi["lhs"] == row["lhs"]) & (mi["op"] == row["op"]) & (mi["rhs"] == row["rhs"])
                 & ((mi["group"] == row["group"]) if "group" in row else True)]
        assert len(hit) == 1, row
        assert abs(hit["mi"].iloc[0] - row["mi"]) <= 0.01 * max(1.0, row["mi"])
        assert abs(hit["epc"].iloc[0] - row["epc"]) <= 0.002
        assert abs(hit["sepc_all"].iloc[0] - row["sepc.all"]) <= 0.002
