"""One test per row defect: the row goes to quarantine with its reason and its values as delivered,
and rows in = rows kept + rows quarantined every time. Then the bundled waves: exactly the injected defects."""
import pandas as pd
import pytest

from alianza.codebook import Codebook
from alianza.ingest import ingest_wave
from alianza.population import load_population
from alianza.simulate import expected_quarantine, simulate_dataset
from tests.unit.wave_helpers import POPULATION_PATH, ROOT, clean_wave, codebook, write

N = 10


def _ingest(df, tmp_path, name="w.csv", cb=None, **opts):
    path = write(df, tmp_path / name, **opts)
    result = ingest_wave(path, cb or codebook())
    s = result.summary
    assert s["rows_in"] == len(df) == s["rows_kept"] + s["rows_quarantined"]
    assert len(result.kept) == s["rows_kept"] and len(result.quarantine) == s["rows_quarantined"]
    assert result.kept["firm_id"].is_unique
    return result


def _only(result, kind, rows):
    """The quarantine holds exactly `rows` (1-based), all for `kind`, and the summary counts them."""
    q = result.quarantine
    assert q["source_row"].tolist() == rows
    assert result.summary["reasons"][kind] == len(rows)
    assert sum(result.summary["reasons"].values()) == len(rows)
    return q


@pytest.fixture
def wave():
    return clean_wave(N, seed=11)


def test_clean_wave_keeps_every_row(tmp_path, wave):
    result = _ingest(wave, tmp_path)
    assert result.summary["rows_kept"] == N


def test_exact_duplicate_keeps_the_first(tmp_path, wave):
    df = pd.concat([wave, wave.iloc[[3]]], ignore_index=True)
    result = _ingest(df, tmp_path)
    q = _only(result, "exact_duplicate", [N + 1])
    assert q["reason"].tolist() == ["exact duplicate of row 4"]
    assert result.summary["rows_kept"] == N


def test_exact_duplicate_in_text_labels_differently_typed(tmp_path, wave):
    # the same answers typed in another case are the same answers
    df = pd.concat([wave, wave.iloc[[0]]], ignore_index=True)
    result = _ingest(df, tmp_path, name="w.xlsx", labels=True)
    _only(result, "exact_duplicate", [N + 1])


def test_conflicting_duplicates_are_all_quarantined(tmp_path, wave):
    copy = wave.iloc[[2]].copy()
    copy["e4_2"] = 1 if copy["e4_2"].iloc[0] != 1 else 2
    df = pd.concat([wave, copy], ignore_index=True)
    result = _ingest(df, tmp_path)
    fid = wave["firm_id"].iloc[2]
    q = _only(result, "conflicting_duplicate", [3, N + 1])
    assert q["reason"].tolist() == [f"conflicting duplicate firm_id '{fid}' (rows 3, {N + 1})"] * 2
    assert fid not in result.kept["firm_id"].tolist()


@pytest.mark.parametrize("column, value", [("e2_3", 6), ("e1_1", 0), ("co_4", 55), ("sector", 4), ("empleados", 15),
                                           ("antiguedad", -1), ("atencion", 7)])
def test_out_of_range_value_names_column_and_value(tmp_path, wave, column, value):
    df = wave.copy()
    df.loc[4, column] = value
    result = _ingest(df, tmp_path)
    q = _only(result, "out_of_range", [5])
    assert q["reason"].iloc[0].startswith(f"out-of-range value '{value}' in column '{column}'")


def test_non_integer_code_is_out_of_range(tmp_path, wave):
    df = wave.copy()
    df.loc[1, "e3_1"] = 3.5
    result = _ingest(df, tmp_path, delimiter=";", decimal=",")
    q = _only(result, "out_of_range", [2])
    assert q["reason"].iloc[0] == "non-integer value '3,5' in column 'e3_1'"
    assert q["e3_1"].iloc[0] == "3,5"  # as delivered


def test_missing_codes_become_na_and_rows_are_kept(tmp_path, wave):
    df = wave.copy()
    df.loc[0, "e1_1"] = 9
    df.loc[1, "e1_1"] = 99
    df.loc[2, "e5_2"] = "NS/NC"
    df.loc[3, "sector"] = 99
    df.loc[4, "e2_2"] = "No sabe / No contesta"
    df.loc[5, "e2_2"] = "don't know / no answer"
    result = _ingest(df, tmp_path, name="w.xlsx")
    assert result.summary["rows_kept"] == N
    kept = result.kept
    assert kept["e1_1"].isna().tolist()[:3] == [True, True, False]
    assert kept["e5_2"].isna().sum() == 1 and kept["sector"].isna().sum() == 1 and kept["e2_2"].isna().sum() == 2
    na = result.summary["missing_codes_to_na"]
    assert (na["e1_1"], na["e5_2"], na["e2_2"], na["sector"]) == (2, 1, 2, 1)


def test_straight_liner_is_quarantined_even_across_reverse_keyed_items(tmp_path, wave):
    df = wave.copy()
    df.loc[6, codebook().items()] = 5
    result = _ingest(df, tmp_path)
    q = _only(result, "straight_lining", [7])
    assert q["reason"].iloc[0] == "straight-lining: the same answer (5) to all 24 answered items"


def test_straight_liner_with_a_few_blanks_is_still_one(tmp_path, wave):
    df = wave.copy()
    df.loc[6, codebook().items()] = 4
    df.loc[6, ["e1_1", "e5_3"]] = None  # 22 of 24 answered (>= 80 %)
    result = _ingest(df, tmp_path)
    _only(result, "straight_lining", [7])


def test_failed_attention_check(tmp_path, wave):
    df = wave.copy()
    df.loc[8, "atencion"] = 4
    result = _ingest(df, tmp_path)
    q = _only(result, "failed_attention_check", [9])
    assert q["reason"].iloc[0] == (
        "failed attention check: answered 4 ('De acuerdo'), expected 2 ('En desacuerdo')"
    )


def test_blank_attention_check_fails_only_if_the_codebook_says_so(tmp_path, wave):
    df = wave.copy()
    df.loc[8, "atencion"] = None
    assert _ingest(df, tmp_path).summary["rows_kept"] == N
    data = dict(codebook().data)
    data["quality"] = {**data["quality"], "attention_check": {"enabled": True, "missing_fails": True}}
    strict = Codebook(data, source="strict")
    result = _ingest(df, tmp_path, cb=strict)
    assert _only(result, "failed_attention_check", [9])["reason"].iloc[0].startswith("failed attention check: no answer")


def test_partial_complete_over_the_threshold(tmp_path, wave):
    items = codebook().items()
    df = wave.copy()
    df.loc[1, items[:12]] = None  # exactly 50 %: allowed
    df.loc[2, items[:13]] = None  # 13 of 24 > 50 %: partial
    df.loc[3, items[:10]] = 9     # missing codes count as missing too
    df.loc[3, items[10:13]] = None
    result = _ingest(df, tmp_path)
    q = _only(result, "partial_complete", [3, 4])
    assert q["reason"].tolist() == ["partial complete: 13 of 24 items missing (more than 50%)"] * 2
    assert result.kept.loc[result.kept["firm_id"] == wave["firm_id"].iloc[1], items[:12]].isna().all(axis=None)


def test_missing_firm_id(tmp_path, wave):
    df = wave.copy()
    df.loc[5, "firm_id"] = None
    result = _ingest(df, tmp_path)
    assert _only(result, "missing_id", [6])["reason"].iloc[0] == "missing firm_id"


def test_empty_row_inside_the_file(tmp_path, wave):
    path = write(wave, tmp_path / "w.csv", delimiter=";")
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:4] + [""] + lines[4:] + [";" * 32]) + "\n", encoding="utf-8")
    result = ingest_wave(path, codebook())
    s = result.summary
    assert s["rows_in"] == N + 2 == s["rows_kept"] + s["rows_quarantined"]
    _only(result, "empty_row", [4, N + 2])


def test_several_reasons_are_joined_and_each_counted(tmp_path, wave):
    df = wave.copy()
    df.loc[0, "atencion"] = 5
    df.loc[0, "e1_2"] = 0
    df.loc[0, codebook().items()[2:16]] = None
    result = _ingest(df, tmp_path)
    q = result.quarantine
    assert q["source_row"].tolist() == [1]
    assert q["reason"].iloc[0] == (
        "out-of-range value '0' in column 'e1_2'; "
        "failed attention check: answered 5 ('Totalmente de acuerdo'), expected 2 ('En desacuerdo'); "
        "partial complete: 14 of 24 items missing (more than 50%)"
    )
    r = result.summary["reasons"]
    assert (r["out_of_range"], r["failed_attention_check"], r["partial_complete"]) == (1, 1, 1)
    assert result.summary["rows_quarantined"] == 1


def test_quarantine_keeps_the_original_values(tmp_path, wave):
    df = wave.copy()
    df.loc[2, "e1_1"] = "TOTALMENTE de acuerdo"
    df.loc[2, "atencion"] = "de acuerdo"
    path = write(df, tmp_path / "w.xlsx")
    result = ingest_wave(path, codebook())
    q = result.quarantine
    assert q["e1_1"].iloc[0] == "TOTALMENTE de acuerdo" and q["atencion"].iloc[0] == "de acuerdo"
    assert q["firm_id"].iloc[0] == wave["firm_id"].iloc[2]
    assert q["antiguedad"].iloc[0] == str(wave["antiguedad"].iloc[2]).removesuffix(".0")
    assert list(q.columns) == [*df.columns, "source_row", "reason"]


# --------------------------------------------------- defects of whole waves
@pytest.mark.parametrize("wave_name", ["wave1_hermosillo_synthetic", "wave2_sonora_synthetic"])
def test_bundled_waves_quarantine_exactly_the_injected_defects(wave_name):
    pop = load_population(POPULATION_PATH, codebook())
    w = pop.waves[wave_name]
    sim = simulate_dataset(pop, w["n"], w["seed"], defects=w["defects"], context=w.get("context"),
                           id_prefix=w.get("id_prefix", "F"))
    result = ingest_wave(ROOT / "data" / "raw" / w["file"], codebook())
    s = result.summary
    assert s["rows_in"] == w["n"] == s["rows_kept"] + s["rows_quarantined"]
    expected = expected_quarantine(sim.log)
    assert {k: v for k, v in s["reasons"].items() if v} == {k: v for k, v in expected.items() if v}
    row_defects = sim.log[sim.log["defect"] != "missing_code"]
    assert sorted(result.quarantine["source_row"]) == sorted(set(row_defects["source_row"]))
    # every injected missing code is an NA of a kept row, counted in the summary
    assert sum(s["missing_codes_to_na"].values()) == int((sim.log["defect"] == "missing_code").sum())


# ------------------------------- cells reading would blank: quarantined and counted, never NA (issue 15)
def test_truncated_and_short_rows_are_quarantined_not_padded(tmp_path, wave):
    path = write(wave, tmp_path / "w.csv", delimiter=";")
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    short = ";".join(lines[3].split(";")[:20])          # data row 3 lost its last 13 fields
    cut = ";".join(lines[N].split(";")[:31])             # the last line was cut off
    path.write_text("\n".join(lines[:3] + [short] + lines[4:N] + [cut]), encoding="utf-8")
    result = ingest_wave(path, codebook())
    s = result.summary
    assert s["rows_in"] == N == s["rows_kept"] + s["rows_quarantined"]
    q = _only(result, "truncated_row", [3, N])
    assert q["reason"].iloc[0].startswith("truncated row: 20 of 33 fields, nothing delivered for columns")
    assert q["reason"].iloc[1] == "truncated row: 31 of 33 fields, nothing delivered for columns 'co_3', 'co_4'"
    assert sum(s["missing_codes_to_na"].values()) == 0


def test_excel_error_cells_and_uncomputed_formulas_are_quarantined(tmp_path, wave):
    from openpyxl import load_workbook

    path = write(wave, tmp_path / "w.xlsx")
    wb = load_workbook(path)
    ws = wb.active
    col = {c.value: c.column for c in ws[1]}
    ws.cell(row=3, column=col["e2_1"]).value = "#DIV/0!"     # data row 2
    ws.cell(row=6, column=col["antiguedad"]).value = "#N/A"  # data row 5
    ws.cell(row=8, column=col["e4_4"]).value = "=2+2"         # data row 7, saved without a value
    wb.save(path)
    result = ingest_wave(path, codebook())
    s = result.summary
    assert s["rows_in"] == N == s["rows_kept"] + s["rows_quarantined"]
    q = _only(result, "unreadable_cell", [2, 5, 7])
    assert q["reason"].tolist()[:2] == ["Excel error #DIV/0! in column 'e2_1'", "Excel error #N/A in column 'antiguedad'"]
    assert q["reason"].iloc[2].startswith("formula without a saved value in column 'e4_4'")
    assert q["e2_1"].iloc[0] == "#DIV/0!" and q["e4_4"].iloc[2] == "=2+2"  # as delivered


def test_xls_wave_ingests_like_xlsx(tmp_path, wave):
    import xlwt

    path = tmp_path / "w.xls"
    book = xlwt.Workbook()
    sh = book.add_sheet("Sheet1", cell_overwrite_ok=True)
    for c, name in enumerate(wave.columns):
        sh.write(0, c, name)
        for r, v in enumerate(wave[name].tolist()):
            if v is not None and v == v:
                sh.write(r + 1, c, v)
    sh.row(4).set_cell_error(list(wave.columns).index("e3_3"), "#DIV/0!")
    book.save(str(path))
    result = ingest_wave(path, codebook())
    assert result.summary["format"] == "xls"
    _only(result, "unreadable_cell", [4])
    kept_ids = [f for i, f in enumerate(wave["firm_id"]) if i != 3]
    assert result.kept["firm_id"].tolist() == kept_ids


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_and_utf32_waves_ingest(tmp_path, wave, encoding):
    result = _ingest(wave, tmp_path, labels=True, encoding=encoding, delimiter="\t")
    assert result.summary["encoding"] == encoding and result.summary["rows_kept"] == N
    assert result.kept["e1_1"].astype(int).tolist() == [int(v) for v in wave["e1_1"]]


def test_stata_extended_missing_values_are_missing_codes(tmp_path, wave):
    import pyreadstat

    df = wave.copy().astype(object)
    df.loc[1, "e1_1"] = "a"
    df.loc[2, "e2_2"] = "b"
    path = tmp_path / "w.dta"
    num = [c for c in df.columns if c != "firm_id"]
    df[num] = df[num].astype(object)
    pyreadstat.write_dta(df, str(path), missing_user_values={"e1_1": ["a"], "e2_2": ["b"]})
    result = ingest_wave(path, codebook())
    assert result.summary["rows_kept"] == N
    na = result.summary["missing_codes_to_na"]
    assert (na["e1_1"], na["e2_2"]) == (1, 1) and sum(na.values()) == 2
    assert result.kept["e1_1"].isna().tolist()[1] and result.kept["e2_2"].isna().tolist()[2]


def test_spss_user_missing_values_are_missing_codes(tmp_path, wave):
    import pyreadstat

    df = wave.copy()
    df.loc[3, "e5_1"] = 8  # not a codebook missing code, but the file declares it missing
    path = tmp_path / "w.sav"
    out = df.copy()
    for c in out.columns:
        if c != "firm_id":
            out[c] = pd.to_numeric(out[c])
    pyreadstat.write_sav(out, str(path), missing_ranges={"e5_1": [8]})
    result = ingest_wave(path, codebook())
    assert result.summary["rows_kept"] == N and result.summary["missing_codes_to_na"]["e5_1"] == 1


def test_excel_error_text_in_a_csv_saved_from_excel_is_quarantined(tmp_path, wave):
    df = wave.copy().astype(object)
    df.loc[3, "e1_3"] = "#VALUE!"
    df.loc[6, "empleados"] = "#DIV/0!"
    result = _ingest(df, tmp_path, delimiter=";")
    q = _only(result, "unreadable_cell", [4, 7])
    assert q["reason"].tolist() == ["Excel error #VALUE! in column 'e1_3'", "Excel error #DIV/0! in column 'empleados'"]
