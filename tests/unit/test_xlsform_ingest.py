"""XLSForm and ingestion: a codebook imported from its own export ingests simulated waves to the same
values, and a KoboToolbox-style export of the exported form ingests with the stock codebook."""
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from openpyxl import Workbook

from alianza.cli import main
from alianza.codebook import load_codebook
from alianza.ingest import ingest_wave
from alianza.simulate import simulate_wave
from alianza.xlsform import codebook_to_xlsform, convert_xlsform, read_xlsform, xlsform_bytes
from tests.unit.wave_helpers import CODEBOOK_PATH, clean_wave, codebook, construct_direction, population

XF = "{http://www.w3.org/2002/xforms}"


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The stock codebook exported with the command line and imported back, as a YAML file."""
    d = tmp_path_factory.mktemp("roundtrip")
    assert main(["codebook", "export-xlsform", str(CODEBOOK_PATH), "--out", str(d / "form.xlsx")]) == 0
    assert main(["codebook", "import-xlsform", str(d / "form.xlsx"), "--out", str(d / "imported.yaml")]) == 0
    return load_codebook(d / "imported.yaml")


@pytest.mark.parametrize("wave", list(population().waves))
def test_imported_codebook_ingests_simulated_waves_to_the_same_values(tmp_path, imported, wave):
    # the bundled waves' recipes: codes and Spanish labels typed in varied case, CSV and XLSX,
    # missing codes and labels (9, 99, "NS/NC"), out-of-range answers, duplicates, failed checks
    path, truth = simulate_wave(population(), wave, tmp_path)
    stock_result = ingest_wave(path, codebook())
    round_trip = ingest_wave(path, imported)
    pd.testing.assert_frame_equal(round_trip.kept, stock_result.kept)
    pd.testing.assert_frame_equal(round_trip.quarantine, stock_result.quarantine)
    ours, theirs = dict(round_trip.summary), dict(stock_result.summary)
    assert ours.pop("codebook") != theirs.pop("codebook")
    assert ours == theirs
    assert ours["rows_in"] == len(truth.data) and ours["rows_quarantined"] > 0
    assert sum(ours["missing_codes_to_na"].values()) > 0


# ------------------------------------------------------------------ a KoboToolbox export
KOBO_METADATA = ["start", "end", "__version__", "_id", "_uuid", "_submission_time", "_validation_status",
                 "_notes", "_status", "_submitted_by", "_tags", "_index"]


def _kobo_headers(xform: str) -> dict[str, str]:
    """Question name -> Kobo's column header: its path in the XForm's instance ('grupo_e1/e1_1')."""
    root = ET.fromstring(xform)
    data = next(iter(root.iter(f"{XF}instance")))[0]
    out = {}

    def walk(node, prefix):
        for child in node:
            name = child.tag.replace(XF, "")
            if len(child):
                walk(child, f"{prefix}{name}/")
            elif name != "instanceID":
                out[name] = prefix + name
    walk(data, "")
    return out


def _choice_names(survey: dict) -> dict[str, dict]:
    """Question name -> {Spanish label the respondent tapped: the choice name Kobo stores}."""
    out = {}

    def walk(node):
        for child in node.get("children", []):
            if child.get("type") == "select one":
                out[child["name"]] = {c["label"]["Español (es)"]: c["name"] for c in survey["choices"][child["list_name"]]}
            walk(child)
    walk(survey)
    return out


def kobo_export(df: pd.DataFrame, form_path, cb) -> pd.DataFrame:
    """What KoboToolbox's XLS export ("XML values and headers") gives for these answers to the form."""
    headers = _kobo_headers(convert_xlsform(form_path.read_bytes()).xform)
    names = _choice_names(read_xlsform(form_path)[0])
    dont_know = cb.missing_labels[0]["es"]
    rows = []
    for i, answers in enumerate(df.to_dict("records"), start=1):
        row = {"start": "2025-03-01T10:00:00.000-07:00", "end": "2025-03-01T10:12:00.000-07:00"}
        for var in cb.layout():
            value = answers.get(var.name)
            if var.coded and not pd.isna(value):
                label = dont_know if int(value) in cb.missing_codes else var.code_labels[int(value)]["es"]
                value = names[var.name][label]
            row[headers[var.name]] = None if pd.isna(value) else value
        row.update({"__version__": "vJ7sY", "_id": 100 + i, "_uuid": f"uuid-{i}", "_submission_time": "2025-03-01",
                    "_validation_status": None, "_notes": None, "_status": "submitted_via_web",
                    "_submitted_by": None, "_tags": None, "_index": i})
        rows.append(row)
    return pd.DataFrame(rows)


def test_a_kobo_export_of_the_exported_form_ingests_with_the_stock_codebook(tmp_path):
    cb = codebook()
    form = tmp_path / "form.xlsx"
    form.write_bytes(xlsform_bytes(codebook_to_xlsform(cb.data)))
    answers = clean_wave(30, seed=11)
    # some respondents tap "No sabe / No contesta"; some skip a question that is not required
    dont_know = [(2, "e1_1"), (5, "co_4"), (9, "entorno"), (9, "escolaridad")]
    for row, col in dont_know:
        answers.loc[row, col] = cb.missing_codes[0]
    answers.loc[3, "familiar"] = None
    answers.loc[4, "antiguedad"] = None

    export = kobo_export(answers, form, cb)
    assert "grupo_e1/e1_1" in export.columns and "grupo_contexto/sector" in export.columns
    delivered = export            # exactly as Kobo delivers it: group paths, metadata columns, choice names
    wb = Workbook()
    wb.active.title = "alianza-microempresas"  # Kobo names the sheet after the form
    wb.active.append(list(delivered.columns))
    for rec in delivered.itertuples(index=False):
        wb.active.append([None if pd.isna(v) else v for v in rec])
    path = tmp_path / "kobo_wave.xlsx"
    wb.save(path)
    assert delivered["grupo_e1/e1_1"].map(type).eq(str).all()  # choice names, as Kobo writes them

    result = ingest_wave(path, cb, wave="kobo")
    assert result.summary["rows_in"] == result.summary["rows_kept"] == len(answers)
    expected = construct_direction(answers.mask(answers.isin(cb.missing_codes) & answers.columns.isin(cb.items())))
    pd.testing.assert_frame_equal(result.kept[cb.items()], expected)
    assert result.kept["firm_id"].tolist() == answers["firm_id"].tolist()
    for col in ("sector", "municipio", "empleados", "familiar", "escolaridad", "entorno"):
        want = answers[col].where(~answers[col].isin(cb.missing_codes)).astype("Int64")
        pd.testing.assert_series_equal(result.kept[col], want, check_names=False)
    pd.testing.assert_series_equal(result.kept["antiguedad"], answers["antiguedad"].astype("Float64"),
                                   check_names=False)
    assert sum(result.summary["missing_codes_to_na"].values()) == len(dont_know)
