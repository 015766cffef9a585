"""One APA 7 formatting layer for every writer: the statistic registry (decimals, leading zeros),
one font size in Word, italic symbols, APA captions in LaTeX, document properties from the run."""
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest
from docx import Document

from alianza.tables.apa import STATISTICS, ApaTable, Column, fmt_apart, fmt_stat, stat_column, stat_format
from alianza.tables.measurement import cfa_loadings
from alianza.tables.models import fit_indices
from alianza.tables.word import FONT_SIZE, write_docx
from alianza.tables.writers import latex_document, to_html_fragment, to_latex, to_markdown
from tests.unit.tables_helpers import apa, codebook, lavaan_model

BOUNDED = ("cfi", "tli", "rmsea", "srmr", "p", "r", "beta", "alpha", "omega", "cr", "ave", "r2")


@pytest.fixture(params=["es", "en"])
def lang(request):
    return request.param


def _fit_table(lang):
    models = [(m, lavaan_model(f"pooled_{m}")) for m in ("measurement", "five_stage")]
    table = fit_indices(models, lang)
    table.number = 6
    return table, models


def test_statistics_bounded_by_one_have_no_leading_zero():
    for stat in BOUNDED:
        decimals, leading_zero = stat_format(stat)
        assert not leading_zero, stat
        assert fmt_stat(stat, 0.4567) == apa(0.4567, decimals, leading_zero=False)
    for stat in ("chisq", "est", "se", "htmt", "aic"):
        assert stat_format(stat)[1], stat  # can exceed 1: keeps its zero
        assert fmt_stat(stat, 0.4567).startswith("0.")


def test_every_fit_index_has_three_decimals_and_p_its_own_rule():
    for stat in ("cfi", "tli", "rmsea", "srmr", "gfi", "agfi"):
        assert STATISTICS[stat] == (3, True)
        assert fmt_stat(stat, 0.98234) == ".982"
    assert fmt_stat("tli", 1.0042) == "1.004"  # a TLI above 1 shows its integer part
    assert fmt_stat("p", 0.0004) == "< .001" and fmt_stat("p", 0.0456) == ".046"
    assert fmt_stat("chisq", 12.3) == "12.30"


def test_a_value_below_its_threshold_never_reads_as_the_threshold():
    assert fmt_apart("ave", 0.4969, 0.50) == ".497"
    assert fmt_apart("ave", 0.44, 0.50) == ".44"
    assert fmt_apart("loading", 0.69996, 0.70) == ".7000"  # at most four decimals
    assert fmt_apart("ave", None, 0.5) == "\u2014"


def test_stat_column_kind_follows_the_statistic():
    assert stat_column("cfi", "CFI", "cfi").kind == "bounded"
    assert stat_column("x", "<i>B</i>", "est").kind == "num"
    assert stat_column("p", "<i>p</i>", "p").kind == "p"
    ci = stat_column(("lo", "hi"), "CI", "beta")
    assert ci.kind == "ci" and ci.leading_zero is False and ci.decimals == 2


def test_fit_table_cfi_and_tli_alike(lang):
    table, models = _fit_table(lang)
    rows = [cells for kind, cells in table.rows() if kind == "row"]
    heads = [c.header for c in table.columns]
    cfi, tli = heads.index("CFI"), heads.index("TLI")
    for (_, res), cells in zip(models, rows):
        assert cells[cfi] == apa(res["fit"]["cfi"], 3, leading_zero=False)
        assert cells[tli] == apa(res["fit"]["tli"], 3, leading_zero=False)


def test_fit_values_in_a_note_use_the_table_decimals(lang):
    model = lavaan_model("pooled_measurement")
    note = cfa_loadings(model, codebook(), lang).notes[0]
    for stat in ("cfi", "rmsea", "srmr"):
        assert f"{stat.upper()} = {apa(model['fit'][stat], 3, leading_zero=False)}" in note


def _wide_table(lang):
    cols = [Column("label", "Model", kind="text", width=2.0)] + [
        Column(f"v{j}", f"Statistic number {j}", kind="num", decimals=3) for j in range(14)]
    body = pd.DataFrame([{"label": f"model {i}", **{f"v{j}": 1000.0 + i * j for j in range(14)}} for i in range(3)])
    return ApaTable(name="wide", title="A Wide Table", columns=cols, body=body, lang=lang, number=9)


def test_word_has_one_font_size_and_italic_symbols(tmp_path, lang):
    table, _ = _fit_table(lang)
    path = tmp_path / "t.docx"
    write_docx([table, _wide_table(lang)], path)
    doc = Document(str(path))
    sizes = {r.font.size.pt for p in doc.paragraphs for r in p.runs if r.font.size is not None}
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                sizes |= {r.font.size.pt for p in cell.paragraphs for r in p.runs if r.font.size is not None}
    assert sizes <= {FONT_SIZE}
    assert doc.styles["Normal"].font.size.pt == FONT_SIZE
    assert "w:sz " not in doc.tables[1]._tbl.xml.replace('w:sz w:val="24"', "")  # no paragraph-mark size either
    heads = doc.tables[0].rows[0].cells
    p_cell = next(c for c in heads if c.text == "p")
    assert all(r.italic for r in p_cell.paragraphs[0].runs)  # p is italic, CFI is not
    cfi_cell = next(c for c in heads if c.text == "CFI")
    assert not any(r.italic for r in cfi_cell.paragraphs[0].runs)


def test_word_properties_come_from_the_run(tmp_path, lang):
    table, _ = _fit_table(lang)
    path = tmp_path / "set.docx"
    before = datetime.now(timezone.utc).replace(microsecond=0)
    write_docx([table, _wide_table(lang)], path)
    props = Document(str(path)).core_properties
    created = props.created if props.created.tzinfo else props.created.replace(tzinfo=timezone.utc)
    assert before - timedelta(seconds=1) <= created <= datetime.now(timezone.utc) + timedelta(seconds=1)
    word = {"es": "Tablas", "en": "Tables"}[lang]
    assert props.title == f"{word} 6\u20139"
    write_docx([table], path, title="Manuscript of the run")
    assert Document(str(path)).core_properties.title == "Manuscript of the run"


def test_latex_caption_is_apa_and_above_the_table(lang):
    table, _ = _fit_table(lang)
    tex = to_latex(table)
    assert tex.index("\\caption{") < tex.index("\\begin{tabular}")
    doc = latex_document([table])
    opts = re.search(r"\\usepackage\[([^\]]*)\]\{caption\}", doc).group(1).split(",")
    assert {"labelfont=bf", "textfont=it", "labelsep=newline", "justification=raggedright"} <= set(opts)
    assert re.search(r"^% Needs .*\{caption\}", tex, re.M)


def test_markdown_and_html_italicise_symbols(lang):
    table, _ = _fit_table(lang)
    assert "| *p* |" in to_markdown(table)
    assert "<i>p</i>" in to_html_fragment(table)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_document_with_apa_captions_compiles(tmp_path, lang):
    table, _ = _fit_table(lang)
    (tmp_path / "doc.tex").write_text(latex_document([table, _wide_table(lang)]), encoding="utf-8")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
