"""Sample statistics of ordered and continuous items together (sem/data/categorical.py,
sem/data/polyserial.py, sem/data/probit.py): the two-step estimates are maxima of their likelihoods, recover the
correlation of simulated latent data, and the asymptotic covariance agrees with the spread of the
statistics over simulated samples. Parity with lavaan's WLS.obs is in tests/parity/test_lavaan_mixed.py."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from alianza.sem.data.categorical import categorical_stats, ordinal_stats
from alianza.sem.data.polyserial import pearson_scores, polyserial_fit, polyserial_scores
from alianza.sem.data.polychoric import polychoric_rows
from alianza.sem.data.probit import bounds, indicator, linear_regression, ordinal_probit

CUTS = np.array([-0.8, 0.1, 0.9])


def _sample(n, rho, seed):
    """(continuous y, ordered codes 0..3) from a standard bivariate normal with correlation rho."""
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
    return 2.0 + 3.0 * z[:, 0], np.searchsorted(CUTS, z[:, 1])


def _thresholds(codes):
    return sps.norm.ppf(np.cumsum(np.bincount(codes, minlength=4))[:-1] / len(codes))


def test_polyserial_recovers_the_latent_correlation_and_its_score_vanishes():
    y, codes = _sample(4000, 0.55, 1)
    mean, var = y.mean(), y.var()
    tau = _thresholds(codes)
    z1, z2 = bounds(codes, tau, 0.0)
    rho = polyserial_fit(y - mean, var, z1, z2)
    assert rho == pytest.approx(0.55, abs=0.03)
    s = polyserial_scores(y - mean, var, z1, z2, indicator(codes, 3, 0), indicator(codes, 3, 1), rho)
    assert abs(s.rho.sum()) < 1e-5 * len(y)
    # the score of rho is the derivative of the casewise log-likelihood (checked by differences)
    h = 1e-6
    ll = [np.log(sps.norm.pdf(y, mean, np.sqrt(var))) + np.log(
        sps.norm.cdf((np.r_[tau, 100][codes] - r * (y - mean) / np.sqrt(var)) / np.sqrt(1 - r * r))
        - sps.norm.cdf((np.r_[-100, tau][codes] - r * (y - mean) / np.sqrt(var)) / np.sqrt(1 - r * r)))
        for r in (rho - h, rho + h)]
    assert np.allclose((ll[1] - ll[0]) / (2 * h), s.rho, atol=1e-4)


def test_pearson_scores_vanish_at_the_ml_estimates():
    rng = np.random.default_rng(2)
    x = rng.multivariate_normal([1, -1], [[2, 0.9], [0.9, 1.5]], size=500)
    m, v = x.mean(axis=0), x.var(axis=0)
    rho = float(np.mean((x[:, 0] - m[0]) * (x[:, 1] - m[1])) / np.sqrt(v[0] * v[1]))
    s = pearson_scores(x[:, 0] - m[0], v[0], x[:, 1] - m[1], v[1], rho)
    for score in (s.rho, s.mu1, s.mu2, s.var1, s.var2):
        assert abs(score.sum()) < 1e-8 * len(x)


def _mixed_data(n, seed):
    rng = np.random.default_rng(seed)
    cov = np.array([[1, .5, .4, .3], [.5, 1, .45, .35], [.4, .45, 1, .5], [.3, .35, .5, 1]])
    z = rng.multivariate_normal(np.zeros(4), cov, size=n)
    x = z.copy()
    x[:, 0] = np.searchsorted(CUTS, z[:, 0]) + 1
    x[:, 1] = np.searchsorted(CUTS[:2], z[:, 1]) + 1
    x[:, 2] = 10 + 2 * z[:, 2]
    x[:, 3] = -1 + 0.5 * z[:, 3]
    return x


def test_wls_obs_layout_follows_lavaan():
    x = _mixed_data(1500, 3)
    st = categorical_stats(x, ["o1", "o2", "c1", "c2"], ["o1", "o2"])
    i, j = st.pairs
    n_th = 3 + 2
    assert len(st.th) == n_th + 2 and st.n_univariate == n_th + 4
    # thresholds then minus the means, item by item; the continuous variances; covariances
    assert np.allclose(st.wls_obs[n_th:n_th + 2], -x[:, 2:].mean(axis=0))
    assert np.allclose(st.wls_obs[n_th + 2:n_th + 4], x[:, 2:].var(axis=0))
    assert st.cov[3, 2] == pytest.approx(np.cov(x[:, 2], x[:, 3], bias=True)[0, 1])
    assert np.allclose(st.wls_obs[n_th + 4:], st.cov[i, j])
    # the continuous-continuous covariance of Gamma is the normal-theory one: N var(s_23) = v2 v3 + c23^2
    k = n_th + 4 + int(np.flatnonzero((i == 3) & (j == 2))[0])
    kurt_free = st.var[2] * st.var[3] + st.cov[2, 3] ** 2
    assert st.gamma[k, k] == pytest.approx(kurt_free, rel=0.15)
    # with every item ordered the statistics are those of ordinal_stats
    allord = ordinal_stats(x[:, :2], ["o1", "o2"])
    assert np.allclose(allord.wls_obs, categorical_stats(x[:, :2], ["o1", "o2"], ["o1", "o2"]).wls_obs)


def test_gamma_matches_the_spread_over_simulated_samples():
    """Gamma / N is the asymptotic covariance of the statistics: compare with 150 replicates."""
    n = 600
    reps = np.array([categorical_stats(_mixed_data(n, 100 + r), ["o1", "o2", "c1", "c2"], ["o1", "o2"]).wls_obs
                     for r in range(150)])
    gamma = categorical_stats(_mixed_data(20000, 7), ["o1", "o2", "c1", "c2"], ["o1", "o2"]).gamma
    assert np.allclose(reps.var(axis=0) * n / np.diag(gamma), 1.0, atol=0.3)


def _probit_data(n, seed, rho=0.0):
    """Two ordered items y* = x'beta + e (e correlated rho), one continuous covariate and a dummy."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(0, 1, n), rng.integers(0, 2, n)]).astype(float)
    e = rng.multivariate_normal([0, 0], [[1, rho], [rho, 1]], size=n)
    y1 = X @ [0.6, -0.5] + e[:, 0]
    y2 = X @ [-0.3, 0.4] + e[:, 1]
    return X, np.searchsorted(CUTS, y1), np.searchsorted(CUTS, y2)


def test_ordinal_probit_recovers_thresholds_and_slopes_at_a_zero_score():
    X, codes, _ = _probit_data(5000, 4)
    fit = ordinal_probit(codes, X)
    assert np.allclose(fit.tau, CUTS, atol=0.08) and np.allclose(fit.beta, [0.6, -0.5], atol=0.08)
    assert np.allclose(fit.scores_th.sum(axis=0), 0, atol=1e-6) and np.allclose(fit.scores_sl.sum(axis=0), 0,
                                                                                atol=1e-6)
    # without covariates the probit's thresholds are the normal quantiles of the cumulative proportions
    assert np.allclose(ordinal_probit(codes, np.zeros((len(codes), 0))).tau, _thresholds(codes), atol=1e-8)


def test_residual_polychoric_given_covariates_recovers_rho():
    X, c1, c2 = _probit_data(3000, 5, rho=0.45)
    f1, f2 = ordinal_probit(c1, X), ordinal_probit(c2, X)
    rho, s = polychoric_rows(f1, f2)
    assert rho == pytest.approx(0.45, abs=0.05)
    assert abs(s.rho.sum()) < 1e-4 * len(c1)
    # the covariates explain the raw association: the residual correlation is not the marginal one
    none = np.zeros((len(c1), 0))
    marginal = polychoric_rows(ordinal_probit(c1, none), ordinal_probit(c2, none))[0]
    assert abs(marginal - rho) > 0.05


def test_linear_regression_is_ols_with_ml_variance():
    X, _, _ = _probit_data(400, 6)
    y = 1.0 + X @ [2.0, -1.0] + np.random.default_rng(7).normal(0, 0.5, 400)
    fit = linear_regression(y, X)
    coef = np.linalg.lstsq(np.column_stack([np.ones(400), X]), y, rcond=None)[0]
    assert np.allclose(np.r_[fit.intercept, fit.beta], coef)
    assert fit.var == pytest.approx(np.mean(fit.resid ** 2))
    assert abs(fit.scores_var.sum()) < 1e-8 and np.allclose(fit.scores_sl.sum(axis=0), 0, atol=1e-8)
