"""validity_report and `alianza validity` end to end on HolzingerSwineford1939 (through our SEM core).

Expected numbers: reference/lavaan_public.json (lavaan 0.6.14 / semTools 0.5.6) and
tests/fixtures/validity_fixtures.json (make_validity_fixtures.R).
"""
import json

import numpy as np
import pandas as pd
import pytest

from alianza.cli import main
from alianza.errors import ConfigError
from alianza.validity import DEFAULT_THRESHOLDS, check_thresholds, validity_report
from tests.conftest import FIXTURES, REFERENCE

sem = pytest.importorskip("alianza.sem")
needs_core = pytest.mark.skipif(not hasattr(sem, "fit"), reason="SEM core has no fit() yet")

FIX = json.loads((FIXTURES / "validity_fixtures.json").read_text())["hs"]
MODEL_PATH = REFERENCE / "hs_cfa.lav"
DATA_PATH = REFERENCE / "HolzingerSwineford1939.csv"
MODEL = MODEL_PATH.read_text()


@pytest.fixture(scope="module")
def report():
    data = pd.read_csv(DATA_PATH)
    return validity_report(MODEL, data, DEFAULT_THRESHOLDS, seed=3, n_boot=40)


@needs_core
def test_reliability_and_htmt_equal_semtools(report, lavaan_public):
    rel = lavaan_public["hs_reliability"]
    for f in ("visual", "textual", "speed"):
        c = report["constructs"][f]
        assert c["alpha"] == pytest.approx(rel["alpha"][f], abs=5e-4)
        assert c["alpha_taueq"] == pytest.approx(rel["alpha"][f], abs=5e-4)
        assert c["omega"] == pytest.approx(rel["omega"][f], abs=5e-4)
        assert c["ave"] == pytest.approx(rel["ave"][f], abs=5e-4)
        np.testing.assert_allclose(c["alpha_ci"], FIX["items"][f]["alpha_ci"], atol=5e-4)
        std = [row["loading_std"] for row in c["items"]]
        np.testing.assert_allclose(std, FIX["std_loadings"][f], atol=5e-4)
    htmt2 = pd.DataFrame(rel["htmt"]).set_index("_row")  # semTools' default is htmt2 = TRUE
    got2 = pd.DataFrame(report["htmt2"])
    np.testing.assert_allclose(got2.loc[htmt2.index, htmt2.columns], htmt2, atol=5e-4)
    got = pd.DataFrame(report["htmt"])
    exp = pd.DataFrame(FIX["htmt"])
    np.testing.assert_allclose(got.loc[exp.index, exp.columns], exp, atol=5e-4)
    fl = pd.DataFrame(report["fornell_larcker"])
    assert fl.loc["visual", "visual"] == pytest.approx(np.sqrt(rel["ave"]["visual"]), abs=5e-4)
    assert fl.loc["visual", "textual"] == pytest.approx(FIX["latent_cor"]["visual"]["textual"], abs=5e-4)


@needs_core
def test_cfa_and_cmv_equal_lavaan(report, lavaan_public):
    full = report["cfa"]["full"]
    for key in ("chisq", "df", "cfi", "tli", "rmsea", "srmr"):
        assert full[key] == pytest.approx(lavaan_public["hs_cfa_ml"]["fit"][key], abs=5e-4), key
    for f, exp in FIX["cfa_construct"].items():
        assert report["cfa"]["constructs"][f]["df"] == exp["df"] == 0
        assert report["cfa"]["constructs"][f]["chisq"] == pytest.approx(0, abs=1e-4)
    sf = report["cmv"]["single_factor"]
    for key in ("chisq", "df", "cfi", "rmsea"):
        assert sf["fit"][key] == pytest.approx(FIX["single_factor"]["fit"][key], abs=5e-4), key
    assert sf["chisq_diff"] == pytest.approx(FIX["single_factor"]["chisq_diff"], abs=5e-3)
    assert sf["df_diff"] == FIX["single_factor"]["df_diff"]
    assert sf["single_factor_rejected"] is True
    harman = report["cmv"]["harman"]
    assert harman["share"] == pytest.approx(FIX["harman"]["pca_share"], abs=5e-4)
    assert harman["cmv_suspected"] is False  # 35.7% < 50%


@needs_core
def test_efa_section(report):
    efa = report["efa"]
    assert efa["kmo"] == pytest.approx(FIX["kmo"], abs=5e-4)
    assert efa["bartlett"]["chisq"] == pytest.approx(FIX["bartlett"]["chisq"], rel=1e-6)
    assert efa["n_factors_parallel"] == FIX["parallel"]["nfact"]
    assert efa["n_factors"] == 3
    h2 = pd.Series(efa["communalities"])
    np.testing.assert_allclose(h2[list(FIX["efa_minres_oblimin"]["communalities"])],
                               list(FIX["efa_minres_oblimin"]["communalities"].values()), atol=1e-3)


@needs_core
def test_flags_follow_thresholds_and_json_is_strict():
    data = pd.read_csv(DATA_PATH)
    strict = validity_report(MODEL, data, DEFAULT_THRESHOLDS, seed=3, n_boot=0)
    loose = validity_report(MODEL, data, {**DEFAULT_THRESHOLDS, "alpha_min": 0.6, "ave_min": 0.3}, seed=3, n_boot=0)
    # alphas .626 / .883 / .688 (semTools)
    assert [strict["constructs"][f]["flags"]["alpha_ok"] for f in ("visual", "textual", "speed")] == [False, True, False]
    assert all(loose["constructs"][f]["flags"]["alpha_ok"] for f in ("visual", "textual", "speed"))
    assert all(loose["constructs"][f]["flags"]["ave_ok"] for f in ("visual", "textual", "speed"))
    assert strict["htmt_ci"] is None and strict["discriminant"][0]["htmt_ci_ok"] is None
    json.dumps(strict, allow_nan=False)


@needs_core
def test_bootstrap_is_reproducible(report):
    again = validity_report(MODEL, pd.read_csv(DATA_PATH), DEFAULT_THRESHOLDS, seed=3, n_boot=40)
    assert again["htmt_ci"] == report["htmt_ci"] and again["htmt2_ci"] == report["htmt2_ci"]
    for pair in report["discriminant"]:
        assert pair["htmt_ci_lower"] <= pair["htmt"] <= pair["htmt_ci_upper"]


def test_thresholds_are_checked():
    assert check_thresholds(DEFAULT_THRESHOLDS) == DEFAULT_THRESHOLDS
    bad = dict(DEFAULT_THRESHOLDS)
    del bad["ave_min"]
    with pytest.raises(ConfigError) as err:
        check_thresholds(bad)
    assert err.value.key == "validity.thresholds.ave_min"
    with pytest.raises(ConfigError):
        check_thresholds({**DEFAULT_THRESHOLDS, "alpha_min": "high"})
    with pytest.raises(ConfigError):
        check_thresholds({**DEFAULT_THRESHOLDS, "omgea_min": 0.7})


@needs_core
def test_command_writes_report(tmp_path):
    out = tmp_path / "v" / "validity.json"
    thresholds = tmp_path / "config.yaml"
    thresholds.write_text("validity:\n  thresholds:\n" + "".join(f"    {k}: {v}\n" for k, v in DEFAULT_THRESHOLDS.items()))
    assert main(["validity", str(MODEL_PATH), str(DATA_PATH), "--json", str(out), "--boot", "10",
                 "--seed", "2", "--thresholds", str(thresholds)]) == 0
    doc = json.loads(out.read_text())
    assert doc["seed"] == 2 and doc["n_boot"] == 10 and doc["thresholds"] == DEFAULT_THRESHOLDS
    assert set(doc["constructs"]) == {"visual", "textual", "speed"}
    assert doc["inputs"]["data"] == str(DATA_PATH)


def test_command_errors_are_one_line(tmp_path, capsys):
    data = tmp_path / "d.csv"
    pd.read_csv(DATA_PATH).drop(columns="x5").to_csv(data, index=False)
    assert main(["validity", str(MODEL_PATH), str(data), "--json", str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(data) in err and "'x5'" in err

    bad = pd.read_csv(DATA_PATH)
    bad["x2"] = bad["x2"].astype(object)
    bad.loc[6, "x2"] = "mucho"
    bad.to_csv(data, index=False)
    assert main(["validity", str(MODEL_PATH), str(data), "--json", str(tmp_path / "o.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert "column 'x2'" in err and "row 7" in err

    cfg = tmp_path / "c.yaml"
    cfg.write_text("validity:\n  thresholds:\n    alpha_min: 0.7\n")
    assert main(["validity", str(MODEL_PATH), str(DATA_PATH), "--json", str(tmp_path / "o.json"),
                 "--thresholds", str(cfg)]) == 2
    err = capsys.readouterr().err.strip()
    assert str(cfg) in err and "validity.thresholds." in err
