"""`alianza fit MODEL DATA --ordered ...` on the cells WLSMV gained: some items ordered beside
continuous ones, and factors of ordered items regressed on observed covariates. The data are
simulated here and written to a CSV, as a user would deliver them."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from alianza.cli import main
from alianza.errors import ConfigError
from alianza.sem import fit

MODEL = "f1 =~ y1 + y2 + y3\nf2 =~ y4 + y5 + y6\n"
ORDERED = ["y1", "y2", "y3"]


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    """600 rows: two correlated factors explained by age and a sector dummy; y1-y3 answered on a
    4-point scale, y4-y6 continuous."""
    rng = np.random.default_rng(11)
    n = 600
    age = rng.normal(40, 10, n)
    sector = rng.integers(0, 2, n).astype(float)
    eta = np.column_stack([0.03 * (age - 40) + 0.4 * sector, -0.02 * (age - 40)]) \
        + rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], n)
    y = np.column_stack([eta[:, 0] * lam for lam in (0.8, 0.7, 0.6)] + [eta[:, 1] * lam for lam in (1.0, 0.9, 0.8)])
    y += rng.normal(0, 0.6, y.shape)
    cut = np.array([-0.7, 0.2, 1.0])
    data = pd.DataFrame({f"y{j + 1}": (np.searchsorted(cut, y[:, j]) + 1 if j < 3 else 3 + y[:, j].round(3))
                         for j in range(6)})
    data["age"], data["sector"] = age.round(1), sector
    path = tmp_path_factory.mktemp("ordinal") / "survey.csv"
    data.to_csv(path, index=False)
    return path, data


def _fit_cli(tmp_path, survey_path, model_text, *flags):
    model = tmp_path / "model.lav"
    model.write_text(model_text)
    out = tmp_path / "fit.json"
    assert main(["fit", str(model), str(survey_path), "--ordered", ",".join(ORDERED), *flags, "--json", str(out)]) == 0
    return json.loads(out.read_text())


@pytest.mark.parametrize("model_text", [MODEL, MODEL + "f1 + f2 ~ age + sector\n"])
def test_fit_cli_mixed_and_mimic(tmp_path, survey, capsys, model_text):
    path, data = survey
    doc = _fit_cli(tmp_path, path, model_text)
    printed = capsys.readouterr().out
    assert "Thresholds:" in printed and "y1|t3" in printed and "y4|t1" not in printed and "Scales y*:" in printed
    assert doc["estimator"] == "WLSMV" and doc["n"] == len(data) and doc["ordered"] == ORDERED
    params = pd.DataFrame(doc["parameters"])
    th = params[params["op"] == "|"]
    assert set(th["lhs"]) == set(ORDERED) and len(th) == 9             # 3 thresholds for each 4-point item
    # continuous items keep free intercepts and residual variances; the ordered items are scaled
    ints = params[(params["op"] == "~1")].set_index("lhs")["se"]
    assert (ints[["y4", "y5", "y6"]] > 0).all() and (ints[ORDERED] == 0).all()
    assert set(params.loc[params["op"] == "~*~", "lhs"]) == set(ORDERED)
    # the command gives what the library gives
    res = fit(model_text, data, ordered=ORDERED)
    assert np.allclose(params["est"], res.params["est"]) and np.allclose(params["se"], res.params["se"])
    assert doc["fit"]["df"] == res.fit["df"] and doc["fit"]["chisq_scaled"] == pytest.approx(res.fit["chisq_scaled"])
    if "~ age" in model_text:
        slopes = params[(params["op"] == "~") & (params["rhs"] == "age")]
        assert len(slopes) == 2 and (slopes["se"] > 0).all()


def test_fit_cli_theta_and_groups(tmp_path, survey):
    path, data = survey
    doc = _fit_cli(tmp_path, path, MODEL, "--parameterization", "theta", "--group", "sector",
                   "--group-equal", "thresholds,loadings,intercepts")
    assert doc["estimator"] == "WLSMV" and doc["fit"]["ngroups"] == 2
    params = pd.DataFrame(doc["parameters"])
    # theta: the ordered items' residual variances are parameters, free in the second group
    res_var = params[(params["op"] == "~~") & params["lhs"].isin(ORDERED) & (params["lhs"] == params["rhs"])]
    assert (res_var.loc[res_var["group"] == 2, "se"] > 0).all()


def test_an_ordered_covariate_is_refused_in_one_line(survey):
    _, data = survey
    with pytest.raises(ConfigError) as err:
        fit(MODEL + "f1 ~ sector\n", data, ordered=ORDERED + ["sector"])
    assert err.value.key == "ordered" and "exogenous covariate" in str(err.value)
