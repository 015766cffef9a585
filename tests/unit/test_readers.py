"""Every supported format read as delivered (read_raw) and typed (read_table); every unreadable file named."""
import pandas as pd
import pyreadstat
import pytest

from alianza.errors import InputError
from alianza.readers import decode_bytes, read_raw, read_table, sniff_delimiter


def test_spanish_excel_csv_semicolon_latin1_decimal_comma(tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes("Folio;Antigüedad;Municipio\r\nA-01;3,5;San Luis Río Colorado\r\nA-02;12;Nogales\r\n".encode("latin-1"))
    raw, info = read_raw(path)
    assert (info.format, info.delimiter, info.decimal) == ("csv", ";", ",")
    assert info.encoding == "cp1252"  # tried before latin-1; same letters for Spanish text
    assert list(raw.columns) == ["Folio", "Antigüedad", "Municipio"]
    assert raw["Antigüedad"].tolist() == ["3,5", "12"]  # as delivered
    assert raw["Municipio"].iloc[0] == "San Luis Río Colorado"
    typed = read_table(path)
    assert typed["Antigüedad"].tolist() == [3.5, 12.0]
    assert typed["Folio"].tolist() == ["A-01", "A-02"]


def test_utf8_csv_with_bom_and_comma_delimiter(tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes("\ufefffirm_id,e1_1,antiguedad\nX1,4,2.5\nX2,5,10\n".encode("utf-8"))
    raw, info = read_raw(path)
    assert (info.encoding, info.delimiter, info.decimal) == ("utf-8", ",", ".")
    assert list(raw.columns) == ["firm_id", "e1_1", "antiguedad"]  # no BOM in the first header
    typed = read_table(path)
    assert typed["e1_1"].dtype == "int64" and typed["e1_1"].tolist() == [4, 5]
    assert typed["antiguedad"].tolist() == [2.5, 10.0]


def test_tab_delimited_and_blank_cells(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("firm_id\te1_1\te1_2\nA\t\t3\nB\t2\t\n", encoding="utf-8")
    raw, info = read_raw(path)
    assert info.delimiter == "\t"
    assert raw["e1_1"].tolist() == ["", "2"]
    typed = read_table(path)
    assert typed["e1_1"].isna().tolist() == [True, False] and typed["e1_1"].iloc[1] == 2


def test_sniffer_is_not_fooled_by_decimal_commas():
    text = "a;b;c\n1,5;2;3\n4;5,25;6\n"
    assert sniff_delimiter(text) == ";"


def test_blank_lines_inside_are_rows_trailing_ones_are_not(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("firm_id;e1_1\nA;1\n\nB;2\n\n\n", encoding="utf-8")
    raw, _ = read_raw(path)
    assert raw["firm_id"].tolist() == ["A", "", "B"]


def test_export_artifact_columns_without_header_are_dropped(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("firm_id;e1_1;\nA;1;\nB;2;\n", encoding="utf-8")
    raw, _ = read_raw(path)
    assert list(raw.columns) == ["firm_id", "e1_1"]


def test_xlsx_keeps_cells_as_stored(tmp_path):
    path = tmp_path / "w.xlsx"
    pd.DataFrame({"firm_id": ["A", "B"], "e1_1": ["De acuerdo", 6], "antiguedad": [2.5, 3]}).to_excel(path, index=False)
    raw, info = read_raw(path)
    assert info.format == "xlsx" and info.sheet == "Sheet1"
    assert raw["e1_1"].tolist() == ["De acuerdo", 6]
    assert read_table(path)["antiguedad"].tolist() == [2.5, 3.0]


def test_spss_sav_returns_codes_with_the_value_labels(tmp_path):
    path = tmp_path / "w.sav"
    df = pd.DataFrame({"firm_id": ["A", "B", "C"], "e1_1": [4.0, 9.0, 1.0]})
    labels = {"e1_1": {1: "Totalmente en desacuerdo", 4: "De acuerdo", 9: "NS/NC"}}
    pyreadstat.write_sav(df, str(path), variable_value_labels=labels, missing_ranges={"e1_1": [9]})
    raw, info = read_raw(path)
    assert info.format == "sav"
    assert raw["e1_1"].tolist() == [4.0, 9.0, 1.0]  # user-missing 9 kept as the code it is
    assert info.value_labels["e1_1"][4.0] == "De acuerdo"
    assert read_table(path).attrs["value_labels"]["e1_1"][9.0] == "NS/NC"


def test_stata_dta_returns_codes_with_the_value_labels(tmp_path):
    path = tmp_path / "w.dta"
    df = pd.DataFrame({"firm_id": ["A", "B"], "sector": [1.0, 3.0]})
    pyreadstat.write_dta(df, str(path), variable_value_labels={"sector": {1: "Comercio", 3: "Manufactura"}})
    raw, info = read_raw(path)
    assert info.format == "dta"
    assert raw["sector"].tolist() == [1.0, 3.0]
    assert info.value_labels["sector"] == {1: "Comercio", 3: "Manufactura"}


def test_parquet(tmp_path):
    path = tmp_path / "w.parquet"
    pd.DataFrame({"firm_id": ["A"], "e1_1": [3]}).to_parquet(path)
    raw, info = read_raw(path)
    assert info.format == "parquet" and raw["e1_1"].tolist() == [3]


def test_decode_falls_back_from_utf8_to_cp1252_to_latin1():
    assert decode_bytes("año".encode("utf-8")) == ("año", "utf-8")
    assert decode_bytes("año".encode("latin-1")) == ("año", "cp1252")
    # 0x81 is undefined in cp1252: only latin-1 reads it
    assert decode_bytes(b"a\x81b")[1] == "latin-1"


def _bad_files(tmp_path):
    cases = {}
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    cases["empty"] = (p, "empty file: no header and no data rows", None)
    p = tmp_path / "blank.csv"
    p.write_text("\n \n", encoding="utf-8")
    cases["blank"] = (p, "empty file", None)
    p = tmp_path / "header_only.csv"
    p.write_text("firm_id;e1_1\n", encoding="utf-8")
    cases["header_only"] = (p, "no data rows (header only)", None)
    p = tmp_path / "w.txt"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    cases["unknown_format"] = (p, "unknown format '.txt'", None)
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0")
    cases["broken_xls"] = (p, "cannot read as XLS", None)
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"this is not a zip file")
    cases["broken_xlsx"] = (p, "cannot read as XLSX", None)
    p = tmp_path / "broken.sav"
    p.write_bytes(b"not spss")
    cases["broken_sav"] = (p, "cannot read as SAV", None)
    p = tmp_path / "broken.parquet"
    p.write_bytes(b"not parquet")
    cases["broken_parquet"] = (p, "cannot read as Parquet", None)
    p = tmp_path / "ragged.csv"
    p.write_text("firm_id;e1_1\nA;1\nB;2;3\n", encoding="utf-8")
    cases["ragged"] = (p, "3 fields where the header has 2", 2)
    p = tmp_path / "dup_header.csv"
    p.write_text("firm_id;e1_1;e1_1\nA;1;2\n", encoding="utf-8")
    cases["dup_header"] = (p, "duplicate column header 'e1_1' (columns 2 and 3)", None)
    p = tmp_path / "no_header.csv"
    p.write_text("firm_id;;e1_1\nA;x;1\n", encoding="utf-8")
    cases["data_without_header"] = (p, "column 2 has data but no header", None)
    p = tmp_path / "empty.xlsx"
    from openpyxl import Workbook

    Workbook().save(p)
    cases["empty_xlsx"] = (p, "empty file", None)
    cases["missing"] = (tmp_path / "absent.csv", "no such file", None)
    return cases


CASES = ["empty", "blank", "header_only", "unknown_format", "broken_xls", "broken_xlsx", "broken_sav", "broken_parquet",
         "ragged", "dup_header", "data_without_header", "empty_xlsx", "missing"]


@pytest.mark.parametrize("case", CASES)
def test_unreadable_files_raise_input_error_naming_the_file(tmp_path, case):
    path, message, row = _bad_files(tmp_path)[case]
    for reader in (read_raw, read_table):
        with pytest.raises(InputError) as info:
            reader(path)
        line = info.value.oneline()
        assert line.startswith(f"file {path}"), line
        assert message in line
        if row is not None:
            assert f"row {row}" in line


@pytest.mark.parametrize("name", ["HolzingerSwineford1939.csv", "PoliticalDemocracy.csv"])
def test_typed_view_of_a_plain_csv_is_what_pandas_reads(reference_dir, name):
    # the analysis commands read data through read_table: an R-written CSV (NA for missing) must come out as pandas reads it
    pd.testing.assert_frame_equal(read_table(reference_dir / name), pd.read_csv(reference_dir / name))


# ------------------------------------------- never blank a cell silently (issue 15, item 5)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_byte_order_mark_are_decoded(tmp_path, encoding):
    text = "Folio;Antigüedad;Municipio\nA-01;3,5;San Luis Río Colorado\n"
    bom = {"utf-16-le": "\ufeff", "utf-16-be": "\ufeff", "utf-32-le": "\ufeff", "utf-32-be": "\ufeff"}.get(encoding, "")
    path = tmp_path / "w.csv"
    path.write_bytes((bom + text).encode(encoding))  # 'utf-16'/'utf-32' write their own mark
    raw, info = read_raw(path)
    assert info.encoding in ("utf-16", "utf-32") and info.encoding[:6] == encoding[:6]
    assert list(raw.columns) == ["Folio", "Antigüedad", "Municipio"]
    assert raw.iloc[0].tolist() == ["A-01", "3,5", "San Luis Río Colorado"]


def test_short_and_truncated_rows_are_marked_not_padded_silently(tmp_path):
    path = tmp_path / "w.csv"
    # row 2 is short; the last line was cut off mid-row (no newline at the end); row 3 is an empty line
    path.write_text("firm_id;e1_1;e1_2;e1_3;\nA;1;2;3;\nB;4\n\nC;5;1", encoding="utf-8")
    raw, info = read_raw(path)
    assert raw["firm_id"].tolist() == ["A", "B", "", "C"]
    assert set(info.damaged) == {1, 3}
    assert info.damaged[1] == [("truncated_row", "truncated row: 2 of 5 fields, nothing delivered for columns 'e1_2', 'e1_3'")]
    assert info.damaged[3] == [("truncated_row", "truncated row: 3 of 5 fields, nothing delivered for column 'e1_3'")]


def test_a_missing_trailing_delimiter_of_an_unnamed_column_is_not_damage(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("firm_id;e1_1;\nA;1;\nB;2\n", encoding="utf-8")
    raw, info = read_raw(path)
    assert raw["e1_1"].tolist() == ["1", "2"] and info.damaged == {}


def _workbook_with_errors(path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["firm_id", "e1_1", "e1_2", "e1_3"])
    ws.append(["A", 4, "#DIV/0!", 3])
    ws.append(["B", "=1+1", 2, None])  # openpyxl saves formulas without a computed value, as scripts do
    ws.append(["C", 5, "#N/A", None])
    wb.save(path)


def test_xlsx_error_cells_and_formulas_without_a_value_are_marked(tmp_path):
    path = tmp_path / "w.xlsx"
    _workbook_with_errors(path)
    raw, info = read_raw(path)
    assert raw["e1_2"].tolist() == ["#DIV/0!", 2, "#N/A"]  # as delivered, for the quarantine file
    assert raw["e1_1"].tolist()[1] == "=1+1"
    assert info.damaged == {
        0: [("unreadable_cell", "Excel error #DIV/0! in column 'e1_2'")],
        1: [("unreadable_cell", "formula without a saved value in column 'e1_1' (open and save the file in "
                                "Excel or LibreOffice to compute it)")],
        2: [("unreadable_cell", "Excel error #N/A in column 'e1_2'")],
    }
    assert raw["e1_3"].isna().tolist() == [False, True, True]  # plain blanks stay blanks


def test_xls_is_read_with_its_error_cells(tmp_path):
    import xlwt

    path = tmp_path / "old.xls"
    book = xlwt.Workbook()
    sh = book.add_sheet("respuestas")
    for c, h in enumerate(["firm_id", "e1_1", "antiguedad"]):
        sh.write(0, c, h)
    sh.write(1, 0, "A")
    sh.write(1, 1, 4)
    sh.write(1, 2, 2.5)
    sh.write(2, 0, "B")
    sh.write(2, 1, "De acuerdo")
    sh.row(2).set_cell_error(2, "#DIV/0!")
    book.save(str(path))
    raw, info = read_raw(path)
    assert (info.format, info.sheet) == ("xls", "respuestas")
    assert raw["e1_1"].tolist() == [4, "De acuerdo"]
    assert raw["antiguedad"].tolist() == [2.5, "#DIV/0!"]
    assert info.damaged == {1: [("unreadable_cell", "Excel error #DIV/0! in column 'antiguedad'")]}
    assert read_table(path)["firm_id"].tolist() == ["A", "B"]


def test_qualtrics_two_extra_header_rows_are_not_data(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text(
        'StartDate,ResponseId,Q1,Q2_1\n'
        'Start Date,Response ID,Folio de la empresa,Grado de acuerdo - La competencia\n'
        '"{""ImportId"":""startDate""}","{""ImportId"":""_recordId""}","{""ImportId"":""QID1_TEXT""}","{""ImportId"":""QID2_1""}"\n'
        '2026-01-01,R_1,A-1,4\n2026-01-02,R_2,A-2\n',
        encoding="utf-8",
    )
    raw, info = read_raw(path)
    assert info.header_rows == 3
    assert raw["Q1"].tolist() == ["A-1", "A-2"]
    assert info.question_texts["Q2_1"] == "Grado de acuerdo - La competencia"
    assert info.damaged == {1: [("truncated_row", "truncated row: 3 of 4 fields, nothing delivered for column 'Q2_1'")]}


def test_stata_extended_and_spss_user_missing_values_are_declared(tmp_path):
    from alianza.readers import is_declared_missing

    dta = tmp_path / "w.dta"
    pyreadstat.write_dta(pd.DataFrame({"firm_id": ["A", "B"], "e1_1": [4.0, "a"]}), str(dta),
                         missing_user_values={"e1_1": ["a"]})
    raw, info = read_raw(dta)
    assert raw["e1_1"].tolist()[1] == "a"
    assert is_declared_missing(info, "e1_1", "a") and not is_declared_missing(info, "e1_1", 4.0)
    sav = tmp_path / "w.sav"
    pyreadstat.write_sav(pd.DataFrame({"firm_id": ["A", "B"], "e1_1": [4.0, 8.0]}), str(sav),
                         missing_ranges={"e1_1": [8]})
    raw, info = read_raw(sav)
    assert is_declared_missing(info, "e1_1", 8.0) and not is_declared_missing(info, "e1_1", 4.0)


def test_a_file_cut_inside_a_quoted_value_marks_its_last_row(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text('firm_id,e1_1,comentario\nA,1,"bien"\nB,2,"se cortó a la mit', encoding="utf-8")
    raw, info = read_raw(path)
    assert raw["comentario"].tolist() == ["bien", "se cortó a la mit"]
    assert info.damaged == {1: [("truncated_row", "truncated row: the file ends inside the quoted value of column 'comentario'")]}
