"""The n reaching 80% power: probit in sqrt(n) is the z-test's own power curve."""
import numpy as np
import pytest
from scipy.stats import norm

from alianza.power.minimum_n import min_n, probit_fit


def test_recovers_the_analytic_sample_size_of_a_z_test():
    # power of a one-sided-dominated z-test: Phi(delta sqrt(n) - z); 80% at n = ((z + z_.8) / delta)^2
    delta, z = 0.25, norm.ppf(0.975)
    grid = np.array([50, 100, 150, 200])
    trials = np.full(len(grid), 1_000_000)
    successes = np.round(norm.cdf(delta * np.sqrt(grid) - z) * trials)
    a, b = probit_fit(grid, successes, trials)
    assert a == pytest.approx(-z, abs=0.01) and b == pytest.approx(delta, abs=0.001)
    out = min_n(grid, successes, trials)
    expected = ((z + norm.ppf(0.8)) / delta) ** 2           # 125.6
    assert out["status"] == "interpolated" and out["method"] == "probit in sqrt(n)"
    assert out["n"] == int(np.ceil(expected))


def test_outside_the_grid_no_value_but_the_extrapolation():
    grid = [100, 200]
    low = min_n(grid, [60, 70], [100, 100])        # probit: 80% well beyond 200
    assert low["n"] is None and low["status"] == "above_grid" and low["extrapolated_n"] > 200
    high = min_n(grid, [90, 97], [100, 100])
    assert high["n"] is None and high["status"] == "below_grid" and high["extrapolated_n"] < 100


def test_all_or_nothing_points_use_linear_interpolation():
    # no curvature to fit: 0% at 50, 100% at 150 -> the 80% point of the line between them
    out = min_n([50, 150, 300], [0, 40, 40], [40, 40, 40])
    assert out == {"n": 130, "status": "interpolated", "method": "linear between grid points",
                   "extrapolated_n": None}
    assert min_n([50, 150], [40, 40], [40, 40])["status"] == "below_grid"
    assert min_n([50, 150], [0, 0], [40, 40])["status"] == "above_grid"
    assert min_n([50, 150], [0, 0], [0, 0])["status"] == "no_converged_replicates"
