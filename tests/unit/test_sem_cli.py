"""`alianza fit MODEL DATA [--json OUT]`."""
import json

from alianza.cli import main
from tests.conftest import REFERENCE

HS = REFERENCE / "HolzingerSwineford1939.csv"


def test_fit_writes_json_with_the_documented_keys(tmp_path, capsys, lavaan_public):
    out = tmp_path / "res" / "hs.json"
    assert main(["fit", str(REFERENCE / "hs_cfa.lav"), str(HS), "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Latent Variables:" in text and "Comparative Fit Index (CFI)" in text
    d = json.loads(out.read_text())
    assert {"estimator", "n", "converged", "warnings", "fit", "parameters", "r2", "modindices",
            "n_dropped"} <= set(d)
    assert d["estimator"] == "ML" and d["n"] == 301 and d["converged"] is True
    assert set(d["parameters"][0]) == {"lhs", "op", "rhs", "label", "est", "se", "z", "pvalue",
                                       "ci_lower", "ci_upper", "std_lv", "std_all"}
    assert d["parameters"][0]["z"] is None             # fixed marker loading: NaN -> null
    assert set(d["modindices"][0]) == {"lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all"}
    ref = lavaan_public["hs_cfa_ml"]["fit"]
    assert abs(d["fit"]["chisq"] - ref["chisq"]) < 0.01
    assert abs(d["fit"]["rmsea_ci_upper"] - ref["rmsea.ci.upper"]) < 0.001


def test_bad_model_file_gives_one_line_with_the_line_number(tmp_path, capsys):
    model = tmp_path / "bad.lav"
    model.write_text("visual =~ x1 + x2 + x3\n# comment\ntextual =~ x4 + * x5\n")
    assert main(["fit", str(model), str(HS)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "bad.lav" in err and "line 3" in err


def test_model_variable_missing_from_the_data(tmp_path, capsys):
    model = tmp_path / "m.lav"
    model.write_text("f =~ x1 + x2 + nosuch\n")
    assert main(["fit", str(model), str(HS)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "nosuch" in err


def test_missing_model_file(tmp_path, capsys):
    assert main(["fit", str(tmp_path / "none.lav"), str(HS)]) == 2
    assert "none.lav" in capsys.readouterr().err
