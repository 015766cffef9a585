"""Hypothesis and defined-effect tables (alianza.hypotheses) and the config that drives them."""
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from alianza.errors import ConfigError
from alianza.hypotheses import (effects_report, effects_table, endogenous_r2, hypotheses_report,
                                hypothesis_table, markdown, sample_and_model)
from alianza.sem import fit, parse_model
from alianza.sem.inference.bootstrap import bootstrap, with_bootstrap
from alianza.workflow import model_text
from tests.conftest import FIXTURES, ROOT

CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
FIVE = model_text([str(ROOT / f) for f in CONFIG["models"]["five_stage"]["files"]])


@pytest.fixture(scope="module")
def pooled():
    return pd.read_csv(FIXTURES / "waves" / "pooled.csv")


@pytest.fixture(scope="module")
def boot_fit(pooled):
    boot = bootstrap(FIVE, pooled, replicates=100, seed=5, workers=1, bollen_stine=False)
    return with_bootstrap(boot.fit, boot)


def test_config_hypotheses_name_labels_of_their_models():
    tests = CONFIG["hypotheses"]["tests"]
    assert list(tests) == ["H1", "H2", "H3", "H4", "H5", "H6"]
    for name, h in tests.items():
        text = model_text([str(ROOT / f) for f in CONFIG["models"][h["model"]]["files"]])
        parsed = parse_model(text)
        labels = {f.label[0] for f in parsed.formulas if f.label} | {d.name for d in parsed.definitions}
        assert h["parameter"] in labels, name
        assert h["es"] and h["en"] and h["sign"] == "positive"
    assert CONFIG["bootstrap"]["models"] == ["five_stage"] and CONFIG["bootstrap"]["ci"][0] == "perc"
    for r, g in CONFIG["comparison"]["nested"]:
        assert r in CONFIG["comparison"]["models"] and g in CONFIG["comparison"]["models"]


def test_table_reads_the_parameter_table(boot_fit):
    tests = CONFIG["hypotheses"]["tests"]
    table = hypothesis_table(boot_fit.params, boot_fit.r2, tests, alpha=0.05, language="en",
                             bootstrap=boot_fit.bootstrap)
    assert list(table["hypothesis"]) == list(tests)
    p = boot_fit.params
    for _, row in table.iterrows():
        src = p[p["label"] == row["parameter"]].iloc[0]
        assert (row["est"], row["std_all"], row["se"], row["z"], row["pvalue"]) == (
            src["est"], src["std_all"], src["se"], src["z"], src["pvalue"])
        assert (row["ci_lower"], row["ci_upper"]) == (src["ci_lower"], src["ci_upper"])
        assert row["ci_method"] == "bootstrap percentile"
        assert row["supported"] == (row["ci_lower"] > 0)
    h1 = table.set_index("hypothesis").loc["H1"]
    assert h1["path"] == "E1 -> E2" and h1["r2_outcome"] == boot_fit.r2["E2"]
    assert np.isnan(table.set_index("hypothesis").loc["H6", "r2_outcome"])
    bca = hypothesis_table(boot_fit.params, boot_fit.r2, tests, bootstrap=boot_fit.bootstrap, ci="bca")
    assert list(bca["ci_lower"]) == [p[p["label"] == h["parameter"]]["ci_lower_bca"].iat[0] for h in tests.values()]
    assert endogenous_r2(p, boot_fit.r2) == {k: boot_fit.r2[k] for k in ("E2", "E3", "E4", "E5", "CO")}


def _params(est, se, lo=None, hi=None):
    z = est / se
    from scipy.special import ndtr
    return pd.DataFrame([{"lhs": "y", "op": "~", "rhs": "x", "label": "b", "est": est, "se": se, "z": z,
                          "pvalue": 2 * (1 - ndtr(abs(z))), "ci_lower": lo, "ci_upper": hi, "std_all": 0.1}])


@pytest.mark.parametrize("est,sign,supported", [(0.5, "positive", True), (-0.5, "positive", False),
                                                (-0.5, "negative", True), (-0.5, "any", True),
                                                (0.05, "positive", False)])
def test_wald_decision_p_and_sign(est, sign, supported):
    h = {"H": {"parameter": "b", "model": "m", "sign": sign, "es": "e", "en": "e"}}
    row = hypothesis_table(_params(est, 0.1), {}, h, alpha=0.05).iloc[0]
    assert row["supported"] == supported
    assert row["decision"] == ("apoyada" if supported else "no apoyada")
    assert row["ci_method"] == "Wald"
    # the Wald interval at 1 - alpha: est -/+ qnorm(1 - alpha/2) se
    row10 = hypothesis_table(_params(est, 0.1), {}, h, alpha=0.10).iloc[0]
    assert row10["ci_upper"] - row10["est"] == pytest.approx(1.6448536269514722 * 0.1)


def test_bootstrap_decision_is_the_interval():
    h = {"H": {"parameter": "b", "model": "m", "sign": "positive"}}
    boot = {"ci_level": 0.95}
    # p < .05 by the bootstrap SE, but the percentile interval reaches zero: not supported
    row = hypothesis_table(_params(0.3, 0.12, -0.01, 0.6), {}, h, bootstrap=boot).iloc[0]
    assert row["significant"] and not row["supported"]
    row = hypothesis_table(_params(0.2, 0.12, 0.01, 0.45), {}, h, bootstrap=boot).iloc[0]
    assert not row["significant"] and row["supported"]
    with pytest.raises(ConfigError, match="level") as err:
        hypothesis_table(_params(0.2, 0.1, 0.0, 0.4), {}, h, alpha=0.01, bootstrap=boot)
    assert err.value.key == "hypotheses.alpha"


def test_config_errors_name_the_key():
    h = {"H9": {"parameter": "nope", "model": "m"}}
    with pytest.raises(ConfigError) as err:
        hypothesis_table(_params(1.0, 0.1), {}, h)
    assert err.value.key == "hypotheses.tests.H9.parameter"
    with pytest.raises(ConfigError) as err:
        hypothesis_table(_params(1.0, 0.1), {}, {"H1": {"parameter": "b", "model": "m", "sign": "up"}})
    assert err.value.key == "hypotheses.tests.H1.sign"
    # a table for one model leaves out the hypotheses of another
    assert hypothesis_table(_params(1.0, 0.1), {}, {"H1": {"parameter": "b", "model": "m"}}, model="other").empty


def test_reports_for_the_pipeline(boot_fit, pooled):
    plain = fit(FIVE, pooled[pooled["wave"] == pooled["wave"].iloc[0]]).to_dict()
    results = {("pooled", "five_stage"): json.loads(json.dumps(boot_fit.to_dict())),
               ("wave1", "five_stage"): json.loads(json.dumps(plain))}
    table, report = hypotheses_report(results, CONFIG["hypotheses"], language="es", ci="perc")
    assert len(table) == 12 and list(table["sample"].unique()) == ["pooled", "wave1"]
    assert set(table.loc[table["sample"] == "wave1", "ci_method"]) == {"Wald"}
    json.dumps(report, allow_nan=False)
    h = report["samples"]["pooled"]["hypotheses"][0]
    assert h["statement_en"].startswith("E1 -> E2") and h["statement_es"] == h["statement"]
    assert report["samples"]["pooled"]["models"]["five_stage"]["bootstrap"]["replicates"] == 100
    effects, ereport = effects_report({("pooled", "five_stage"): results[("pooled", "five_stage")]})
    assert list(effects["effect"]) == ["H6"]
    json.dumps(ereport, allow_nan=False)
    direct = effects_table(boot_fit.params, bootstrap=boot_fit.bootstrap).iloc[0]
    h6 = boot_fit.params[boot_fit.params["lhs"] == "H6"].iloc[0]
    assert (direct["ci_lower_bca"], direct["std_all_ci_upper"]) == (h6["ci_lower_bca"], h6["std_all_ci_upper"])
    md = markdown(table)
    assert "< .001" in md and "nan" not in md
    # the pipeline's file names say which sample and model a JSON holds
    assert sample_and_model("reports/bootstrap/pooled/five_stage.json") == ("pooled", "five_stage")
    assert sample_and_model("reports/models/wave1/no_chain.json") == ("wave1", "no_chain")
