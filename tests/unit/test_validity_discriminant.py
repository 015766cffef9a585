"""HTMT closed forms, the seeded bootstrap, Fornell-Larcker and cross-loadings."""
import numpy as np
import pandas as pd
import pytest

from alianza.validity import discriminant

FI = {"f": ["a", "b", "c"], "g": ["d", "e", "h"]}


def _block_R(rw_f, rw_g, rb):
    names = FI["f"] + FI["g"]
    R = np.full((6, 6), rb)
    R[:3, :3], R[3:, 3:] = rw_f, rw_g
    np.fill_diagonal(R, 1.0)
    return pd.DataFrame(R, index=names, columns=names)


def test_htmt_of_block_constant_correlations():
    R = _block_R(0.6, 0.5, -0.2)  # absolute values are used, as semTools
    expected = 0.2 / np.sqrt(0.6 * 0.5)
    for geometric in (False, True):
        H = discriminant.htmt(R, FI, geometric)
        assert H.loc["f", "g"] == pytest.approx(expected, rel=1e-12)
        assert H.loc["f", "f"] == 1.0


def _sample(n=120, seed=9):
    rng = np.random.default_rng(seed)
    f = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=n)
    X = np.repeat(f, 3, axis=1) * 0.8 + rng.normal(size=(n, 6)) * 0.6
    return pd.DataFrame(X, columns=FI["f"] + FI["g"])


def test_bootstrap_is_seeded():
    data = _sample()
    a = discriminant.htmt_bootstrap(data, FI, n_boot=60, seed=5)
    b = discriminant.htmt_bootstrap(data, FI, n_boot=60, seed=5)
    c = discriminant.htmt_bootstrap(data, FI, n_boot=60, seed=6)
    for key in ("htmt", "htmt2"):
        for side in ("lower", "upper"):
            pd.testing.assert_frame_equal(a[key][side], b[key][side])
    assert not a["htmt"]["upper"].equals(c["htmt"]["upper"])
    point = discriminant.htmt(data.corr(), FI).loc["f", "g"]
    assert a["htmt"]["lower"].loc["f", "g"] < point < a["htmt"]["upper"].loc["f", "g"]
    assert a["n_valid"] == 60


def test_bootstrap_skips_resamples_without_variance():
    data = _sample(n=30)
    data["a"] = 0.0
    data.loc[0, "a"] = 1.0  # constant in any resample that misses row 0
    out = discriminant.htmt_bootstrap(data, FI, n_boot=200, seed=1)
    # P(row 0 missed) = (29/30)^30 ~ 0.36
    assert 0 < out["n_valid"] < 200


def test_fornell_larcker_table():
    ave = pd.Series({"f": 0.64, "g": 0.49})
    cov = pd.DataFrame([[4.0, 1.2], [1.2, 1.0]], index=["f", "g"], columns=["f", "g"])
    cor = discriminant.latent_correlations(cov)
    assert cor.loc["f", "g"] == pytest.approx(0.6)
    table = discriminant.fornell_larcker(ave, cor)
    assert table.loc["f", "f"] == pytest.approx(0.8) and table.loc["g", "g"] == pytest.approx(0.7)
    assert table.loc["g", "f"] == pytest.approx(0.6)


def test_cross_loadings_use_unit_weighted_means():
    data = _sample()
    xl = discriminant.cross_loadings(data, FI)
    assert xl.loc["d", "f"] == pytest.approx(np.corrcoef(data["d"], data[FI["f"]].mean(axis=1))[0, 1], rel=1e-12)
    assert (xl.loc[FI["f"], "f"] > xl.loc[FI["f"], "g"]).all()
