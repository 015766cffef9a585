"""The pipeline with a `design:` block, end to end: weighted, cluster-robust fits and tables.

A scratch copy of the project whose first bundled wave gains an expansion factor (FACTOR_EXP,
declared in the codebook as the design's weights, so rows without a usable weight are quarantined)
and six municipalities; config/config.yaml gets `design: {weights, cluster, strata}`.
"""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import copy_project

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
CONTEXT = ('  - id: factor_exp\n    type: number\n    required: true\n    min: 0.001\n    max: 100000\n'
           '    design: weights\n    label: {es: "Factor de expansión", en: "Expansion factor"}\n')
DESIGN = "\ndesign:\n  weights: factor_exp\n  cluster: municipio\n  strata: sector\n"
BAD_ROWS = {5: b"", 9: b"0", 13: b"mucho", 17: b"-3"}      # data rows with no usable weight


def _row(i: int, line: bytes) -> bytes:
    cells = line.split(b";")
    cells[1] = b"%d" % (1 + i % 2)       # two sectors (the strata; invariance across them)
    cells[2] = b"%d" % (1 + i % 6)       # six municipalities (the clusters)
    weight = BAD_ROWS.get(i, b"%d" % (5 + (i * 7) % 36))
    return b";".join(cells) + b";" + weight


@pytest.fixture(scope="module")
def design_run(tmp_path_factory):
    work = copy_project(tmp_path_factory.mktemp("design"))
    raw = work / "data" / "raw"
    wave = raw / "wave1_hermosillo_synthetic.csv"
    lines = wave.read_bytes().split(b"\r\n")
    wave.write_bytes(b"\r\n".join([lines[0] + b";FACTOR_EXP"] + [_row(i, l) if l else l
                                                                  for i, l in enumerate(lines[1:])]))
    (raw / "wave2_sonora_synthetic.xlsx").unlink()
    codebook = work / "config" / "codebook.yaml"
    codebook.write_text(codebook.read_text(encoding="utf-8").replace("context:\n", "context:\n" + CONTEXT, 1),
                        encoding="utf-8")
    config = work / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8").replace("groups: [wave, sector]", "groups: [sector]")
    config.write_text(text + DESIGN, encoding="utf-8")
    proc = subprocess.run([SNAKEMAKE, "--cores", "2"], cwd=work, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return work


def test_rows_without_a_usable_weight_are_quarantined(design_run):
    summary = json.loads((design_run / "data/processed/wave1_hermosillo_synthetic.summary.json").read_text())
    path = design_run / "data/processed/wave1_hermosillo_synthetic.quarantine.csv"
    assert summary["rows_in"] == summary["rows_kept"] + summary["rows_quarantined"]
    assert len(pd.read_csv(path)) >= len(BAD_ROWS)
    text = path.read_text(encoding="utf-8")
    assert "out-of-range value '0' in column 'factor_exp'" in text and "'-3' in column 'factor_exp'" in text
    assert "missing sampling weight in column 'factor_exp'" in text and "'mucho' is not a number" in text
    kept = pd.read_parquet(design_run / "data/processed/wave1_hermosillo_synthetic.parquet")
    assert summary["design"]["weights_sum"] == pytest.approx(kept["factor_exp"].astype(float).sum())


def test_fits_are_weighted_and_cluster_robust(design_run):
    doc = json.loads((design_run / "reports/models/pooled/five_stage.json").read_text())
    data = pd.read_parquet(design_run / "data/processed/pooled.parquet")
    design = doc["design"]
    assert design["sampling_weights"] == "factor_exp" and design["cluster"] == "municipio"
    assert design["se"] == "robust.cluster" and design["n_clusters"] == data["municipio"].nunique()
    assert doc["estimator"] == "MLR" and doc["fit"]["chisq_scaled"] is not None
    assert any("clusters of 'municipio'" in w for w in doc["warnings"])          # 6 < 30: said so
    boot = json.loads((design_run / "reports/bootstrap/pooled/five_stage.json").read_text())
    assert "whole clusters of 'municipio'" in boot["bootstrap"]["resampling"]


def test_tables_provenance_and_validity_state_the_design(design_run):
    note = (design_run / "reports/tables/pooled/fit_indices.md").read_text(encoding="utf-8")
    assert "factor\\_exp" in note and "conglomerados de municipio" in note and "Estratos de muestreo (sector)" in note
    sample = (design_run / "reports/tables/sample_description.md").read_text(encoding="utf-8")
    assert "factor\\_exp" in sample and "] |" in sample          # weighted estimates in brackets
    prov = json.loads((design_run / "reports/provenance.json").read_text())
    assert prov["design"] == {"weights": "factor_exp", "cluster": "municipio", "strata": "sector"}
    validity = json.loads((design_run / "reports/validity/pooled.json").read_text())
    assert validity["design"]["treatment"] == "unweighted"
