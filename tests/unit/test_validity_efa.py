"""EFA helpers, and the factor_analyzer 0.5.1 defects they work around (fail when a release fixes them)."""
import numpy as np
import pandas as pd
import pytest
from factor_analyzer import FactorAnalyzer

from alianza.validity import efa


def _two_factor_data(n=400, seed=1):
    rng = np.random.default_rng(seed)
    f = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=n)
    lam = np.array([[0.8, 0], [0.7, 0], [0.6, 0], [0.1, 0.7], [0, 0.8], [0, 0.6]])
    X = f @ lam.T + rng.normal(size=(n, 6)) * np.sqrt(1 - (lam**2).sum(axis=1))
    return pd.DataFrame(X, columns=[f"v{i}" for i in range(1, 7)])


@pytest.fixture(scope="module")
def data():
    return _two_factor_data()


def test_defect_factor_analyzer_fit_breaks_on_pinned_sklearn(data):
    """factor_analyzer 0.5.1 passes force_all_finite=, removed in scikit-learn 1.8."""
    with pytest.raises(TypeError, match="force_all_finite"):
        FactorAnalyzer(n_factors=2, rotation="oblimin").fit(data)
    import factor_analyzer.factor_analyzer as fa_module

    original = fa_module.check_array
    with efa._sklearn_compat():
        FactorAnalyzer(n_factors=2, rotation="oblimin").fit(data)
    assert fa_module.check_array is original


def test_defect_oblique_communalities_and_phi_order(data):
    """factor_analyzer ignores Phi in communalities and leaves phi_ unsorted; ours are rotation invariant."""
    with efa._sklearn_compat():
        rotated = FactorAnalyzer(n_factors=2, rotation="oblimin").fit(data)
        unrotated = FactorAnalyzer(n_factors=2, rotation=None).fit(data)
    ours = efa.efa(data, 2)
    h2_unrotated = unrotated.get_communalities()
    np.testing.assert_allclose(ours["communalities"], h2_unrotated, atol=1e-6)
    assert not np.allclose(rotated.get_communalities(), h2_unrotated, atol=1e-3)
    P, phi = ours["loadings"].to_numpy(), ours["factor_correlations"].to_numpy()
    np.testing.assert_allclose(P @ phi, rotated.structure_, atol=1e-10)
    assert ours["variance"]["ss_loadings"].sum() == pytest.approx(h2_unrotated.sum(), rel=1e-6)


def test_defect_phi_left_in_unsorted_order():
    """On HolzingerSwineford, the sort swaps factors and factor_analyzer's phi_ no longer fits P."""
    from tests.conftest import REFERENCE

    hs = pd.read_csv(REFERENCE / "HolzingerSwineford1939.csv")[[f"x{i}" for i in range(1, 10)]]
    with efa._sklearn_compat():
        fa = FactorAnalyzer(n_factors=3, rotation="oblimin").fit(hs)
    assert not np.allclose(fa.loadings_ @ fa.phi_, fa.structure_, atol=1e-3)
    ours = efa.efa(hs, 3)
    np.testing.assert_allclose(ours["loadings"].to_numpy() @ ours["factor_correlations"].to_numpy(), fa.structure_, atol=1e-10)


def test_parallel_analysis_is_seeded_and_finds_two_factors(data):
    a = efa.parallel_analysis(data, seed=42, n_iter=40)
    b = efa.parallel_analysis(data, seed=42, n_iter=40)
    c = efa.parallel_analysis(data, seed=43, n_iter=40)
    assert a == b
    assert a["eigen_pc_random"] != c["eigen_pc_random"]
    assert a["n_factors"] == 2 and a["n_components"] == 2


def test_leading_count_stops_at_first_failure():
    assert efa._leading_above(np.array([3, 0.5, 2]), np.array([1, 1, 1])) == 1
    assert efa._leading_above(np.array([3, 2]), np.array([1, 1])) == 2
    assert efa._leading_above(np.array([0.5, 2]), np.array([1, 1])) == 0


def test_first_eigen_share_of_equicorrelated_items():
    """Equicorrelation r among p items: lambda_1 = 1 + (p - 1) r."""
    p, r = 6, 0.35
    R = np.full((p, p), r)
    np.fill_diagonal(R, 1)
    X = np.random.default_rng(0).multivariate_normal(np.zeros(p), R, size=200)
    X = (X - X.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(X.T)).T) @ np.linalg.cholesky(R).T
    assert efa.first_eigen_share(pd.DataFrame(X)) == pytest.approx((1 + (p - 1) * r) / p, rel=1e-10)
