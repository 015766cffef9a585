"""Ingestion of a wave whose codebook declares its survey design (weights, cluster, strata)."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from alianza.codebook import Codebook
from alianza.errors import ConfigError
from alianza.ingest import ingest_wave
from alianza.simulate import render_wave, write_wave
from alianza.yamlfiles import load_yaml
from tests.unit.wave_helpers import ROOT, clean_wave

WEIGHTS = {"id": "factor_exp", "type": "number", "min": -1000, "max": 100000, "design": "weights",
           "label": {"es": "Factor de expansión", "en": "Expansion factor"}}


@pytest.fixture(scope="module")
def design_codebook():
    data = copy.deepcopy(load_yaml(ROOT / "config" / "codebook.yaml"))
    data["context"].insert(0, dict(WEIGHTS))
    for cv in data["context"]:
        if cv["id"] == "municipio":
            cv["design"] = "cluster"
        if cv["id"] == "sector":
            cv["design"] = "strata"
    return Codebook(data, "design codebook")


def test_rows_without_a_usable_weight_or_cluster_are_quarantined(tmp_path, design_codebook):
    wave = clean_wave(12, seed=5)
    weights = np.linspace(10, 40, len(wave)).round(1).astype(object)
    bad = {2: None, 4: 0, 6: -5, 8: "mucho"}         # 1-based source rows: missing, zero, negative, text
    for row, value in bad.items():
        weights[row - 1] = value
    wave.insert(1, "factor_exp", weights)
    wave["municipio"] = wave["municipio"].astype(object)
    wave.loc[9, "municipio"] = None                  # source row 10: no cluster id
    path = write_wave(render_wave(wave, design_codebook), tmp_path / "w.csv", design_codebook)
    result = ingest_wave(path, design_codebook)
    s = result.summary
    assert s["rows_in"] == 12 == s["rows_kept"] + s["rows_quarantined"]
    q = result.quarantine.set_index("source_row")["reason"]
    assert sorted(q.index) == [2, 4, 6, 8, 10]
    assert "missing sampling weight in column 'factor_exp'" in q[2]
    assert "non-positive sampling weight 0" in q[4] and "non-positive sampling weight -5" in q[6]
    assert "'mucho' is not a number" in q[8]
    assert "missing cluster id in column 'municipio'" in q[10]
    assert s["reasons"]["invalid_design"] == 4 and s["reasons"]["out_of_range"] == 1
    kept_w = result.kept["factor_exp"].astype(float)
    assert s["design"]["weights_sum"] == pytest.approx(kept_w.sum())        # as delivered, not rescaled
    assert (s["design"]["weights_min"], s["design"]["weights_max"]) == (kept_w.min(), kept_w.max())
    assert s["design"]["cluster"] == "municipio" and s["design"]["n_cluster"] == result.kept["municipio"].nunique()
    assert s["design"]["strata"] == "sector"


def test_design_role_must_be_known():
    data = copy.deepcopy(load_yaml(ROOT / "config" / "codebook.yaml"))
    data["context"].insert(0, {**WEIGHTS, "design": "weight"})
    with pytest.raises(ConfigError, match="design"):
        Codebook(data, "bad codebook")


def test_a_codebook_without_design_reports_none(tmp_path):
    from tests.unit.wave_helpers import codebook, write

    result = ingest_wave(write(clean_wave(3), tmp_path / "w.csv"), codebook())
    assert result.summary["design"] is None
