"""The power study's population: y* moments, Likert codes, reverse keys, lavaan-syntax populations."""
import numpy as np
import pytest

from alianza.codebook import load_codebook
from alianza.errors import ConfigError
from alianza.population import category_probabilities, implied_item_correlation, load_population
from alianza.power.generate import DataGenerator, replicate_streams
from alianza.power.moments import PopulationMoments, from_lavaan, from_population, load_population_moments
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def population():
    return load_population(ROOT / "config" / "population.yaml", load_codebook(ROOT / "config" / "codebook.yaml"))


def test_population_yaml_gives_the_implied_item_correlations(population):
    m = from_population(population)
    corr = implied_item_correlation(population)
    assert m.observed == list(corr.index)
    np.testing.assert_array_equal(m.cov, corr.to_numpy())
    assert not m.mean.any()


def test_code_means_and_variances_follow_the_category_probabilities(population):
    # exact: E x = sum c P(c), Var x = sum c^2 P(c) - (E x)^2, from the thresholds;
    # a reverse-keyed item is recoded 6 - x, so its recoded codes have the mirrored probabilities
    m = from_population(population)
    mean, cov = m.code_moments()
    codes = np.arange(1, 6)
    for item in ("e1_1", "e1_4", "co_2", "e2_4"):
        probs = category_probabilities(population, item)
        if population.codebook.variable(item).reverse:
            probs = probs[::-1]
        j = m.observed.index(item)
        assert mean[j] == pytest.approx(codes @ probs, abs=1e-12)
        assert cov[j, j] == pytest.approx(codes ** 2 @ probs - (codes @ probs) ** 2, abs=1e-12)


def test_code_covariances_agree_with_a_large_simulation(population):
    m = from_population(population).subset(["e1_1", "e1_4", "e2_2", "co_4"])
    mean, cov = m.code_moments()
    gen = DataGenerator(m, likert=True)
    x = gen.draw(200_000, replicate_streams(99, 200_000, 0))
    sample = np.cov(x.T)
    # sampling sd of a covariance of variables with variance ~1 is ~ 1 / sqrt(N) = 0.0022
    np.testing.assert_allclose(sample, cov, atol=0.01)
    np.testing.assert_allclose(x.mean(axis=0), mean, atol=0.01)
    assert set(np.unique(x)) <= {1.0, 2.0, 3.0, 4.0, 5.0}


def test_independent_items_have_zero_code_covariance():
    m = PopulationMoments(["a", "b"], np.eye(2), np.zeros(2), {"a": np.array([-1.0, 0.5]), "b": np.array([0.0, 1.0])},
                          {"a": np.array([1.0, 2.0, 3.0]), "b": np.array([0.0, 1.0, 2.0])})
    _, cov = m.code_moments()
    assert cov[0, 1] == 0.0


def test_lavaan_population_implied_covariance():
    # Sigma = Lambda Psi Lambda' + Theta, unspecified residual variances 1 (simulateData's default)
    m = from_lavaan("F =~ 0.8*x1 + 0.6*x2 + 0.7*x3\nF ~~ 2*F\nx3 ~~ 0.5*x3\ny ~ 0.3*x1")
    lam = np.array([0.8, 0.6, 0.7])
    expected = 2 * np.outer(lam, lam) + np.diag([1.0, 1.0, 0.5])
    idx = [m.observed.index(v) for v in ("x1", "x2", "x3")]
    np.testing.assert_allclose(m.cov[np.ix_(idx, idx)], expected, atol=1e-12)
    y = m.observed.index("y")
    assert m.cov[y, y] == pytest.approx(0.09 * m.cov[idx[0], idx[0]] + 1.0)
    assert not m.likert_available


def test_lavaan_population_needs_every_loading_value(tmp_path):
    with pytest.raises(ConfigError, match="give a value for F =~ x1"):
        from_lavaan("F =~ x1 + 0.6*x2 + 0.7*x3")
    path = tmp_path / "pop.lav"
    path.write_text("y ~ 0.3*x\n")
    assert load_population_moments(path).observed == ["y", "x"]
    with pytest.raises(ConfigError, match="no such population file"):
        load_population_moments(tmp_path / "missing.yaml")


def test_subset_names_variables_missing_from_the_population():
    m = from_lavaan("y ~ 0.3*x")
    with pytest.raises(ConfigError, match="not in the population model: z"):
        m.subset(["y", "z"])
