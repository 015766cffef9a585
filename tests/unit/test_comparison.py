"""alianza.comparison's edge cases (lavaan's lavTestLRT rules) and `alianza compare`."""
import json
import math

import pytest

from alianza.cli import main
from alianza.comparison import difference_test, lrt_table
from alianza.errors import ConfigError
from tests.conftest import FIXTURES, ROOT


def _f(chisq, df, c=None, n=500):
    out = {"chisq": chisq, "df": df, "ntotal": n, "aic": 1000 + chisq, "bic": 1100 + chisq}
    if c is not None:
        out["chisq_scaling_factor"] = c
    return out


def test_standard_difference():
    t = difference_test(_f(30.0, 10), _f(20.0, 8))
    assert (t["chisq_diff"], t["df_diff"], t["method"]) == (10.0, 2, "standard")
    assert t["pvalue_diff"] == pytest.approx(math.exp(-5.0))          # chi-square(2) tail: exp(-x/2)
    # lavaan's RMSEA of the difference: sqrt(max(x2 / (N df) - 1 / N, 0))
    assert t["rmsea_diff"] == pytest.approx(math.sqrt(10 / 500 / 2 - 1 / 500))


def test_satorra_bentler_2001():
    t = difference_test(_f(30.0, 10, 1.2), _f(20.0, 8, 1.1))
    cd = (10 * 1.2 - 8 * 1.1) / 2
    assert t["method"] == "satorra.bentler.2001"
    assert (t["chisq_diff"], t["scaling_factor_diff"]) == pytest.approx((10.0 / cd, cd))
    assert math.isnan(t["rmsea_diff"])
    # a saturated general model (df 0) has no scaling factor: lavaan takes 1
    t = difference_test(_f(30.0, 10, 1.2), _f(0.0, 0))
    assert t["scaling_factor_diff"] == pytest.approx(1.2) and t["chisq_diff"] == pytest.approx(25.0)
    # a negative scaling factor of the difference: no test (NA), with a warning
    t = difference_test(_f(30.0, 10, 0.5), _f(20.0, 8, 1.5))
    assert math.isnan(t["chisq_diff"]) and any("negative" in w for w in t["warnings"])


def test_lavaan_warnings_same_df_and_better_fit():
    t = difference_test(_f(20.0, 8), _f(25.0, 8))
    assert math.isnan(t["pvalue_diff"])
    assert any("same degrees" in w for w in t["warnings"])
    assert any("fits better" in w for w in t["warnings"])
    with pytest.raises(ConfigError, match="not all"):
        lrt_table({"a": _f(30.0, 10, 1.2), "b": _f(20.0, 8)})


def test_cli_compare(tmp_path, capsys):
    meas = ROOT / "config/models/measurement.lav"
    specs = [f"{meas}+{ROOT / 'config/models' / m}.lav" for m in ("five_stage", "partial_mediation", "no_chain")]
    out = tmp_path / "cmp.json"
    csv = tmp_path / "cmp.csv"
    data = str(FIXTURES / "waves" / "pooled.csv")
    assert main(["compare", *specs, data, "--json", str(out), "--csv", str(csv)]) == 0
    text = capsys.readouterr().out
    assert "five_stage" in text and "partial_mediation" in text and "Chi-squared difference" in text
    d = json.loads(out.read_text())
    rows = {(r["model"], r["compared_with"]): r for r in d["comparison"]}
    # lavTestLRT's chain when no pairs are given: by df, each against the next less restricted
    assert ("five_stage", "partial_mediation") in rows and ("partial_mediation", "no_chain") in rows
    assert rows[("five_stage", "partial_mediation")]["nested"] is True
    assert csv.read_text().startswith("model,")
    assert main(["compare", *specs, data, "--nested", "five_stage:nope"]) == 2
    assert "--nested" in capsys.readouterr().err
    assert main(["compare", specs[0], data]) == 2
