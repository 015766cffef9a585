"""The instrument as config: the bundled codebook's content, and every way a codebook can be wrong."""
import copy
import re
import subprocess
import sys

import pytest
import yaml

from alianza.codebook import Codebook, load_codebook, normalize_text
from alianza.headers import header_key
from alianza.errors import ConfigError
from tests.unit.wave_helpers import CODEBOOK_PATH, ROOT, codebook


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(CODEBOOK_PATH.read_text(encoding="utf-8"))


# ------------------------------------------------------------ the instrument
def test_six_constructs_of_the_design_with_four_items_each():
    cb = codebook()
    assert cb.constructs == ["E1", "E2", "E3", "E4", "E5", "CO"]
    assert cb.construct_label("E2", "es") == "Búsqueda y selección de socios"
    assert cb.construct_label("CO", "en") == "Competitiveness and survival"
    for c in cb.constructs:
        prefix = c.lower()
        assert cb.items(c) == [f"{prefix}_{k}" for k in range(1, 5)]
    assert len(cb.items()) == 24


def test_one_reverse_keyed_item_per_construct_worded_in_both_languages():
    cb = codebook()
    for c in cb.constructs:
        reverse = [v for v in cb.item_variables() if v.construct == c and v.reverse]
        assert len(reverse) == 1, c
    for var in cb.item_variables():
        assert var.label["es"].strip() and var.label["en"].strip()
        assert var.label["es"] != var.label["en"]
    # negatively worded, as a reverse-keyed item must be
    assert re.search(r"\b(no|sin|solo|difícil)\b", cb.label("e1_4", "es"))
    assert re.search(r"\b(no|sin)\b", cb.label("e5_4", "es"))


def test_scale_labels_missing_codes_and_attention_check():
    cb = codebook()
    e = cb.variable("e3_2")
    assert {c: lab["es"] for c, lab in e.code_labels.items()} == {
        1: "Totalmente en desacuerdo", 2: "En desacuerdo", 3: "Ni de acuerdo ni en desacuerdo",
        4: "De acuerdo", 5: "Totalmente de acuerdo",
    }
    assert cb.missing_codes == (9, 99)
    assert {lab["es"] for lab in cb.missing_labels} == {"No sabe / No contesta", "NS/NC"}
    att = cb.attention
    assert att.name == "atencion" and cb.data["attention"]["expected"] == 2
    assert "En desacuerdo" in att.label["es"] and att.code_labels[2]["es"] == "En desacuerdo"


def test_context_variables():
    cb = codebook()
    assert [v.name for v in cb.context] == [
        "sector", "municipio", "empleados", "antiguedad", "familiar", "escolaridad", "entorno"
    ]
    assert [lab["value"] for lab in cb.variable("sector").code_labels.values()] == ["comercio", "servicios", "manufactura"]
    assert [lab["es"] for lab in cb.variable("municipio").code_labels.values()] == [
        "Hermosillo", "Cajeme", "Nogales", "Navojoa", "Guaymas", "San Luis Río Colorado"
    ]
    emp = cb.variable("empleados")
    assert (emp.minimum, emp.maximum) == (1, 10)
    assert cb.variable("escolaridad").coded and cb.variable("entorno").codes == [1, 2, 3, 4, 5]
    assert cb.output_columns[:2] == ["firm_id", "wave"]
    assert cb.data["quality"]["partial_complete"]["max_missing_share"] == 0.5


def test_measurement_model_uses_exactly_the_codebook_items():
    text = (ROOT / "config" / "models" / "measurement.lav").read_text(encoding="utf-8")
    model = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if "=~" in line:
            lhs, rhs = line.split("=~")
            model[lhs.strip()] = [t.strip() for t in rhs.split("+")]
    assert model == codebook().construct_items()


def test_label_map_accepts_spanish_english_and_missing_labels():
    cb = codebook()
    m = cb.label_map(cb.variable("e1_1"))
    assert m["totalmente de acuerdo"] == 5 and m["strongly agree"] == 5
    assert m[normalize_text("NS / NC")] is None and m[normalize_text("No sabe/No contesta")] is None
    fam = cb.label_map(cb.variable("familiar"))
    assert fam[normalize_text("Sí")] == 1 and fam["si"] == 1 and fam["no"] == 0


def test_normalisation_of_labels_and_headers():
    assert normalize_text("  Totalmente de  ACUERDO ") == "totalmente de acuerdo"
    assert normalize_text("San Luis Río Colorado") == normalize_text("san luis rio colorado")
    assert normalize_text("Don\u2019t know / No answer") == normalize_text("don't know/no answer")
    assert header_key(" Antigüedad ") == header_key("antiguedad") == "antiguedad"
    assert header_key("Firm ID") == header_key("firm_id") == "firm id"
    assert header_key("E1_1") == header_key("e1_1")
    assert header_key("¿Es un negocio  familiar?") == header_key("es un negocio familiar")


# ------------------------------------------------------------ bad codebooks
def _mutate(raw, edit):
    data = copy.deepcopy(raw)
    edit(data)
    return data


def _set(path, value):
    def edit(d):
        *parents, last = path
        for p in parents:
            d = d[p]
        d[last] = value
    return edit


def _delete(path):
    def edit(d):
        *parents, last = path
        for p in parents:
            d = d[p]
        del d[last]
    return edit


SCHEMA_CASES = [
    (_set(["constructs", "E2", "items", 1, "reverse"], "yes"),
     "key constructs.E2.items[1].reverse: 'yes' is not of type 'boolean'"),
    (_delete(["constructs", "E2", "items", 1, "text"]), "key constructs.E2.items[1]: 'text' is a required property"),
    (_set(["constructs", "E3", "items", 0, "revers"], True), "key constructs.E3.items[0]: Additional properties"),
    (_set(["context", 2, "min"], "uno"), "key context[2].min: 'uno' is not of type 'number'"),
    (_set(["context", 0, "type"], "texto"), "key context[0].type: 'texto' is not one of"),
    (_set(["quality", "partial_complete", "max_missing_share"], 1.5),
     "key quality.partial_complete.max_missing_share: 1.5 is greater than the maximum of 1"),
    (_set(["constructs", "E1", "items", 0, "id"], "E1-1"), "key constructs.E1.items[0].id: 'E1-1' does not match"),
    (_set(["missing", "codes"], [9, "99"]), "key missing.codes[1]: '99' is not of type 'integer'"),
    (_delete(["quality"]), "key (top level): 'quality' is a required property"),
    (_set(["scales", "acuerdo", "points", 0, "code"], 1.5), "key scales.acuerdo.points[0].code: 1.5 is not of type 'integer'"),
]


@pytest.mark.parametrize("edit, expected", SCHEMA_CASES)
def test_schema_errors_name_the_key(raw, edit, expected):
    with pytest.raises(ConfigError) as info:
        Codebook(_mutate(raw, edit), source="config/codebook.yaml")
    line = info.value.oneline()
    assert line.startswith("file config/codebook.yaml, ")
    assert expected in line
    assert "\n" not in line


REFERENCE_CASES = [
    (_set(["constructs", "E3", "scale"], "acuerdos"), "key constructs.E3.scale: unknown scale 'acuerdos'"),
    (_set(["constructs", "E3", "items", 0, "id"], "e1_1"),
     "key constructs.E3.items[0].id: column name 'e1_1' is also used at constructs.E1.items[0].id"),
    (_set(["missing", "codes"], [3, 99]), "key missing.codes: missing-data code 3 is also a valid answer"),
    (_set(["attention", "expected"], 7), "key attention.expected: expected answer 7 is not a code"),
    (_set(["attention", "after"], "e9_9"), "key attention.after: 'e9_9' is not an item id"),
    (_set(["context", 2, "min"], 20), "key context[2].min: min 20 is greater than max 10"),
    (_set(["context", 0, "categories", 1, "es"], "NS/NC"),
     "key context[0].categories[1].es: answer label 'NS/NC' of 'sector' is also missing.labels[1].es"),
    (_set(["scales", "acuerdo", "points", 1, "en"], "Agree"),
     "key scales.acuerdo.points[3].en: answer label 'Agree' of 'e1_1' is also scales.acuerdo.points[1].en"),
    (_set(["context", 0, "categories", 1, "code"], 1), "key context[0].categories[1].code: code 1 appears twice"),
    (_set(["ignore_columns"], ["Sector"]), "key ignore_columns[0]: ignored column 'Sector' is a codebook variable"),
    (_set(["context", 1, "aliases"], ["Folio"]), "column name 'Folio' is also used at id.aliases[0]"),
    (_set(["personal"], [{"id": "nota", "label": {"es": "¿Es un negocio familiar?", "en": "Note"}}]),
     "key nota: '¿Es un negocio familiar?' of 'nota' reads the same as"),
]


def test_consent_accepts_by_code_label_or_choice_name():
    cb = codebook()
    for answer in (1, 1.0, "1", "si", "Sí, acepto participar", "yes, I AGREE to take part"):
        assert cb.consents(answer), answer
    for answer in (0, "0", "No", "No acepto", "2"):
        assert not cb.consents(answer), answer


@pytest.mark.parametrize("edit, expected", REFERENCE_CASES)
def test_cross_reference_errors_name_the_key(raw, edit, expected):
    with pytest.raises(ConfigError) as info:
        Codebook(_mutate(raw, edit), source="config/codebook.yaml")
    assert expected in info.value.oneline()


def test_duplicate_yaml_key_and_syntax_error_name_the_line(tmp_path):
    text = CODEBOOK_PATH.read_text(encoding="utf-8")
    dup = tmp_path / "dup.yaml"
    dup.write_text(text.replace("  E2:\n", "  E1:\n", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"duplicate key 'E1' \(first at line \d+, again at line \d+\)") as info:
        load_codebook(dup)
    assert str(dup) in info.value.oneline()
    bad = tmp_path / "bad.yaml"
    bad.write_text("instrument:\n  id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line \d+: invalid YAML"):
        load_codebook(bad)
    with pytest.raises(ConfigError, match="no such file"):
        load_codebook(tmp_path / "absent.yaml")


def test_a_malformed_codebook_stops_the_cli_with_one_line(tmp_path, raw):
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(_mutate(raw, SCHEMA_CASES[0][0]), allow_unicode=True), encoding="utf-8")
    data = tmp_path / "w.csv"
    data.write_text("firm_id\nA\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "alianza.cli", "ingest", str(data), "--codebook", str(path), "--outdir", str(tmp_path)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"file {path}, key constructs.E2.items[1].reverse: 'yes' is not of type 'boolean'" in lines[0]


def test_snakemake_validate_accepts_the_codebook_with_the_same_schema(raw):
    # the workflow may validate the codebook with snakemake.utils.validate, which fills defaults
    from snakemake.utils import validate

    validate(copy.deepcopy(raw), str(ROOT / "workflow" / "schemas" / "codebook.schema.yaml"))
