"""The fast replicate fitter gives alianza.sem.fit's estimates and standard errors (which
match lavaan's: tests/parity), from sample moments, without the rest of a full fit."""
import numpy as np
import pandas as pd
import pytest

from alianza.power import PowerSettings, PowerStudy, load_population_moments
from alianza.power.generate import MONTE_CARLO, replicate_streams
from alianza.power.moments import from_lavaan
from alianza.power.replicate import fit_with_sem, moments_stats
from alianza.sem import fit
from alianza.workflow import model_text
from tests.conftest import ROOT

FIVE_STAGE = model_text([ROOT / "config" / "models" / "measurement.lav", ROOT / "config" / "models" / "five_stage.lav"])
# means, a fixed.x covariate, a residual covariance, an equality constraint and a := effect
MIXED_MODEL = """
F =~ y1 + l*y2 + l*y3
F ~ g*x
y4 ~ F + x
y1 ~~ y4
y1 ~ 1
gl := g*l
"""
MIXED_POPULATION = "F =~ 0.8*y1 + 0.7*y2 + 0.7*y3\nF ~ 0.4*x\ny4 ~ 0.5*F + 0.2*x\ny1 ~~ 0.1*y4\ny1 ~ 0.3*1\n"


@pytest.fixture(scope="module")
def population():
    return load_population_moments(ROOT / "config" / "population.yaml", ROOT / "config" / "codebook.yaml")


def _study(model, moments, **kw):
    return PowerStudy.build(model, moments, PowerSettings(n=[150], reps=1, seed=3, **kw))


def _replicate(study, n, rep):
    streams = replicate_streams(study.settings.seed, n, rep)
    x = study.generator.draw(n, streams)
    return x, streams


@pytest.mark.parametrize("case", ["five_stage_likert", "mixed_continuous"])
def test_fast_fit_equals_sem_fit(case, population):
    if case == "five_stage_likert":
        study = _study(FIVE_STAGE, population, likert=True)
    else:
        study = _study(MIXED_MODEL, from_lavaan(MIXED_POPULATION))
    x, streams = _replicate(study, 150, 0)
    fast = study._fast.fit(moments_stats(x, study.analysis.observed), streams[MONTE_CARLO])
    full = fit(study.analysis.parsed, pd.DataFrame(x, columns=study.analysis.observed))
    rows = study.analysis.rows
    est, se = full.params["est"].to_numpy()[rows], full.params["se"].to_numpy()[rows]
    assert fast.converged and full.converged and not fast.improper
    # the fast path stops within ~1e-5 standard errors of the optimum
    np.testing.assert_allclose(fast.est, est, atol=1e-4 * se.min())
    np.testing.assert_allclose(fast.se, se, rtol=1e-4)
    # the same replicate through the general path (what other estimators use) agrees too
    general = fit_with_sem(study.analysis, x, "ML", mc_rng=replicate_streams(3, 150, 0)[MONTE_CARLO])
    np.testing.assert_allclose(general.est, est, atol=1e-9)
    defined = study.analysis.defined
    np.testing.assert_allclose(general.mc_lower[defined], fast.mc_lower[defined], rtol=1e-3)


def test_a_batch_of_replicates_equals_each_replicate_fitted_alone():
    """FastML fits a batch at once (the bootstrap's refit on the shared derivative engine): each
    replicate gets the numbers it gets alone, at the optimum alianza.sem.fit reaches."""
    study = _study(MIXED_MODEL, from_lavaan(MIXED_POPULATION))
    observed = study.analysis.observed
    xs = [_replicate(study, 150, r)[0] for r in range(5)]
    stats = [moments_stats(x, observed) for x in xs]
    batch = study._fast.fit_batch(stats, [replicate_streams(3, 150, r)[MONTE_CARLO] for r in range(5)])
    rows = study.analysis.rows
    for r, x in enumerate(xs):
        alone = study._fast.fit(stats[r], replicate_streams(3, 150, r)[MONTE_CARLO])
        for field in ("est", "se", "mc_lower", "mc_upper"):
            np.testing.assert_array_equal(getattr(batch[r], field), getattr(alone, field))
        assert batch[r].converged and batch[r].improper == alone.improper
        full = fit(study.analysis.parsed, pd.DataFrame(x, columns=observed))
        np.testing.assert_allclose(batch[r].est, full.params["est"].to_numpy()[rows], atol=1e-8)
        np.testing.assert_allclose(batch[r].se, full.params["se"].to_numpy()[rows], rtol=1e-7)


def test_unusable_replicates_count_as_not_converged():
    # too few complete rows after MCAR deletion, and a constant column
    study = PowerStudy.build("y ~ x", from_lavaan("y ~ 0.3*x"),
                             PowerSettings(n=[3], reps=4, seed=1, missing_rate=0.6))
    records = study.run()["records"]
    assert not any(r["converged"] for r in records)
    assert all(r["est"] == [None, None] for r in records)
    assert moments_stats(np.column_stack([np.ones(10), np.arange(10.0)]), ["a", "b"]) is None


def test_other_estimators_are_passed_to_sem_fit():
    from alianza.errors import ConfigError

    study = PowerStudy.build("y ~ x", from_lavaan("y ~ 0.3*x"), PowerSettings(n=[50], reps=1, seed=1,
                                                                             estimator="NOSUCH"))
    with pytest.raises(ConfigError):
        study.run()


def _estimator_available(name, **kw):
    from alianza.errors import ConfigError

    data = pd.DataFrame(np.random.default_rng(0).integers(1, 6, size=(60, 3)).astype(float), columns=["a", "b", "c"])
    try:
        fit("F =~ a + b + c", data, estimator=name, **kw)
    except (ConfigError, TypeError):
        return False
    return True


def test_robust_estimator_rows_are_matched_by_name():
    # MLR's point estimates are ML's: the same numbers through the general path, other SEs
    if not _estimator_available("MLR"):
        pytest.skip("alianza.sem.fit has no MLR yet")
    study = _study(MIXED_MODEL.replace("F ~ g*x\n", "").replace("y4 ~ F + x\n", "y4 ~ F\n")
                   .replace("gl := g*l\n", "ll := l*l\n"), from_lavaan(MIXED_POPULATION))
    x, streams = _replicate(study, 150, 2)
    fast = study._fast.fit(moments_stats(x, study.analysis.observed), streams[MONTE_CARLO])
    robust = fit_with_sem(study.analysis, x, "MLR", mc_rng=replicate_streams(3, 150, 2)[MONTE_CARLO])
    se = fast.se[np.isfinite(fast.se)]
    np.testing.assert_allclose(robust.est, fast.est, atol=1e-4 * se.min())
    assert np.all(np.isfinite(robust.se)) and not np.allclose(robust.se, fast.se)
    assert np.isfinite(robust.mc_lower[study.analysis.defined]).all()


def test_ordinal_estimator_reports_only_its_own_parameters(population):
    if not _estimator_available("WLSMV", ordered="all"):
        pytest.skip("alianza.sem.fit has no WLSMV yet")
    model = "E1 =~ e1_1 + e1_2 + e1_3 + e1_4\nE2 =~ e2_1 + e2_2 + e2_3 + e2_4\nE2 ~ h1*E1\n"
    study = _study(model, population, likert=True, estimator="WLSMV")
    true = dict(zip(((k["lhs"], k["op"], k["rhs"]) for k in study.analysis.keys()), study.truth.values))
    # truth from the latent-response correlations: marker-scaled loadings are ratios of the population's
    assert true[("E1", "=~", "e1_2")] == pytest.approx(0.72 / 0.78, abs=1e-7)
    assert true[("E1", "=~", "e1_4")] == pytest.approx(0.62 / 0.78, abs=1e-7)
    x, streams = _replicate(study, 150, 0)
    rep = fit_with_sem(study.analysis, x, "WLSMV")
    keys = study.analysis.keys()
    loading = [i for i, k in enumerate(keys) if k["op"] == "=~"]
    residual = [i for i, k in enumerate(keys) if k["op"] == "~~" and k["lhs"] == k["rhs"] and k["lhs"].startswith("e")]
    assert rep.converged and np.isfinite(rep.est[loading]).all()
    assert np.isnan(rep.est[residual]).all()      # delta parameterization: not parameters
