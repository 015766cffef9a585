"""The semopy 2.3.11 defects alianza.sem works around, shown against lavaan's numbers.

Each test asserts that semopy's number is off from lavaan's while alianza's matches, so
the day a semopy release fixes a defect, its test fails and tells us to revisit.
Reference: lavaan 0.6.14, cfa(hs_cfa.lav, HolzingerSwineford1939) (lavaan_public.json).
"""
import math

import pandas as pd
import pytest

from alianza.sem import fit
from tests.conftest import REFERENCE

semopy = pytest.importorskip("semopy")


@pytest.fixture(scope="module")
def hs():
    model = (REFERENCE / "hs_cfa.lav").read_text()
    data = pd.read_csv(REFERENCE / "HolzingerSwineford1939.csv")
    sem_model = semopy.Model(model)
    sem_model.fit(data)
    return sem_model, fit(model, data), data


def _lavaan_param(ref, lhs, op, rhs):
    return next(p for p in ref["params"] if (p["lhs"], p["op"], p["rhs"]) == (lhs, op, rhs))


def test_semopy_slsqp_stops_before_the_optimum(hs, lavaan_public):
    """semopy's SLSQP stops early: visual =~ x2 is 0.5544 where lavaan has 0.5535."""
    sem_model, ours, _ = hs
    lavaan = _lavaan_param(lavaan_public["hs_cfa_ml"], "visual", "=~", "x2")["est"]
    est = sem_model.inspect()
    semopy_x2 = float(est[(est["lval"] == "x2") & (est["op"] == "~") & (est["rval"] == "visual")]["Estimate"].iloc[0])
    assert abs(semopy_x2 - lavaan) > 5e-4
    ours_x2 = ours.params.query("lhs == 'visual' and op == '=~' and rhs == 'x2'")["est"].iloc[0]
    assert abs(ours_x2 - lavaan) < 1e-5


def test_semopy_rmsea_uses_n_minus_1(hs, lavaan_public):
    """semopy's RMSEA divides by N - 1; lavaan (normal likelihood) by N."""
    sem_model, ours, data = hs
    ref = lavaan_public["hs_cfa_ml"]["fit"]
    stats = semopy.calc_stats(sem_model)
    semopy_rmsea = float(stats["RMSEA"].iloc[0])
    assert abs(semopy_rmsea - ref["rmsea"]) > 1e-4
    # its number is the N - 1 formula applied to its own chi-square
    chi2, df, n = float(stats["chi2"].iloc[0]), float(stats["DoF"].iloc[0]), len(data)
    assert semopy_rmsea == pytest.approx(math.sqrt((chi2 / df - 1) / (n - 1)), rel=1e-6)
    assert abs(ours.fit["rmsea"] - ref["rmsea"]) < 1e-6


def test_semopy_aic_bic_come_from_the_fit_function(hs, lavaan_public):
    """semopy's AIC/BIC use its fit-function value as if it were the log-likelihood."""
    sem_model, ours, data = hs
    ref = lavaan_public["hs_cfa_ml"]["fit"]
    stats = semopy.calc_stats(sem_model)
    aic, bic = float(stats["AIC"].iloc[0]), float(stats["BIC"].iloc[0])
    loglik = float(stats["LogLik"].iloc[0])        # really the ML fit function, not a log-likelihood
    npar = ref["npar"]
    assert aic == pytest.approx(2 * npar - 2 * loglik, rel=1e-9)
    assert abs(aic - ref["aic"]) > 1000 and abs(bic - ref["bic"]) > 1000
    for key in ("logl", "aic", "bic", "bic2"):
        assert abs(ours.fit[key] - ref[key]) < 1e-3, key


def test_semopy_has_no_srmr_or_rmsea_interval(hs, lavaan_public):
    sem_model, ours, _ = hs
    stats = semopy.calc_stats(sem_model)
    assert not {"SRMR", "RMSEA CI", "RMSEA_CI_lower"} & set(stats.columns)
    ref = lavaan_public["hs_cfa_ml"]["fit"]
    for key in ("srmr", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue"):
        assert abs(ours.fit[key.replace(".", "_")] - ref[key]) < 1e-4, key


def test_semopy_rejects_defined_parameters(lavaan_public):
    """No `:=` in semopy; alianza evaluates it with a delta-method SE."""
    model = (REFERENCE / "pd_sem.lav").read_text().replace("dem60 ~ ind60", "dem60 ~ a*ind60") \
        .replace("dem65 ~ ind60 + dem60", "dem65 ~ ind60 + b*dem60") + "ind := a*b\n"
    data = pd.read_csv(REFERENCE / "PoliticalDemocracy.csv")
    with pytest.raises(NotImplementedError, match="unknown command"):
        semopy.Model(model)
    ours = fit(model, data)
    row = ours.params.query("op == ':='").iloc[0]
    assert row["lhs"] == "ind" and math.isfinite(row["se"]) and row["se"] > 0
