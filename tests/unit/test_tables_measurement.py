"""Item, reliability and discriminant-validity tables against semTools/psych
(tests/fixtures/validity_fixtures.json["wave"], made by make_validity_fixtures.R): the tables show
alianza.validity's report, whose numbers those are; a shown cell is the fixture value to its decimals."""
import math

import pytest

from alianza.tables.measurement import discriminant, item_descriptives, reliability
from alianza.tables.writers import write_table
from tests.unit.tables_helpers import cell_number, codebook, validity_fixture, validity_wave

pytestmark = pytest.mark.filterwarnings("ignore")


def _close(cell: str, value: float, decimals: int = 2) -> bool:
    """The cell shows `value` to its decimals (a semTools value may sit 1e-6 from a rounding edge)."""
    return abs(cell_number(cell) - value) <= 0.5 * 10 ** -decimals + 1e-6


@pytest.fixture(scope="module")
def report():
    return validity_wave()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_reliability_table_shows_semtools_values(report, lang, tmp_path):
    fx = validity_fixture()
    table = reliability(report, codebook(), lang)
    rows = [cells for kind, cells in table.rows() if kind == "row"]
    assert len(rows) == len(fx["factors"])
    for cells, f in zip(rows, fx["factors"]):
        assert cells[0] == f"{codebook().construct_label(f, lang)} ({f})"
        assert cells[1] == "4"
        assert _close(cells[2], fx["alpha_taueq"][f]) and cells[2].startswith(".")  # no leading zero
        assert _close(cells[4], fx["omega"][f])
        assert _close(cells[6], fx["ave"][f])
    csv = table.csv_frame()
    assert csv["alpha"].tolist() == pytest.approx([fx["alpha_taueq"][f] for f in fx["factors"]], abs=5e-4)
    assert ("Nunnally" in table.notes[0]) and ("≥ .70" in table.notes[0]) and ("≥ .50" in table.notes[0])
    write_table(table, {"md": tmp_path / "r.md"})
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert md.count("\n| ") == 1 + len(fx["factors"])  # header + one line per construct


def test_discriminant_matrix_layout(report):
    fx = validity_fixture()
    names = list(fx["factors"])
    table = discriminant(report, codebook(), "en")
    rows = [cells for kind, cells in table.rows() if kind == "row"]
    assert [c.header for c in table.columns[1:]] == [str(i + 1) for i in range(len(names))]
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            cell = rows[i][j + 1]
            if i == j:  # sqrt(AVE), bold
                assert cell.startswith("<b>") and _close(cell[3:-4], math.sqrt(fx["ave"][a]))
            elif j < i:  # latent correlation from the CFA (lavaan), bounded: no leading zero
                assert _close(cell, fx["latent_cor"][a][b]) and not cell.lstrip("\u2212").startswith("0")
            else:  # HTMT, can exceed 1: leading zero
                assert _close(cell, fx["htmt"][a][b]) and cell.startswith("0.")
    assert "HTMT < 0.85" in table.notes[0]


def test_item_table_wording_and_moments(report):
    fx = validity_fixture()["items"]
    for lang in ("es", "en"):
        table = item_descriptives(report, codebook(), lang)
        kinds = table.rows()
        assert [v for k, v in kinds if k == "group"] == [
            f"{codebook().construct_label(f, lang)} ({f})" for f in fx]
        rows = [cells for k, cells in kinds if k == "row"]
        items = [i for f in fx for i in fx[f]["items"]]
        assert [r[0] for r in rows] == items
        for r in rows:
            var = codebook().variable(r[0])
            assert r[1].startswith(var.label[lang])
            assert r[1].endswith({"es": "(I)", "en": "(R)"}[lang]) == var.reverse
        k = 0
        for f in fx:
            for j, _ in enumerate(fx[f]["items"]):
                assert _close(rows[k][2], fx[f]["mean"][j]) and _close(rows[k][3], fx[f]["sd"][j])
                assert _close(rows[k][4], fx[f]["skew"][j]) and _close(rows[k][5], fx[f]["kurtosis"][j])
                k += 1
