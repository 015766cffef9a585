"""Table notes of a survey design: weighted estimates, cluster-robust SEs, number of clusters."""
from __future__ import annotations

import numpy as np
import pytest

from alianza.tables.catalog import OutputOptions, TableInputs, sample_description_table, sample_tables
from tests.unit.tables_helpers import codebook, lavaan_model, validity_wave

MODELS = ["measurement", "five_stage"]
DESIGN = {"sampling_weights": "factor_exp", "cluster": "municipio", "n_clusters": 37, "se": "robust.cluster"}


def inputs(design=None, config=None):
    models = [(m, {**lavaan_model(f"pooled_{m}"), **({"design": design} if design else {})}) for m in MODELS]
    return TableInputs(validity=validity_wave(), measurement=dict(models[0][1]), models=models,
                       design_config=config)


@pytest.mark.parametrize("lang, words", [
    ("es", ["ponderadas", "factor_exp", "37 conglomerados de municipio", "Estratos de muestreo (estrato)"]),
    ("en", ["weighted", "factor_exp", "37 clusters of municipio", "Sampling strata (estrato)"]),
])
def test_model_tables_say_weighted_cluster_robust_and_how_many_clusters(lang, words):
    tables = sample_tables(inputs(DESIGN, {"strata": "estrato"}), codebook(), OutputOptions(lang=lang))
    by_name = {t.name: t for t in tables}
    for name in ("cfa_loadings", "fit_indices"):
        note = by_name[name].notes[0]
        assert all(w in note for w in words), note
    # validity tables are unweighted: their notes do not claim otherwise
    assert all(w not in by_name["reliability"].notes[0] for w in words[:2])


def test_no_design_no_design_sentences():
    plain = sample_tables(inputs(), codebook(), OutputOptions(lang="en"))
    assert not any("cluster" in t.notes[0] or "weighted" in t.notes[0] for t in plain if t.notes)


def _frames():
    from tests.unit.wave_helpers import clean_wave

    wave = clean_wave(40, seed=3)
    weights = np.where(wave["sector"].astype(int) == 1, 30.0, 10.0)
    return {"w1": wave.assign(factor_exp=weights), "w2": clean_wave(20, seed=4).assign(factor_exp=5.0)}


def test_sample_description_shows_weighted_estimates_beside_the_counts():
    frames = _frames()
    tb = sample_description_table(frames, codebook(), OutputOptions(lang="en"), design={"weights": "factor_exp"})
    raw = tb.raw
    w1 = frames["w1"]
    # the number of firms: the sum of the weights
    firms = raw[(raw["variable"] == "n") & (raw["group"] == "w1")]
    assert firms["weighted"].iloc[0] == pytest.approx(w1["factor_exp"].sum())
    # a category share: weighted by hand
    share = raw[(raw["variable"] == "sector") & (raw["group"] == "w1") & raw["n"].gt(0)].iloc[0]
    code = next(c for c, lab in codebook().variable("sector").code_labels.items() if lab["en"] == share["category"])
    hit = w1["sector"].astype(int) == code
    assert share["weighted"] == pytest.approx(100 * w1.loc[hit, "factor_exp"].sum() / w1["factor_exp"].sum())
    # equal weights: the weighted share is the unweighted one
    w2 = raw[(raw["variable"] == "sector") & (raw["group"] == "w2")]
    assert np.allclose(w2["weighted"], w2["percent"])
    # a numeric variable: weighted mean
    age = raw[(raw["variable"] == "antiguedad") & (raw["group"] == "w1")].iloc[0]
    x = w1["antiguedad"].astype(float)
    ok = x.notna()
    assert age["weighted"] == pytest.approx(np.average(x[ok], weights=w1.loc[ok, "factor_exp"]))
    assert "[" in tb.body.iloc[0]["w1"] and "sum of the weights" in tb.notes[0]


def test_sample_description_without_weights_is_unchanged():
    frames = _frames()
    plain = sample_description_table(frames, codebook(), OutputOptions(lang="es"))
    assert "weighted" not in plain.raw.columns and not any("[" in str(v) for v in plain.body["w1"])
