"""The public API of alianza.sem: SemFit's attributes, to_dict(), summary(), and the
"theta -> (Sigma, mu)" internals later estimators build on."""
import json
import math

import numpy as np
import pandas as pd
import pytest

from alianza.errors import ConfigError
from alianza.sem import SemFit, fit, parse_model
from alianza.sem.inference import fitmeasures as fm
from alianza.sem.matrices.model import SemModel, ml_gradient_information, ml_objective
from alianza.sem.spec.partable import build_partable
from alianza.sem.data.samplestats import SampleStats
from tests.conftest import REFERENCE


@pytest.fixture(scope="module")
def pd_fit():
    text = (REFERENCE / "pd_sem.lav").read_text().replace("dem60 ~ ind60", "dem60 ~ a*ind60") \
        .replace("dem65 ~ ind60 + dem60", "dem65 ~ ind60 + b*dem60") + "ind := a*b\n"
    return fit(text, pd.read_csv(REFERENCE / "PoliticalDemocracy.csv"))


def test_semfit_attributes(pd_fit):
    res = pd_fit
    assert isinstance(res, SemFit)
    assert list(res.params.columns[:12]) == ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue",
                                              "ci_lower", "ci_upper", "std_lv", "std_all"]
    assert res.observed == ["x1", "x2", "x3", "y1", "y2", "y3", "y4", "y5", "y6", "y7", "y8"]
    assert res.latent == ["ind60", "dem60", "dem65"]
    assert res.sample_cov.shape == res.implied_cov.shape == (11, 11)
    assert list(res.latent_cov.index) == res.latent
    assert res.estimator == "ML" and res.n == 75 and res.converged
    assert list(res.modindices.columns) == ["lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all"]
    assert (np.diff(res.modindices["mi"].to_numpy()) <= 0).all()
    assert res.params.iloc[-1][["lhs", "op", "rhs", "label"]].tolist() == ["ind", ":=", "a*b", "ind"]


def test_to_dict_is_strict_json(pd_fit):
    d = pd_fit.to_dict()
    text = json.dumps(d, allow_nan=False)           # NaN became null
    assert json.loads(text)["parameters"][0]["pvalue"] is None
    assert len(d["parameters"]) == len(pd_fit.params)


def test_summary_has_lavaan_blocks(pd_fit):
    text = pd_fit.summary()
    for block in ("Estimator", "Number of observations", "Test statistic", "Comparative Fit Index (CFI)",
                  "Tucker-Lewis Index (TLI)", "RMSEA", "SRMR", "Latent Variables:", "Regressions:",
                  "Covariances:", "Variances:", "R-Square:", "Defined Parameters:", "Std.lv  Std.all"):
        assert block in text, block
    assert "    ind60      (a)    1.483    0.399    3.715    0.000    0.447    0.447" in text


def test_only_ml_for_now():
    with pytest.raises(ConfigError):
        fit("f =~ x1 + x2 + x3", pd.DataFrame({"x1": [1.0, 2], "x2": [1.0, 3], "x3": [2.0, 1]}), estimator="WLSMV")


def test_objective_is_a_function_of_theta_and_moments(lavaan_public):
    """ml_objective(model, theta, stats) at lavaan's estimates is lavaan's fmin = chisq / 2N,
    from sample moments alone (what a bootstrap replicate supplies)."""
    data = pd.read_csv(REFERENCE / "HolzingerSwineford1939.csv")
    table, names = build_partable(parse_model((REFERENCE / "hs_cfa.lav").read_text()))
    model = SemModel(table, names, meanstructure=False)
    x = data[names.ov].to_numpy()
    stats = SampleStats.from_moments([np.cov(x.T, bias=True)], [x.mean(0)], [len(x)], names.ov)
    ref = lavaan_public["hs_cfa_ml"]
    rows = np.array([p["est"] for p in ref["params"]])
    theta = model.theta_from_rows(rows)
    assert 2 * stats.ntotal * ml_objective(model, theta, stats) == pytest.approx(ref["fit"]["chisq"], abs=1e-4)
    grad, info = ml_gradient_information(model, theta, stats)
    assert np.max(np.abs(grad)) < 1e-5            # lavaan's estimates are (near) stationary
    se = np.sqrt(np.diag(np.linalg.inv(stats.ntotal * info)))
    free = [p["se"] for p in ref["params"] if p.get("z") is not None]
    assert np.allclose(se, free, atol=1e-4)


@pytest.mark.parametrize("x2, df, expected_tli, expected_cfi", [
    (0.0, 0, 1.0, 1.0),       # saturated model: lavaan returns 1 for both
    (5.0, 10, 1.0 + (10 - 5) * 36 / ((900 - 36) * 10), 1.0),  # chisq below df: CFI capped, TLI above 1
])
def test_incremental_indices_edge_cases(x2, df, expected_tli, expected_cfi):
    assert fm.tli(x2, df, 900.0, 36) == pytest.approx(expected_tli)
    assert fm.cfi(x2, df, 900.0, 36) == pytest.approx(expected_cfi)


def test_rmsea_formula_uses_n():
    # RMSEA = sqrt(max(chisq/df - 1, 0) / N) with N, not N - 1 (lavaan's normal likelihood)
    assert fm.rmsea(85.0, 24, 301) == pytest.approx(math.sqrt((85 / 24 - 1) / 301))
    assert fm.rmsea(10.0, 24, 301) == 0.0
    assert fm.rmsea(3.0, 0, 301) == 0.0
    lo, hi = fm.rmsea_ci(3.0, 0, 301)
    assert (lo, hi) == (0.0, 0.0)
    assert math.isnan(fm.rmsea_pvalue(3.0, 0, 301))
