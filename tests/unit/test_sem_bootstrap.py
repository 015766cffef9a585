"""The bootstrap's bookkeeping: reproducibility, failed replicates, standardized draws,
the JSON and summary it adds to a fit, and the command line."""
import json

import numpy as np
import pandas as pd
import pytest

import alianza.sem.inference.bootstrap as bootmod
from alianza.cli import main
from alianza.errors import ConfigError
from alianza.sem.inference.bootstrap import bootstrap, with_bootstrap
from alianza.sem.estimation.refit import FAILED
from alianza.sem.solution.standardize import standardize_all, standardize_lv
from tests.conftest import REFERENCE

HS_MODEL = (REFERENCE / "hs_cfa.lav").read_text() + "\nspeed ~ b*visual\ntextual ~ a*visual\nab := a*b\n"


@pytest.fixture(scope="module")
def hs():
    return pd.read_csv(REFERENCE / "HolzingerSwineford1939.csv")


@pytest.fixture(scope="module")
def boot(hs):
    return bootstrap(HS_MODEL, hs, replicates=120, seed=11, workers=1)


def test_same_seed_same_numbers_whatever_the_workers(hs, boot):
    again = bootstrap(HS_MODEL, hs, replicates=120, seed=11, workers=2)
    for name in ("est", "std_all", "jackknife", "bs_chisq"):
        np.testing.assert_array_equal(getattr(boot, name), getattr(again, name), err_msg=name)
    pd.testing.assert_frame_equal(boot.summary, again.summary)
    other = bootstrap(HS_MODEL, hs, replicates=120, seed=12, workers=1, bca=False, bollen_stine=False)
    assert not np.allclose(other.est, boot.est, equal_nan=True)
    # the ordinary replicates are their own stream: the same with or without BCa / Bollen-Stine
    plain = bootstrap(HS_MODEL, hs, replicates=120, seed=11, workers=1, bca=False, bollen_stine=False)
    np.testing.assert_array_equal(plain.est, boot.est)
    assert plain.jackknife is None and plain.bollen_stine_pvalue is None


def test_standardized_draws_are_the_standardized_solution_of_each_replicate(boot):
    fit = boot.fit
    table = fit.partable
    from alianza.sem.matrices.model import SemModel
    from alianza.sem.spec.partable import build_partable
    from alianza.sem.spec.syntax import parse_model

    _, names = build_partable(parse_model(HS_MODEL))
    model = SemModel(table, names, False)
    block, cells = model.blocks[0], model.cells[0]
    lhs, op, rhs = table["lhs"].to_numpy(), table["op"].to_numpy(), table["rhs"].to_numpy()
    p = len(names.ov)
    # the full sample: the batch rules reproduce fit()'s std_all
    full = bootmod.BatchStandardizer(table, names.ov, names.lv)
    values = table["est"].to_numpy(dtype=float)
    imp = block.implied(cells.kind, cells.ii, cells.jj, values[cells.rows])
    np.testing.assert_allclose(full.std_all(values[None], np.diag(imp.V)[None])[0],
                               fit.params["std_all"].to_numpy(), atol=1e-13)
    for b in (0, 57, 119):
        v = boot.est[b].copy()
        imp = block.implied(cells.kind, cells.ii, cells.jj, v[cells.rows])
        std_lv = standardize_lv(lhs, op, rhs, v, names.lv, np.diag(imp.V)[p:])
        expected = standardize_all(lhs, op, rhs, v, std_lv, names.lv, names.ov, np.diag(imp.sigma))
        defs = bootmod.Definitions(table)
        expected[op == ":="] = defs.at_rows(expected)
        np.testing.assert_allclose(boot.std_all[b], expected, atol=1e-12)


def test_bootstrap_columns_z_p_and_json(boot):
    res = with_bootstrap(boot.fit, boot)
    p = res.params
    free = boot.rows["kind"].to_numpy() == "free"
    ok = boot.status != FAILED
    # se = SD of the replicates (lavaan's divisors), z and p from it
    np.testing.assert_allclose(p["se"].to_numpy()[free], np.std(boot.est[ok][:, free], axis=0), rtol=1e-12)
    ab = p.index[p["lhs"] == "ab"][0]
    assert p.at[ab, "se"] == pytest.approx(np.std(boot.est[ok, ab], ddof=1), rel=1e-12)
    np.testing.assert_allclose(p["z"][free], (p["est"] / p["se"])[free])
    assert (p["ci_lower"] <= p["est"]).all() and (p["est"] <= p["ci_upper"]).all()
    fixed = boot.rows["kind"].to_numpy() == "fixed"
    assert (p["se"][fixed] == 0).all() and (p["ci_lower"][fixed] == p["est"][fixed]).all()
    d = json.loads(json.dumps(res.to_dict()))
    row = next(r for r in d["parameters"] if r["lhs"] == "ab")
    assert {"ci_lower_bca", "ci_upper_bca", "std_all_ci_lower", "std_all_ci_upper"} <= set(row)
    block = d["bootstrap"]
    assert block["replicates"] == 120 and block["converged"] + block["failed"] == 120
    assert block["seed"] == 11 and block["ci_types"] == ["perc", "bca"]
    assert 0 <= block["bollen_stine_pvalue"] <= 1
    assert block["bollen_stine"]["chisq"] == pytest.approx(boot.fit.fit["chisq"])
    assert block["jackknife"] == {"fits": 301, "failed": 0}
    text = res.summary()
    assert "Bootstrap" in text and "Number of successful bootstrap draws" in text
    assert "P-value (Bollen-Stine bootstrap)" in text
    draws = boot.draws()
    assert draws.shape == (120, 2 + 2 * len(boot.rows))
    assert "est.ab" in draws and "std_all.textual~visual" in draws


def test_failed_replicates_are_counted_listed_and_left_out(hs, monkeypatch):
    real = bootmod.refit

    def failing(engine, theta0, cov, mean, nobs, **kw):   # every 7th resample fails to converge
        res = real(engine, theta0, cov, mean, nobs, **kw)
        if nobs == len(hs):                                 # ordinary and Bollen-Stine, not jackknife
            bad = np.arange(len(cov)) % 7 == 3
            res.status[bad], res.theta[bad], res.fmin[bad] = FAILED, np.nan, np.nan
        return res

    monkeypatch.setattr(bootmod, "refit", failing)
    b = bootstrap(HS_MODEL, hs, replicates=60, seed=11, workers=1)
    block = b.block()
    failed = [i + 1 for i in range(60) if (i % bootmod.CHUNK) % 7 == 3]
    assert block["failed"] == len(failed) and block["failed_replicates"] == failed
    assert block["converged"] == 60 - len(failed)
    assert block["bollen_stine"]["failed"] == len(failed)
    assert np.isnan(b.est[np.array(failed) - 1]).all()
    ok = b.status != FAILED
    free = np.flatnonzero(b.rows["kind"].to_numpy() == "free")
    np.testing.assert_allclose(b.summary["se"].to_numpy()[free], np.std(b.est[ok][:, free], axis=0))
    assert (b.draws()["status"] == "failed").sum() == len(failed)


def test_bad_arguments_are_config_errors(hs):
    with pytest.raises(ConfigError, match="seed"):
        bootstrap(HS_MODEL, hs, replicates=10, seed=-1)
    with pytest.raises(ConfigError, match="replicates"):
        bootstrap(HS_MODEL, hs, replicates=1, seed=1)


def test_cli_fit_bootstrap(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text(HS_MODEL)
    data = str(REFERENCE / "HolzingerSwineford1939.csv")
    assert main(["fit", str(model), data, "--bootstrap", "30"]) == 2
    assert "--bootstrap needs --seed" in capsys.readouterr().err
    # the bootstrap takes the fit's estimator: MLR's estimates are ML's, so the draws are the same
    mlr = tmp_path / "mlr.json"
    assert main(["fit", str(model), data, "--bootstrap", "30", "--seed", "4", "--estimator", "MLR",
                 "--workers", "1", "--json", str(mlr)]) == 0
    capsys.readouterr()
    assert json.loads(mlr.read_text())["estimator"] == "MLR"
    out = tmp_path / "fit.json"
    assert main(["fit", str(model), data, "--bootstrap", "30", "--seed", "4", "--workers", "1",
                 "--json", str(out)]) == 0
    assert "Number of requested bootstrap draws" in capsys.readouterr().out
    d = json.loads(out.read_text())
    assert d["bootstrap"]["replicates"] == 30 and d["bootstrap"]["seed"] == 4
    again = bootstrap(HS_MODEL, pd.read_csv(data), replicates=30, seed=4, workers=1)
    se = with_bootstrap(again.fit, again).params["se"].to_numpy()
    np.testing.assert_allclose([r["se"] for r in d["parameters"]], se, rtol=1e-12)
    np.testing.assert_allclose([r["se"] for r in json.loads(mlr.read_text())["parameters"]], se, rtol=1e-12)


def test_bootstrap_with_fiml_refits_every_replicate_with_the_same_options():
    """Options the moment path cannot take (FIML here) refit each replicate by sem.fit: the
    numbers do not depend on the number of workers, and the block says how rows were drawn."""
    from pathlib import Path

    from alianza.sem.inference.bootstrap import bootstrap, with_bootstrap

    data = pd.read_csv(Path(__file__).resolve().parents[1] / "fixtures" / "estimators" / "hs_mcar10.csv")
    model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"
    one = bootstrap(model, data, replicates=24, seed=5, missing="fiml", workers=1)
    two = bootstrap(model, data, replicates=24, seed=5, missing="fiml", workers=2)
    assert np.array_equal(one.est, two.est, equal_nan=True)
    assert one.fit.missing == "fiml" and one.path == "rows" and one.failed == 0
    res = with_bootstrap(one.fit, one)
    block = res.to_dict()["bootstrap"]
    assert "refitted with the fit's own estimator options" in block["resampling"]
    assert block["ci_types"] == ["perc"] and block["bollen_stine_pvalue"] is None
    free = res.params["op"].isin(["=~"]) & (res.params["se"] > 0)
    # bootstrap SEs of the free loadings are of the order of the FIML ones
    ratio = res.params.loc[free, "se"] / one.fit.params.loc[free, "se"]
    assert ratio.between(0.4, 2.5).all()


def test_bootstrap_of_ordered_items_counts_replicates_missing_a_category_as_failed():
    """WLSMV refits on resampled rows; a replicate in which an item loses a category has fewer
    thresholds and cannot be compared row by row, so it is counted as failed (lavaan errors there)."""
    from pathlib import Path

    from alianza.sem.inference.bootstrap import bootstrap

    data = pd.read_csv(Path(__file__).resolve().parents[1] / "fixtures" / "waves" / "pooled.csv").head(120)
    model = "E1 =~ e1_1 + e1_2 + e1_3 + e1_4"
    boot = bootstrap(model, data, replicates=30, seed=2, ordered="all", workers=1)
    assert boot.fit.estimator == "WLSMV" and boot.path == "rows"
    assert boot.converged + boot.failed == 30 and boot.converged > 0
    assert np.isnan(boot.est[boot.status == 2]).all()
