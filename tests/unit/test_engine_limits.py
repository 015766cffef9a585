"""Config shapes the pipeline accepts, and what it leaves out (with a note) where the engine refuses."""
import copy

import pytest

from alianza.engine_limits import bootstrap_refusal, comparison_refusal
from alianza.errors import ConfigError
from alianza.schemas import validate_config
from alianza.yamlfiles import load_yaml
from tests.conftest import ROOT

CONFIG = load_yaml(ROOT / "config" / "config.yaml")


@pytest.mark.parametrize("comparison", [{}, None])
def test_no_comparison_is_a_valid_config(comparison):
    cfg = copy.deepcopy(CONFIG)
    cfg["comparison"] = comparison
    if comparison is None:
        del cfg["comparison"]
    validate_config(cfg)
    cfg["comparison"] = {"models": ["five_stage"]}
    with pytest.raises(ConfigError) as err:
        validate_config(cfg)
    assert err.value.key == "comparison.models"


def test_wlsmv_with_bootstrapped_models_is_a_valid_config():
    cfg = copy.deepcopy(CONFIG)
    cfg["estimation"] = {"estimator": "WLSMV", "ordered": "all"}
    validate_config(cfg)


@pytest.mark.parametrize("estimation, refused", [
    ({"estimator": "ML"}, False), ({"estimator": "MLR", "missing": "listwise"}, False),
    ({"estimator": "MLR", "missing": "fiml"}, True), ({"estimator": "WLSMV", "ordered": "all"}, True),
    ({"estimator": "ML", "ordered": ["e1_1"]}, True),
])
def test_bootstrap_refusal_names_the_estimation_in_both_languages(estimation, refused):
    """Every estimator is bootstrapped; a survey design's cluster bootstrap only on complete rows by ML/MLR."""
    assert bootstrap_refusal(estimation) is None
    note = bootstrap_refusal(estimation, {"cluster": "municipio"})
    assert (note is not None) == refused
    if refused:
        assert set(note) == {"es", "en"} and estimation["estimator"] in note["es"] and estimation["estimator"] in note["en"]


def test_difference_tests_are_refused_only_where_the_engine_lacks_them():
    for estimator in ("ML", "mlr", "WLSMV", "ULSMV"):      # Satorra (2000) for the ordered-item estimators
        assert comparison_refusal(estimator) is None
    note = comparison_refusal("GLS")
    assert "GLS" in note["es"] and "GLS" in note["en"]
