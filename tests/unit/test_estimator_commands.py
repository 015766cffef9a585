"""The estimator reaches every command: invariance and compare fit with the chosen estimator,
robust steps are compared by the scaled difference test, and every invariance step records the
score test of each of its equality constraints."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from alianza.cli import main
from alianza.invariance import invariance

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n"


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(SHAPES / "hs.csv")


def test_invariance_with_mlr_uses_scaled_tests_and_reports_score_tests(hs):
    res = invariance(HS, hs, "school", estimator="MLR", steps=["configural", "metric"],
                     partial={"enabled": False})
    assert all(f.estimator == "MLR" for f in res.fits.values())
    comp = res.comparisons[0]
    assert comp["scaled"] and comp["scaling_factor"] > 0
    metric = res.models["metric"]
    assert metric["estimator"] == "MLR"
    # one score test per equality constraint: 6 free loadings equal across 2 groups
    assert len(metric["score_tests"]) == 6
    assert {"lhs", "op", "rhs", "X2", "df", "pvalue", "par_lhs", "par_op", "par_rhs"} <= set(metric["score_tests"][0])
    assert res.models["configural"]["score_tests"] == []


def test_chisq_p_min_rule_fails_a_step(hs):
    res = invariance(HS, hs, "school", steps=["configural", "metric", "scalar"], partial={"enabled": False},
                     rules={"scalar": {"chisq_p_min": 0.05, "delta_cfi": None, "delta_rmsea": None,
                                       "delta_srmr": None}})
    scalar = res.comparisons[1]
    assert scalar["criteria"]["chisq_p_min"]["value"] < 0.05
    assert not scalar["pass"]


def test_invariance_cli_takes_the_estimator(tmp_path, hs, capsys):
    model = tmp_path / "hs.lav"
    model.write_text(HS)
    out = tmp_path / "inv.json"
    assert main(["invariance", str(model), str(SHAPES / "hs.csv"), "--group", "school", "--estimator", "MLR",
                 "--no-partial", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["models"]["metric"]["estimator"] == "MLR"
    assert doc["comparisons"][0]["scaled"] is True


def test_compare_cli_takes_the_estimator(tmp_path, capsys):
    one = tmp_path / "one.lav"
    one.write_text("g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9\n")
    three = tmp_path / "three.lav"
    three.write_text(HS)
    out = tmp_path / "cmp.json"
    assert main(["compare", str(one), str(three), str(SHAPES / "hs.csv"), "--estimator", "MLR",
                 "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert {m["estimator"] for m in doc["models"].values()} == {"MLR"}


def test_fit_cli_refuses_what_is_not_available_in_one_line(tmp_path, capsys):
    model = tmp_path / "hs.lav"
    model.write_text(HS + "visual ~ ageyr\n")
    assert main(["fit", str(model), str(SHAPES / "hs.csv"), "--group", "school", "--ordered", "x1,x2,x3",
                 "--sampling-weights", "sex"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "sampling weights with WLSMV" in err


def test_ordinal_invariance_across_groups_runs_from_the_cli(tmp_path):
    model = tmp_path / "bfi.lav"
    model.write_text("agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5\n")
    out = tmp_path / "inv.json"
    assert main(["invariance", str(model), str(SHAPES / "bfi.csv"), "--group", "gender", "--ordered", "all",
                 "--no-partial", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["models"]["scalar"]["estimator"] == "WLSMV"
    assert "thresholds" in doc["models"]["scalar"]["group_equal"]
    assert all(c["scaled"] for c in doc["comparisons"])
