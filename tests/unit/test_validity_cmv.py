"""Common-method variance helpers."""
import pytest
from scipy import stats

from alianza.validity import cmv


def test_single_factor_syntax_avoids_item_names():
    assert cmv.single_factor_syntax({"f": ["a", "b"], "g": ["c", "a"]}) == "CMV =~ a + b + c\n"
    assert cmv.single_factor_syntax({"f": ["CMV", "b"]}).startswith("CMV_ =~ CMV + b")


def test_chisq_difference_standard():
    out = cmv.chisq_difference({"chisq": 50.0, "df": 10}, {"chisq": 30.0, "df": 7})
    assert out == {"chisq_diff": 20.0, "df_diff": 3, "pvalue": pytest.approx(stats.chi2.sf(20, 3)), "method": "standard"}


def test_chisq_difference_scaled_reduces_to_standard_with_unit_scaling():
    r = {"chisq": 50.0, "df": 10, "chisq_scaling_factor": 1.0}
    f = {"chisq": 30.0, "df": 7, "chisq_scaling_factor": 1.0}
    out = cmv.chisq_difference(r, f)
    assert out["method"] == "satorra.bentler.2001" and out["chisq_diff"] == pytest.approx(20.0)


def test_harman_rejects_unknown_method():
    with pytest.raises(ValueError):
        cmv.harman_single_factor(None, method="varimax")
