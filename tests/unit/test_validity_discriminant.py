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


def _loop_htmt(R, fi, geometric):
    """HTMT by its definition, one factor pair at a time (what the block-sum form must equal)."""
    A = np.abs(R.to_numpy())
    pos = {c: i for i, c in enumerate(R.columns)}
    mean = (lambda v: np.exp(np.mean(np.log(v)))) if geometric else np.mean
    idx = {f: [pos[i] for i in items] for f, items in fi.items()}
    with np.errstate(divide="ignore"):  # log(0) = -inf: the geometric mean is 0, as intended
        within = {f: mean([A[i, j] for i in b for j in b if i != j]) for f, b in idx.items()}
        return {(f, g): mean([A[i, j] for i in idx[f] for j in idx[g]]) / np.sqrt(within[f] * within[g])
                for f in fi for g in fi if f != g}


def test_htmt_equals_its_definition_on_uneven_blocks_and_a_zero_correlation():
    fi = {"f": ["a", "b", "c"], "g": ["d", "e"], "k": ["h", "i", "j", "l"]}
    names = [i for items in fi.values() for i in items]
    rng = np.random.default_rng(3)
    R = np.corrcoef(rng.normal(size=(200, len(names))) + rng.normal(size=(200, 1)), rowvar=False)
    R[0, 3] = R[3, 0] = 0.0  # a zero between-factor correlation: the geometric mean of that pair is 0
    R = pd.DataFrame(R, index=names, columns=names)
    for geometric in (False, True):
        H = discriminant.htmt(R, fi, geometric)
        for (f, g), value in _loop_htmt(R, fi, geometric).items():
            assert H.loc[f, g] == pytest.approx(value, rel=1e-12, abs=1e-15)
    assert discriminant.htmt(R, fi, True).loc["f", "g"] == 0.0


def test_bootstrap_intervals_equal_resample_by_resample_htmt():
    data = _sample(n=80)
    out = discriminant.htmt_bootstrap(data, FI, n_boot=40, seed=11)
    rng = np.random.default_rng(11)  # the same resamples, drawn one at a time
    X = data.to_numpy()
    draws = [discriminant.htmt(pd.DataFrame(np.corrcoef(X[rng.integers(0, 80, 80)], rowvar=False),
                                            index=data.columns, columns=data.columns), FI).loc["f", "g"]
             for _ in range(40)]
    assert out["htmt"]["lower"].loc["f", "g"] == pytest.approx(np.quantile(draws, 0.025), rel=1e-12)
    assert out["htmt"]["upper"].loc["f", "g"] == pytest.approx(np.quantile(draws, 0.975), rel=1e-12)
