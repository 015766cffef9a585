"""Item diagnostics, Mardia, KMO/Bartlett, EFA, Harman and chi-square differences equal psych/lavaan.

Expected numbers: tests/fixtures/validity_fixtures.json, made by make_validity_fixtures.R with
psych 2.2.9, semTools 0.5.6 and lavaan 0.6.14 ("hs" = HolzingerSwineford1939, "wave" = an
example survey wave, when present).
"""
import json

import numpy as np
import pandas as pd
import pytest

from alianza.validity import cmv, discriminant, efa, items, reliability
from tests.conftest import FIXTURES, REFERENCE

FIX = json.loads((FIXTURES / "validity_fixtures.json").read_text())
CASES = [c for c in ("hs", "wave") if c in FIX]


def _data(case):
    if case == "hs":
        return pd.read_csv(REFERENCE / "HolzingerSwineford1939.csv")
    return pd.read_csv(FIXTURES / "validity_wave.csv")


@pytest.fixture(scope="module", params=CASES)
def case(request):
    fx = FIX[request.param]
    data = _data(request.param)
    all_items = [i for v in fx["factors"].values() for i in v]
    return fx, data, data[all_items].dropna()


def test_item_descriptives_and_item_total_equal_psych(case):
    fx, data, complete = case
    for f, its in fx["factors"].items():
        exp = fx["items"][f]
        desc = items.item_descriptives(data, its)  # psych::describe type 3
        tot = items.item_total(complete, its)  # psych::alpha r.drop, alpha.drop
        assert desc["n"].tolist() == exp["n"]
        for col in ("mean", "sd", "skew", "kurtosis"):
            np.testing.assert_allclose(desc[col], exp[col], atol=1e-10, err_msg=f"{f} {col}")
        np.testing.assert_allclose(tot["r_drop"], exp["r_drop"], atol=1e-10)
        np.testing.assert_allclose(tot["alpha_drop"], exp["alpha_drop"], atol=1e-10)


def test_alpha_and_feldt_interval_equal_psych(case):
    fx, _, complete = case
    for f, its in fx["factors"].items():
        alpha, ci = reliability.cronbach_alpha(complete[its])
        assert alpha == pytest.approx(fx["items"][f]["alpha"], abs=1e-10)
        np.testing.assert_allclose(ci, fx["items"][f]["alpha_ci"], atol=1e-10)


def test_mardia_equals_psych(case):
    fx, _, complete = case
    got = items.mardia(complete)
    for key, value in fx["mardia"].items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


def test_kmo_and_bartlett_equal_psych(case):
    fx, _, complete = case
    overall, per_item = efa.kmo(complete)
    assert overall == pytest.approx(fx["kmo"], abs=1e-10)
    np.testing.assert_allclose(per_item[list(fx["kmo_items"])], list(fx["kmo_items"].values()), atol=1e-10)
    b = efa.bartlett(complete)
    assert b["chisq"] == pytest.approx(fx["bartlett"]["chisq"], rel=1e-10)
    assert b["df"] == fx["bartlett"]["df"]
    assert b["pvalue"] == pytest.approx(fx["bartlett"]["pvalue"], rel=1e-6)


def _match_columns(got: pd.DataFrame, exp: pd.DataFrame) -> pd.DataFrame:
    """Reorder/sign-flip got's factors to exp's (factor order and sign are arbitrary)."""
    cols = {}
    for e in exp.columns:
        corr = {g: np.corrcoef(got[g], exp[e])[0, 1] for g in got.columns if g not in cols.values()}
        best = max(corr, key=lambda g: abs(corr[g]))
        cols[e] = best
    return pd.DataFrame({e: got[g] * np.sign(np.corrcoef(got[g], exp[e])[0, 1]) for e, g in cols.items()})


@pytest.mark.parametrize("method,key", [("minres", "efa_minres_oblimin"), ("ml", "efa_ml_oblimin")])
def test_efa_oblimin_equals_psych_fa(case, method, key):
    fx, _, complete = case
    k = len(fx["factors"])
    got = efa.efa(complete, k, method, "oblimin")
    exp = pd.DataFrame(fx[key]["loadings"]).T.loc[complete.columns]
    loadings = _match_columns(got["loadings"], exp)
    np.testing.assert_allclose(loadings.to_numpy(), exp.to_numpy(), atol=1e-3)
    h2 = pd.Series(fx[key]["communalities"])[complete.columns]
    np.testing.assert_allclose(got["communalities"], h2, atol=1e-3)
    if "ss_loadings" in fx[key]:
        np.testing.assert_allclose(sorted(got["variance"]["ss_loadings"]), sorted(fx[key]["ss_loadings"]), atol=1e-3)
        phi = np.asarray(fx[key]["phi"])
        assert sorted(got["factor_correlations"].to_numpy()[np.triu_indices(k, 1)]) == pytest.approx(
            sorted(phi[np.triu_indices(k, 1)]), abs=1e-3
        )


def test_parallel_analysis_agrees_with_psych(case):
    """Random eigenvalues differ from R's RNG; the observed ones and the suggested counts agree."""
    fx, _, complete = case
    got = efa.parallel_analysis(complete, seed=20191123, n_iter=50)
    np.testing.assert_allclose(got["eigen_pc"], fx["parallel"]["pc_values"], atol=1e-10)
    np.testing.assert_allclose(got["eigen_fa"], fx["parallel"]["fa_values"], atol=1e-10)
    assert got["n_factors"] == fx["parallel"]["nfact"]
    assert got["n_components"] == fx["parallel"]["ncomp"]


def test_harman_shares_equal_psych(case):
    fx, _, complete = case
    got = cmv.harman_single_factor(complete)
    assert got["pca_share"] == pytest.approx(fx["harman"]["pca_share"], abs=1e-10)
    assert got["fa_share"] == pytest.approx(fx["harman"]["fa_share"], abs=1e-4)


def _fit(d):
    return {k.replace(".", "_"): v for k, v in d.items()}


def test_chisq_difference_equals_lavtestlrt(case):
    fx, _, _ = case
    sf = fx["single_factor"]
    ml = cmv.chisq_difference(_fit(sf["fit"]), _fit(sf["measurement"]))
    assert ml["method"] == "standard"
    assert ml["chisq_diff"] == pytest.approx(sf["chisq_diff"], rel=1e-10)
    assert ml["df_diff"] == sf["df_diff"]
    assert ml["pvalue"] == pytest.approx(sf["pvalue"], rel=1e-6)
    mlr = cmv.chisq_difference(_fit(sf["mlr"]["fit"]), _fit(sf["mlr"]["measurement"]))
    assert "satorra.bentler.2001" in sf["mlr"]["method"] and mlr["method"] == "satorra.bentler.2001"
    assert mlr["chisq_diff"] == pytest.approx(sf["mlr"]["chisq_diff"], rel=1e-10)
    assert mlr["pvalue"] == pytest.approx(sf["mlr"]["pvalue"], rel=1e-6)


def test_cross_loadings_equal_r(case):
    fx, _, complete = case
    got = discriminant.cross_loadings(complete, fx["factors"])
    exp = pd.DataFrame(fx["cross_loadings"]).T
    np.testing.assert_allclose(got.loc[exp.index, exp.columns], exp, atol=1e-10)
