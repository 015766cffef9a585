"""Reliability formulas against their closed forms."""
import numpy as np
import pandas as pd
import pingouin
import pytest

from alianza.validity import reliability


def test_alpha_of_compound_symmetry_is_spearman_brown():
    k, r = 5, 0.3
    S = np.full((k, k), r)
    np.fill_diagonal(S, 1.0)
    assert reliability.alpha_from_cov(S) == pytest.approx(k * r / (1 + (k - 1) * r), rel=1e-12)


def test_alpha_equals_omega_under_tau_equivalence():
    lam, phi, theta = np.array([0.8, 0.8, 0.8, 0.8]), 1.3, np.array([0.5, 0.9, 0.4, 0.7])
    sigma = np.outer(lam, lam) * phi + np.diag(theta)
    assert reliability.omega_from(lam, phi, sigma) == pytest.approx(reliability.alpha_from_cov(sigma), rel=1e-12)


def test_feldt_interval_is_pingouins_unrounded():
    rng = np.random.default_rng(5)
    data = pd.DataFrame(rng.normal(size=(60, 4)) + rng.normal(size=(60, 1)))
    alpha, ci = reliability.cronbach_alpha(data)
    p_alpha, p_ci = pingouin.cronbach_alpha(data=data)
    assert alpha == pytest.approx(p_alpha, rel=1e-12)
    np.testing.assert_array_equal(np.round(ci, 3), p_ci)  # pingouin rounds its interval
    assert ci[0] < alpha < ci[1]


def test_cr_closed_form():
    l = np.array([0.7, 0.7, 0.7])
    assert reliability.composite_reliability(l) == pytest.approx(
        (3 * 0.7) ** 2 / ((3 * 0.7) ** 2 + 3 * (1 - 0.49)), rel=1e-12
    )


def _params(rows):
    return pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est", "std_all"])


def test_ave_undefined_with_cross_loading_and_single_indicator_dropped():
    """semTools: AVE is NA for a factor with a cross-loading indicator; 1-indicator factors are left out."""
    params = _params(
        [
            ("f", "=~", "a", 1.0, 0.7), ("f", "=~", "b", 0.9, 0.6), ("f", "=~", "c", 0.8, 0.6),
            ("g", "=~", "c", 0.3, 0.2), ("g", "=~", "d", 1.0, 0.7), ("g", "=~", "e", 1.1, 0.8),
            ("h", "=~", "x", 1.0, 1.0),
        ]
    )
    names = list("abcdex")
    sigma = pd.DataFrame(np.eye(6) + 0.2, index=names, columns=names)
    phi = pd.DataFrame(np.eye(3), index=list("fgh"), columns=list("fgh"))
    table = reliability.reliability_table(params, phi, sigma, {"f": list("abc"), "g": list("cde"), "h": ["x"]})
    assert list(table.index) == ["f", "g"]
    assert table["ave"].isna().all()
    assert table["omega"].notna().all()
    lam = np.array([1.0, 0.9, 0.8])
    S = sigma.loc[list("abc"), list("abc")].to_numpy()
    assert table.loc["f", "omega"] == pytest.approx(lam.sum() ** 2 / S.sum(), rel=1e-12)
