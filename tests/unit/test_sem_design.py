"""Sampling weights and clusters (sem/data/design.py, sem/estimation/options.py): behaviour on data the tests build."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alianza.errors import ConfigError, InputError
from alianza.sem import fit
from alianza.sem.estimation.options import fit_kwargs, resolve

MODEL = "F =~ y1 + y2 + y3 + y4"


@pytest.fixture(scope="module")
def survey():
    rng = np.random.default_rng(7)
    n_clusters, size = 30, 8
    cluster = np.repeat(np.arange(n_clusters), size)
    f = rng.normal(size=n_clusters)[cluster] * 0.6 + rng.normal(size=len(cluster))
    y = f[:, None] * np.array([1.0, 0.8, 1.1, 0.9]) + rng.normal(scale=0.7, size=(len(cluster), 4))
    data = pd.DataFrame(y, columns=["y1", "y2", "y3", "y4"])
    data["muni"] = [f"M{c:02d}" for c in cluster]
    data["w"] = rng.uniform(5, 50, len(cluster))
    return data


def params(res):
    return res.params.set_index(["lhs", "op", "rhs"])


def test_equal_weights_give_the_unweighted_fit(survey):
    plain = fit(MODEL, survey, estimator="MLR")
    weighted = fit(MODEL, survey.assign(w=3.7), estimator="MLR", sampling_weights="w")
    assert np.allclose(params(weighted)["est"], params(plain)["est"], atol=1e-6)
    assert np.allclose(params(weighted)["se"], params(plain)["se"], atol=1e-6)
    assert weighted.fit["chisq_scaled"] == pytest.approx(plain.fit["chisq_scaled"], abs=1e-6)


def test_integer_weights_match_duplicated_rows_for_estimates(survey):
    counts = np.arange(len(survey)) % 3 + 1
    weighted = fit(MODEL, survey.assign(w=counts.astype(float)), estimator="MLR", sampling_weights="w")
    expanded = fit(MODEL, survey.loc[survey.index.repeat(counts)].reset_index(drop=True), estimator="MLR")
    # a weight of k counts a row k times in the likelihood: the same estimates and chi-square per N
    assert np.allclose(params(weighted)["est"], params(expanded)["est"], atol=1e-5)
    assert weighted.fit["chisq"] / weighted.n == pytest.approx(expanded.fit["chisq"] / expanded.n, rel=1e-5)


def test_one_row_per_cluster_is_huber_white_with_the_small_sample_factor(survey):
    hw = fit(MODEL, survey, estimator="MLR", meanstructure=True)
    singletons = fit(MODEL, survey.assign(id=np.arange(len(survey))), estimator="MLR", cluster="id")
    n = len(survey)
    assert np.allclose(params(singletons)["se"], params(hw)["se"] * np.sqrt(n / (n - 1)), atol=1e-6)
    assert singletons.design["n_clusters"] == n


def test_clusters_widen_the_standard_errors_of_clustered_data(survey):
    hw = fit(MODEL, survey, estimator="MLR", meanstructure=True)
    cl = fit(MODEL, survey, estimator="MLR", cluster="muni")
    loadings = (hw.params["op"] == "=~") & hw.params["se"].notna() & (hw.params["se"] > 0)
    assert (cl.params.loc[loadings, "se"].to_numpy() > hw.params.loc[loadings, "se"].to_numpy()).mean() > 0.5
    assert cl.design["n_clusters"] == 30 and cl.design["se"] == "robust.cluster"


def test_ml_with_weights_becomes_mlr_as_in_lavaan():
    opts = resolve("ML", observed=["y1"], sampling_weights="w")
    assert (opts.estimator, opts.se, opts.test) == ("MLR", "robust.huber.white", "yuan.bentler.mplus")
    opts = resolve("ML", observed=["y1"], cluster="muni")
    assert (opts.se, opts.test, opts.information) == ("robust.cluster", "yuan.bentler.mplus", "observed")


@pytest.mark.parametrize("kwargs, words", [
    (dict(estimator="WLSMV", ordered="all", sampling_weights="w"), "sampling weights with WLSMV"),
    (dict(estimator="WLSMV", ordered="all", cluster="muni"), "clusters with WLSMV"),
    (dict(estimator="MLR", sampling_weights="y1"), "also a model variable"),
    (dict(estimator="MLR", cluster="g", group="g"), "also the grouping variable"),
    (dict(estimator="ML", se="standard", cluster="muni"), "ignores the survey design"),
])
def test_unsupported_combinations_refuse_in_one_line(kwargs, words):
    with pytest.raises(ConfigError) as err:
        resolve(observed=["y1", "y2"], **kwargs)
    assert words in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("column, value, words", [
    ("w", np.nan, "is missing"), ("w", -2.0, "not positive"), ("w", 0.0, "not positive"),
    ("w", "mucho", "not a number"), ("muni", None, "missing cluster id"),
])
def test_bad_design_values_name_file_column_and_row(survey, column, value, words):
    data = survey.astype({column: object}).copy()
    data.loc[5, column] = value
    with pytest.raises(InputError) as err:
        fit(MODEL, data, estimator="MLR", sampling_weights="w", cluster="muni", source="wave.csv")
    msg = str(err.value)
    assert words in msg and "wave.csv" in msg and f"'{column}'" in msg and "row 5" in msg


def test_absent_design_column_is_named(survey):
    with pytest.raises(InputError, match="factor_exp"):
        fit(MODEL, survey, estimator="MLR", sampling_weights="factor_exp")


def test_fit_kwargs_reads_the_design_block():
    kw = fit_kwargs({"estimator": "MLR"}, {"weights": "factor_exp", "cluster": "municipio", "strata": "estrato"})
    assert kw["sampling_weights"] == "factor_exp" and kw["cluster"] == "municipio" and "strata" not in kw
    assert "sampling_weights" not in fit_kwargs({"estimator": "MLR"})


def test_config_design_block_is_validated_by_the_schema():
    import yaml

    from alianza.schemas import validate_config
    from tests.conftest import ROOT

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    validate_config({**config, "design": {"weights": "factor_exp", "cluster": "municipio", "strata": "estrato"}})
    with pytest.raises(ConfigError, match="design"):
        validate_config({**config, "design": {"weight": "factor_exp"}})
    with pytest.raises(ConfigError, match="design"):
        validate_config({**config, "design": {"cluster": "Municipio"}})


def test_design_columns_must_be_context_variables_and_weights_numeric():
    from alianza.sem.data.design import check_design_config

    context = {"municipio": "categorical", "factor_exp": "number", "estrato": "categorical"}
    check_design_config({"weights": "factor_exp", "cluster": "municipio", "strata": "estrato"}, context)
    with pytest.raises(ConfigError, match="design.cluster"):
        check_design_config({"cluster": "ageb"}, context)
    with pytest.raises(ConfigError, match="must be a number"):
        check_design_config({"weights": "municipio"}, context)


def test_one_cluster_is_refused_in_one_line(survey):
    with pytest.raises(InputError) as err:
        fit(MODEL, survey.assign(muni="M01"), estimator="MLR", cluster="muni", source="wave.csv")
    assert "all in cluster 'M01'" in str(err.value) and "'muni'" in str(err.value)


def test_few_clusters_warn(survey):
    res = fit(MODEL, survey, estimator="MLR", cluster="muni")
    assert not any("unreliable" in w for w in res.warnings)     # 30 clusters are enough
    few = fit(MODEL, survey.assign(muni=survey["muni"].str[:2]), estimator="MLR", cluster="muni")
    assert any("clusters of 'muni'" in w and "unreliable" in w for w in few.warnings)
