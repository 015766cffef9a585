"""Parity with lavaan 0.6.14 for robust ML (MLR), FIML and WLSMV (issue 5).

Expected numbers: tests/fixtures/reference/lavaan_public.json (`hs_cfa_mlr`) and
tests/fixtures/estimator_fixtures.json, made by tests/fixtures/make_estimator_fixtures.R on
the example waves (pooled.csv has a few missing values) and on copies with 10% of the cells
deleted completely at random (tests/fixtures/estimators/make_mcar.py).
"""
import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from alianza.sem import fit
from alianza.sem.data.categorical import ordinal_stats
from alianza.workflow import model_text
from tests.conftest import REFERENCE, ROOT

FIXTURES = ROOT / "tests" / "fixtures"
LAVAAN = json.loads((FIXTURES / "estimator_fixtures.json").read_text())
CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
DATA = {
    "pooled": FIXTURES / "waves" / "pooled.csv",
    "mcar": FIXTURES / "estimators" / "pooled_mcar10.csv",
    "hs_mcar": FIXTURES / "estimators" / "hs_mcar10.csv",
}
MODELS = {
    "measurement": model_text(CONFIG["models"]["measurement"]["files"]),
    "five_stage": model_text(CONFIG["models"]["five_stage"]["files"]),
    "e1": "E1 =~ e1_1 + e1_2 + e1_3 + e1_4",
    "merged": "E12 =~ e1_1 + e1_2 + e1_3 + e1_4 + e2_1 + e2_2 + e2_3 + e2_4\nE3 =~ e3_1 + e3_2 + e3_3 + e3_4",
    "hs": (REFERENCE / "hs_cfa.lav").read_text(),
    "visual4": "visual =~ x1 + x2 + x3 + x9",
}
FIML, MLR, MLR_FIML, WLSMV = ({"missing": "fiml"}, {"estimator": "MLR"},
                              {"estimator": "MLR", "missing": "fiml"}, {"ordered": "all"})
# the cases of make_estimator_fixtures.R: (data, model, options of fit())
CASES = {
    "fiml_pooled_five_stage": ("pooled", "five_stage", FIML),
    "fiml_mcar_measurement": ("mcar", "measurement", FIML),
    "fiml_mcar_five_stage": ("mcar", "five_stage", FIML),
    "mlr_fiml_mcar_five_stage": ("mcar", "five_stage", MLR_FIML),
    "mlr_pooled_five_stage": ("pooled", "five_stage", MLR),
    "wlsmv_pooled_measurement": ("pooled", "measurement", WLSMV),
    "wlsmv_pooled_five_stage": ("pooled", "five_stage", WLSMV),
    "wlsmv_pooled_e1": ("pooled", "e1", WLSMV),
    "wlsmv_pooled_merged": ("pooled", "merged", WLSMV),
    "fiml_hs_mcar_hs": ("hs_mcar", "hs", FIML),
    "mlr_fiml_hs_mcar_hs": ("hs_mcar", "hs", MLR_FIML),
    "mlr_pooled_merged": ("pooled", "merged", MLR),
    "fiml_hs_mcar_visual4": ("hs_mcar", "visual4", FIML),
}
# what each estimator must report (lavaan's names, dots -> underscores)
REQUIRED = {
    "fiml": {"chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr",
             "logl", "unrestricted_logl", "aic", "bic", "baseline_chisq", "cfi_robust", "tli_robust",
             "rmsea_robust"},
    "mlr": {"chisq", "chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor",
            "baseline_chisq_scaled", "cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust",
            "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust", "srmr"},
    "wlsmv": {"chisq", "chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor",
              "cfi_scaled", "tli_scaled", "rmsea_scaled", "srmr", "baseline_chisq_scaled",
              "cfi_robust", "tli_robust", "rmsea_robust"},
}


def _kind(case):
    return "wlsmv" if case.startswith("wlsmv") else "mlr" if case.startswith("mlr") else "fiml"


@pytest.fixture(scope="module")
def fits():
    cache = {}

    def get(case):
        if case not in cache:
            data, model, options = CASES[case]
            cache[case] = fit(MODELS[model], pd.read_csv(DATA[data]), **options)
        return cache[case]

    return get


def _close(ours, ref, tol):
    return (ref is None and (ours is None or not math.isfinite(ours))) or abs(ours - ref) <= tol


def test_every_fixture_case_is_tested():
    assert set(CASES) == {k for k in LAVAAN if k != "versions"}
    assert LAVAAN["versions"]["lavaan"] == "0.6.14"


@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_measures(case, fits):
    res, ref = fits(case), {k.replace(".", "_"): v for k, v in LAVAAN[case]["fit"].items()}
    assert REQUIRED[_kind(case)] <= set(res.fit), REQUIRED[_kind(case)] - set(res.fit)
    compared = [k for k in res.fit if k in ref]
    assert len(compared) >= len(REQUIRED[_kind(case)])
    for key in compared:
        tol = 1e-3 * max(1.0, abs(ref[key]))     # three decimals; three digits for chi-squares, logl
        assert _close(res.fit[key], ref[key], tol), (key, res.fit[key], ref[key])
    assert res.n == LAVAAN[case]["n"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_parameters_in_lavaans_rows_and_order(case, fits):
    res, ref = fits(case), pd.DataFrame(LAVAAN[case]["params"])
    ours = res.params
    assert list(zip(ours["lhs"], ours["op"], ours["rhs"])) == list(zip(ref["lhs"], ref["op"], ref["rhs"]))
    for col, rcol in (("est", "est"), ("se", "se"), ("std_lv", "std.lv"), ("std_all", "std.all")):
        got, want = ours[col].to_numpy(float), ref[rcol].to_numpy(float)
        ok = np.isnan(want) | (np.abs(got - want) <= 1e-3)
        assert ok.all(), (col, ours.loc[~ok, ["lhs", "op", "rhs", col]].to_dict("records"), want[~ok])


def test_thresholds_are_rows_with_op_bar_and_t1_to_t4(fits):
    p = fits("wlsmv_pooled_e1").params
    th = p[p["op"] == "|"]
    assert th["rhs"].tolist() == ["t1", "t2", "t3", "t4"] * 4
    assert th["lhs"].tolist() == [v for v in ("e1_1", "e1_2", "e1_3", "e1_4") for _ in range(4)]


def test_hs_mlr_matches_lavaan_public(lavaan_public):
    ref = lavaan_public["hs_cfa_mlr"]
    res = fit((REFERENCE / "hs_cfa.lav").read_text(), pd.read_csv(REFERENCE / "HolzingerSwineford1939.csv"),
              estimator="MLR")
    assert res.estimator == "MLR"
    for key, value in ref["fit"].items():
        assert abs(res.fit[key.replace(".", "_")] - value) < 1e-3, key
    by_key = {(r["lhs"], r["op"], r["rhs"]): r for r in ref["params"]}
    for _, row in res.params.iterrows():
        want = by_key[(row["lhs"], row["op"], row["rhs"])]
        assert abs(row["est"] - want["est"]) < 1e-3
        assert abs(row["se"] - want["se"]) < 1e-3          # robust (sandwich) standard errors
        assert abs(row["std_all"] - want["std.all"]) < 1e-3


@pytest.mark.parametrize("case", [c for c in CASES if "fiml" in c])
def test_fiml_missing_patterns_and_em_means(case, fits):
    res, ref = fits(case), LAVAAN[case]
    assert res.missing == "fiml"
    summary = res.missing_patterns
    assert summary["n_patterns"] == ref["npatterns"]
    for var, cov in ref["coverage_diag"].items():
        assert abs(summary["coverage"][var] - cov) < 1e-12
    # the saturated model's means by EM (lavInspect(fit, "sampstat")$mean)
    em = res.sample_mean
    for var, mean in ref["h1_mean"].items():
        assert abs(em[var] - mean) < 1e-5


def test_wlsmv_shift_parameter(fits):
    """lavaan's scaled-and-shifted statistic is chisq / scaling factor + shift."""
    for case in [c for c in CASES if c.startswith("wlsmv")]:
        f, ref = fits(case).fit, LAVAAN[case]["fit"]
        want = ref["chisq.scaled"] - ref["chisq"] / ref["chisq.scaling.factor"]
        assert abs(f["chisq_shift_parameters"] - want) < 1e-3


@pytest.mark.parametrize("case,items", [
    ("wlsmv_pooled_e1", ["e1_1", "e1_2", "e1_3", "e1_4"]),
    ("wlsmv_pooled_measurement", None),
])
def test_thresholds_polychorics_and_gamma(case, items):
    data = pd.read_csv(DATA["pooled"])
    items = items or [c for c in data.columns if c.startswith(("e1_", "e2_", "e3_", "e4_", "e5_", "co_"))]
    stats = ordinal_stats(data[items].dropna().to_numpy(float), items)
    ref = LAVAAN[case]
    assert np.allclose(stats.thresholds, list(ref["thresholds"].values()), atol=1e-8)
    i, j = stats.pairs
    assert np.allclose(stats.correlation[i, j], ref["polychoric"], atol=1e-6)
    assert np.allclose(np.diag(stats.gamma), ref["gamma_diag"], rtol=1e-5)
    if "gamma" in ref:
        assert np.allclose(stats.gamma, np.array(ref["gamma"]), atol=1e-6)


@pytest.mark.parametrize("case", sorted(CASES))
def test_modification_indices(case, fits):
    """modindices() uses the expected information: with MLR the ML ones, with FIML those of the
    incomplete data at the FIML estimates, with WLSMV Delta' W Delta of the extended model."""
    res = fits(case)
    ours = {(r.lhs, r.op, r.rhs): r for r in res.modindices.itertuples()}
    for row in LAVAAN[case]["modindices"]:
        got = ours[(row["lhs"], row["op"], row["rhs"])]
        assert abs(got.mi - row["mi"]) <= 1e-3 * max(1.0, row["mi"]), (row, got)
        assert abs(got.epc - row["epc"]) <= 1e-3 and abs(got.sepc_all - row["sepc.all"]) <= 1e-3, (row, got)
