"""The bootstrap against lavaan 0.6.14 (se = "bootstrap", test = "bollen.stine") and boot.

Fixture: tests/fixtures/bootstrap_fixtures.json, made by make_bootstrap_fixtures.R on the
pooled example waves (five-stage model, H6 := h1*h2*h3*h4*h5) and on PoliticalDemocracy
with a simple and a total indirect effect (N = 75: skewed replicates, many improper).

Three levels:
- exact: lavaan's own replicates -> our percentile CIs and SEs; boot::boot.ci's BCa from
  the same replicates and jackknife; our refit of the resamples lavaan drew (keep.idx)
  -> lavaan's replicate estimates and Bollen-Stine chi-squares;
- Monte Carlo: our 2000 replicates vs lavaan's 2000 (different random draws): every
  percentile limit within 4.5 Monte Carlo standard errors of the difference (the
  order-statistic SE of a quantile of 2000 draws, times sqrt 2), every SE within 4.5
  relative MC errors of a difference of two SDs (1 / sqrt(R) for normal replicates; sqrt(2 / R)
  leaves room for their kurtosis), the Bollen-Stine p within 4.5 binomial SEs.
"""
import json

import numpy as np
import pandas as pd
import pytest

from alianza.sem.inference import bootci
from alianza.sem.inference.bootstrap import _moments, _outer, _sym_sqrt, bootstrap, with_bootstrap
from alianza.sem.estimation.fitting import fit
from alianza.sem.matrices.model import SemModel
from alianza.sem.spec.partable import build_partable
from alianza.sem.matrices.derivatives import BatchedML
from alianza.sem.estimation.refit import FAILED, refit, start_hessian
from alianza.sem.data.samplestats import sample_stats, select_complete
from alianza.sem.spec.syntax import parse_model
from tests.conftest import FIXTURES, REFERENCE

FIX = json.loads((FIXTURES / "bootstrap_fixtures.json").read_text())
DATA = {"five_stage": FIXTURES / "waves" / "pooled.csv",
        "political_democracy": REFERENCE / "PoliticalDemocracy.csv"}
LABELS = {"five_stage": ["h1", "h2", "h3", "h4", "h5"], "political_democracy": ["a", "b", "c"]}
DEFINED = {"five_stage": {"H6": lambda d: d["h1"] * d["h2"] * d["h3"] * d["h4"] * d["h5"]},
           "political_democracy": {"ind": lambda d: d["a"] * d["b"], "total": lambda d: d["c"] + d["a"] * d["b"]}}
MC_SIGMAS = 4.5


def _lavaan_row(case, table, label):
    frame = pd.DataFrame(FIX[case][table])
    return frame[frame["label"] == label].iloc[0]


@pytest.mark.parametrize("case", list(DATA))
def test_percentile_ci_and_se_from_lavaan_replicates_are_lavaans(case):
    draws = {k: np.asarray(v) for k, v in FIX[case]["draws"].items()}
    for label in LABELS[case]:
        row = _lavaan_row(case, "perc", label)
        lo, hi = bootci.percentile_ci(draws[label], 0.95)
        assert lo == pytest.approx(row["ci.lower"], abs=1e-12)
        assert hi == pytest.approx(row["ci.upper"], abs=1e-12)
        # free parameters: divisor R (lav_model_nvcov_bootstrap)
        assert bootci.bootstrap_se(draws[label], ddof=0) == pytest.approx(row["se"], rel=1e-12)
    for name, fn in DEFINED[case].items():
        t = fn(draws)
        row = _lavaan_row(case, "perc", name)
        assert bootci.percentile_ci(t) == pytest.approx((row["ci.lower"], row["ci.upper"]), abs=1e-12)
        # defined parameters: divisor R - 1 (cov() in lav_model_vcov_se)
        assert bootci.bootstrap_se(t, ddof=1) == pytest.approx(row["se"], rel=1e-12)
        assert bootci.bootstrap_se(t, ddof=0) != pytest.approx(row["se"], rel=1e-6)


def test_bca_with_jackknife_acceleration_is_boot_ci():
    b = FIX["boot_ci"]
    x = np.asarray(b["x"])
    jack = np.array([np.var(np.delete(x, i), ddof=1) for i in range(len(x))])
    influence = bootci.jackknife_influence(jack)
    np.testing.assert_allclose(influence, b["L"], atol=1e-12)
    a = bootci.acceleration(influence)
    assert a > 0.02                      # a skewed statistic: the acceleration matters here
    assert bootci.bca_ci(b["t"], b["t0"], a) == pytest.approx(tuple(b["bca"]), abs=1e-12)
    assert bootci.percentile_ci(b["t"]) == pytest.approx(tuple(b["perc"]), abs=1e-12)
    # without acceleration (lavaan's bca.simple) the interval is a different one
    assert bootci.bca_ci(b["t"], b["t0"], 0.0)[1] < b["bca"][1] - 0.05


def _setup(case):
    parsed = parse_model(FIX[case]["model"])
    data = pd.read_csv(DATA[case])
    table, names = build_partable(parsed)
    complete = select_complete(data, names.ov)
    stats = sample_stats(complete.data, names.ov)
    model = SemModel(table, names, False)
    model.set_exogenous(stats)
    base = fit(parsed, data)
    theta0 = model.theta_from_rows(base.partable["est"].to_numpy(dtype=float))
    engine = BatchedML(model)
    return engine, theta0, stats, complete.data.to_numpy(dtype=float), base


def _counts(idx, n):
    return np.stack([np.bincount(np.asarray(i) - 1, minlength=n) for i in idx]).astype(float)


@pytest.mark.parametrize("case", list(DATA))
def test_replicates_on_lavaans_resamples_are_lavaans(case):
    """bootstrapLavaan(keep.idx = TRUE): the same rows -> the same estimates and chi-squares,
    to lavaan's convergence (nlminb stops up to ~1e-4 short on PoliticalDemocracy's scale,
    variances up to 10; our refits are the exact optima: test_sem_refit.py)."""
    engine, theta0, stats, X, base = _setup(case)
    ex = FIX[case]["exact"]
    n = len(X)
    xbar = X.mean(axis=0)
    xc = X - xbar
    h0 = start_hessian(engine, theta0, stats.cov[0], stats.mean[0])
    cov, mean = _moments(_counts(ex["idx"], n), xc, xbar, _outer(xc))
    res = refit(engine, theta0, cov, mean, n, hessian0=h0)
    assert (res.status != FAILED).all()
    lav = np.asarray(ex["coef"])
    np.testing.assert_allclose(res.theta, lav, rtol=1e-4, atol=1e-4)
    # Bollen-Stine: rows of the transformed data X S^-1/2 Sigma^1/2
    zc = xc @ _sym_sqrt(np.linalg.inv(stats.cov[0])) @ _sym_sqrt(base.implied_cov.to_numpy())
    cov, mean = _moments(_counts(ex["bs_idx"], n), zc, np.zeros(zc.shape[1]), _outer(zc))
    res = refit(engine, theta0, cov, mean, n, hessian0=h0)
    np.testing.assert_allclose(2 * n * res.fmin, ex["bs_chisq"], rtol=1e-6)


@pytest.fixture(scope="module")
def ours():
    out = {}
    for case, path in DATA.items():
        boot = bootstrap(FIX[case]["model"], pd.read_csv(path), replicates=FIX[case]["R"], seed=2019,
                         workers=1)
        out[case] = (boot, with_bootstrap(boot.fit, boot).params)
    return out


def _quantile_mc_se(t, alpha):
    """Monte Carlo SE of the alpha-quantile of R draws, sqrt(alpha (1 - alpha) / R) / f(q):
    the density from the order statistics three binomial SEs s either side,
    (q(alpha + 3 s) - q(alpha - 3 s)) / 6 (a narrower window is too noisy in skewed tails)."""
    t = np.sort(t[np.isfinite(t)])
    s = np.sqrt(alpha * (1 - alpha) / len(t))
    return (np.quantile(t, min(alpha + 3 * s, 1)) - np.quantile(t, max(alpha - 3 * s, 0))) / 6


@pytest.mark.parametrize("case", list(DATA))
def test_bootstrap_agrees_with_lavaan_within_monte_carlo_error(ours, case):
    boot, params = ours[case]
    lav = pd.DataFrame(FIX[case]["perc"])
    assert boot.failed == FIX[case]["failed"] == 0
    ok = boot.status != FAILED
    compared = 0
    for i, row in params.iterrows():
        lrow = lav.iloc[i]
        assert (lrow["lhs"], lrow["op"], lrow["rhs"]) == (row["lhs"], row["op"], row["rhs"])
        if boot.rows["kind"].iat[i] == "fixed":
            assert row["se"] == 0 and lrow["se"] == 0
            continue
        t = boot.est[ok, i]
        for col, lcol, alpha in (("ci_lower", "ci.lower", 0.025), ("ci_upper", "ci.upper", 0.975)):
            tol = MC_SIGMAS * np.sqrt(2) * _quantile_mc_se(t, alpha)
            assert abs(row[col] - lrow[lcol]) < tol, (row["lhs"], row["op"], row["rhs"], col)
        assert abs(row["se"] / lrow["se"] - 1) < MC_SIGMAS * np.sqrt(2 / boot.converged)
        compared += 1
    assert compared == int((boot.rows["kind"] != "fixed").sum())
    # the Bollen-Stine p: binomial SE of two independent shares of R replicates
    bs = FIX[case]["bollen_stine"]
    assert boot.block()["bollen_stine"]["chisq"] == pytest.approx(bs["chisq"], rel=1e-7)
    p, q = boot.bollen_stine_pvalue, bs["pvalue"]
    assert abs(p - q) < MC_SIGMAS * np.sqrt(2 * q * (1 - q) / bs["boot_length"])


def test_bca_near_lavaans_regression_bca(ours):
    """lavaan's boot.ci.type = "bca" estimates the acceleration by regression on the resampling
    frequencies, ours by the jackknife: the same quantity, so the intervals agree within
    Monte Carlo error (five-stage: lavaan 0.6.14 fails with one `:=` parameter)."""
    assert not FIX["five_stage"]["bca_lavaan"]
    boot, params = ours["political_democracy"]
    lav = pd.DataFrame(FIX["political_democracy"]["bca_lavaan"])
    ok = boot.status != FAILED
    for i, row in params.iterrows():
        if row["op"] not in ("~", ":="):
            continue
        t = boot.est[ok, i]
        for col, lcol, alpha in (("ci_lower_bca", "ci.lower", 0.025), ("ci_upper_bca", "ci.upper", 0.975)):
            tol = MC_SIGMAS * np.sqrt(2) * _quantile_mc_se(t, alpha)
            assert abs(row[col] - lav[lcol].iat[i]) < tol, (row["lhs"], row["rhs"], col)
