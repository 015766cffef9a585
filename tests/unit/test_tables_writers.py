"""LaTeX, Markdown, HTML and CSV writers; Table 1 from processed data; a LaTeX compile when pdflatex exists."""
import re
import shutil
import subprocess

import pandas as pd
import pytest

from alianza.tables.apa import GROUP, ApaTable, Column
from alianza.tables.measurement import cfa_loadings
from alianza.tables.sample import data_quality, sample_description
from alianza.tables.writers import html_document, latex_text, markdown_text, to_latex, to_markdown, write_table
from tests.conftest import FIXTURES
from tests.unit.tables_helpers import codebook, lavaan_model


def test_latex_text_escapes_and_maps_symbols():
    assert latex_text("50% & a_b #1") == "50\\% \\& a\\_b \\#1"
    assert latex_text("p < .001") == "p $<$ .001"  # '<' prints as '¡' in OT1 text
    assert latex_text("χ² ≥ α") == "$\\chi^{2}$ $\\geq$ $\\alpha$"
    assert latex_text("<i>M</i> (<i>SD</i>)") == "\\textit{M} (\\textit{SD})"
    assert latex_text("<i>r</i><sub>it</sub>") == "\\textit{r}\\textsubscript{it}"
    assert latex_text("\u22120.5") == "$-$0.5"


def test_markdown_escapes_stars_and_pipes():
    assert markdown_text(".44***") == ".44\\*\\*\\*"
    assert markdown_text("a|b", cell=True) == "a\\|b"
    assert markdown_text("<i>p</i>") == "*p*"


def _spanned():
    body = pd.DataFrame({GROUP: ["A", "A", "B"], "k": ["x", "y", "z"], "a": [1.0, 2.0, 3.0], "b": [0.1, 0.2, 0.3]})
    cols = [Column("k", "Item", kind="text"), Column("a", "<i>M</i>", spanner="Wave 1"),
            Column("b", "<i>SD</i>", spanner="Wave 1")]
    return ApaTable(name="spanned", title="A Table", columns=cols, body=body, lang="en", notes=["General.", "*p*."],
                    number=2)


def test_latex_spanner_rule_group_rows_and_notes():
    tex = to_latex(_spanned())
    lines = tex.splitlines()
    top = lines.index("\\toprule")
    assert "\\multicolumn{2}{c}{Wave 1}" in lines[top + 1] and lines[top + 2] == "\\cmidrule(lr){2-3}"
    assert "\\multicolumn{3}{@{}l}{\\textit{A}} \\\\" in lines and "\\multicolumn{3}{@{}l}{\\textit{B}} \\\\" in lines
    assert "\\textit{Note.} General.\\par" in tex and "\\caption{A Table}" in tex and "\\label{tab:spanned}" in tex


def test_markdown_and_html_carry_number_title_and_note(tmp_path):
    md = to_markdown(_spanned())
    assert md.startswith("**Table 2**\n\n*A Table*\n\n| Item | Wave 1 *M* | Wave 1 *SD* |")
    assert "| *A* |" in md and md.rstrip().endswith("\\*p\\*.")
    page = html_document([_spanned()])
    assert '<th colspan="2" class="spanner c">Wave 1</th>' in page and "<i>Note.</i> General." in page
    with pytest.raises(ValueError):
        write_table(_spanned(), {"pdf": tmp_path / "x.pdf"})


def test_csv_is_full_precision(tmp_path):
    model = lavaan_model("pooled_measurement")
    table = cfa_loadings(model, codebook(), "en")
    write_table(table, {"csv": tmp_path / "l.csv"})
    csv = pd.read_csv(tmp_path / "l.csv", encoding="utf-8-sig")
    loadings = [p for p in model["parameters"] if p["op"] == "=~"]
    assert list(csv.columns) == ["construct", "item", "est", "se", "z", "pvalue", "std_all"]
    assert csv["std_all"].tolist() == pytest.approx([p["std_all"] for p in loadings], rel=1e-12)


def _processed_waves():
    data = pd.read_csv(FIXTURES / "waves" / "pooled.csv")
    return {w: d for w, d in data.groupby("wave", sort=False)}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_sample_description_counts(lang):
    frames = _processed_waves()
    table = sample_description(frames, codebook(), lang)
    total = "Total"
    body = table.body.set_index("label")
    for w, d in frames.items():
        assert body.loc[{"es": "Empresas", "en": "Firms"}[lang], w] == str(len(d))
    n = sum(len(d) for d in frames.values())
    assert body.loc[{"es": "Empresas", "en": "Firms"}[lang], total] == str(n)
    trade = {"es": "Comercio", "en": "Trade"}[lang]
    k = int((pd.concat(frames.values())["sector"] == 1).sum())
    assert body.loc[trade, total] == f"{k} ({100 * k / n:.1f})"
    raw = table.csv_frame()
    assert set(raw.columns) == {"variable", "category", "group", "n", "percent", "mean", "sd"}
    emp = raw[(raw.variable == "empleados") & (raw.group == total)].iloc[0]
    assert emp["mean"] == pytest.approx(pd.concat(frames.values())["empleados"].mean())


def test_data_quality_rows_add_up():
    summaries = [{"wave": "w1", "rows_in": 10, "rows_kept": 7, "rows_quarantined": 3,
                  "reasons": {"exact_duplicate": 1, "out_of_range": 2, "empty_row": 0}},
                 {"wave": "w2", "rows_in": 5, "rows_kept": 5, "rows_quarantined": 0, "reasons": {}}]
    table = data_quality(summaries, "en")
    body = table.body.set_index("key")
    assert body.loc["rows_in", "Total"] == 15 and body.loc["rows_kept", "Total"] == 12
    assert body.loc["out_of_range", "w1"] == 2 and "empty_row" not in body.index  # never occurred: left out


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_latex_tables_compile(tmp_path):
    """Each table alone in a plain article with exactly the packages its header comment asks for
    (booktabs; longtable / pdflscape only for tables taller or wider than a page)."""
    from alianza.tables.measurement import item_descriptives
    from tests.unit.tables_helpers import validity_wave

    tables = [cfa_loadings(lavaan_model("pooled_measurement"), codebook(), lang) for lang in ("es", "en")]
    tables += [sample_description(_processed_waves(), codebook(), "es"), _spanned(),
               item_descriptives(validity_wave(), codebook(), "en")]
    for k, table in enumerate(tables):
        tex = to_latex(table)
        needs = re.search(r"^% Needs (.*)\.$", tex, re.M).group(1)
        packages = re.findall(r"\\usepackage\{(\w+)\}", needs)
        assert packages[0] == "booktabs"
        doc = ("\\documentclass[11pt]{article}\n\\usepackage[T1]{fontenc}\n"
               + "".join(f"\\usepackage{{{p}}}\n" for p in packages)
               + "\\begin{document}\n" + tex + "\\end{document}\n")
        (tmp_path / f"t{k}.tex").write_text(doc, encoding="utf-8")
        proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"t{k}.tex"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert (tmp_path / f"t{k}.pdf").stat().st_size > 1000
        assert "Overfull \\hbox" not in proc.stdout, table.name  # the table fits its page
    assert "longtable" in to_latex(tables[-1]) and "\\begin{landscape}" in to_latex(tables[-1])
    assert "longtable" not in to_latex(tables[0])
