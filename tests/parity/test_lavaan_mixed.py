"""Ordered and continuous indicators in one model: the sample statistics (thresholds, minus the
means and the variances of the continuous items, polychoric / polyserial / Pearson covariances) are
lavaan 0.6.14's WLS.obs, group by group (make_mixed_fixtures.R; the fits themselves are checked in
test_lavaan_shapes.py)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alianza.sem.data.categorical import categorical_stats
from alianza.sem.spec.partable import var_names
from alianza.sem.spec.syntax import parse_model

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
MIXED = json.loads((HERE / "mixed_fixtures.json").read_text())
DATA = {"bfi": pd.read_csv(HERE / "bfi.csv"), "hs_cut": pd.read_csv(HERE / "hs_cut.csv")}


@pytest.mark.parametrize("name", ["mixed_bfi", "mixed_hs", "mixed_bfi_gender", "mixed_hs_school"])
def test_wls_obs_are_lavaans(name):
    fx = MIXED[name]
    parsed = parse_model(fx["model"])
    ov = var_names([dict(lhs=f.lhs, op=f.op, rhs=f.rhs) for f in parsed.formulas]).ov
    group = fx["args"].get("group")
    data = DATA[fx["data"]][ov + ([group] if group else [])].dropna()
    ref = fx["wls_obs"] if group else {"": fx["wls_obs"]}
    for label, obs in ref.items():
        part = data[data[group] == label] if group else data
        st = categorical_stats(part[ov].to_numpy(float), ov, fx["args"]["ordered"])
        assert st.n == (fx["nobs"][fx["group_labels"].index(label)] if group else fx["n"])
        assert np.allclose(st.wls_obs, obs, atol=1e-6), (name, label)
