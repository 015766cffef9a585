"""Survey-tool exports as delivered (issue 15): Google Forms, KoboToolbox/ODK, LimeSurvey, Qualtrics ingest with
the stock codebook and no edits; unknown columns; consent; personal data; per-wave column maps.

Each export is built here from a clean simulated wave (codes as answered) the way the tool writes it,
and the processed data are compared with those codes."""
import csv
import io

import pandas as pd
import pytest
from openpyxl import Workbook

from alianza.errors import ConfigError, InputError
from alianza.ingest import ingest_wave, write_outputs
from alianza.privacy import ingest_options, pseudonym
from tests.unit.wave_helpers import clean_wave, codebook, construct_direction

N = 8
SALT = "a-test-salt-of-some-length"


@pytest.fixture(scope="module")
def wave():
    return clean_wave(N, seed=5)


def _label(var, value, lang="es"):
    return "" if value is None else var.code_labels[int(value)][lang]


def _number(value):
    return "" if value is None or value != value else f"{value:g}"


def google_forms_csv(wave, path, *, consent=None, comments=None):
    """As Google Forms delivers it: timestamp, e-mail, the consent question, question texts as headers
    (grids as 'Title [row]'), Spanish answer labels, a free-text comment."""
    cb = codebook()
    header = ["Marca temporal", "Dirección de correo electrónico", cb.consent.label["es"], cb.id.label["es"]]
    header += [v.label["es"] for v in cb.context]
    items = []
    for var in cb.layout()[1 + len(cb.context):]:
        if var.role == "item":
            items.append((f"Etapa {var.construct} [{var.label['es']}]", var))
        else:
            items.append((var.label["es"], var))
    header += [h for h, _ in items] + ["Comentarios adicionales"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for i, row in wave.iterrows():
        out = [f"2026/03/{i + 1:02d} 10:2{i}:31 a. m. GMT-7", f"persona{i}@example.com",
               (consent or {}).get(i, cb.consent.code_labels[1]["es"]), row["firm_id"]]
        for var in cb.context:
            v = row[var.name]
            out.append(_label(var, v) if var.coded else _number(v))
        out += [_label(var, row[var.name]) for _, var in items]
        out.append((comments or {}).get(i, ""))
        w.writerow(out)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def kobo_xlsx(wave, path):
    """As KoboToolbox exports a form made from the codebook: group paths, XML choice names, metadata columns."""
    cb = codebook()
    wb = Workbook()
    ws = wb.active
    ws.title = "alianza"
    cols = ["start", "end", "today", "deviceid", cb.consent.name, f"grupo_datos/{cb.id.name}"]
    cols += [f"grupo_contexto/{v.name}" for v in cb.context]
    cols += [f"grupo_{v.construct.lower()}/{v.name}" if v.role == "item" else f"grupo_e3/{v.name}"
             for v in cb.layout()[1 + len(cb.context):]]
    cols += ["_geolocation", "_gps_latitude", "_id", "_uuid", "_submission_time", "_validation_status", "_notes",
             "_status", "_submitted_by", "__version__", "_tags", "_index", "meta/instanceID"]
    ws.append(cols)
    for i, row in wave.iterrows():
        out = ["2026-03-01T10:00:00.000-07:00", "2026-03-01T10:12:00.000-07:00", "2026-03-01", f"enketo.org:{i}",
               "si", row["firm_id"]]
        for var in cb.context:
            v = row[var.name]
            if var.type == "categorical":
                out.append(None if v is None else var.code_labels[int(v)]["value"])  # choice name
            elif var.coded:
                out.append(None if v is None else str(int(v)))  # choice name = the code as text
            else:
                out.append(None if v is None or v != v else v)
        out += [str(int(row[v.name])) for v in cb.layout()[1 + len(cb.context):]]
        out += ["[29.07, -110.95]", 29.07, 1000 + i, f"uuid-{i}", "2026-03-01T17:12:00", "", "[]", "submitted_via_web",
                "encuestador1", "vGx7", "[]", i + 1, f"uuid:{i}"]
        ws.append(out)
    wb.save(path)
    return path


def _check_values(result, wave, rows=None):
    cb = codebook()
    src = wave if rows is None else wave.iloc[rows].reset_index(drop=True)
    kept = result.kept
    assert list(kept.columns[: len(cb.output_columns)]) == cb.output_columns
    pd.testing.assert_frame_equal(kept[cb.items()], construct_direction(src), check_dtype=True)
    assert kept["firm_id"].tolist() == src["firm_id"].tolist()
    for var in cb.context:
        got = kept[var.name].astype(object).where(kept[var.name].notna(), None).tolist()
        want = [None if v is None or v != v else v for v in src[var.name].tolist()]
        assert got == pytest.approx(want) if var.type == "number" else got == want, var.name


def test_google_forms_export_ingests_with_the_stock_codebook(tmp_path, wave):
    consent = {2: "No acepto"}
    path = google_forms_csv(wave, tmp_path / "gforms.csv", consent=consent,
                            comments={0: "Me llamo Ana, mi teléfono es 662 000 0000"})
    result = ingest_wave(path, codebook())
    s = result.summary
    assert s["rows_in"] == N == s["rows_kept"] + s["rows_quarantined"]
    assert s["rows_quarantined"] == 1 and s["reasons"]["no_consent"] == 1
    _check_values(result, wave, rows=[i for i in range(N) if i != 2])
    assert s["tool_columns"] == {"Marca temporal": "Google Forms"}
    assert s["personal_columns"] == {"Dirección de correo electrónico": "dropped", "Comentarios adicionales": "dropped"}
    assert s["consent_column"] == codebook().consent.label["es"]
    assert s["carried_columns"] == {} and result.warnings == []
    q = result.quarantine
    assert q["reason"].tolist() == ["no consent (answered 'No acepto')"]
    # a row without consent keeps only where it is and why; no personal column anywhere
    assert set(q.drop(columns=["source_row", "reason", s["consent_column"]]).iloc[0]) == {""}
    assert "Dirección de correo electrónico" not in q.columns and "Comentarios adicionales" not in q.columns
    written = write_outputs(result, tmp_path / "out")
    for p in written.values():
        body = p.read_bytes()
        assert b"example.com" not in body and b"662" not in body and "Ana".encode() not in body


def test_kobo_export_ingests_with_the_stock_codebook(tmp_path, wave):
    path = kobo_xlsx(wave, tmp_path / "kobo.xlsx")
    result = ingest_wave(path, codebook())
    s = result.summary
    assert s["rows_in"] == N == s["rows_kept"]
    _check_values(result, wave)
    assert s["columns"]["firm_id"] == "grupo_datos/firm_id"  # Kobo's _id is a tool column, not the id alias 'id'
    assert s["tool_columns"]["_id"] == "KoboToolbox/ODK" and "meta/instanceID" in s["tool_columns"]
    assert set(s["personal_columns"]) == {"deviceid", "_geolocation", "_gps_latitude", "_submitted_by"}
    assert s["consent_column"] == "consentimiento" and result.warnings == []
    assert list(result.kept.columns) == codebook().output_columns


def test_limesurvey_and_qualtrics_exports(tmp_path, wave):
    cb = codebook()
    sub = wave.iloc[:3]
    # LimeSurvey (question codes export): its response id 'id' yields to the firm id column
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed", "ipaddr", "firm_id"] + \
             [f"{v.construct}[{v.name}]" for v in cb.item_variables()] + [c.name for c in cb.context]
    rows = [[str(i + 1), "2026-03-01 10:00:00", "5", "es", "123", "10.0.0.1", r["firm_id"]] +
            [str(r[v.name]) for v in cb.item_variables()] + [_number(r[c.name]) for c in cb.context]
            for i, r in sub.iterrows()]
    path = tmp_path / "lime.csv"
    path.write_text("\n".join(",".join(f'"{c}"' for c in row) for row in [header] + rows) + "\n", encoding="utf-8")
    result = ingest_wave(path, cb)
    assert result.summary["columns"]["firm_id"] == "firm_id" and result.summary["tool_columns"]["id"] == "LimeSurvey"
    assert "ipaddr" in result.summary["personal_columns"]
    _check_values(result, sub)

    # Qualtrics: Q-numbers, question texts in the second row ('matrix - item'), ImportIds in the third
    meta = ["StartDate", "EndDate", "IPAddress", "ResponseId", "LocationLatitude"]
    qs = [f"Q{i + 1}" for i in range(len(cb.item_variables()))]
    texts = [f"Indique su grado de acuerdo - {v.label['es']}" for v in cb.item_variables()]
    header = meta + ["QID_folio"] + qs + [c.name for c in cb.context]
    second = meta + [cb.id.label["es"]] + texts + [c.label["es"] for c in cb.context]
    third = [f'{{"ImportId":"{h}"}}' for h in header]
    rows = [["2026-03-01", "2026-03-01", "10.0.0.2", f"R_{i}", "29.1", r["firm_id"]] +
            [_label(v, r[v.name]) for v in cb.item_variables()] +
            [_label(c, r[c.name]) if c.coded else _number(r[c.name]) for c in cb.context] for i, r in sub.iterrows()]
    buf = io.StringIO()
    csv.writer(buf).writerows([header, second, third] + rows)
    path = tmp_path / "qualtrics.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    result = ingest_wave(path, cb)
    assert result.summary["header_rows"] == 3 and result.summary["rows_in"] == 3
    assert set(result.summary["personal_columns"]) == {"IPAddress", "LocationLatitude"}
    _check_values(result, sub)


def test_unknown_columns_are_listed_at_once_carried_or_an_error(tmp_path, wave):
    path = google_forms_csv(wave, tmp_path / "g.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["Nombre del encuestador"] = "Luis"
    df["Competencia en su mercado lo llevo a trabajar junto con otros"] = "x"
    df.to_csv(path, index=False)
    result = ingest_wave(path, codebook())
    assert result.summary["rows_kept"] == N
    carried = result.summary["carried_columns"]
    assert carried["Competencia en su mercado lo llevo a trabajar junto con otros"] == {"closest_codebook_match": "e1_1"}
    assert list(carried) == ["Nombre del encuestador", "Competencia en su mercado lo llevo a trabajar junto con otros"]
    assert result.kept["Nombre del encuestador"].tolist() == ["Luis"] * N  # carried, not analysed
    assert len(result.warnings) == 1 and "2 columns not in the codebook" in result.warnings[0]
    with pytest.raises(InputError) as err:
        ingest_wave(path, codebook(), options=ingest_options({"unknown_columns": "error"}))
    line = err.value.oneline()
    assert line.startswith(f"file {path}, column 'Nombre del encuestador': 2 columns not in the codebook")
    assert "(closest: e1_1)" in line


def test_personal_columns_pseudonymised_with_a_salted_hash(tmp_path, wave):
    path = google_forms_csv(wave, tmp_path / "g.csv", comments={1: "ok"})
    opts = ingest_options({"personal_data": "pseudonymise", "pseudonymise_id": True}, environ={"ALIANZA_SALT": SALT})
    result = ingest_wave(path, codebook(), options=opts)
    kept = result.kept
    assert kept["firm_id"].tolist() == [pseudonym(f, SALT) for f in wave["firm_id"]]
    assert kept["Dirección de correo electrónico"].tolist() == [pseudonym(f"persona{i}@example.com", SALT) for i in range(N)]
    assert kept["Comentarios adicionales"].isna().sum() == N - 1
    assert result.summary["personal_columns"]["Comentarios adicionales"] == "pseudonymised"
    assert pseudonym("x", SALT) != pseudonym("x", SALT + "!")
    # a conflicting duplicate's reason names the pseudonym, never the delivered id
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    twin = df.iloc[[3]].copy()
    twin.iloc[0, -2] = "Totalmente de acuerdo" if twin.iloc[0, -2] != "Totalmente de acuerdo" else "En desacuerdo"
    pd.concat([df, twin]).to_csv(path, index=False)
    q = ingest_wave(path, codebook(), options=opts).quarantine
    fid = wave["firm_id"].iloc[3]
    assert q["reason"].tolist() == [f"conflicting duplicate firm_id '{pseudonym(fid, SALT)}' (rows 4, {N + 1})"] * 2
    assert fid not in q.to_csv()
    with pytest.raises(ConfigError, match="ALIANZA_SALT"):
        ingest_options({"personal_data": "pseudonymise"}, environ={})


def test_a_wave_column_map_maps_odd_headers_without_the_codebook(tmp_path, wave):
    cb = codebook()
    df = wave.rename(columns={"e2_3": "P7", "firm_id": "Clave", "atencion": "control"})
    df["Encuestador"] = "Luis"
    df["Celular"] = "6620000000"
    path = tmp_path / "w3.csv"
    df.to_csv(path, index=False)
    (tmp_path / "w3.columns.yaml").write_text(
        "P7: e2_3\nClave: firm_id\ncontrol: atencion\nEncuestador: ignore\nCelular: personal\n", encoding="utf-8")
    result = ingest_wave(path, cb)
    assert result.summary["column_map"] == str(tmp_path / "w3.columns.yaml")
    assert result.summary["columns"]["e2_3"] == "P7" and result.summary["matched_by"]["P7"] == "column map"
    assert result.summary["ignored_columns"] == ["Encuestador"] and "Celular" in result.summary["personal_columns"]
    _check_values(result, wave)
    (tmp_path / "w3.columns.yaml").write_text("P7: e9_9\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        ingest_wave(path, cb)
    assert err.value.oneline().startswith(f"file {tmp_path / 'w3.columns.yaml'}, key P7: 'e9_9' is not a codebook")


def test_answers_match_by_xlsform_choice_name(tmp_path, wave):
    from alianza.codebook import Codebook

    data = dict(codebook().data)
    names = ["totalmente_desacuerdo", "desacuerdo", "neutral", "acuerdo", "totalmente_acuerdo"]
    points = [dict(p, name=n) for p, n in zip(data["scales"]["acuerdo"]["points"], names)]
    data["scales"] = {**data["scales"], "acuerdo": {**data["scales"]["acuerdo"], "points": points}}
    cb = Codebook(data, source="named")
    df = wave.copy()
    for v in cb.item_variables():
        df[v.name] = [names[int(x) - 1] for x in df[v.name]]
    df["atencion"] = names[1]
    path = tmp_path / "w.csv"
    df.to_csv(path, index=False)
    result = ingest_wave(path, cb)
    assert result.summary["rows_kept"] == N
    pd.testing.assert_frame_equal(result.kept[cb.items()], construct_direction(wave))


def test_odk_central_export_with_dash_group_paths(tmp_path, wave):
    cb = codebook()
    sub = wave.iloc[:3]
    header = ["SubmissionDate", "meta-instanceID", "consentimiento", "datos-firm_id"] + \
             [f"grupo_{v.construct.lower()}-{v.name}" for v in cb.item_variables()] + \
             [f"contexto-{c.name}" for c in cb.context] + ["KEY", "SubmitterID", "SubmitterName", "DeviceID",
                                                             "ReviewState", "FormVersion"]
    rows = [["2026-03-01T10:00:00.000Z", f"uuid:{i}", "1", r["firm_id"]] + [str(r[v.name]) for v in cb.item_variables()]
            + [_number(r[c.name]) for c in cb.context] + [f"uuid:{i}", "7", "Encuestadora Ana", "collect:abc", "", "1"]
            for i, r in sub.iterrows()]
    buf = io.StringIO()
    csv.writer(buf).writerows([header] + rows)
    path = tmp_path / "central.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    result = ingest_wave(path, cb)
    s = result.summary
    assert s["columns"]["firm_id"] == "datos-firm_id" and s["matched_by"]["grupo_e1-e1_1"] == "group path"
    assert set(s["personal_columns"]) == {"SubmitterID", "SubmitterName", "DeviceID"}
    assert s["carried_columns"] == {}
    _check_values(result, sub)


def test_cli_takes_the_config_ingest_section_and_a_column_map(tmp_path, wave, capsys):
    from alianza.cli import main

    path = google_forms_csv(wave, tmp_path / "g.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["Encuestador"] = "Luis"
    df.to_csv(path, index=False)
    assert main(["ingest", str(path), "--outdir", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "alianza: warning: " in err and "'Encuestador' (no close match)" in err
    config = tmp_path / "config.yaml"
    config.write_text("ingest:\n  unknown_columns: error\n", encoding="utf-8")
    assert main(["ingest", str(path), "--outdir", str(tmp_path / "out"), "--config", str(config)]) == 2
    assert "1 column not in the codebook: 'Encuestador'" in capsys.readouterr().err
    cmap = tmp_path / "map.yaml"
    cmap.write_text("Encuestador: ignore\n", encoding="utf-8")
    assert main(["ingest", str(path), "--outdir", str(tmp_path / "out"), "--config", str(config),
                 "--columns", str(cmap)]) == 0
