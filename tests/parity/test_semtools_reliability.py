"""alpha, omega, AVE and HTMT equal semTools 0.5.6 on HolzingerSwineford1939.

Expected: reference/lavaan_public.json section hs_reliability (compRelSEM(fit, tau.eq = TRUE),
compRelSEM(fit), AVE(fit), htmt(model, data)) and tests/fixtures/validity_fixtures.json
(make_validity_fixtures.R: htmt(htmt2 = FALSE), compRelSEM(obs.var = FALSE)).
The formulas are checked on lavaan's own estimates; the end-to-end check goes through our SEM core.
"""
import json

import numpy as np
import pandas as pd
import pytest

from alianza.validity import discriminant, reliability
from alianza.validity.structure import observed_factor_items
from tests.conftest import FIXTURES, REFERENCE

FIX = json.loads((FIXTURES / "validity_fixtures.json").read_text())["hs"]
MODEL = (REFERENCE / "hs_cfa.lav").read_text()
FACTORS = observed_factor_items(MODEL)
ITEMS = [i for v in FACTORS.values() for i in v]


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(REFERENCE / "HolzingerSwineford1939.csv")[ITEMS]


@pytest.fixture(scope="module")
def semtools(lavaan_public):
    rel = lavaan_public["hs_reliability"]
    htmt = pd.DataFrame(rel["htmt"]).set_index("_row")
    return rel, htmt


def _lavaan_estimates(lavaan_public):
    """lavaan's parameter table (dots -> underscores), latent covariance and implied covariance."""
    P = pd.DataFrame(lavaan_public["hs_cfa_ml"]["params"]).rename(columns=lambda c: c.replace(".", "_"))
    lat = list(FACTORS)
    phi = pd.DataFrame(0.0, index=lat, columns=lat)
    theta = pd.DataFrame(0.0, index=ITEMS, columns=ITEMS)
    for r in P[P["op"] == "~~"].itertuples():
        target = phi if r.lhs in lat else theta
        target.loc[r.lhs, r.rhs] = target.loc[r.rhs, r.lhs] = r.est
    L = reliability.loading_matrix(P, FACTORS, "est")
    implied = pd.DataFrame(L.to_numpy() @ phi.to_numpy() @ L.to_numpy().T, index=ITEMS, columns=ITEMS) + theta
    return P, phi, implied


def test_formulas_on_lavaan_estimates(lavaan_public, hs, semtools):
    rel, _ = semtools
    P, phi, implied = _lavaan_estimates(lavaan_public)
    table = reliability.reliability_table(P, phi, hs.cov(ddof=0), FACTORS)
    for f in FACTORS:
        assert table.loc[f, "alpha_taueq"] == pytest.approx(rel["alpha"][f], abs=1e-9)
        assert table.loc[f, "omega"] == pytest.approx(rel["omega"][f], abs=1e-6)
        assert table.loc[f, "ave"] == pytest.approx(rel["ave"][f], abs=1e-6)
    # obs.var = FALSE: the model-implied covariance as total variance
    fitted = reliability.reliability_table(P, phi, implied, FACTORS)
    for f in FACTORS:
        assert fitted.loc[f, "omega"] == pytest.approx(FIX["omega_fitted"][f], abs=1e-6)


def test_omega_needs_the_ml_covariance(lavaan_public, hs, semtools):
    """semTools' observed variance is lavaan's sample covariance with divisor N, not N - 1."""
    rel, _ = semtools
    P, phi, _ = _lavaan_estimates(lavaan_public)
    unbiased = reliability.reliability_table(P, phi, hs.cov(ddof=1), FACTORS)
    assert unbiased.loc["visual", "omega"] != pytest.approx(rel["omega"]["visual"], abs=1e-3)


def test_htmt_and_htmt2_equal_semtools(hs, semtools):
    _, reference_htmt = semtools
    R = hs.corr()
    htmt = discriminant.htmt(R, FACTORS, geometric=False)
    htmt2 = discriminant.htmt(R, FACTORS, geometric=True)
    np.testing.assert_allclose(htmt, pd.DataFrame(FIX["htmt"]).loc[htmt.index, htmt.columns], atol=1e-10)
    np.testing.assert_allclose(htmt2, pd.DataFrame(FIX["htmt2"]).loc[htmt.index, htmt.columns], atol=1e-10)
    # semTools 0.5.6's htmt() defaults to htmt2 = TRUE: the reference "htmt" is HTMT2
    np.testing.assert_allclose(htmt2, reference_htmt.loc[htmt.index, htmt.columns], atol=1e-10)
    assert not np.allclose(htmt, reference_htmt.loc[htmt.index, htmt.columns], atol=1e-3)


def test_cr_is_reliability_of_standardised_sum():
    """CR from lavaan's std.all loadings = omega of the standardised items (theory)."""
    for f, items in FACTORS.items():
        l = np.asarray(FIX["std_loadings"][f])
        implied_cor = np.outer(l, l)
        np.fill_diagonal(implied_cor, 1.0)
        assert reliability.composite_reliability(l) == pytest.approx(reliability.omega_from(l, 1.0, implied_cor), abs=1e-12)


def test_through_our_sem_fit(hs, semtools):
    sem = pytest.importorskip("alianza.sem")
    if not hasattr(sem, "fit"):
        pytest.skip("SEM core has no fit() yet")
    rel, reference_htmt = semtools
    fit = sem.fit(MODEL, hs)
    table = reliability.reliability_table(fit.params, fit.latent_cov, hs.cov(ddof=0), FACTORS)
    for f in FACTORS:
        assert table.loc[f, "alpha_taueq"] == pytest.approx(rel["alpha"][f], abs=5e-4)
        assert table.loc[f, "omega"] == pytest.approx(rel["omega"][f], abs=5e-4)
        assert table.loc[f, "ave"] == pytest.approx(rel["ave"][f], abs=5e-4)
    latent_cor = discriminant.latent_correlations(fit.latent_cov.loc[list(FACTORS), list(FACTORS)])
    exp = pd.DataFrame(FIX["latent_cor"]).loc[list(FACTORS), list(FACTORS)]
    np.testing.assert_allclose(latent_cor, exp, atol=5e-4)


@pytest.fixture(scope="module")
def wave_report():
    sem = pytest.importorskip("alianza.sem")
    if not hasattr(sem, "fit") or "wave" not in json.loads((FIXTURES / "validity_fixtures.json").read_text()):
        pytest.skip("SEM core or wave fixture missing")
    from alianza.validity import DEFAULT_THRESHOLDS, validity_report

    model = (FIXTURES / "validity_wave.lav").read_text()
    data = pd.read_csv(FIXTURES / "validity_wave.csv")
    return validity_report(model, data, DEFAULT_THRESHOLDS, seed=1, n_boot=0, scale_min=1, scale_max=5)


def test_wave_report_equals_semtools_and_psych(wave_report):
    """An example survey wave with missing answers: every figure as R computes it on the same rows."""
    fx = json.loads((FIXTURES / "validity_fixtures.json").read_text())["wave"]
    rep = wave_report
    assert rep["n_complete"] == fx["n_complete"] and rep["n_incomplete_left_out"] == rep["n_rows"] - fx["n_complete"]
    for f, its in fx["factors"].items():
        c, exp = rep["constructs"][f], fx["items"][f]
        assert c["alpha"] == pytest.approx(exp["alpha"], abs=5e-4)
        assert c["alpha_taueq"] == pytest.approx(fx["alpha_taueq"][f], abs=5e-4)
        np.testing.assert_allclose(c["alpha_ci"], exp["alpha_ci"], atol=5e-4)
        assert c["omega"] == pytest.approx(fx["omega"][f], abs=5e-4)
        assert c["ave"] == pytest.approx(fx["ave"][f], abs=5e-4)
        table = pd.DataFrame(c["items"])
        assert table["item"].tolist() == its and table["n"].tolist() == exp["n"]
        for col in ("mean", "sd", "skew", "kurtosis", "r_drop", "alpha_drop"):
            np.testing.assert_allclose(table[col], exp[col], atol=5e-4, err_msg=f"{f} {col}")
        np.testing.assert_allclose(table["loading_std"], fx["std_loadings"][f], atol=5e-4)
        for key in ("chisq", "df", "cfi", "tli", "rmsea", "srmr"):
            assert rep["cfa"]["constructs"][f][key] == pytest.approx(fx["cfa_construct"][f][key], abs=5e-4), (f, key)
    for key in ("htmt", "htmt2", "latent_cor"):
        got, exp = pd.DataFrame(rep[key]), pd.DataFrame(fx[key])
        np.testing.assert_allclose(got.loc[exp.index, exp.columns], exp, atol=5e-4, err_msg=key)
    sf = rep["cmv"]["single_factor"]
    assert sf["chisq_diff"] == pytest.approx(fx["single_factor"]["chisq_diff"], abs=5e-3)
    assert sf["fit"]["chisq"] == pytest.approx(fx["single_factor"]["fit"]["chisq"], abs=5e-3)
    assert rep["efa"]["kmo"] == pytest.approx(fx["kmo"], abs=5e-4)
    assert rep["efa"]["n_factors_parallel"] == fx["parallel"]["nfact"]
    assert rep["mardia"]["kurtosis"] == pytest.approx(fx["mardia"]["kurtosis"], abs=5e-4)
