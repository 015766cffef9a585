"""Parity with lavaan 0.6.14 on the processed example waves (tests/fixtures/waves/).

The fixture is made by make_wave_fixtures.R from CSVs that export_processed.py writes from
`alianza ingest` output; the first test proves those CSVs are still what ingestion produces.
"""
import json
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from alianza.codebook import load_codebook
from alianza.ingest import ingest_wave
from alianza.sem import fit
from alianza.workflow import model_text
from tests.conftest import ROOT

HERE = ROOT / "tests" / "fixtures" / "waves"
LAVAAN = json.loads((HERE / "lavaan_waves.json").read_text())
CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
CASES = [k for k in LAVAAN if k != "versions"]
FIT_TOL = {"chisq": 0.01, "baseline_chisq": 0.01, "logl": 0.01, "unrestricted_logl": 0.01,
           "aic": 0.01, "bic": 0.01, "bic2": 0.01}


def test_fixture_data_is_what_ingestion_produces():
    codebook = load_codebook(ROOT / "config" / "codebook.yaml")
    waves = [ingest_wave(ROOT / "data" / "raw" / name, codebook).kept
             for name in ("wave1_hermosillo_synthetic.csv", "wave2_sonora_synthetic.xlsx")]
    expected = pd.read_csv(HERE / "pooled.csv")
    got = pd.concat(waves, ignore_index=True)
    items = [c for c in expected.columns if c[:1] in ("e", "c") and "_" in c]
    pd.testing.assert_frame_equal(
        got[items].astype("float64"), expected[items].astype("float64"), check_dtype=False
    )


@pytest.fixture(scope="module")
def fits():
    cache = {}

    def get(case):
        if case not in cache:
            sample, model = case.split("_", 1)
            data = pd.read_csv(HERE / f"{sample}.csv")
            cache[case] = fit(model_text(CONFIG["models"][model]["files"]), data)
        return cache[case]

    return get


def _key(row):
    return (row["lhs"], row["op"], row["rhs"])


@pytest.mark.parametrize("case", CASES)
def test_fit_measures(case, fits):
    ref, ours = LAVAAN[case], fits(case)
    assert ours.converged
    assert ours.n == ref["n"]
    for name, value in ref["fit"].items():
        key = name.replace(".", "_")
        assert ours.fit[key] == pytest.approx(value, abs=FIT_TOL.get(key, 1e-3)), key


@pytest.mark.parametrize("case", CASES)
def test_parameters(case, fits):
    ref, ours = LAVAAN[case], fits(case)
    table = {_key(r): r for r in ours.params.to_dict("records")}
    for r in ref["params"]:
        mine = table[_key(r)]
        variance = r["op"] == "~~" and r["lhs"] == r["rhs"]
        for col in ("est", "se", "std_all", "std_lv"):
            theirs = r.get(col.replace("_", "."))
            if theirs is None:
                continue
            tol = max(1e-3, 1e-3 * abs(theirs)) if variance else 1e-3
            assert mine[col] == pytest.approx(theirs, abs=tol), (_key(r), col)


@pytest.mark.parametrize("case", CASES)
def test_r2_and_modification_indices(case, fits):
    ref, ours = LAVAAN[case], fits(case)
    for name, value in ref["r2"].items():
        assert ours.r2[name] == pytest.approx(value, abs=0.01), name
    mi = {(r["lhs"], r["op"], r["rhs"]): r for r in ours.modindices.to_dict("records")}
    for r in ref["modindices"][:5]:
        mine = mi[_key(r)]
        assert mine["mi"] == pytest.approx(r["mi"], abs=0.01)
        assert mine["epc"] == pytest.approx(r["epc"], abs=0.01)
        assert mine["sepc_all"] == pytest.approx(r["sepc.all"], abs=0.01)


def test_serial_indirect_effect_is_the_product_of_the_chain(fits):
    ref = {(_key(r)): r for r in LAVAAN["pooled_five_stage"]["params"]}
    h6 = ref[("H6", ":=", "h1*h2*h3*h4*h5")]
    ours = fits("pooled_five_stage").params
    row = ours[(ours.lhs == "H6") & (ours.op == ":=")].iloc[0]
    assert row["est"] == pytest.approx(h6["est"], abs=1e-4)
    assert row["se"] == pytest.approx(h6["se"], abs=1e-3)
    assert row["std_all"] == pytest.approx(h6["std.all"], abs=1e-3)
    assert not math.isnan(row["pvalue"])
