"""The survey-design flags (--sampling-weights, --cluster) reach fit, invariance and compare."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from alianza.cli import main
from alianza.sem import fit

DESIGN = Path(__file__).resolve().parents[1] / "fixtures" / "design"
CSV = str(DESIGN / "design.csv")
CFA = "E1 =~ e1_1 + e1_2 + e1_3\nE2 =~ e2_1 + e2_2 + e2_3\nE2 ~ E1\n"


@pytest.fixture()
def model(tmp_path):
    path = tmp_path / "cfa.lav"
    path.write_text(CFA)
    return str(path)


def test_fit_cli_with_weights_and_clusters(model, tmp_path, capsys):
    out = tmp_path / "fit.json"
    assert main(["fit", model, CSV, "--estimator", "MLR", "--sampling-weights", "w", "--cluster", "muni",
                 "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Number of clusters [muni]" in text and "Robust.cluster" in text
    doc = json.loads(out.read_text())
    assert doc["design"]["sampling_weights"] == "w" and doc["design"]["n_clusters"] == 40
    assert doc["fit"]["chisq_scaled"] is not None


def test_fit_cli_names_a_missing_design_column(model, capsys):
    assert main(["fit", model, CSV, "--estimator", "MLR", "--cluster", "municipio"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "municipio" in err and "design.csv" in err


def test_invariance_and_compare_take_the_design(model, tmp_path, capsys):
    out = tmp_path / "inv.json"
    assert main(["invariance", model, CSV, "--group", "sector", "--estimator", "MLR", "--sampling-weights",
                 "w", "--cluster", "muni", "--no-partial", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["models"]["metric"]["estimator"] == "MLR" and doc["comparisons"][0]["scaled"] is True
    direct = fit(CFA, pd.read_csv(CSV), group="sector", estimator="MLR", sampling_weights="w", cluster="muni",
                 group_label=list(doc["groups"]) if isinstance(doc.get("groups"), dict) else None)
    assert doc["models"]["configural"]["fit"]["chisq_scaled"] == pytest.approx(direct.fit["chisq_scaled"], rel=1e-6)
    assert doc["design"]["cluster"] == "muni" and doc["design"]["n_clusters"] == 40
    one = tmp_path / "one.lav"
    one.write_text("G =~ e1_1 + e1_2 + e1_3 + e2_1 + e2_2 + e2_3\n")
    cmp_out = tmp_path / "cmp.json"
    assert main(["compare", str(one), model, CSV, "--sampling-weights", "w", "--cluster", "muni",
                 "--json", str(cmp_out)]) == 0
    doc = json.loads(cmp_out.read_text())
    assert {m["estimator"] for m in doc["models"].values()} == {"MLR"}
    assert all(m["design"]["n_clusters"] == 40 for m in doc["models"].values())


def test_validity_describes_the_design_and_stays_unweighted(tmp_path):
    model = tmp_path / "m.lav"
    model.write_text("E1 =~ e1_1 + e1_2 + e1_3\nE2 =~ e2_1 + e2_2 + e2_3\n")
    plain, weighted = tmp_path / "plain.json", tmp_path / "weighted.json"
    assert main(["validity", str(model), CSV, "--json", str(plain), "--boot", "0"]) == 0
    assert main(["validity", str(model), CSV, "--json", str(weighted), "--boot", "0", "--sampling-weights", "w",
                 "--cluster", "muni"]) == 0
    a, b = json.loads(plain.read_text()), json.loads(weighted.read_text())
    assert a["design"] is None
    design = b.pop("design")
    assert design["treatment"] == "unweighted" and design["n_clusters"] == 40
    assert design["weights_sum"] == pytest.approx(pd.read_csv(CSV)["w"].sum())
    assert "unweighted" in design["note"]["en"] and "sin ponderar" in design["note"]["es"]
    a.pop("design")
    a.pop("inputs"), b.pop("inputs")
    assert a == b          # every coefficient is the unweighted one


def test_validity_names_a_bad_weight(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text("E1 =~ e1_1 + e1_2 + e1_3\n")
    data = pd.read_csv(CSV)
    data.loc[3, "w"] = -1
    path = tmp_path / "d.csv"
    data.to_csv(path, index=False)
    assert main(["validity", str(model), str(path), "--json", str(tmp_path / "o.json"), "--boot", "0",
                 "--sampling-weights", "w"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "'w'" in err and "row 3" in err and "d.csv" in err
