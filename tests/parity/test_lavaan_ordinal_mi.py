"""Modification indices of ordered items, with and without covariates, against lavaan 0.6.14's
modindices() (make_ordinal_mi_fixtures.R): bfi's agree and consc factors regressed on age and
education (one group) or on age (two groups by gender, configural and with equal thresholds and
loadings), WLSMV and ULSMV, delta and theta parameterization, ordered items alone or beside
continuous ones, and the same factors without covariates.

With covariates lavaan's statistics and moments are conditional on them (conditional.x):
thresholds, slopes and residual correlations, and its candidates leave out the covariates' own rows
(strict.exo). Under theta a fixed scaling factor `~*~` is a candidate too. The whole table is
compared, row by row: the same candidates (lhs, op, rhs, group), mi within 0.01 (relative above 1),
epc, sepc.lv and sepc.all within 0.002, as the other DWLS modification-index parity tests.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest

from alianza.sem import fit

from .test_lavaan_shapes import DATA, alianza_args

FIX = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "shapes" / "ordinal_mi_fixtures.json")
                 .read_text())
CASES = [k for k in FIX if k != "versions"]


@lru_cache(maxsize=None)
def _fit(case: str):
    spec = FIX[case]
    kwargs = alianza_args(spec["args"])
    if "group" in kwargs:
        kwargs["group_label"] = spec["group_labels"]
    return fit(spec["model"], DATA[spec["data"]], **kwargs)


def _keys(frame: pd.DataFrame) -> list[str]:
    return ["lhs", "op", "rhs"] + (["group"] if "group" in frame else [])


def test_the_fixtures_cover_the_shapes_of_the_issue():
    """One group with two covariates, two groups with one, WLSMV and ULSMV, delta and theta."""
    args = [FIX[c]["args"] for c in CASES]
    mimic = [FIX[c]["model"].count("~ age") for c in CASES]
    assert any(m and "group" not in a and "+ education" in FIX[c]["model"] for c, a, m in zip(CASES, args, mimic))
    assert any(m and "group" in a for a, m in zip(args, mimic))
    assert {a.get("estimator", "WLSMV") for a in args} == {"WLSMV", "ULSMV"}
    assert {a.get("parameterization", "delta") for a in args} == {"delta", "theta"}


@pytest.mark.parametrize("case", CASES)
def test_modification_indices_are_lavaans_whole_table(case):
    res = _fit(case)
    theirs = pd.DataFrame(FIX[case]["modindices"])
    ours = res.modindices
    keys = _keys(theirs)
    assert _keys(ours) == keys
    assert len(theirs) > 0
    ours_keys = ours[keys].apply(tuple, axis=1).tolist()
    assert len(set(ours_keys)) == len(ours_keys)
    assert set(ours_keys) == set(theirs[keys].apply(tuple, axis=1)), case
    both = theirs.merge(ours, on=keys, suffixes=("_lavaan", ""))
    assert len(both) == len(theirs)
    for _, row in both.iterrows():
        where = tuple(row[k] for k in keys)
        assert abs(row["mi"] - row["mi_lavaan"]) <= 0.01 * max(1.0, row["mi_lavaan"]), where
        assert abs(row["epc"] - row["epc_lavaan"]) <= 0.002, where
        assert abs(row["sepc_lv"] - row["sepc.lv"]) <= 0.002, where
        assert abs(row["sepc_all"] - row["sepc.all"]) <= 0.002, where


@pytest.mark.parametrize("case", [c for c in CASES if "~ age" in FIX[c]["model"]])
def test_covariate_fits_say_nothing_is_missing(case):
    """The warning that modification indices were not computed is gone where they are."""
    res = _fit(case)
    assert res.converged
    assert not [w for w in res.warnings if "modification" in w]
    # lavaan's strict.exo: no candidate on the covariates' own (co)variances, intercepts or regressions
    x = {"age", "education"}
    mi = res.modindices
    assert not ((mi["op"] == "~~") & (mi["lhs"].isin(x) | mi["rhs"].isin(x))).any()
    assert not ((mi["op"].isin(["~", "~1"])) & mi["lhs"].isin(x)).any()
