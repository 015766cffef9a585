"""χ²/df, GFI and AGFI as lavaan's fitMeasures() computes them (lavaan 0.6.14 numbers in
tests/fixtures/estimator_fixtures.json, made by make_estimator_fixtures.R), and their columns in the
fit-indices table when config output.amos_indices is on."""
import json

import pandas as pd
import pytest

from alianza.amos import amos_indices, gfi_agfi
from alianza.tables.catalog import OutputOptions, TableInputs, sample_tables
from tests.conftest import FIXTURES, ROOT
from tests.unit.tables_helpers import apa, codebook, lavaan_model


@pytest.fixture(scope="module")
def five_stage():
    from alianza.sem import fit
    from alianza.workflow import model_text

    data = pd.read_csv(FIXTURES / "waves" / "pooled.csv")
    return fit(model_text([ROOT / "config" / "models" / "measurement.lav",
                           ROOT / "config" / "models" / "five_stage.lav"]), data)


def test_gfi_and_agfi_equal_lavaan(five_stage):
    # lavaan's MLR fit has the ML estimates; its GFI/AGFI leave the means out, so they are the ML ones
    ref = json.loads((FIXTURES / "estimator_fixtures.json").read_text())["mlr_pooled_five_stage"]["fit"]
    got = amos_indices(five_stage)
    assert got["gfi"] == pytest.approx(ref["gfi"], abs=1e-7)
    assert got["agfi"] == pytest.approx(ref["agfi"], abs=1e-7)
    assert got["chisq_df"] == pytest.approx(five_stage.fit["chisq"] / five_stage.fit["df"])


def test_a_perfect_fit_has_gfi_one():
    s = [[2.0, 0.5], [0.5, 1.0]]
    assert gfi_agfi(s, s, 1) == (1.0, 1.0)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_fit_table_gets_the_columns_only_when_asked(lang):
    models = [(m, lavaan_model(f"pooled_{m}")) for m in ("measurement", "five_stage")]
    plain = sample_tables(TableInputs(models=models), codebook(), OutputOptions(lang=lang))[0]
    assert "gfi" not in [c.key for c in plain.columns]
    amos = {m: {"chisq_df": r["fit"]["chisq"] / r["fit"]["df"], "gfi": 0.9512, "agfi": 0.9401} for m, r in models}
    table = sample_tables(TableInputs(models=models, amos=amos), codebook(), OutputOptions(lang=lang))[0]
    keys = [c.key for c in table.columns]
    assert keys.index("chisq_df") == keys.index("df") + 1 and keys.index("gfi") == keys.index("tli") + 1
    rows = [c for k, c in table.rows() if k == "row"]
    for (m, r), cells in zip(models, rows):
        assert cells[keys.index("chisq_df")] == apa(r["fit"]["chisq"] / r["fit"]["df"], 2)
        assert cells[keys.index("gfi")] == ".951" and cells[keys.index("agfi")] == ".940"
    assert "Jöreskog" in table.notes[0] and "gfi" in table.csv_frame().columns
