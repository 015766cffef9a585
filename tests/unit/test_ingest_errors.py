"""File-level errors: one line naming the file, the column and the row; the CLI exits 2 with no traceback."""
import subprocess
import sys

import pandas as pd
import pytest

from alianza.errors import InputError
from alianza.ingest import ingest_wave
from tests.unit.wave_helpers import CODEBOOK_PATH, clean_wave, codebook, write


@pytest.fixture(scope="module")
def wave():
    return clean_wave(20, seed=5)


def _unknown_label(tmp_path, wave):
    df = wave.copy()
    df["e2_3"] = df["e2_3"].astype(object)
    df.loc[16, "e2_3"] = "Muy de acuerdo"
    return write(df, tmp_path / "w.xlsx", labels=True)


def _missing_item(tmp_path, wave):
    return write(wave.drop(columns=["e3_2"]), tmp_path / "w.csv")


def _missing_id(tmp_path, wave):
    return write(wave.drop(columns=["firm_id"]), tmp_path / "w.csv")


def _two_columns_one_variable(tmp_path, wave):
    return write(wave.assign(Folio=wave["firm_id"]), tmp_path / "w.csv")


def _wave_column(tmp_path, wave):
    return write(wave.assign(wave="w1"), tmp_path / "w.csv")


def _not_a_number(tmp_path, wave):
    df = wave.copy()
    df["empleados"] = df["empleados"].astype(object)
    df.loc[3, "empleados"] = "diez"
    return write(df, tmp_path / "w.csv")


def _unknown_format(tmp_path, wave):
    p = tmp_path / "w.ods"
    p.write_bytes(b"PK")
    return p


def _empty(tmp_path, wave):
    p = tmp_path / "w.csv"
    p.write_bytes(b"")
    return p


def _header_only(tmp_path, wave):
    p = tmp_path / "w.csv"
    p.write_text(";".join(wave.columns) + "\n", encoding="utf-8")
    return p


# (builder, column in the message, row in the message, text in the message)
CASES = {
    "unknown_label": (_unknown_label, "e2_3", 17, "unknown answer label 'Muy de acuerdo'"),
    "missing_item": (_missing_item, "e3_2", None, "required column missing from the file"),
    "missing_id": (_missing_id, "firm_id", None, "required column missing from the file"),
    "two_columns_one_variable": (_two_columns_one_variable, "Folio", None, "are both codebook variable 'firm_id'"),
    "wave_column": (_wave_column, "wave", None, "the wave is set by ingestion"),
    "not_a_number": (_not_a_number, "empleados", 4, "'diez' is not a number"),
    "unknown_format": (_unknown_format, None, None, "unknown format '.ods'"),
    "empty": (_empty, None, None, "empty file"),
    "header_only": (_header_only, None, None, "no data rows (header only)"),
}


@pytest.mark.parametrize("case", CASES)
def test_file_level_error_names_file_column_and_row(tmp_path, wave, case):
    build, column, row, text = CASES[case]
    path = build(tmp_path, wave)
    with pytest.raises(InputError) as info:
        ingest_wave(path, codebook())
    line = info.value.oneline()
    expected_where = f"file {path}" + (f", column {column!r}" if column else "") + (f", row {row}" if row else "")
    assert line.startswith(expected_where + ":"), line
    assert text in line
    assert "\n" not in line


def test_unknown_label_message_reads_as_specified(tmp_path, wave):
    path = _unknown_label(tmp_path, wave)
    with pytest.raises(InputError) as info:
        ingest_wave(path, codebook())
    assert info.value.oneline().startswith(
        f"file {path}, column 'e2_3', row 17: unknown answer label 'Muy de acuerdo'"
    )


@pytest.mark.parametrize("case", ["unknown_label", "missing_item", "empty", "unknown_format"])
def test_cli_exits_2_with_one_line_and_no_traceback(tmp_path, wave, case):
    build, column, row, text = CASES[case]
    path = build(tmp_path, wave)
    out = tmp_path / "processed"
    proc = subprocess.run(
        [sys.executable, "-m", "alianza.cli", "ingest", str(path), "--codebook", str(CODEBOOK_PATH),
         "--outdir", str(out)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"alianza ingest: error: file {path}")
    assert text in lines[0]
    assert not out.exists() or not any(out.iterdir())  # nothing half-written


def test_cli_prints_a_one_paragraph_summary(tmp_path, wave):
    df = pd.concat([wave, wave.iloc[[0]]], ignore_index=True)
    path = write(df, tmp_path / "ola1.csv")
    proc = subprocess.run(
        [sys.executable, "-m", "alianza.cli", "ingest", str(path), "--codebook", str(CODEBOOK_PATH),
         "--outdir", str(tmp_path / "processed")],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ola1: 21 rows in, 20 kept, 1 quarantined (by reason: exact duplicate 1;")
    assert (tmp_path / "processed" / "ola1.summary.json").is_file()
