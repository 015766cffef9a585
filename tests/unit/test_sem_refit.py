"""Batched refitting (sem/estimation/refit.py): the derivatives it uses, and that every replicate
reaches the optimum a cold fit finds, whatever batch it is in."""
import numpy as np
import pandas as pd
import pytest

from alianza.sem.estimation.estimate import fit_ml, start_values
from alianza.sem.matrices.model import SemModel, ml_gradient_information, ml_objective
from alianza.sem.spec.partable import build_partable
from alianza.sem.matrices.derivatives import BatchedML
from alianza.sem.estimation.refit import FAILED, FALLBACK, FAST, refit, start_hessian
from alianza.sem.data.samplestats import SampleStats, sample_stats, select_complete
from alianza.sem.spec.syntax import parse_model
from alianza.workflow import model_text
from tests.conftest import FIXTURES, REFERENCE, ROOT

HS = REFERENCE / "HolzingerSwineford1939.csv"
CASES = {
    "hs_cfa": ((REFERENCE / "hs_cfa.lav").read_text(), HS),
    "pd_sem": ((REFERENCE / "pd_sem.lav").read_text(), REFERENCE / "PoliticalDemocracy.csv"),
    # mean structure, an equality label across a latent and an observed regression, and
    # fixed.x covariates (ageyr, sex) whose moments are the replicate's own
    "means_labels_fixed_x": ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n"
                             "visual ~ a*textual + ageyr\nx7 ~ visual + a*sex\nx7 ~ 1", HS),
    "five_stage": (model_text([str(ROOT / "config/models/measurement.lav"),
                               str(ROOT / "config/models/five_stage.lav")]), FIXTURES / "waves" / "pooled.csv"),
}


def _setup(name):
    text, path = CASES[name]
    table, names = build_partable(parse_model(text))
    ms = bool((table["op"] == "~1").any())
    model = SemModel(table, names, ms)
    data = select_complete(pd.read_csv(path), names.ov).data
    stats = sample_stats(data, names.ov)
    model.set_exogenous(stats)
    est = fit_ml(model, stats, model.theta_from_rows(start_values(model, stats)))
    return model, stats, est.theta, data.to_numpy(dtype=float)


def _hessian_fd(model, stats, theta):
    """Central differences of model.py's analytic gradient (independent of derivatives.py)."""
    k = len(theta)
    hess = np.zeros((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = 1e-6 * max(1.0, abs(theta[i]))
        hess[i] = (ml_gradient_information(model, theta + e, stats, info=False)[0]
                   - ml_gradient_information(model, theta - e, stats, info=False)[0]) / (2 * e[i])
    return 0.5 * (hess + hess.T)


def _resampled(X, count, seed):
    rng = np.random.default_rng(seed)
    n = len(X)
    covs, means = [], []
    for _ in range(count):
        x = X[rng.integers(0, n, n)]
        m = x.mean(axis=0)
        covs.append((x - m).T @ (x - m) / n)
        means.append(m)
    return np.array(covs), np.array(means)


@pytest.mark.parametrize("name", list(CASES))
def test_discrepancy_gradient_information_hessian(name):
    """f, gradient and expected information equal model.py's; the analytic observed Hessian
    equals central differences of the analytic gradient (away from the optimum, where the
    terms in S - Sigma matter)."""
    model, stats, theta, _ = _setup(name)
    th = theta + 0.02 * np.sin(np.arange(model.npar))
    engine = BatchedML(model)
    ev = engine.evaluate(th[None], stats.cov[0][None], stats.mean[0][None],
                         np.linalg.slogdet(stats.cov[0][None])[1], order=2)
    grad, info = ml_gradient_information(model, th, stats)
    assert ev.f[0] == pytest.approx(ml_objective(model, th, stats), abs=1e-13)
    np.testing.assert_allclose(ev.grad[0], grad, atol=1e-13)
    np.testing.assert_allclose(ev.info[0], info, atol=1e-12)
    fd = _hessian_fd(model, stats, th)
    np.testing.assert_allclose(ev.hess[0], fd, atol=1e-7 * max(1.0, np.abs(fd).max()))
    assert not np.allclose(ev.hess[0], ev.info[0], atol=1e-3)     # observed != expected here


@pytest.mark.parametrize("name", ["five_stage", "means_labels_fixed_x"])
def test_each_replicate_reaches_the_cold_fit_optimum(name):
    model, stats, theta, X = _setup(name)
    covs, means = _resampled(X, 6, seed=3)
    engine = BatchedML(model)
    n = len(X)
    res = refit(engine, theta, covs, means, n, hessian0=start_hessian(engine, theta, stats.cov[0], stats.mean[0]))
    assert (res.status == FAST).all()
    for b in range(len(covs)):
        s = SampleStats.from_moments([covs[b]], [means[b]], [n], model.names.ov)
        m = SemModel(model.table, model.names, model.meanstructure)
        m.set_exogenous(s)                              # fixed.x: this replicate's covariates
        cold = fit_ml(m, s, m.theta_from_rows(start_values(m, s)))
        assert cold.converged
        np.testing.assert_allclose(res.theta[b], cold.theta, atol=1e-8)
        assert res.fmin[b] == pytest.approx(cold.fmin, abs=1e-12)


def test_results_do_not_depend_on_the_batch():
    model, stats, theta, X = _setup("five_stage")
    covs, means = _resampled(X, 9, seed=5)
    engine = BatchedML(model)
    h0 = start_hessian(engine, theta, stats.cov[0], stats.mean[0])
    whole = refit(engine, theta, covs, means, len(X), hessian0=h0)
    parts = [refit(engine, theta, covs[i:i + 4], means[i:i + 4], len(X), hessian0=h0) for i in (0, 4, 8)]
    np.testing.assert_array_equal(whole.theta, np.concatenate([p.theta for p in parts]))
    np.testing.assert_array_equal(whole.fmin, np.concatenate([p.fmin for p in parts]))


def test_fast_path_failures_go_to_the_full_optimizer_or_are_reported():
    model, stats, theta, X = _setup("hs_cfa")
    covs, means = _resampled(X, 3, seed=8)
    engine = BatchedML(model)
    h0 = start_hessian(engine, theta, stats.cov[0], stats.mean[0])
    # one Newton step is not enough: the full optimizer finishes each replicate
    res = refit(engine, theta, covs, means, len(X), hessian0=h0, max_iter=1)
    assert (res.status == FALLBACK).all()
    exact = refit(engine, theta, covs, means, len(X), hessian0=h0)
    np.testing.assert_allclose(res.theta, exact.theta, atol=1e-7)
    # a singular covariance matrix (a variable duplicated) cannot be fitted: failed, NaN, counted
    bad = covs.copy()
    bad[1][:, 1] = bad[1][:, 0]
    bad[1][1, :] = bad[1][0, :]
    res = refit(engine, theta, bad, means, len(X), hessian0=h0)
    assert list(res.status) == [FAST, FAILED, FAST]
    assert np.isnan(res.theta[1]).all() and np.isnan(res.fmin[1])
    assert res.converged.sum() == 2


def test_multigroup_models_are_refused_with_a_clear_error():
    model, *_ = _setup("hs_cfa")
    model.cells = model.cells * 2                  # what a two-group SemModel looks like here
    from alianza.errors import ConfigError

    with pytest.raises(ConfigError, match="multi-group"):
        BatchedML(model)
