"""`alianza power`: the JSON the issue documents, tables, figure, one-line errors."""
import json

import pandas as pd

from alianza.cli import main
from tests.conftest import ROOT

MODELS = ROOT / "config" / "models"


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_power_on_the_five_stage_model_writes_json_tables_and_figure(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["power", str(MODELS / "measurement.lav"), str(MODELS / "five_stage.lav"),
                 "--population", str(ROOT / "config" / "population.yaml"),
                 "--codebook", str(ROOT / "config" / "codebook.yaml"),
                 "--n", "80,160", "--reps", "6", "--seed", "9", "--likert", "--missing-rate", "0.02",
                 "--mc-draws", "200", "--no-progress",
                 "--json", str(out / "power.json"), "--table", str(out / "power.csv"),
                 "--figure", str(out / "power_curve.png")])
    assert code == 0
    printed = capsys.readouterr().out
    assert "| H6 " in printed and "min n (80%)" in printed
    res = json.loads((out / "power.json").read_text())
    assert {"results", "min_n_80", "min_n_80_ci", "seed", "estimator", "alpha", "reps", "n", "truth",
            "data", "missing_rate"} <= set(res)
    assert res["seed"] == 9 and res["estimator"] == "ML" and res["data"] == "likert" and res["n"] == [80, 160]
    first = res["results"][0]
    assert {"n", "reps", "converged", "improper", "parameters"} <= set(first)
    assert first["n"] == 80 and first["reps"] == 6
    param = first["parameters"][0]
    assert {"lhs", "op", "rhs", "label", "true", "power", "bias", "rel_bias", "coverage", "se_ratio"} <= set(param)
    assert set(res["min_n_80"]) == {"h1", "h2", "h3", "h4", "h5", "H6"}
    assert set(res["min_n_80_ci"]) == {"H6"}
    table = pd.read_csv(out / "power.csv")
    n_reported = len(first["parameters"])
    assert len(table) == 2 * n_reported and set(table["n"]) == {80, 160}
    assert "| h1 " in (out / "power.md").read_text()
    assert (out / "power_curve.png").read_bytes()[:4] == b"\x89PNG"


def test_same_seed_same_json_any_jobs(tmp_path):
    pop = _write(tmp_path, "pop.lav", "m ~ 0.3*x\ny ~ 0.3*m\n")
    model = _write(tmp_path, "model.lav", "m ~ a*x\ny ~ b*m\nab := a*b\n")
    args = ["power", model, "--population", pop, "--n", "30,60", "--reps", "8", "--seed", "4",
            "--mc-draws", "100", "--no-progress"]
    assert main(args + ["--json", str(tmp_path / "a.json")]) == 0
    assert main(args + ["--json", str(tmp_path / "b.json"), "--jobs", "2"]) == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_user_errors_are_one_line(tmp_path, capsys):
    pop = _write(tmp_path, "pop.lav", "y ~ 0.3*x\n")
    assert main(["power", str(tmp_path / "none.lav"), "--population", pop, "--n", "50", "--reps", "2"]) == 2
    assert "none.lav" in capsys.readouterr().err
    model = _write(tmp_path, "model.lav", "y ~ x\n")
    assert main(["power", model, "--population", pop, "--n", "50", "--reps", "2", "--likert"]) == 2
    err = capsys.readouterr().err
    assert "thresholds" in err and len(err.strip().splitlines()) == 1
    bad = _write(tmp_path, "bad.lav", "y ~ x\ny ~~ + \n")
    assert main(["power", bad, "--population", pop, "--n", "50", "--reps", "2"]) == 2
    err = capsys.readouterr().err
    assert "bad.lav" in err and "line 2" in err
    model2 = _write(tmp_path, "model2.lav", "y ~ z\n")
    assert main(["power", model2, "--population", pop, "--n", "50", "--reps", "2"]) == 2
    assert "not in the population model: z" in capsys.readouterr().err
