"""Monte Carlo power against theory: the z-test's analytic power, CI coverage, and
chunking (identical aggregates however the replicates are split)."""
import numpy as np
import pytest
from scipy.stats import norm

from alianza.power import PowerSettings, PowerStudy, aggregate, chunk_tasks
from alianza.power.moments import from_lavaan

# standardized two-factor population, correctly specified by the marker-scaled analysis model
CFA_POPULATION = """
F1 =~ 0.8*y1 + 0.7*y2 + 0.6*y3
F2 =~ 0.7*y4 + 0.6*y5 + 0.75*y6
F1 ~~ 0.4*F2
y1 ~~ 0.36*y1
y2 ~~ 0.51*y2
y3 ~~ 0.64*y3
y4 ~~ 0.51*y4
y5 ~~ 0.64*y5
y6 ~~ 0.4375*y6
"""
CFA_MODEL = "F1 =~ y1 + y2 + y3\nF2 =~ y4 + y5 + y6\n"


def test_single_path_power_matches_the_analytic_z_test():
    # y = 0.25 x + e, Var(x) = Var(e) = 1: the ML z-test of the slope has noncentrality
    # 0.25 sqrt(n), so power = Phi(0.25 sqrt(n) - z) + Phi(-0.25 sqrt(n) - z), z = qnorm(0.975)
    reps = 1000
    study = PowerStudy.build("y ~ b*x", from_lavaan("y ~ 0.25*x"),
                             PowerSettings(n=[50, 100], reps=reps, seed=11))
    results = aggregate(study.run())
    z = norm.ppf(0.975)
    for block in results["results"]:
        assert block["converged"] == reps
        p = block["parameters"][0]
        assert (p["lhs"], p["op"], p["rhs"], p["label"]) == ("y", "~", "x", "b")
        assert p["true"] == pytest.approx(0.25, abs=1e-9)
        delta = 0.25 * np.sqrt(block["n"])
        analytic = norm.cdf(delta - z) + norm.cdf(-delta - z)
        mc_error = np.sqrt(analytic * (1 - analytic) / reps)
        assert abs(p["power"] - analytic) < 3 * mc_error, (block["n"], p["power"], analytic)


def test_type_one_error_is_alpha_under_the_null():
    reps = 1000
    study = PowerStudy.build("y ~ b*x", from_lavaan("y ~ 0*x"), PowerSettings(n=[200], reps=reps, seed=5))
    p = aggregate(study.run())["results"][0]["parameters"][0]
    assert abs(p["power"] - 0.05) < 3 * np.sqrt(0.05 * 0.95 / reps)
    assert p["rel_bias"] is None              # true value 0: no relative bias


def test_coverage_bias_and_se_ratio_in_a_correct_model():
    reps = 400
    study = PowerStudy.build(CFA_MODEL, from_lavaan(CFA_POPULATION),
                             PowerSettings(n=[250], reps=reps, seed=7))
    block = aggregate(study.run())["results"][0]
    assert block["converged"] == reps
    params = block["parameters"]
    coverage = np.array([p["coverage"] for p in params])
    # each share is binomial(400, .95): sd 0.011; their mean has a smaller error
    assert 0.93 <= coverage.mean() <= 0.97, coverage
    assert coverage.min() >= 0.90 and coverage.max() <= 0.99, coverage
    for p in params:
        assert abs(p["rel_bias"]) < 0.05, p
        assert 0.85 < p["se_ratio"] < 1.15, p


def test_true_values_are_the_population_in_marker_scaling():
    study = PowerStudy.build(CFA_MODEL, from_lavaan(CFA_POPULATION), PowerSettings(n=[100], reps=1, seed=1))
    true = {(k["lhs"], k["op"], k["rhs"]): v for k, v in zip(study.analysis.keys(), study.truth.values)}
    # marker scaling: loading_j / loading_marker, factor variance loading_marker^2
    assert true[("F1", "=~", "y2")] == pytest.approx(0.7 / 0.8, abs=1e-7)
    assert true[("F2", "=~", "y6")] == pytest.approx(0.75 / 0.7, abs=1e-7)
    assert true[("F1", "~~", "F1")] == pytest.approx(0.64, abs=1e-7)
    assert true[("F1", "~~", "F2")] == pytest.approx(0.4 * 0.8 * 0.7, abs=1e-7)
    assert true[("y3", "~~", "y3")] == pytest.approx(0.64, abs=1e-7)
    assert study.truth.fmin == pytest.approx(0.0, abs=1e-12) and study.truth.rmsea == pytest.approx(0.0, abs=1e-5)


def test_a_misspecified_model_has_pseudo_true_values_and_population_misfit():
    # one factor for two correlated factors: the estimates converge to the values minimizing fmin
    study = PowerStudy.build("F =~ y1 + y2 + y3 + y4 + y5 + y6", from_lavaan(CFA_POPULATION),
                             PowerSettings(n=[100], reps=1, seed=1))
    assert study.truth.fmin > 0.05 and study.truth.rmsea > 0.1


MEDIATION_POPULATION = "m ~ 0.3*x\ny ~ 0.3*m\n"
MEDIATION_MODEL = "m ~ a*x\ny ~ b*m\nab := a*b\n"


def _chunk_study(**kw):
    settings = PowerSettings(n=[40, 80], reps=9, seed=2024, missing_rate=0.1, mc_draws=500, **kw)
    return PowerStudy.build(MEDIATION_MODEL, from_lavaan(MEDIATION_POPULATION), settings)


def test_chunking_gives_identical_aggregates():
    study = _chunk_study()
    whole = aggregate(study.run(chunk_tasks(study.settings, 1, 0)))
    split = aggregate([study.run(chunk_tasks(study.settings, 3, c)) for c in range(3)])
    assert whole == split
    # replicates in another order, in other processes: the same numbers
    assert aggregate(study.run(jobs=2)) == whole
    block = whole["results"][0]
    assert block["mean_n_used"] < 40          # MCAR cells, listwise deletion
    ab = next(p for p in block["parameters"] if p["label"] == "ab")
    assert ab["ci_power"] is not None and ab["true"] == pytest.approx(0.09, abs=1e-9)
    assert set(whole["min_n_80"]) == {"a", "b", "ab"} and set(whole["min_n_80_ci"]) == {"ab"}


def test_the_seed_changes_the_numbers_and_chunks_must_cover_the_study():
    study = _chunk_study()
    other = PowerStudy.build(MEDIATION_MODEL, study.moments,
                             PowerSettings(n=[40, 80], reps=9, seed=2025, missing_rate=0.1, mc_draws=500))
    assert aggregate(study.run()) != aggregate(other.run())
    from alianza.errors import ConfigError

    with pytest.raises(ConfigError, match="exactly once"):
        aggregate([study.run(chunk_tasks(study.settings, 3, c)) for c in (0, 2)])
    with pytest.raises(ConfigError, match="different studies"):
        aggregate([study.run(chunk_tasks(study.settings, 2, 0)), other.run(chunk_tasks(other.settings, 2, 1))])
