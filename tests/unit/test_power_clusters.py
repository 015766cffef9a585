"""Clustered samples in power studies: the intra-class correlation drawn, cluster-robust fits."""
from __future__ import annotations

import json

import numpy as np
import pytest

from alianza.cli import main
from alianza.errors import ConfigError
from alianza.power import PowerSettings
from alianza.power.generate import DataGenerator, cluster_ids, replicate_streams
from alianza.power.moments import from_lavaan
from alianza.power.replicate import AnalysisModel, fit_with_sem

POP = "y ~ 0.4*x\n"


def test_cluster_ids_are_balanced():
    ids = cluster_ids(103, 10)
    sizes = np.bincount(ids)
    assert len(sizes) == 10 and sizes.max() - sizes.min() <= 1 and sizes.sum() == 103


def test_draws_keep_the_population_covariance_and_have_the_icc():
    moments = from_lavaan(POP)
    gen = DataGenerator(moments, clusters=400, icc=0.3)
    x = gen.draw(400 * 50, replicate_streams(3, 20000, 0))
    assert np.allclose(np.cov(x, rowvar=False), moments.cov, atol=0.08)
    ids = cluster_ids(len(x), 400)
    means = np.array([np.bincount(ids, weights=x[:, j]) / np.bincount(ids) for j in range(x.shape[1])]).T
    # between-cluster variance of the means = icc var + (1 - icc) var / m
    var = np.diag(moments.cov)
    expected = 0.3 * var + 0.7 * var / 50
    assert np.allclose(means.var(axis=0), expected, rtol=0.2)


def test_cluster_robust_ses_are_larger_on_clustered_data():
    moments = from_lavaan(POP)
    analysis = AnalysisModel.from_text("y ~ b*x\n")
    x = DataGenerator(moments, clusters=20, icc=0.4).draw(400, replicate_streams(5, 400, 0))
    naive = fit_with_sem(analysis, x, "MLR", mc_draws=0)
    robust = fit_with_sem(analysis, x, "MLR", mc_draws=0, cluster=cluster_ids(400, 20))
    assert np.allclose(naive.est, robust.est)
    slope = 0
    assert robust.se[slope] > 1.3 * naive.se[slope]


def test_settings_refuse_impossible_designs():
    with pytest.raises(ConfigError, match="clusters"):
        PowerSettings(n=[50], reps=2, seed=1, clusters=80)
    with pytest.raises(ConfigError, match="needs a number of clusters"):
        PowerSettings(n=[50], reps=2, seed=1, icc=0.2)
    with pytest.raises(ConfigError, match="intra-class"):
        PowerSettings(n=[50], reps=2, seed=1, clusters=5, icc=1.0)


def test_power_cli_with_clusters(tmp_path, capsys):
    pop = tmp_path / "pop.lav"
    pop.write_text(POP)
    model = tmp_path / "m.lav"
    model.write_text("y ~ b*x\n")
    out = tmp_path / "p.json"
    assert main(["power", str(model), "--population", str(pop), "--n", "60,120", "--reps", "5", "--seed", "2",
                 "--estimator", "MLR", "--clusters", "12", "--icc", "0.2", "--no-progress",
                 "--json", str(out)]) == 0
    assert "12 clusters with ICC 0.2, cluster-robust SEs" in capsys.readouterr().out
    res = json.loads(out.read_text())
    assert res["clusters"] == 12 and res["icc"] == 0.2
    assert all(b["converged"] == 5 for b in res["results"])
