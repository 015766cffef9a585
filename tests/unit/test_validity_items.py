"""Item diagnostics: moment estimator types, floor/ceiling, item-total, Mardia's covariance variants."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from alianza.validity import items


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(7).gamma(2.0, size=57)


def test_moment_types_match_their_definitions(x):
    # type 1 = moment estimators g1, g2 (scipy bias=True); type 2 = G1, G2 (scipy bias=False)
    assert items.skewness(x, 1) == pytest.approx(stats.skew(x, bias=True), rel=1e-12)
    assert items.skewness(x, 2) == pytest.approx(stats.skew(x, bias=False), rel=1e-12)
    assert items.kurtosis(x, 1) == pytest.approx(stats.kurtosis(x, bias=True), rel=1e-12)
    assert items.kurtosis(x, 2) == pytest.approx(stats.kurtosis(x, bias=False), rel=1e-12)
    # type 3 = m3/s^3, m4/s^4 - 3 with s the n-1 standard deviation
    d = x - x.mean()
    s = x.std(ddof=1)
    assert items.skewness(x, 3) == pytest.approx(np.mean(d**3) / s**3, rel=1e-12)
    assert items.kurtosis(x, 3) == pytest.approx(np.mean(d**4) / s**4 - 3, rel=1e-12)
    assert items.skewness(np.append(x, np.nan), 3) == items.skewness(x, 3)
    with pytest.raises(ValueError):
        items.skewness(x, 4)


def test_floor_ceiling_and_missing_are_counted():
    data = pd.DataFrame({"a": [1, 1, 2, 5, np.nan], "b": [2, 3, 3, 4, 4]})
    out = items.item_descriptives(data, ["a", "b"], scale_min=1, scale_max=5).set_index("item")
    assert out.loc["a", "n"] == 4 and out.loc["a", "missing_pct"] == 20.0
    assert out.loc["a", "floor_pct"] == 50.0 and out.loc["a", "ceiling_pct"] == 25.0
    assert out.loc["b", "floor_pct"] == 0.0 and out.loc["b", "ceiling_pct"] == 0.0
    # without scale ends, the observed range of the item set (1..5) is used
    assert items.item_descriptives(data, ["a", "b"]).equals(
        items.item_descriptives(data, ["a", "b"], scale_min=1, scale_max=5)
    )
    # b alone: its observed range 2..4
    alone = items.item_descriptives(data, ["b"]).set_index("item")
    assert alone.loc["b", "floor_pct"] == 20.0 and alone.loc["b", "ceiling_pct"] == 40.0


def test_r_drop_is_correlation_with_rest_score():
    rng = np.random.default_rng(3)
    data = pd.DataFrame(rng.normal(size=(80, 4)) + rng.normal(size=(80, 1)), columns=list("abcd"))
    out = items.item_total(data, list("abcd")).set_index("item")
    for i in "abcd":
        rest = data.drop(columns=i).sum(axis=1)
        assert out.loc[i, "r_drop"] == pytest.approx(np.corrcoef(data[i], rest)[0, 1], rel=1e-12)


def test_mardia_ml_covariance_rescales_by_n():
    rng = np.random.default_rng(11)
    data = pd.DataFrame(rng.normal(size=(40, 3)))
    unbiased, ml = items.mardia(data), items.mardia(data, ml_cov=True)
    n = 40
    # S_ml = (n-1)/n S, so every Mahalanobis product grows by n/(n-1)
    assert ml["b1p"] == pytest.approx(unbiased["b1p"] * (n / (n - 1)) ** 3, rel=1e-12)
    assert ml["b2p"] == pytest.approx(unbiased["b2p"] * (n / (n - 1)) ** 2, rel=1e-12)
    assert unbiased["skew_df"] == 3 * 4 * 5 / 6
