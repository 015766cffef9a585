"""Word and LaTeX tables opened as a reader's software would: headers, rows and values against
lavaan's parameter table and fit measures (tests/fixtures/waves/lavaan_waves.json), in both languages,
and the APA 7 layout of the .docx (bold number, italic title, horizontal rules only, note)."""
import re

import pytest
from docx import Document
from docx.oxml.ns import qn

from alianza.tables.measurement import cfa_loadings
from alianza.tables.models import fit_indices
from alianza.tables.writers import to_latex, write_table
from tests.unit.tables_helpers import apa, codebook, lavaan_model

HEADERS = {
    "es": ["Ítem", "B", "EE", "z", "p", "β"],
    "en": ["Item", "B", "SE", "z", "p", "β"],
}
WORDS = {"es": ("Tabla 5", "Nota.", "Cargas factoriales"), "en": ("Table 5", "Note.", "Factor Loadings")}


def _loadings(lang):
    table = cfa_loadings(lavaan_model("pooled_measurement"), codebook(), lang)
    table.number = 5
    return table


def _lavaan_loadings():
    return [p for p in lavaan_model("pooled_measurement")["parameters"] if p["op"] == "=~"]


@pytest.fixture(params=["es", "en"])
def lang(request):
    return request.param


@pytest.fixture
def loadings_docx(tmp_path, lang):
    path = tmp_path / f"loadings_{lang}.docx"
    write_table(_loadings(lang), {"docx": path})
    return Document(str(path))


def test_docx_headers_rows_and_values_equal_lavaan(loadings_docx, lang):
    (table,) = loadings_docx.tables
    assert [c.text for c in table.rows[0].cells] == HEADERS[lang]
    params = _lavaan_loadings()
    constructs = list(dict.fromkeys(p["lhs"] for p in params))
    assert len(table.rows) == 1 + len(constructs) + len(params)  # heads, a heading per construct, one row per item
    body = [[c.text for c in row.cells] for row in table.rows[1:]]
    items = [r for r in body if r[0] in {p["rhs"] for p in params}]
    assert len(items) == len(params)
    for row, p in zip(items, params):
        assert row[0] == p["rhs"]
        assert row[1] == apa(p["est"])
        assert row[5] == apa(p["std_all"], leading_zero=False)  # a standardized loading: no leading zero
        if p["se"] == 0:  # the loading fixed to 1 has no SE, z, p
            assert row[2] == row[3] == row[4] == "\u2014"
        else:
            assert row[2] == apa(p["se"])
            assert row[3] == apa(p["z"])
            assert row[4] == ("< .001" if p["pvalue"] < 0.001 else apa(p["pvalue"], 3, leading_zero=False))
    headings = [r[0] for r in body if r[0] not in {p["rhs"] for p in params}]
    assert headings == [f"{codebook().construct_label(c, lang)} ({c})" for c in constructs]


def test_docx_is_apa_7(loadings_docx, lang):
    number, title, *rest = [p for p in loadings_docx.paragraphs if p.text]
    assert number.text == WORDS[lang][0] and all(r.bold for r in number.runs)
    assert title.text.startswith(WORDS[lang][2]) and all(r.italic for r in title.runs)
    note = rest[0]
    assert note.runs[0].text == WORDS[lang][1] and note.runs[0].italic
    assert "χ²(237) = 221.55" in note.text  # lavaan's chisq and df of the model
    normal = loadings_docx.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt == 12
    # horizontal rules only: top of the heads, under the heads, bottom of the table
    xml = loadings_docx.tables[0]._tbl
    assert not xml.findall(".//" + qn("w:left")) and not xml.findall(".//" + qn("w:right"))
    assert not xml.findall(".//" + qn("w:insideV"))
    rows = loadings_docx.tables[0].rows

    def edges(row):
        borders = [e for tc in row._tr.findall(qn("w:tc")) for e in tc.findall(".//" + qn("w:tcBorders") + "/*")]
        return {e.tag.split("}")[1] for e in borders}

    assert edges(rows[0]) == {"top", "bottom"}
    assert edges(rows[len(rows) - 1]) == {"bottom"}
    assert all(not edges(r) for r in list(rows)[1:-1])


def test_tex_headers_rows_and_values_equal_lavaan(lang):
    tex = to_latex(_loadings(lang))
    assert "\\toprule" in tex and "\\midrule" in tex and "\\bottomrule" in tex
    head = tex.split("\\toprule", 1)[1].split("\\midrule", 1)[0]
    for h in HEADERS[lang]:
        assert {"B": "\\textit{B}", "EE": "\\textit{EE}", "SE": "\\textit{SE}", "z": "\\textit{z}",
                "p": "\\textit{p}", "β": "$\\beta$"}.get(h, h) in head
    body = tex.split("\\midrule", 1)[1].split("\\bottomrule", 1)[0]
    rows = [r for r in body.strip().splitlines() if r.strip().endswith("\\\\")]
    params = _lavaan_loadings()
    assert len(rows) == len(params) + len({p["lhs"] for p in params})
    item_rows = [r for r in rows if "multicolumn" not in r]
    for row, p in zip(item_rows, params):
        cells = [c.strip() for c in row.rstrip("\\ ").split("&")]
        assert cells[0].endswith(p["rhs"].replace("_", "\\_"))
        assert cells[5] == apa(p["std_all"], leading_zero=False).replace("\u2212", "$-$")
    label = "Cargas factoriales" if lang == "es" else "Factor Loadings"
    assert re.search(r"\\caption\{" + label, tex)
    assert ("\\textit{Nota.}" if lang == "es" else "\\textit{Note.}") in tex


def test_fit_indices_docx_and_tex_equal_lavaan(tmp_path, lang):
    keys = ["measurement", "five_stage", "partial_mediation", "no_chain"]
    results = [(k, lavaan_model(f"pooled_{k}")) for k in keys]
    table = fit_indices(results, lang, labels={"five_stage": {"es": "Cinco etapas", "en": "Five stages"}})
    table.number = 6
    write_table(table, {"docx": tmp_path / "fit.docx", "tex": tmp_path / "fit.tex"})
    doc = Document(str(tmp_path / "fit.docx"))
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[0][:4] == ["Modelo" if lang == "es" else "Model", "χ²", "gl" if lang == "es" else "df", "p"]
    assert len(rows) == 1 + len(keys)
    assert [r[0] for r in rows[1:]] == ["measurement", "Cinco etapas" if lang == "es" else "Five stages",
                                        "partial_mediation", "no_chain"]
    for row, (_, res) in zip(rows[1:], results):
        fit = res["fit"]
        assert row[1] == apa(fit["chisq"])
        assert row[2] == str(fit["df"])
        assert row[4] == apa(fit["cfi"], 3, leading_zero=False)
        assert row[5] == apa(fit["tli"], 3)  # TLI can exceed 1: leading zero kept
        lo, hi = (apa(fit[k], 3, leading_zero=False) for k in ("rmsea_ci_lower", "rmsea_ci_upper"))
        ci = f"[{lo}, {hi}]"
        assert row[6] == f"{apa(fit['rmsea'], 3, leading_zero=False)} {ci}"
        assert row[7] == apa(fit["srmr"], 3, leading_zero=False)
        assert row[8] == f"{fit['aic']:,.2f}"
    note = [p.text for p in doc.paragraphs if p.text.startswith(("Nota.", "Note."))][0]
    assert "CFI ≥ .95" in note and "RMSEA ≤ .06" in note and "SRMR ≤ .08" in note and "Hu" in note
    tex = (tmp_path / "fit.tex").read_text(encoding="utf-8")
    body = tex.split("\\midrule", 1)[1].split("\\bottomrule", 1)[0]
    assert len([r for r in body.splitlines() if r.strip().endswith(("\\\\", "\\tabularnewline"))]) == len(keys)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_word_core_property_keeps_the_provenance_summary_within_255_characters(lang):
    """Many waves: the provenance line outgrows Word's 255-character core properties in either
    language; the summary counts the inputs and keeps the path of the full record."""
    from alianza.tables.catalog import provenance_line
    from alianza.tables.word import core_property

    record = {"packages": {"alianza": "0.1.0"}, "seeds": {"seed": 7}, "created": "2026-12-01T00:00:00+00:00",
              "inputs": {f"data/raw/wave{i}_long_file_name_synthetic.csv": {"sha256": "ab" * 32} for i in range(9)}}
    line = provenance_line(record, lang=lang)
    assert len(line) > 255
    short = core_property(line)
    assert len(short) <= 255 and short.endswith("reports/provenance.json") and "9 " in short
