"""Bootstrap with a survey design: whole clusters resampled, sampling weights kept."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alianza.sem import fit
from alianza.sem.inference.bootstrap import bootstrap, with_bootstrap

DATA = pd.read_csv(Path(__file__).resolve().parents[1] / "fixtures" / "design" / "design.csv")
MODEL = "E1 =~ e1_1 + e1_2 + e1_3\nE2 =~ e2_1 + e2_2 + e2_3\nE2 ~ b*E1\n"
KEY = ["lhs", "op", "rhs"]


@pytest.fixture(scope="module")
def clustered():
    return bootstrap(MODEL, DATA, replicates=300, seed=11, workers=1, cluster="muni", sampling_weights="w")


def test_cluster_bootstrap_ses_agree_with_the_cluster_robust_sandwich(clustered):
    boot = with_bootstrap(clustered.fit, clustered).params
    sandwich = fit(MODEL, DATA, estimator="MLR", cluster="muni", sampling_weights="w").params
    both = boot.merge(sandwich, on=KEY, suffixes=("_boot", "_sw"))
    free = both["se_sw"] > 0
    ratio = both.loc[free, "se_boot"] / both.loc[free, "se_sw"]
    assert ratio.between(0.75, 1.33).all(), ratio.describe()
    # the estimates are the weighted ones
    assert np.allclose(both["est_boot"], both["est_sw"])


def test_the_jackknife_leaves_one_cluster_out_and_the_output_says_how(clustered):
    block = clustered.block()
    assert block["jackknife"]["fits"] == DATA["muni"].nunique()
    assert "whole clusters of 'muni' (40)" in block["resampling"] and "sampling weight ('w')" in block["resampling"]
    assert clustered.converged == 300


def test_one_row_per_cluster_and_equal_weights_is_the_row_bootstrap():
    data = DATA.assign(unit=[f"{i:04d}" for i in range(len(DATA))], w=2.5)
    plain = bootstrap(MODEL, data, replicates=40, seed=3, workers=1, bca=False, bollen_stine=False)
    design = bootstrap(MODEL, data, replicates=40, seed=3, workers=1, bca=False, bollen_stine=False,
                       cluster="unit", sampling_weights="w")
    a = plain.rows.assign(i=range(len(plain.rows)))
    b = design.rows.assign(j=range(len(design.rows)))
    both = a.merge(b, on=KEY)
    assert len(both) == len(a)
    assert np.allclose(plain.est[:, both["i"]], design.est[:, both["j"]], atol=1e-7, equal_nan=True)


def test_fit_cli_bootstraps_clusters(tmp_path, capsys):
    from alianza.cli import main

    model = tmp_path / "m.lav"
    model.write_text(MODEL)
    out = tmp_path / "b.json"
    csv = Path(__file__).resolve().parents[1] / "fixtures" / "design" / "design.csv"
    assert main(["fit", str(model), str(csv), "--bootstrap", "50", "--seed", "2", "--cluster", "muni",
                 "--sampling-weights", "w", "--json", str(out)]) == 0
    import json

    doc = json.loads(out.read_text())
    assert "whole clusters of 'muni'" in doc["bootstrap"]["resampling"]
    assert doc["design"]["n_clusters"] == 40
