"""lavaan's bootstrap refits a replicate with se = "none", test = "none", started at the full-sample
estimates (lav_bootstrap.R); the bootstrap's rows path (WLSMV, FIML, groups) refits that way here: the
same estimates, without the SEs, test, fit measures and modification indices no replicate needs."""
import numpy as np
import pandas as pd
import pytest

from alianza.errors import ConfigError
from alianza.sem import fit
from alianza.sem.inference.bootstrap import STREAM, ORDINARY, bootstrap
from tests.conftest import FIXTURES

MODEL = "A =~ A1 + A2 + A3\nC =~ C1 + C2 + C3\nE =~ E1 + E2 + E3\nC ~ A\nE ~ C + A"


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(FIXTURES / "shapes" / "bfi.csv").head(700)


def test_an_estimates_only_refit_gives_the_full_fits_estimates(bfi):
    base = fit(MODEL, bfi, estimator="WLSMV", ordered="all")
    rows = bfi.sample(len(bfi), replace=True, random_state=4).reset_index(drop=True)
    full = fit(MODEL, rows, estimator="WLSMV", ordered="all")
    lean = fit(MODEL, rows, estimator="WLSMV", ordered="all", se="none", test="none", start=base)
    for col in ("est", "std_all"):
        np.testing.assert_allclose(lean.params[col], full.params[col], rtol=1e-6, atol=1e-8)
    assert set(lean.fit) == {"npar", "fmin", "ntotal"} and lean.fit["fmin"] == pytest.approx(full.fit["fmin"])
    assert lean.vcov is None and lean.modindices.empty
    assert not any("modification" in w or "singular" in w for w in lean.warnings)
    assert lean.options["se"] == "none" and lean.options["test"] == "none"
    assert full.options["se"] == "robust.sem" and "chisq_scaled" in full.fit


def test_ordered_bootstrap_replicates_are_the_full_refits(bfi):
    boot = bootstrap(MODEL, bfi, replicates=3, seed=11, bca=False, bollen_stine=False, workers=1,
                     estimator="WLSMV", ordered="all")
    for b in range(3):
        rng = np.random.default_rng(np.random.SeedSequence(11, spawn_key=(STREAM[ORDINARY], b)))
        rows = bfi.reset_index(drop=True).iloc[rng.integers(0, len(bfi), size=len(bfi))].reset_index(drop=True)
        np.testing.assert_allclose(boot.est[b], fit(MODEL, rows, estimator="WLSMV", ordered="all").params["est"],
                                   rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("options", [
    {"estimator": "MLR", "missing": "fiml"},
    {"estimator": "ML", "group": "gender", "group_equal": ["loadings"]},
    {"estimator": "ML", "std_lv": True},
    {"estimator": "WLSMV", "ordered": "all", "group": "gender"},
], ids=["fiml", "ml-groups", "std-lv", "wlsmv-groups"])
def test_every_rows_path_shape_refits_to_the_full_fits_estimates(bfi, options):
    data = bfi.copy()
    if options.get("missing") == "fiml":
        data.loc[data.sample(frac=0.08, random_state=2).index, "A2"] = np.nan
    base = fit(MODEL, data, **options)
    rows = data.sample(len(data), replace=True, random_state=5).reset_index(drop=True)
    full = fit(MODEL, rows, **options)
    lean = fit(MODEL, rows, se="none", test="none", start=base, **options)
    np.testing.assert_allclose(lean.params["est"], full.params["est"], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(lean.params["std_all"], full.params["std_all"], rtol=1e-6, atol=1e-7)
    assert set(lean.fit) == {"npar", "fmin", "ntotal"} and lean.fit["fmin"] == pytest.approx(full.fit["fmin"])
    assert lean.vcov is None and lean.modindices.empty and lean.converged


@pytest.mark.parametrize("kwargs,key", [
    ({"se": "none", "sampling_weights": "age"}, "se"), ({"test": "none", "cluster": "education"}, "test"),
    ({"test": "satorra.bentler", "estimator": "WLSMV", "ordered": "all"}, "test"),
    ({"se": "robust.huber.white", "test": "none", "estimator": "WLSMV", "ordered": "all"}, "se")])
def test_what_the_engine_does_not_do_is_refused_in_one_line(bfi, kwargs, key):
    with pytest.raises(ConfigError) as info:
        fit(MODEL, bfi.dropna(subset=["age", "education"]), **kwargs)
    assert f"key {key}" in info.value.oneline()
