"""The sample statistics of WLSMV beyond all-ordered items, group by group, against lavaan 0.6.14's
WLS.obs and NACOV: ordered and continuous items together (thresholds, minus the means and the
variances of the continuous items, polychoric / polyserial / Pearson covariances;
make_mixed_fixtures.R) and, with covariates (conditional.x; the same script),
probit/linear-regression thresholds, intercepts and slopes and the residual correlations. The fits
themselves are checked in test_lavaan_shapes.py."""
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
FIX = json.loads((HERE / "mixed_fixtures.json").read_text())
DATA = {"bfi": pd.read_csv(HERE / "bfi.csv"), "hs_cut": pd.read_csv(HERE / "hs_cut.csv")}


def _stats(name):
    """(lavaan's fixture, [(group label, our statistics)])."""
    fx = FIX[name]
    parsed = parse_model(fx["model"])
    roles = var_names([dict(lhs=f.lhs, op=f.op, rhs=f.rhs) for f in parsed.formulas])
    group = fx["args"].get("group")
    data = DATA[fx["data"]][roles.ov + ([group] if group else [])].dropna()
    out = []
    for label in (fx["group_labels"] if group else [""]):
        part = data[data[group] == label] if group else data
        out.append((label, categorical_stats(part[roles.ov_nox].to_numpy(float), roles.ov_nox, fx["args"]["ordered"],
                                             exo=part[roles.ov_x].to_numpy(float) if roles.ov_x else None)))
    return fx, out


@pytest.mark.parametrize("name", ["mixed_bfi", "mixed_hs", "mixed_bfi_gender", "mixed_hs_school", "mimic_ord_bfi",
                                  "mimic_mixed_bfi", "mimic_ord_bfi_gender", "mimic_mixed_hs_school"])
def test_wls_obs_are_lavaans(name):
    fx, groups = _stats(name)
    ref = fx["wls_obs"] if fx["args"].get("group") else {"": fx["wls_obs"]}
    for g, (label, st) in enumerate(groups):
        assert st.n == (fx["nobs"][g] if label else fx["n"])
        assert np.allclose(st.wls_obs, ref[label], atol=1e-6), (name, label)


@pytest.mark.parametrize("name", ["mixed_bfi", "mimic_ord_bfi", "mimic_mixed_bfi"])
def test_gamma_is_lavaans(name):
    fx, [(_, st)] = _stats(name)
    assert np.allclose(np.diag(st.gamma), fx["gamma_diag"], rtol=1e-5)
