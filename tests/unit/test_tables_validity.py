"""Validity tables a reviewer checks against criteria: every value below its threshold is flagged,
HTMT and HTMT2 carry their CIs, the EFA / common-method / normality checks are all reported, and the
note gives N with the rows left out. Inputs: alianza.validity's report on tests/fixtures/validity_wave.csv."""
import copy

import pytest

from alianza.tables.validity_tables import FLAG, discriminant_pairs, efa_common_method, measurement_model
from tests.unit.tables_helpers import apa, codebook, validity_wave


@pytest.fixture(params=["es", "en"])
def lang(request):
    return request.param


def _apart(x, threshold):
    """APA text of a value below its threshold: 2 decimals, more (to 4) while it reads as the threshold."""
    d = 2
    while d < 4 and apa(x, d, leading_zero=False) == apa(threshold, d, leading_zero=False):
        d += 1
    return apa(x, d, leading_zero=False)


def _rows(table):
    return [cells for kind, cells in table.rows() if kind == "row"]


def test_measurement_model_flags_every_value_below_its_criterion(lang):
    v = validity_wave()
    thr = v["thresholds"]
    table = measurement_model(v, codebook(), lang)
    rows = _rows(table)
    items = [it for con in v["constructs"].values() for it in con["items"]]
    assert len(rows) == len(items)
    for cells, it in zip(rows, items):
        lam = it["loading_std"]
        below = lam < thr["loading_min"]
        assert cells[1] == (_apart(lam, thr["loading_min"]) + FLAG if below else apa(lam, 2, leading_zero=False))
    k = 0
    for con in v["constructs"].values():  # construct statistics sit on the construct's first item row
        for col, stat in ((5, "ave"), (2, "alpha")):
            low = con[stat] < thr[f"{stat}_min"]
            assert rows[k][col] == (_apart(con[stat], thr[f"{stat}_min"]) + FLAG if low
                                    else apa(con[stat], 2, leading_zero=False))
        k += len(con["items"])
    assert any(FLAG in c for r in rows for c in r)  # the fixture has weak items: the check is not vacuous
    assert table.notes[1].startswith(FLAG) and "Fornell" in table.notes[0] and "Hair" in table.notes[0]


def test_flags_follow_the_configured_thresholds():
    v = copy.deepcopy(validity_wave())
    v["thresholds"] = {**v["thresholds"], "loading_min": 0.0, "alpha_min": 0.0, "omega_min": 0.0, "cr_min": 0.0,
                       "ave_min": 0.0}
    assert not any(FLAG in c for r in _rows(measurement_model(v, codebook(), "en")) for c in r)
    v["thresholds"].update(ave_min=1.0)
    rows = _rows(measurement_model(v, codebook(), "en"))
    assert sum(FLAG in r[5] for r in rows) == len(v["constructs"])


def test_discriminant_pairs_with_htmt_htmt2_and_their_intervals(lang):
    v = validity_wave()
    table = discriminant_pairs(v, codebook(), lang)
    rows = _rows(table)
    pairs = v["discriminant"]
    assert len(rows) == len(pairs)
    for cells, p in zip(rows, pairs):
        assert cells[0] == f"{p['factor_a']} – {p['factor_b']}"
        assert cells[1].removesuffix(FLAG) == apa(p["latent_cor"], 2, leading_zero=False)
        assert (FLAG in cells[1]) == (p["fornell_larcker_ok"] is False)
        assert cells[3].startswith(apa(p["htmt"], 2)) and cells[4].startswith(apa(p["htmt2"], 2))
    raw = table.csv_frame()
    assert {"htmt", "htmt2", "htmt_ci_lower", "htmt2_ci_upper"} <= set(raw.columns)


def test_discriminant_pair_above_the_htmt_limit_is_flagged():
    v = copy.deepcopy(validity_wave())
    v["thresholds"]["htmt_max"] = 0.0
    assert all(FLAG in r[3] for r in _rows(discriminant_pairs(v, codebook(), "en")))


def test_efa_common_method_reports_every_check(lang):
    v = validity_wave()
    table = efa_common_method(v, lang)
    body = table.body
    tests = " ".join(body["test"])
    for word in ("KMO", "Bartlett", "Harman", "Mardia"):
        assert word in tests
    kmo = body.iloc[0]
    assert kmo["result"] == apa(v["efa"]["kmo"], 2, leading_zero=False) and kmo["ok"] == (v["efa"]["kmo"] >= 0.6)
    harman = body[body["test"].str.contains("Harman")].iloc[0]
    assert harman["ok"] == (v["cmv"]["harman"]["share"] < v["thresholds"]["harman_max"])
    parallel = body[body["test"].str.contains("Horn")].iloc[0]
    assert parallel["ok"] == (v["efa"]["n_factors_parallel"] == len(v["constructs"]))
    assert f"<i>N</i> = {v['n_complete']}" in table.notes[0]


def test_notes_count_the_rows_left_out(lang):
    v = copy.deepcopy(validity_wave())
    v["n_rows"] = v["n_complete"] + 7
    note = measurement_model(v, codebook(), lang).notes[0]
    assert f"7 {'de' if lang == 'es' else 'of'} {v['n_rows']}" in note
