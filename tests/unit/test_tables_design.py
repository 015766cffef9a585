"""Table notes of a survey design: weighted estimates, cluster-robust SEs, number of clusters."""
from __future__ import annotations

import pytest

from alianza.tables.catalog import OutputOptions, TableInputs, sample_tables
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
