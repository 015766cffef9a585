"""XLSForm export and import (alianza.xlsform, `alianza codebook`): pyxform converts what we write,
and what we read back is the codebook we wrote."""
import copy
import xml.etree.ElementTree as ET

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from alianza.cli import main
from alianza.codebook import Codebook, load_codebook
from alianza.errors import ConfigError
from alianza.xlsform import (
    CONTEXT_GROUP,
    LANGUAGES,
    codebook_to_xlsform,
    convert_xlsform,
    group_name,
    read_xlsform,
    xlsform_bytes,
    xlsform_to_codebook,
)
from tests.unit.wave_helpers import CODEBOOK_PATH

XF = "{http://www.w3.org/2002/xforms}"


@pytest.fixture(scope="module")
def stock():
    return load_codebook(CODEBOOK_PATH)


@pytest.fixture(scope="module")
def stock_form(stock, tmp_path_factory):
    path = tmp_path_factory.mktemp("form") / "form.xlsx"
    path.write_bytes(xlsform_bytes(codebook_to_xlsform(stock.data)))
    return path


def _xform(path):
    result = convert_xlsform(path.read_bytes(), source=path)
    return result, ET.fromstring(result.xform)


def _instance_paths(root) -> dict[str, str]:
    """Question name -> its path in the XForm's main instance (what Kobo uses as a column header)."""
    data = next(iter(root.iter(f"{XF}instance")))[0]
    out = {}

    def walk(node, prefix):
        for child in node:
            name = child.tag.replace(XF, "")
            if name == "meta":
                continue
            if len(child):
                walk(child, f"{prefix}{name}/")
            else:
                out[name] = prefix + name
    walk(data, "")
    return out


def test_export_passes_pyxform_with_both_languages_and_one_group_per_construct(stock, stock_form):
    result, root = _xform(stock_form)
    assert result.warnings == []
    langs = {t.get("lang") for t in root.iter(f"{XF}translation")}
    assert langs == set(LANGUAGES.values())
    default = next(t for t in root.iter(f"{XF}translation") if t.get("default"))
    assert default.get("lang") == LANGUAGES["es"]

    paths = _instance_paths(root)
    for construct, items in stock.construct_items().items():
        for item in items:
            assert paths[item] == f"{group_name(construct)}/{item}"
    for var in stock.context:
        assert paths[var.name] == f"{CONTEXT_GROUP}/{var.name}"
    assert paths[stock.id.name] == stock.id.name
    after = stock.data["attention"]["after"]
    assert paths["atencion"] == f"{group_name(stock.variable(after).construct)}/atencion"

    # every item is a required select_one on its scale's list; the Spanish label is the item text
    survey = {row["name"]: row for row in read_xlsform(stock_form)[0]["children"] if row["type"] == "group"
              for row in row["children"]}
    for var in stock.item_variables():
        node = survey[var.name]
        assert node["type"] == "select one" and node["list_name"] == var.scale
        assert node["bind"]["required"] == "yes"
        assert node["label"] == {LANGUAGES[k]: var.label[k] for k in LANGUAGES}
    assert survey["atencion"]["bind"]["required"] == "no"  # as the codebook says (required: false)
    assert survey["sector"]["bind"]["required"] == "yes" and survey["familiar"]["bind"]["required"] == "no"

    binds = {b.get("nodeset").rsplit("/", 1)[-1]: b for b in root.iter(f"{XF}bind")}
    for var in stock.context:
        if var.type in ("integer", "number"):
            assert binds[var.name].get("constraint") == f". >= {var.minimum:g} and . <= {var.maximum:g}"
            assert binds[var.name].get("type") == {"integer": "int", "number": "decimal"}[var.type]
    assert binds[stock.item_variables()[0].name].get("required") == "true()"


def test_every_choice_list_offers_the_codebook_answers_and_dont_know(stock, stock_form):
    survey, _ = read_xlsform(stock_form)
    lists = survey["choices"]
    dont_know = stock.data["missing"]["labels"][0]
    for var in stock.variables():
        if not var.coded:
            continue
        node = _find(survey, var.name)
        choices = lists[node["list_name"]]
        assert [c["name"] for c in choices] == [str(c) for c in var.codes] + [str(stock.missing_codes[0])]
        assert [c["label"][LANGUAGES["en"]] for c in choices[:-1]] == [var.code_labels[c]["en"] for c in var.codes]
        assert choices[-1]["label"] == {LANGUAGES[k]: dont_know[k] for k in LANGUAGES}


def _find(survey, name):
    for node in survey["children"]:
        if node.get("name") == name:
            return node
        found = _find(node, name) if node.get("children") else None
        if found:
            return found
    return None


def test_import_of_an_exported_form_gives_back_the_codebook(stock, stock_form):
    survey, extras = read_xlsform(stock_form)
    data, warnings = xlsform_to_codebook(survey, extras, source=stock_form)
    assert warnings == []
    assert data == stock.data
    assert Codebook(data, source="imported").items() == stock.items()


def test_scale_point_names_are_choice_names_and_come_back(stock, tmp_path):
    data = copy.deepcopy(stock.data)
    for point in data["scales"]["acuerdo"]["points"]:
        point["name"] = point["en"].lower().replace(" ", "_")
    data["scales"]["acuerdo"]["points"][2]["name"] = "3"  # a name that is its code is no name at all
    path = tmp_path / "named.xlsx"
    path.write_bytes(xlsform_bytes(codebook_to_xlsform(Codebook(data).data)))
    convert_xlsform(path.read_bytes())
    survey, extras = read_xlsform(path)
    assert [c["name"] for c in survey["choices"]["acuerdo"]][:2] == ["strongly_disagree", "disagree"]
    back, _ = xlsform_to_codebook(survey, extras)
    points = back["scales"]["acuerdo"]["points"]
    assert [p["code"] for p in points] == [1, 2, 3, 4, 5]
    assert "name" not in points[2]
    del data["scales"]["acuerdo"]["points"][2]["name"]
    assert back == data


# ------------------------------------------------------------------ forms made elsewhere
def _workbook(path, survey, choices, settings=None):
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    wc = wb.create_sheet("choices")
    for row in choices:
        wc.append(row)
    if settings:
        st = wb.create_sheet("settings")
        for row in settings:
            st.append(row)
    wb.save(path)
    return path


FOREIGN_SURVEY = [
    ["type", "name", "label::Español (es)", "label::English (en)", "required", "reverse", "constraint"],
    ["start", "start", None, None, None, None, None],
    ["text", "folio", "Folio", "Case number", "yes", None, None],
    ["select_one giro", "giro", "Giro", "Line of business", "yes", None, None],
    ["integer", "empleados", "Empleados", "Employees", "no", None, ". >= 1 and . <= 10"],
    ["begin_group", "grupo_confianza", "Confianza", "Trust", None, None, None],
    ["select_one frecuencia", "c1", "Confío en mi socio", "I trust my partner", "yes", "no", None],
    ["select_one frecuencia", "c2", "Desconfío de mi socio", "I distrust my partner", "yes", "yes", None],
    ["end_group", None, None, None, None, None, None],
    ["select_one frecuencia", "x1", "Compartimos datos", None, "yes", "no", None],
    ["text", "comentarios", "Comentarios", "Comments", "no", None, None],
]
FOREIGN_CHOICES = [
    ["list_name", "name", "label::Español (es)", "label::English (en)"],
    ["frecuencia", "nunca", "Nunca", "Never"],
    ["frecuencia", "a_veces", "A veces", "Sometimes"],
    ["frecuencia", "siempre", "Siempre", "Always"],
    ["giro", "1", "Comercio", "Trade"],
    ["giro", "2", "Servicios", "Services"],
]


def _foreign(tmp_path, survey=FOREIGN_SURVEY, choices=FOREIGN_CHOICES):
    path = _workbook(tmp_path / "kobo_form.xlsx", survey, choices,
                     [["form_title", "form_id", "version"], ["Encuesta", "encuesta_2025", "2"]])
    convert_xlsform(path.read_bytes())  # a valid XLSForm to begin with
    return read_xlsform(path)


def test_a_form_made_elsewhere_needs_a_base_for_what_xlsform_cannot_say(tmp_path):
    survey, extras = _foreign(tmp_path)
    assert extras == {}
    with pytest.raises(ConfigError, match="wave, quality.*--base"):
        xlsform_to_codebook(survey, extras, source="kobo_form.xlsx")


def test_a_form_made_elsewhere_imports_with_groups_and_a_reverse_column(tmp_path, stock):
    rows = [list(r) for r in FOREIGN_SURVEY]
    rows[0].append("construct")
    for r in rows[1:]:
        r.append("CONF" if r[1] == "x1" else None)
    survey, extras = _foreign(tmp_path, survey=rows)
    data, warnings = xlsform_to_codebook(survey, extras, base=stock.data, source="kobo_form.xlsx")
    cb = Codebook(data, source="imported")
    # the group gives construct CONFIANZA; the `construct` column puts x1 in CONF (no group)
    assert cb.construct_items() == {"CONFIANZA": ["c1", "c2"], "CONF": ["x1"]}
    assert cb.construct_label("CONFIANZA", "en") == "Trust"
    assert cb.reverse_items == ["c2"]
    assert cb.id.name == "folio" and cb.id.label == {"es": "Folio", "en": "Case number"}
    # named choices without codes: codes are their positions, names are kept
    assert data["scales"]["frecuencia"]["points"][0] == {"code": 1, "name": "nunca", "es": "Nunca", "en": "Never"}
    assert [v.name for v in cb.context] == ["giro", "empleados"]
    assert cb.variable("giro").type == "categorical" and cb.variable("giro").codes == [1, 2]
    assert (cb.variable("empleados").minimum, cb.variable("empleados").maximum) == (1, 10)
    assert data["instrument"]["id"] == "encuesta_2025" and data["instrument"]["version"] == "2"
    assert data["instrument"]["name"]["es"] == "Encuesta"
    assert data["quality"] == stock.data["quality"] and data["wave"] == stock.data["wave"]
    # nothing dropped silently: the base codebook declares the comment personal, so it stays personal
    # (not ignored), the English gap is told
    assert data.get("ignore_columns", []) == []
    assert "comentarios" in [p["id"] for p in data["personal"]]
    assert any("comentarios" in w for w in warnings)
    assert any("'x1'" in w and "English (en)" in w for w in warnings)
    assert data["constructs"]["CONF"]["items"][0]["text"] == {"es": "Compartimos datos", "en": "Compartimos datos"}


def test_a_number_question_without_a_range_is_named(tmp_path, stock):
    rows = [list(r) for r in FOREIGN_SURVEY]
    rows[4][-1] = None
    survey, extras = _foreign(tmp_path, survey=rows)
    with pytest.raises(ConfigError, match=r"'empleados'.*\. >= 0 and \. <= 10"):
        xlsform_to_codebook(survey, extras, base=stock.data, source="kobo_form.xlsx")


def test_items_of_one_construct_must_share_a_list(tmp_path, stock):
    rows = [list(r) for r in FOREIGN_SURVEY]
    rows[7][0] = "select_one giro"
    survey, extras = _foreign(tmp_path, survey=rows)
    with pytest.raises(ConfigError, match="CONFIANZA.*mixes choice lists 'frecuencia' and 'giro'"):
        xlsform_to_codebook(survey, extras, base=stock.data, source="kobo_form.xlsx")


# ------------------------------------------------------------------ command line
def test_cli_export_then_import_writes_a_codebook_that_loads(tmp_path, stock, capsys):
    form, out = tmp_path / "f.xlsx", tmp_path / "cb.yaml"
    assert main(["codebook", "export-xlsform", str(CODEBOOK_PATH), "--out", str(form)]) == 0
    assert capsys.readouterr().out.startswith(
        f"Wrote {form}: {len(stock.variables())} questions, {len(stock.constructs)} construct groups")
    wb = load_workbook(form)
    assert wb.sheetnames[:3] == ["survey", "choices", "settings"]
    settings = dict(zip(*[[c.value for c in row] for row in wb["settings"].iter_rows()]))
    assert settings == {"form_title": stock.data["instrument"]["name"]["es"], "form_id": stock.instrument_id,
                        "version": stock.version, "default_language": LANGUAGES["es"]}
    assert main(["codebook", "import-xlsform", str(form), "--out", str(out)]) == 0
    assert f"{len(stock.items())} items" in capsys.readouterr().out
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == stock.data
    assert load_codebook(out).data == stock.data


def test_cli_bad_inputs_are_one_line(tmp_path, stock, capsys):
    not_a_form = tmp_path / "wave.xlsx"
    wb = Workbook()
    wb.active.append(["firm_id", "e1_1"])
    wb.active.title = "Respuestas"
    wb.create_sheet("Hoja2")
    wb.save(not_a_form)
    assert main(["codebook", "import-xlsform", str(not_a_form), "--out", str(tmp_path / "x.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"alianza codebook: error: file {not_a_form}") and "\n" not in err

    # two choices with one name: the codebook check refuses it first, naming the file and key, and
    # nothing is written
    data = copy.deepcopy(stock.data)
    for point in data["scales"]["acuerdo"]["points"][:2]:
        point["name"] = "same"
    bad = tmp_path / "bad_codebook.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "bad.xlsx"
    assert main(["codebook", "export-xlsform", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"alianza codebook: error: file {bad}, key scales.acuerdo.points[1].name") \
        and "\n" not in err
    assert not out.exists()
    assert not out.exists()

    assert main(["codebook", "import-xlsform", str(tmp_path / "absent.xlsx"), "--out", str(tmp_path / "y.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("drop", ["context", "attention", "missing"])
def test_smaller_codebooks_round_trip(stock, tmp_path, drop):
    data = copy.deepcopy(stock.data)
    if drop == "missing":
        data["missing"] = {"codes": [], "labels": []}
    else:
        del data[drop]
    path = tmp_path / "f.xlsx"
    path.write_bytes(xlsform_bytes(codebook_to_xlsform(Codebook(data).data)))
    assert convert_xlsform(path.read_bytes()).warnings == []
    survey, extras = read_xlsform(path)
    if drop == "missing":
        assert all(len(c) == len(stock.variable(q).codes) for q, c in
                   [("e1_1", survey["choices"]["acuerdo"]), ("sector", survey["choices"]["sector"])])
    back, _ = xlsform_to_codebook(survey, extras)
    if drop == "context":  # an empty list is what a codebook without context variables means
        assert back.pop("context") == []
    assert back == data


def test_unsupported_form_shapes_are_named(tmp_path, stock):
    rows = [list(r) + [None] for r in FOREIGN_SURVEY]
    rows[0][-1] = "role"
    rows[9][-1] = "attention"  # x1, without the `expected` column
    survey, extras = _foreign(tmp_path, survey=rows)
    with pytest.raises(ConfigError, match="survey question 'x1'.*`expected` column"):
        xlsform_to_codebook(survey, extras, base=stock.data, source="kobo_form.xlsx")

    rows = [list(r) for r in FOREIGN_SURVEY]
    rows[5][0], rows[8][0] = "begin_repeat", "end_repeat"
    survey, extras = _foreign(tmp_path, survey=rows)
    with pytest.raises(ConfigError, match="survey question 'grupo_confianza'.*repeat"):
        xlsform_to_codebook(survey, extras, base=stock.data, source="kobo_form.xlsx")
