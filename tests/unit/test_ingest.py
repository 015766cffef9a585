"""Ingestion of clean waves in every format, label mapping, header matching, and the written outputs."""
import hashlib
import json

import pandas as pd
import pyreadstat
import pytest

from alianza.ingest import ingest_wave, write_outputs
from tests.unit.wave_helpers import clean_wave, codebook, construct_direction, write

N = 12


@pytest.fixture(scope="module")
def wave():
    return clean_wave(N)


FORMATS = {
    "csv_semicolon_latin1": dict(name="w.csv", delimiter=";", encoding="latin-1", decimal=",", line_terminator="\r\n"),
    "csv_bom_utf8_comma": dict(name="w.csv", encoding="utf-8-sig"),
    "xlsx_labels": dict(name="w.xlsx", labels=True),
    "xlsx_codes": dict(name="w.xlsx"),
    "sav": dict(name="w.sav"),
    "dta": dict(name="w.dta"),
    "parquet": dict(name="w.parquet"),
    "parquet_labels": dict(name="w.parquet", labels=True),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_gives_the_same_processed_data(tmp_path, wave, fmt):
    opts = dict(FORMATS[fmt])
    path = write(wave, tmp_path / opts.pop("name"), **opts)
    result = ingest_wave(path, codebook(), wave="w1")
    cb = codebook()
    assert result.summary["rows_in"] == N == result.summary["rows_kept"]
    assert result.summary["rows_quarantined"] == 0 and len(result.quarantine) == 0
    kept = result.kept
    assert list(kept.columns) == cb.output_columns
    assert "atencion" not in kept.columns  # checked, then dropped
    # items in the construct's direction: reverse-keyed ones recoded 6 - x
    pd.testing.assert_frame_equal(kept[cb.items()], construct_direction(wave), check_dtype=True)
    assert kept["firm_id"].tolist() == wave["firm_id"].tolist()
    assert (kept["wave"] == "w1").all()
    assert kept["sector"].tolist() == wave["sector"].tolist()
    assert kept["antiguedad"].dtype == "Float64"
    assert kept["antiguedad"].tolist() == pytest.approx(wave["antiguedad"].tolist())
    assert kept["empleados"].dtype == "Int64"


def test_reverse_keyed_items_are_recoded(tmp_path, wave):
    path = write(wave, tmp_path / "w.csv")
    kept = ingest_wave(path, codebook()).kept
    for item in codebook().reverse_items:
        assert (kept[item] == 6 - wave[item].astype("Int64")).all()
    assert (kept["e1_1"] == wave["e1_1"].astype("Int64")).all()


def test_text_labels_map_to_codes_ignoring_case_accents_and_language(tmp_path, wave):
    df = wave.head(6).copy()
    df["e1_1"] = ["de acuerdo", "TOTALMENTE DE ACUERDO", "Totalmente de Acuerdo", "ni de acuerdo ni en desacuerdo ",
                  "Strongly disagree", "En  Desacuerdo"]
    df["municipio"] = ["San Luis Rio Colorado", "san luis río colorado", "HERMOSILLO", "Cajeme", "nogales", "Guaymas"]
    df["familiar"] = ["si", "Sí", "NO", "Yes", "no", "SI"]
    df["sector"] = ["comercio", "Servicios", "Manufacturing", "Trade", "MANUFACTURA", "servicios"]
    df["escolaridad"] = ["carrera tecnica", "Preparatoria o Bachillerato", "Primaria", "posgrado", "Licenciatura", "sin estudios"]
    df["entorno"] = ["muy favorable", "Desfavorable", "ni favorable ni desfavorable", "Favorable", "MUY DESFAVORABLE", 3]
    path = write(df, tmp_path / "w.xlsx")
    kept = ingest_wave(path, codebook()).kept
    assert kept["e1_1"].tolist() == [4, 5, 5, 3, 1, 2]
    assert kept["municipio"].tolist() == [6, 6, 1, 2, 3, 5]
    assert kept["familiar"].tolist() == [1, 1, 0, 1, 0, 1]
    assert kept["sector"].tolist() == [1, 2, 3, 1, 3, 2]
    assert kept["escolaridad"].tolist() == [5, 4, 2, 7, 6, 1]
    assert kept["entorno"].tolist() == [5, 2, 3, 4, 1, 3]


def test_headers_match_ignoring_case_accents_spacing_and_aliases(tmp_path, wave):
    df = wave.head(3).rename(columns={"firm_id": "Folio", "antiguedad": " Antigüedad ", "e1_1": "E1_1",
                                      "municipio": "MUNICIPIO", "atencion": "Atención"})
    path = write(df, tmp_path / "w.csv")
    result = ingest_wave(path, codebook())
    assert result.summary["rows_kept"] == 3
    assert result.summary["columns"]["firm_id"] == "Folio"
    assert result.summary["columns"]["antiguedad"] == " Antigüedad "
    assert result.kept["antiguedad"].tolist() == pytest.approx(wave["antiguedad"].head(3).tolist())


def test_optional_columns_may_be_absent_and_ignored_columns_are_skipped(tmp_path, wave):
    cb = codebook()
    data = dict(cb.data)
    data["ignore_columns"] = ["encuestador"]
    from alianza.codebook import Codebook

    cb2 = Codebook(data, source="custom")
    df = wave.head(4).drop(columns=["entorno", "escolaridad", "atencion"]).assign(encuestador="Ana")
    path = write(df, tmp_path / "w.csv")
    result = ingest_wave(path, cb2)
    assert result.summary["rows_kept"] == 4
    assert result.kept["entorno"].isna().all() and result.kept["escolaridad"].isna().all()
    assert set(result.summary["absent_columns"]) == {"entorno", "escolaridad", "atencion"}
    assert result.summary["ignored_columns"] == ["encuestador"]


def test_wave_id_is_the_file_stem_unless_given(tmp_path, wave):
    path = write(wave.head(2), tmp_path / "ola_2024.csv")
    assert ingest_wave(path, codebook()).wave == "ola_2024"
    assert (ingest_wave(path, codebook(), wave="w9").kept["wave"] == "w9").all()


def test_spss_value_labels_are_checked_against_the_codebook(tmp_path, wave):
    from alianza.errors import InputError

    path = write(wave.head(3), tmp_path / "w.sav")
    assert ingest_wave(path, codebook()).summary["rows_kept"] == 3
    # a file whose labels run the other way round (5 = strongly disagree) must not be read as if they did not
    df, meta = pyreadstat.read_sav(str(path))
    labels = dict(meta.variable_value_labels)
    labels["e2_1"] = {1: "Totalmente de acuerdo", 5: "Totalmente en desacuerdo"}
    flipped = tmp_path / "flipped.sav"
    pyreadstat.write_sav(df, str(flipped), variable_value_labels=labels)
    with pytest.raises(InputError) as info:
        ingest_wave(flipped, codebook())
    assert "column 'e2_1'" in info.value.oneline()
    assert "labels code 1 as 'Totalmente de acuerdo', which the codebook codes as 5" in info.value.oneline()


def test_outputs_parquet_quarantine_and_summary(tmp_path, wave):
    df = wave.copy()
    df.loc[2, "e3_3"] = 6
    df.loc[5, "e1_2"] = 9
    df.loc[6, "co_1"] = 99
    path = write(df, tmp_path / "w.csv", delimiter=";", encoding="latin-1", decimal=",")
    result = ingest_wave(path, codebook())
    paths = write_outputs(result, tmp_path / "processed")
    assert {p.name for p in paths.values()} == {"w.parquet", "w.quarantine.csv", "w.summary.json"}

    kept = pd.read_parquet(paths["data"])
    assert len(kept) == N - 1
    assert kept["e1_2"].isna().sum() == 1 and kept["co_1"].isna().sum() == 1
    assert str(kept["e1_1"].dtype) == "Int64"

    quarantine = pd.read_csv(paths["quarantine"], dtype=str, keep_default_na=False)
    assert quarantine["source_row"].tolist() == ["3"]
    assert quarantine["reason"].tolist() == ["out-of-range value '6' in column 'e3_3'"]
    delivered = pd.read_csv(path, sep=";", encoding="latin-1", dtype=str, keep_default_na=False)
    assert quarantine.drop(columns=["source_row", "reason"]).iloc[0].tolist() == delivered.iloc[2].tolist()

    s = json.loads(paths["summary"].read_text(encoding="utf-8"))
    assert s["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (s["rows_in"], s["rows_kept"], s["rows_quarantined"]) == (N, N - 1, 1)
    assert s["reasons"]["out_of_range"] == 1 and sum(s["reasons"].values()) == 1
    assert s["missing_codes_to_na"]["e1_2"] == 1 and s["missing_codes_to_na"]["co_1"] == 1
    assert sum(s["missing_codes_to_na"][i] for i in codebook().items()) == 2
    assert s["codebook_version"] == codebook().version == "1.0.0"
    assert (s["format"], s["delimiter"], s["decimal"]) == ("csv", ";", ",")
