"""Model comparison against lavaan 0.6.14's lavTestLRT (ML and MLR) and semTools' net().

Fixture: tests/fixtures/bootstrap_fixtures.json (make_bootstrap_fixtures.R): the three
alternative structural models of config/config.yaml on the pooled example waves.
"""
import json

import numpy as np
import pandas as pd
import pytest

from alianza.comparison import (NET_CRIT, comparison_table, compare_fits, difference_test, lrt_table,
                                nesting_chisq)
from alianza.errors import ConfigError
from alianza.sem import fit
from alianza.workflow import model_text
from tests.conftest import FIXTURES, ROOT

FIX = json.loads((FIXTURES / "bootstrap_fixtures.json").read_text())
MODELS = {"five_stage": "five_stage.lav", "partial_mediation": "partial_mediation.lav", "no_chain": "no_chain.lav"}


def _fits(case):
    """lavaan's fitMeasures, with our names (dots -> underscores)."""
    return {k: {m.replace(".", "_"): v for m, v in f.items()} for k, f in FIX[case]["fits"].items()}


def _lavaan_table(case):
    t = pd.DataFrame(FIX[case]["table"])
    return t.rename(columns={"Chisq.diff": "Chisq diff", "Df.diff": "Df diff", "Pr..Chisq.": "Pr(>Chisq)"})


@pytest.mark.parametrize("case", ["lrt_ml", "lrt_mlr"])
def test_lrt_table_is_lavaans(case):
    """lavTestLRT(five_stage, partial_mediation, no_chain) from lavaan's own fit measures: the
    standard difference (ML) and Satorra-Bentler 2001's scaled one (MLR), exactly."""
    ours = lrt_table(_fits(case))
    lav = _lavaan_table(case)
    assert list(ours["model"]) == list(lav["model"]) == ["no_chain", "partial_mediation", "five_stage"]
    assert list(ours.columns[1:]) == list(lav.columns[1:])
    for col in ours.columns[1:]:
        np.testing.assert_allclose(ours[col].to_numpy(float), lav[col].to_numpy(float), rtol=1e-12, atol=1e-12,
                                   equal_nan=True, err_msg=col)


def test_scaled_difference_is_not_the_naive_difference_of_scaled_statistics():
    """The reason lavaan's Chisq column holds standard statistics: the scaled difference is
    a function of them and the scaling factors, not chisq_scaled_0 - chisq_scaled_1."""
    f = _fits("lrt_mlr")
    t = difference_test(f["five_stage"], f["partial_mediation"])
    assert t["method"] == "satorra.bentler.2001"
    naive = f["five_stage"]["chisq_scaled"] - f["partial_mediation"]["chisq_scaled"]
    assert abs(t["chisq_diff"] - naive) > 1e-3
    c0, c1 = f["five_stage"]["chisq_scaling_factor"], f["partial_mediation"]["chisq_scaling_factor"]
    cd = (247 * c0 - 243 * c1) / 4
    assert t["scaling_factor_diff"] == pytest.approx(cd, rel=1e-12)


@pytest.fixture(scope="module")
def our_fits():
    data = pd.read_csv(FIXTURES / "waves" / "pooled.csv")
    texts = {k: model_text([str(ROOT / "config/models/measurement.lav"), str(ROOT / "config/models" / f)])
             for k, f in MODELS.items()}
    texts["star"] = FIX["net"]["star_model"]
    texts["skip"] = FIX["net"]["skip_model"]
    return texts, {k: fit(t, data) for k, t in texts.items()}


def test_difference_tests_of_our_fits_match_lavaan(our_fits):
    texts, results = our_fits
    lav = _lavaan_table("lrt_ml").set_index("model")
    table, warnings = compare_fits({k: texts[k] for k in MODELS}, {k: results[k] for k in MODELS},
                                   [("five_stage", "partial_mediation"), ("partial_mediation", "no_chain")])
    assert warnings == []
    rows = table.set_index("model")
    for restricted in ("five_stage", "partial_mediation"):
        r, l = rows.loc[restricted], lav.loc[restricted]
        assert r["chisq_diff"] == pytest.approx(l["Chisq diff"], abs=1e-5)
        assert r["df_diff"] == l["Df diff"]
        assert r["pvalue_diff"] == pytest.approx(l["Pr(>Chisq)"], abs=1e-6)
        assert r["rmsea_diff"] == pytest.approx(l["RMSEA"], abs=1e-6)
        assert r["nested"] is True or r["nested"] == True  # noqa: E712  (numpy bool)
    for name in MODELS:
        assert rows.loc[name, "aic"] == pytest.approx(lav.loc[name, "AIC"], abs=1e-5)
        assert rows.loc[name, "bic"] == pytest.approx(lav.loc[name, "BIC"], abs=1e-5)
    assert rows.loc["five_stage", "delta_aic"] == 0.0       # the smallest AIC and BIC here
    assert rows.loc["no_chain", "delta_bic"] == pytest.approx(lav.loc["no_chain", "BIC"]
                                                              - lav.loc["five_stage", "BIC"], abs=1e-5)


def test_nesting_check_agrees_with_semtools_net(our_fits):
    """NET: for every pair semTools::net orders (more df within fewer, or equal df), our
    chi-square of the general model at the restricted one's implied moments is ~0 exactly
    when net() says nested."""
    texts, results = our_fits
    df = FIX["net"]["df"]
    checked = {True: 0, False: 0}
    for entry in FIX["net"]["nested"]:
        r = entry["restricted"]
        for g, nested in entry["within"].items():
            if g == r or nested is None or df[r] < df[g]:
                continue
            x2 = nesting_chisq(results[r], texts[g])
            assert (x2 < NET_CRIT) == nested, (r, g, x2)
            checked[nested] += 1
    assert checked[True] >= 6 and checked[False] >= 2       # skip is not nested in partial_mediation


def test_declared_nesting_that_does_not_hold_stops_with_the_config_key(our_fits):
    texts, results = our_fits
    models = {k: texts[k] for k in ("skip", "partial_mediation")}
    with pytest.raises(ConfigError, match="not nested") as err:
        compare_fits(models, {k: results[k] for k in models}, [("skip", "partial_mediation")])
    assert err.value.key == "comparison.nested"
    # the wrong way round (fewer df nested in more): stopped before any refit
    with pytest.raises(ConfigError, match="more"):
        compare_fits({k: texts[k] for k in MODELS}, {k: results[k] for k in MODELS},
                     [("partial_mediation", "five_stage")])
    # lavTestLRT's chain (no declaration) reports it instead of stopping
    _, warnings = compare_fits(models, {k: results[k] for k in models})
    assert any("not nested" in w for w in warnings)


def test_comparison_table_one_row_per_model_and_pair():
    f = _fits("lrt_ml")
    table = comparison_table(f, [("five_stage", "partial_mediation"), ("five_stage", "no_chain"),
                                 ("partial_mediation", "no_chain")])
    assert list(table["model"]) == ["five_stage", "five_stage", "partial_mediation", "no_chain"]
    assert list(table["compared_with"].fillna("-")) == ["partial_mediation", "no_chain", "no_chain", "-"]
    both = table[table["compared_with"] == "no_chain"].set_index("model")
    # five_stage vs no_chain = the sum of the two steps (df and chi-square add up)
    assert both.loc["five_stage", "df_diff"] == 10
    assert both.loc["five_stage", "chisq_diff"] == pytest.approx(f["five_stage"]["chisq"] - f["no_chain"]["chisq"])


def test_comparison_report_for_the_pipeline(our_fits):
    from alianza.comparison import comparison_report

    texts, results = our_fits
    models = {k: texts[k] for k in MODELS}
    sub = {k: results[k] for k in MODELS}
    nested = [("five_stage", "partial_mediation"), ("partial_mediation", "no_chain")]
    table, warnings = compare_fits(models, sub, nested)
    frame, report = comparison_report({"pooled": (table, warnings, sub)}, nested)
    assert list(frame.columns[:2]) == ["sample", "model"] and len(frame) == 3
    json.dumps(report, allow_nan=False)
    pooled = report["samples"]["pooled"]
    assert pooled["n"] == 507 and report["nested"] == [list(p) for p in nested]
    assert pooled["models"]["five_stage"]["fit"]["df"] == 247
