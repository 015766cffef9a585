"""Estimator options of alianza.sem.fit / `alianza fit` (issue 5): one-line errors for bad
combinations, what the outputs record, and results that follow from theory."""
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from alianza.cli import main
from alianza.errors import ConfigError, InputError
from alianza.sem import fit
from alianza.sem.estimation.options import resolve as resolve_options
from alianza.sem.data.fiml import em_saturated, pattern_summary, patterns_of
from alianza.sem.data.polychoric import bvn_cdf
from tests.conftest import REFERENCE, ROOT

HS = REFERENCE / "HolzingerSwineford1939.csv"
HS_MODEL = (REFERENCE / "hs_cfa.lav").read_text()
POOLED = ROOT / "tests" / "fixtures" / "waves" / "pooled.csv"
E1 = "E1 =~ e1_1 + e1_2 + e1_3 + e1_4"
OV = ["x1", "x2", "x3"]


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(HS)


@pytest.mark.parametrize("kwargs,key,text", [
    (dict(estimator="GLS"), "estimator", "unknown estimator 'GLS'"),
    (dict(missing="pairwise"), "missing", "unknown missing-data treatment 'pairwise'"),
    (dict(ordered=["x1", "zz"]), "ordered", "ordered item 'zz' is not an observed variable"),
    (dict(estimator="WLSMV", missing="fiml", ordered="all"), "missing", "FIML needs estimator ML or MLR"),
    (dict(estimator="ML", ordered="all"), "estimator", "ordered items need estimator WLSMV"),
    (dict(estimator="MLR", ordered="x1"), "estimator", "ordered items need estimator WLSMV"),
    (dict(estimator="WLSMV"), "ordered", "WLSMV needs ordered items"),
])
def test_bad_options_give_one_line_errors(kwargs, key, text):
    with pytest.raises(ConfigError) as err:
        resolve_options(observed=OV, **kwargs)
    assert err.value.key == key and text in str(err.value)
    assert len(str(err.value).splitlines()) == 1


def test_option_defaults_follow_lavaan():
    assert resolve_options(observed=OV).estimator == "ML"
    assert resolve_options(observed=OV, ordered="all").estimator == "WLSMV"      # lavaan's default
    assert list(resolve_options(observed=OV, ordered=True).ordered) == OV
    assert resolve_options(observed=OV, missing="ml").missing == "fiml"          # lavaan's spelling
    assert resolve_options(observed=OV, estimator="mlr", missing="FIML").estimator == "MLR"
    # some items ordered, the others continuous (lavaan's ordered = c(...)): WLSMV on the mixed statistics
    mixed = resolve_options(observed=OV, ordered="x1,x2")
    assert mixed.estimator == "WLSMV" and mixed.ordered == ("x1", "x2")
    # every estimator takes observed exogenous covariates (fixed.x; conditional.x with ordered items),
    # and ordered = all leaves the covariates continuous
    assert resolve_options(observed=OV, estimator="MLR", ov_x=["x3"]).fixed_x
    assert resolve_options(observed=OV, ordered="all", ov_x=["x3"]).ordered == ("x1", "x2")


def test_cli_errors_are_one_line(tmp_path, capsys):
    model = tmp_path / "e1.lav"
    model.write_text(E1 + "\n")
    for extra, text in ([["--estimator", "FOO"], "unknown estimator"],
                        [["--ordered", "e1_1,nosuch"], "nosuch"],
                        [["--estimator", "WLSMV", "--missing", "fiml"], "FIML needs estimator ML or MLR"]):
        assert main(["fit", str(model), str(POOLED), *extra]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and text in err


def test_cli_json_states_estimator_missing_n_and_patterns(tmp_path, capsys):
    model = tmp_path / "e1.lav"
    model.write_text(E1 + "\n")
    out = tmp_path / "fit.json"
    assert main(["fit", str(model), str(POOLED), "--estimator", "MLR", "--missing", "fiml",
                 "--json", str(out)]) == 0
    assert "Test statistic (scaled)" in capsys.readouterr().out
    d = json.loads(out.read_text())
    assert d["estimator"] == "MLR" and d["missing"] == "fiml" and d["n"] == 527 and d["n_dropped"] == 0
    raw = pd.read_csv(POOLED)[["e1_1", "e1_2", "e1_3", "e1_4"]]
    pat = d["missing_patterns"]
    assert pat["complete_rows"] == int(raw.notna().all(axis=1).sum())
    assert pat["n_patterns"] == len(raw.isna().drop_duplicates())
    assert pat["coverage"]["e1_2"] == pytest.approx(raw["e1_2"].notna().mean())
    assert {"chisq_scaled", "cfi_robust", "rmsea_robust"} <= set(d["fit"])


def test_listwise_results_also_report_the_patterns():
    data = pd.read_csv(POOLED)
    res = fit(E1, data)
    assert res.missing == "listwise" and res.n_dropped == 2 and res.n == 525
    assert res.missing_patterns["complete_rows"] == 525
    assert res.to_dict()["missing_patterns"]["n_patterns"] == 3


def test_pattern_summary_counts():
    frame = pd.DataFrame({"a": [1, np.nan, 3, np.nan, 5], "b": [1, 2, np.nan, np.nan, 5]})
    s = pattern_summary(frame, ["a", "b"])
    assert s == {"n_patterns": 3, "complete_rows": 2, "empty_rows": 1, "coverage": {"a": 0.75, "b": 0.75}}


def test_fiml_on_complete_data_is_ml_with_means(hs):
    """Without missing values the casewise likelihood is the ML one (theory)."""
    ml = fit(HS_MODEL, hs, meanstructure=True)
    fiml = fit(HS_MODEL, hs, missing="fiml")
    assert np.allclose(fiml.params["est"], ml.params["est"], atol=1e-6)
    for key in ("chisq", "df", "cfi", "tli", "rmsea", "srmr", "logl", "unrestricted_logl", "baseline_chisq"):
        assert fiml.fit[key] == pytest.approx(ml.fit[key], abs=1e-6), key


def test_fiml_drops_rows_without_any_model_variable(hs):
    empty = hs.iloc[:3].copy()
    empty[[f"x{i}" for i in range(1, 10)]] = np.nan
    res = fit(HS_MODEL, pd.concat([hs, empty], ignore_index=True), missing="fiml")
    ref = fit(HS_MODEL, hs, missing="fiml")
    assert res.n == 301 and res.n_dropped == 3 and res.n_input == 304
    assert np.allclose(res.params["est"], ref.params["est"], atol=1e-8)
    assert any("every model variable missing" in w for w in res.warnings)


def test_mlr_keeps_the_ml_estimates(hs):
    ml, mlr = fit(HS_MODEL, hs), fit(HS_MODEL, hs, estimator="MLR")
    assert np.allclose(mlr.params["est"], ml.params["est"])
    assert mlr.fit["chisq"] == ml.fit["chisq"]
    assert not np.allclose(mlr.params["se"], ml.params["se"])


def test_em_on_complete_data_gives_the_sample_moments(hs):
    x = hs[["x1", "x2", "x3"]].to_numpy()
    h1 = em_saturated(patterns_of(x))
    assert np.allclose(h1.mean, x.mean(axis=0)) and np.allclose(h1.cov, np.cov(x.T, bias=True))


def test_bivariate_normal_cdf_matches_scipy():
    rng = np.random.default_rng(7)
    r = np.array([-0.999, -0.97, -0.93, -0.6, -0.2, 0.0, 0.25, 0.7, 0.92, 0.95, 0.999])
    for rho in r:
        x, y = rng.normal(size=2) * 1.5
        want = stats.multivariate_normal(cov=[[1, rho], [rho, 1]]).cdf([x, y])
        assert bvn_cdf(x, y, rho) == pytest.approx(want, abs=1e-7), rho
    assert bvn_cdf(np.inf, 0.3, 0.5) == pytest.approx(stats.norm.cdf(0.3))
    assert bvn_cdf(-np.inf, 0.3, 0.5) == 0.0


def test_multigroup_fiml_on_complete_rows_gives_the_ml_estimates(hs):
    """G = 1 and G > 1 share one casewise path: on complete rows FIML's estimates, chi-square and
    log-likelihood are ML's (lavaan too); only the SEs differ (observed vs expected information)."""
    ml = fit(HS_MODEL, hs, group="school")
    fiml = fit(HS_MODEL, hs, group="school", missing="fiml")
    assert np.allclose(fiml.params["est"], ml.params["est"], atol=1e-5)
    assert fiml.fit["chisq"] == pytest.approx(ml.fit["chisq"], abs=1e-6)
    assert fiml.fit["logl"] == pytest.approx(ml.fit["logl"], abs=1e-6)
    assert fiml.groups == ml.groups and fiml.group_nobs == ml.group_nobs


def test_multigroup_ordered_needs_the_same_categories_in_every_group(hs):
    """HS scores are continuous: as ordered items their categories differ between schools, which
    lavaan refuses too; the error names the item."""
    with pytest.raises(InputError, match="every group needs the same categories"):
        fit(HS_MODEL, hs, group="school", ordered="all")


@pytest.mark.parametrize("options", [dict(estimator="MLR"), dict(missing="fiml"),
                                     dict(estimator="MLR", missing="fiml"), dict(ordered="all")])
def test_unidentified_model_warns_instead_of_failing(options):
    data = pd.read_csv(POOLED)
    res = fit("f =~ e1_1 + e1_2", data, **options)          # one factor, two indicators: df = -1
    assert res.fit["df"] < 0
    assert any("could not be computed" in w for w in res.warnings)
    assert np.isnan(res.params.loc[1, "se"])


def test_fiml_on_a_planned_missing_design_names_the_pair_never_observed_together(hs, tmp_path, capsys):
    """Two forms of a questionnaire: x1 only on form A, x4 only on form B. Their covariance has no data,
    so FIML stops with one line naming the two variables (not a singular-matrix traceback)."""
    from alianza.cli import main

    data = hs.copy()
    form_b = np.arange(len(data)) % 2 == 1
    data.loc[form_b, "x1"] = np.nan
    data.loc[~form_b, "x4"] = np.nan
    with pytest.raises(InputError, match="x1 and x4 are never observed together"):
        fit(HS_MODEL, data, missing="fiml")
    path = tmp_path / "planned.csv"
    data.to_csv(path, index=False)
    model = tmp_path / "hs.lav"
    model.write_text(HS_MODEL)
    assert main(["fit", str(model), str(path), "--missing", "fiml"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "never observed together" in err and str(path) in err
