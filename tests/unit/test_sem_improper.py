"""Improper solutions, identification and convergence problems are reported, never hidden."""
import numpy as np
import pandas as pd
import pytest

import alianza.sem.estimation.estimate as estimate
from alianza.sem import fit
from alianza.sem.estimation.estimate import fit_ml
from tests.conftest import REFERENCE


def exact_data(cov, n, seed, names):
    """n rows whose biased sample covariance is exactly `cov` (so the MLE is known in closed form)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, len(cov)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T, bias=True))).T
    return pd.DataFrame(z @ np.linalg.cholesky(cov).T, columns=names)


HEYWOOD = np.array([[1, .8, .8], [.8, 1, .5], [.8, .5, 1]])


def test_heywood_case_is_reported():
    # just-identified one-factor model: theta_11 = s11 - s12 s13 / s23 = 1 - .64 / .5 = -0.28
    res = fit("f =~ h1 + h2 + h3", exact_data(HEYWOOD, 120, 1, ["h1", "h2", "h3"]))
    assert res.converged
    est = res.params.set_index(["lhs", "op", "rhs"])["est"]
    assert est[("h1", "~~", "h1")] == pytest.approx(-0.28, abs=1e-8)
    assert est[("f", "~~", "f")] == pytest.approx(.8 * .8 / .5, abs=1e-8)
    assert any("Heywood" in w and "h1" in w for w in res.warnings)
    assert res.to_dict()["warnings"] == res.warnings


def test_latent_correlation_above_one_is_reported():
    # cross-factor covariance .5 against within-factor .3: implied latent correlation 5/3
    cov = np.array([[1, .3, .5, .5], [.3, 1, .5, .5], [.5, .5, 1, .3], [.5, .5, .3, 1]])
    res = fit("f1 =~ x1 + x2\nf2 =~ x3 + x4", exact_data(cov, 200, 2, ["x1", "x2", "x3", "x4"]))
    r = res.latent_cov.loc["f1", "f2"] / np.sqrt(res.latent_cov.loc["f1", "f1"] * res.latent_cov.loc["f2", "f2"])
    assert r == pytest.approx(5 / 3, abs=1e-6)
    assert any("latent variables is not positive definite" in w for w in res.warnings)


def test_unidentified_model_reports_missing_standard_errors():
    # the marker is freed and the factor variance is not fixed: one scale too many
    res = fit("f =~ NA*h1 + h2 + h3", exact_data(HEYWOOD, 120, 3, ["h1", "h2", "h3"]))
    assert any("not be identified" in w for w in res.warnings)
    assert res.params["se"].isna().all()
    assert res.modindices.empty


def test_non_convergence_is_reported(monkeypatch):
    def one_step(model, stats, theta0, **_):
        return fit_ml(model, stats, theta0, max_iter=0, gtol=0.0)

    monkeypatch.setattr(estimate, "fit_ml", one_step)
    data = pd.read_csv(REFERENCE / "HolzingerSwineford1939.csv")
    res = fit("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6", data)
    assert res.converged is False
    assert res.to_dict()["converged"] is False
    assert any("did not converge" in w for w in res.warnings)
    assert "did NOT converge" in res.summary()


def test_listwise_deletion_is_reported():
    data = exact_data(HEYWOOD, 50, 4, ["h1", "h2", "h3"])
    data.loc[[3, 7], "h2"] = np.nan
    data["unused"] = np.nan                   # missing values outside the model do not drop rows
    res = fit("f =~ h1 + h2 + h3", data)
    assert (res.n, res.n_input, res.n_dropped) == (48, 50, 2)
    assert any("2 of 50 rows dropped" in w for w in res.warnings)
    d = res.to_dict()
    assert (d["n"], d["n_dropped"]) == (48, 2)


def test_singular_sample_covariance_is_an_input_error():
    from alianza.errors import InputError

    data = exact_data(HEYWOOD, 40, 5, ["h1", "h2", "h3"])
    with pytest.raises(InputError, match="no variance") as err:
        fit("f =~ h1 + h2 + h3", data.assign(h3=1.0))
    assert err.value.column == "h3"
    with pytest.raises(InputError, match="not positive definite"):
        fit("f =~ h1 + h2 + h3", data.assign(h3=data["h1"] + data["h2"]))
