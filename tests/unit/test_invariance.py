"""Multi-group parameter tables, the invariance rules and search, groups for the pipeline, CLI.

Numbers here come from theory (the chi-square distribution, the rule definitions, a
simulation with a known non-invariant intercept); lavaan parity is in
tests/parity/test_lavaan_invariance.py.
"""
import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats as sps

from alianza.cli import main
from alianza.errors import ConfigError, InputError, ModelSyntaxError
from alianza.invariance import (DEFAULT_RULES, check_rules, compare_fits, group_equal_for, invariance,
                                invariance_report, invariance_table, merged_rules, prepare_groups)
from alianza.sem import fit, parse_model
from alianza.sem.spec.multigroup import equality_constraints, group_partable
from tests.conftest import REFERENCE, ROOT

HS = REFERENCE / "HolzingerSwineford1939.csv"
TWO = "f =~ x1 + x2 + x3\ng =~ x4 + x5 + x6"


def table(text, ngroups=2, **kw):
    t, _ = group_partable(parse_model(text), ngroups, **kw)
    return t


def row(t, lhs, op, rhs, group):
    hit = t[(t["lhs"] == lhs) & (t["op"] == op) & (t["rhs"] == rhs) & (t["group"] == group)]
    assert len(hit) == 1
    return hit.iloc[0]


# ---------------------------------------------------------------- parameter tables
def test_every_group_repeats_the_one_group_table_with_intercepts():
    t = table(TWO, 3)
    per_group = t.groupby("group").size()
    assert list(per_group) == [per_group.iloc[0]] * 3
    assert list(t["id"]) == list(range(1, len(t) + 1))
    assert list(t["plabel"]) == [f".p{i}." for i in t["id"]]
    assert row(t, "x1", "~1", "", 2)["free"] > 0                       # meanstructure on
    assert row(t, "f", "~1", "", 2)["free"] == 0                       # configural: latent means 0


def test_configural_parameters_are_all_distinct():
    t = table(TWO)
    free = t[t["free"] > 0]
    assert free["par"].nunique() == len(free)
    assert equality_constraints(t).empty


def test_metric_shares_the_free_loadings_only():
    t = table(TWO, group_equal=["loadings"])
    a, b = row(t, "f", "=~", "x2", 1), row(t, "f", "=~", "x2", 2)
    assert a["par"] == b["par"] and a["label"] == b["label"] == a["plabel"]
    assert row(t, "f", "=~", "x1", 2)["free"] == 0 and row(t, "f", "=~", "x1", 2)["label"] == ""
    assert row(t, "x1", "~1", "", 1)["par"] != row(t, "x1", "~1", "", 2)["par"]
    cons = equality_constraints(t)
    assert len(cons) == 4                                               # 2 free loadings x 2 factors
    assert cons.iloc[0]["lhs"] == a["plabel"] and cons.iloc[0]["rhs"] == b["plabel"]


def test_scalar_frees_the_latent_means_of_later_groups():
    t = table(TWO, 3, group_equal=["loadings", "intercepts"])
    assert row(t, "f", "~1", "", 1)["free"] == 0
    assert row(t, "f", "~1", "", 2)["free"] > 0 and row(t, "f", "~1", "", 3)["free"] > 0
    assert row(t, "x1", "~1", "", 1)["par"] == row(t, "x1", "~1", "", 3)["par"]
    # equal means too: the latent means stay fixed at 0
    t = table(TWO, 2, group_equal=["loadings", "intercepts", "means"])
    assert row(t, "f", "~1", "", 2)["free"] == 0


def test_group_partial_exempts_a_parameter_in_every_group():
    t = table(TWO, 3, group_equal=["loadings", "intercepts"], group_partial=["x3 ~1", "f=~x2"])
    pars = {row(t, "x3", "~1", "", g)["par"] for g in (1, 2, 3)}
    assert len(pars) == 3
    assert len({row(t, "f", "=~", "x2", g)["par"] for g in (1, 2, 3)}) == 3
    assert len({row(t, "f", "=~", "x3", g)["par"] for g in (1, 2, 3)}) == 1


def test_strict_adds_residual_variances():
    t = table(TWO, group_equal=group_equal_for("strict"))
    assert row(t, "x4", "~~", "x4", 1)["par"] == row(t, "x4", "~~", "x4", 2)["par"]
    assert row(t, "f", "~~", "f", 1)["par"] != row(t, "f", "~~", "f", 2)["par"]


def test_modifier_vectors_are_taken_per_group():
    t = table("f =~ x1 + c(a1, a2)*x2 + c(1, NA)*x3")
    assert row(t, "f", "=~", "x2", 1)["label"] == "a1" and row(t, "f", "=~", "x2", 2)["label"] == "a2"
    assert row(t, "f", "=~", "x3", 1)["free"] == 0 and row(t, "f", "=~", "x3", 2)["free"] > 0
    # one label for all groups imposes equality across them (lavaan's rule)
    t = table("f =~ x1 + a*x2 + x3")
    assert row(t, "f", "=~", "x2", 1)["par"] == row(t, "f", "=~", "x2", 2)["par"]
    with pytest.raises(ModelSyntaxError, match="3 values but the model has 2 groups"):
        table("f =~ x1 + c(a, b, c)*x2 + x3")


def test_unknown_group_equal_keyword():
    with pytest.raises(ConfigError, match="loading"):
        table(TWO, group_equal=["loading"])


def test_thresholds_join_scalar_for_ordered_items():
    assert group_equal_for("scalar") == ["loadings", "intercepts"]
    assert group_equal_for("scalar", ordered=True) == ["loadings", "intercepts", "thresholds"]
    assert group_equal_for("strict", ordered=True)[-1] == "residuals"


# ---------------------------------------------------------------- comparisons and rules
def test_chisq_difference_test_from_theory():
    restricted = {"chisq": 130.0, "df": 60, "cfi": 0.91, "rmsea": 0.09, "srmr": 0.07, "tli": 0.9}
    reference = {"chisq": 110.0, "df": 52, "cfi": 0.93, "rmsea": 0.08, "srmr": 0.06, "tli": 0.9}
    c = compare_fits(restricted, reference, ntotal=400, ngroups=2)
    assert c["chisq_diff"] == pytest.approx(20.0) and c["df_diff"] == 8
    assert c["pvalue"] == pytest.approx(sps.chi2.sf(20.0, 8))
    assert c["rmsea_diff"] == pytest.approx(math.sqrt((20 - 8) / (400 * 8)) * math.sqrt(2))
    assert c["delta_cfi"] == pytest.approx(-0.02) and c["delta_srmr"] == pytest.approx(0.01)


def test_scaled_difference_with_a_negative_scaling_factor_is_not_a_number():
    restricted = {"chisq": 100.0, "df": 10, "chisq_scaled": 100.0, "chisq_scaling_factor": 1.0}
    reference = {"chisq": 90.0, "df": 8, "chisq_scaled": 30.0, "chisq_scaling_factor": 3.0}
    c = compare_fits(restricted, reference)
    assert c["scaled"] and math.isnan(c["chisq_diff"]) and math.isnan(c["pvalue"])
    assert any("negative" in n for n in c["notes"])
    # without the scaling factor it is chisq / chisq_scaled; cd = (10*1.25 - 8*1.5) / 2
    c = compare_fits({"chisq": 50.0, "df": 10, "chisq_scaled": 40.0}, {"chisq": 42.0, "df": 8, "chisq_scaled": 28.0})
    assert c["scaling_factor"] == pytest.approx(0.25) and c["chisq_diff"] == pytest.approx(8 / 0.25)


def test_rules_all_and_chen2007():
    rule = DEFAULT_RULES["scalar"]
    ok = {"delta_cfi": -0.004, "delta_rmsea": 0.003, "delta_srmr": 0.004, "pvalue": 0.01}
    assert check_rules(ok, rule)["pass"]
    cfi_only = {**ok, "delta_cfi": -0.02}
    assert not check_rules(cfi_only, rule)["pass"]
    assert check_rules(cfi_only, rule, "chen2007")["pass"]           # CFI alone is not enough
    both = {**cfi_only, "delta_srmr": 0.02}
    assert not check_rules(both, rule, "chen2007")["pass"]
    assert check_rules({**ok, "delta_cfi": -0.010}, rule)["pass"]     # the limit itself passes
    res = check_rules(ok, {**rule, "chisq_alpha": 0.05})
    assert not res["pass"] and res["criteria"]["chisq_alpha"]["pass"] is False
    assert check_rules(ok, {"delta_cfi": -0.01, "delta_rmsea": None})["criteria"].keys() == {"delta_cfi"}


def test_rule_settings_are_checked():
    assert merged_rules({"scalar": {"delta_cfi": -0.005}})["scalar"] == {**DEFAULT_RULES["scalar"], "delta_cfi": -0.005}
    with pytest.raises(ConfigError, match="delta_tli"):
        merged_rules({"metric": {"delta_tli": 0.01}})
    with pytest.raises(ConfigError, match="combine"):
        check_rules({"delta_cfi": 0}, {"delta_cfi": -0.01}, "any")


# ---------------------------------------------------------------- simulated waves
ITEMS = ["e1_1", "e1_2", "e1_3", "e1_4", "e2_1", "e2_2", "e2_3", "e2_4"]
TWO_STAGES = "E1 =~ e1_1 + e1_2 + e1_3 + e1_4\nE2 =~ e2_1 + e2_2 + e2_3 + e2_4"


def _waves(intercept_shift: float, mean_shift: float, seed=20240611, n=400):
    """Two waves from config/population.yaml (continuous responses); in wave 2 item e1_3 is
    answered `intercept_shift` higher at the same latent level, and E2 is `mean_shift` higher."""
    from alianza.codebook import load_codebook
    from alianza.population import load_population
    from alianza.simulate import simulate_continuous

    pop = load_population(ROOT / "config" / "population.yaml", load_codebook(ROOT / "config" / "codebook.yaml"))
    rng = np.random.default_rng(seed)
    _, y1 = simulate_continuous(pop, n, rng)
    _, y2 = simulate_continuous(pop, n, rng)
    y2 = y2[ITEMS].copy()
    for item in ITEMS[4:]:
        y2[item] += mean_shift * pop.loading(item)
    y2["e1_3"] += intercept_shift
    data = pd.concat([y1[ITEMS].assign(wave="wave1"), y2.assign(wave="wave2")], ignore_index=True)
    return data, pop


def test_a_shifted_intercept_fails_scalar_and_is_freed():
    data, pop = _waves(intercept_shift=0.6, mean_shift=0.3)
    res = invariance(TWO_STAGES, data, "wave")
    scalar = next(c for c in res.comparisons if c["model"] == "scalar")
    assert scalar["full"]["pass"] is False                       # all intercepts equal: rejected
    assert [f["parameter"] for f in res.freed] == ["e1_3~1"]     # the shifted one, and only it
    assert scalar["pass"] and scalar["partial"]
    assert res.supported == "strict"
    assert res.models["strict"]["group_partial"] == ["e1_3~1"]
    # latent means from the partial scalar model: E2 moved by 0.3 SD, E1 did not. In the
    # marker metric (e2_1's loading) the true E2 difference is 0.3 * lambda(e2_1).
    means = {m["factor"]: m for m in res.latent_means}
    true = {"E1": 0.0, "E2": 0.3 * pop.loading("e2_1")}
    for f, m in means.items():
        assert m["ci_lower"] <= true[f] <= m["ci_upper"], (f, m)
    assert means["E2"]["pvalue"] < 0.05


def test_invariant_waves_free_nothing():
    data, _ = _waves(intercept_shift=0.0, mean_shift=0.0, seed=7)
    res = invariance(TWO_STAGES, data, "wave", steps=["configural", "metric", "scalar"])
    assert res.freed == [] and res.supported == "scalar"
    assert all(c["pass"] and not c["partial"] for c in res.comparisons)


def test_partial_search_can_be_switched_off():
    data, _ = _waves(intercept_shift=0.6, mean_shift=0.0)
    res = invariance(TWO_STAGES, data, "wave", steps=["configural", "metric", "scalar"],
                     partial={"enabled": False})
    assert res.freed == [] and res.supported == "metric"
    assert res.latent_means == [] and any("latent means are not compared" in n for n in res.notes)


def test_steps_must_start_with_configural_and_keep_their_order():
    data, _ = _waves(0.0, 0.0, n=60)
    with pytest.raises(ConfigError):
        invariance(TWO_STAGES, data, "wave", steps=["metric", "scalar"])
    with pytest.raises(ConfigError):
        invariance(TWO_STAGES, data, "wave", steps=["configural", "scalar", "metric"])


# ---------------------------------------------------------------- groups for the pipeline
def _grouped(sizes: dict) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = sum(sizes.values())
    return pd.DataFrame({"g": np.repeat(list(sizes), list(sizes.values())), "y": rng.normal(size=rows)})


def test_small_groups_merged_or_skipped():
    data = _grouped({"a": 80, "b": 30, "c": 25, "d": 90})
    out, labels, notes = prepare_groups(data, "g", min_group_n=50, small_groups="merge")
    assert labels == ["a", "d", "other"] and (out["g"] == "other").sum() == 55
    assert "merged" in notes[0]
    out, labels, notes = prepare_groups(data, "g", min_group_n=50, small_groups="skip")
    assert labels == ["a", "d"] and out["g"].isna().sum() == 55
    # one small group, or small groups still small together: left out
    out, labels, notes = prepare_groups(_grouped({"a": 80, "b": 10, "c": 20}), "g", min_group_n=50)
    assert labels == ["a"] and "left out" in notes[0]


def test_group_sizes_count_complete_rows():
    data = _grouped({"a": 60, "b": 60})
    data.loc[data.index[:15], "y"] = np.nan
    _, labels, notes = prepare_groups(data, "g", min_group_n=50, complete_in=["y"])
    assert labels == ["b"]


def test_fewer_than_two_groups_is_a_note_not_an_error():
    data, _ = _waves(0.0, 0.0, n=60)
    data["wave"] = "only"
    out = invariance_report(TWO_STAGES, data, "wave", {"min_group_n": 10})
    assert out["models"] == {} and "not tested" in out["notes"][-1]
    assert list(invariance_table(out).columns)[:2] == ["model", "freed"]


def test_config_section_validates_against_the_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    jsonschema.validate(config, schema)
    assert set(config["invariance"]["rules"]) - {"combine"} <= set(DEFAULT_RULES)
    bad = {**config, "invariance": {**config["invariance"], "rules": {"metric": {"delta_tli": 0.01}}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


# ---------------------------------------------------------------- errors
def test_group_errors_name_the_column():
    data = pd.read_csv(HS)
    model = (REFERENCE / "hs_cfa.lav").read_text()
    with pytest.raises(InputError) as exc:
        fit(model, data, group="nosuch")
    assert exc.value.column == "nosuch"
    small = pd.concat([data[data["school"] == "Pasteur"], data[data["school"] != "Pasteur"].head(5)])
    with pytest.raises(InputError, match="Grant-White"):
        fit(model, small, group="school")
    with pytest.raises(ConfigError, match="group"):
        fit(model, data, group_equal=["loadings"])


# ---------------------------------------------------------------- command line
def test_invariance_command_writes_the_documented_json(tmp_path, capsys):
    out = tmp_path / "inv" / "school.json"
    assert main(["invariance", str(REFERENCE / "hs_cfa.lav"), str(HS), "--group", "school",
                 "--json", str(out), "--group-label", "Grant-White,Pasteur"]) == 0
    assert "Measurement invariance across `school`" in capsys.readouterr().out
    d = json.loads(out.read_text())
    assert {"group", "groups", "models", "comparisons", "freed", "latent_means"} <= set(d)
    assert d["group"] == "school" and list(d["groups"]) == ["Grant-White", "Pasteur"]
    assert list(d["models"]) == ["configural", "metric", "scalar", "strict"]
    assert {"chisq", "df", "cfi", "tli", "rmsea", "srmr"} <= set(d["models"]["metric"]["fit"])
    assert [c["model"] for c in d["comparisons"]] == ["metric", "scalar", "strict"]
    assert {"chisq_diff", "df_diff", "pvalue", "delta_cfi", "delta_rmsea", "pass"} <= set(d["comparisons"][0])
    assert all(m["reference"] == "Grant-White" for m in d["latent_means"])


def test_invariance_command_reads_the_config_section(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("invariance:\n  steps: [configural, metric]\n  partial: {enabled: false}\n")
    out = tmp_path / "o.json"
    assert main(["invariance", str(REFERENCE / "hs_cfa.lav"), str(HS), "--group", "school",
                 "--config", str(cfg), "--json", str(out)]) == 0
    assert list(json.loads(out.read_text())["models"]) == ["configural", "metric"]


def test_invariance_command_error_is_one_line(capsys):
    assert main(["invariance", str(REFERENCE / "hs_cfa.lav"), str(HS), "--group", "nosuch"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nosuch" in err


def test_fit_command_with_group(tmp_path, capsys):
    out = tmp_path / "mg.json"
    assert main(["fit", str(REFERENCE / "hs_cfa.lav"), str(HS), "--group", "school",
                 "--group-equal", "loadings, intercepts", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Group 1 [Pasteur]:" in text and "Group 2 [Grant-White]:" in text
    d = json.loads(out.read_text())
    assert d["groups"] == {"Pasteur": 156, "Grant-White": 145}
    assert list(d["parameters"][0])[:4] == ["lhs", "op", "rhs", "group"]
    assert d["fit"]["df"] == 60 and set(d["r2"]) == {"Pasteur", "Grant-White"}


def test_univariate_score_tests_by_downdate_equal_the_bordered_pseudo_inverses():
    """The one-inversion form of lavTestScore's univariate tests gives what one MASS::ginv of each
    bordered information matrix gives (lavaan's loop)."""
    from alianza.sem.inference.scoretest import bordered_statistic, univariate_scores

    rng = np.random.default_rng(3)
    k, r = 12, 5
    X = rng.normal(size=(40, k))
    info = X.T @ X / 40
    R = np.zeros((r, k))
    for i in range(r):
        R[i, i], R[i, i + 6] = 1.0, -1.0
    grad = rng.normal(size=k) * 0.01
    loop = [bordered_statistic(info, R, i, grad, 300) for i in range(r)]
    assert np.allclose(univariate_scores(info, R, grad, 300), loop, rtol=1e-8)


def test_univariate_score_tests_with_a_singular_information_equal_the_pseudo_inverses():
    """Parameters identified only through the constraints (a singular information): the downdate of the
    bordered matrix's inverse gives what MASS::ginv of each bordered matrix gives."""
    from alianza.sem.inference.scoretest import bordered_statistic, univariate_scores

    rng = np.random.default_rng(5)
    k, r = 12, 5
    X = rng.normal(size=(40, k - 2))
    info = np.zeros((k, k))
    info[:k - 2, :k - 2] = X.T @ X / 40          # two parameters the information cannot identify
    R = np.zeros((r, k))
    for i in range(r):
        R[i, i], R[i, i + 6] = 1.0, -1.0
    R[3, :] = 0.0
    R[3, k - 2], R[3, 0] = 1.0, -1.0
    R[4, :] = 0.0
    R[4, k - 1], R[4, 1] = 1.0, -1.0
    grad = rng.normal(size=k) * 0.01
    loop = [bordered_statistic(info, R, i, grad, 300) for i in range(r)]
    assert np.allclose(univariate_scores(info, R, grad, 300), loop, rtol=1e-7, atol=1e-10)
