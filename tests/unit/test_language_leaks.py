"""Complete languages: every table of the manuscript set and the power curve, rendered in Spanish and in
English (Markdown, HTML, LaTeX, Word text, SVG text), carry no tell-tale word of the other language.
Inputs are lavaan's numbers on the example waves and the JSON shapes of the pipeline's results,
including alianza.invariance's English notes and a hypothesis table written in a Spanish run."""
import re

import matplotlib
import pytest
from docx import Document

from alianza.i18n import STRINGS
from alianza.tables.catalog import OutputOptions, TableInputs, provenance_line, sample_tables
from alianza.tables.structural import invariance, invariance_note
from alianza.tables.writers import to_html_fragment, to_latex, to_markdown, write_table
from tests.unit.tables_helpers import codebook, lavaan_model, validity_wave
from tests.unit.test_tables_structural import _comparison_records, _hypothesis_doc

MODELS = ["measurement", "five_stage", "partial_mediation", "no_chain"]
# Words that only one of the two languages uses (whole words, case-sensitive where capitalised).
TELLTALE = {
    "en": ["Table", "Note", "Model", "Models", "Hypothesis", "Item", "Items", "sample", "effect", "groups",
           "percentile", "Power", "estimator", "replicates", "and", "the", "of", "with", "from", "left out",
           "merged", "Supported", "Yes", "Firms", "Wave", "Generated", "Level", "Holds", "resamples", "size"],
    "es": ["Tabla", "Nota", "Modelo", "Hipótesis", "Ítem", "muestra", "efecto", "grupos", "percentil",
           "Potencia", "estimador", "réplicas", "y", "el", "los", "las", "con", "desde", "se", "Sí", "Empresas",
           "Ola", "Generado", "Nivel", "remuestras", "Tamaño"],
}
OTHER = {"es": "en", "en": "es"}
LEAKY_NOTES = [
    "groups 3 of 'sector' (N = 41 together, below min_group_n = 50) left out",
    "groups 2, 3 of 'sector' (N < 50) merged into 'other' (N = 96)",
    "groups 3 (N = 41) of 'sector' are smaller than min_group_n = 50 and were left out",
    "scalar invariance is not supported even after freeing parameters; later steps are reported but rest on a "
    "failed scalar step",
    "the strict model did not converge",
    "latent means are not compared: scalar invariance (full or partial) does not hold",
]
RECORD = {"created": "2026-01-01T00:00:00+00:00", "packages": {"alianza": "0.1.0"}, "seeds": {"seed": 1},
          "inputs": {"data/raw/w1.csv": {"sha256": "ab" * 32}}}


def leaks(text: str, lang: str) -> list[str]:
    """Tell-tale words of the other language in `text` (markup, LaTeX commands and file paths removed)."""
    text = re.sub(r"<[^>]+>|\\[a-zA-Z]+|\S+/\S+", " ", text)
    return [w for w in TELLTALE[OTHER[lang]] if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


def _invariance_doc():
    models = {s: {"fit": lavaan_model("pooled_measurement")["fit"]} for s in ("configural", "metric", "scalar")}
    comps = [{"model": s, "chisq_diff": 10.0, "df_diff": 5, "pvalue": 0.07, "delta_cfi": -0.002,
              "delta_rmsea": 0.001, "delta_srmr": 0.003, "pass": True} for s in ("metric", "scalar")]
    rules = {"rules": {"combine": "all", "metric": {"delta_cfi": -0.01, "delta_rmsea": 0.015, "delta_srmr": 0.03},
                       "scalar": {"delta_cfi": -0.01, "delta_rmsea": 0.015, "delta_srmr": 0.01}}}
    return {"group": "sector", "groups": {"1": 336, "2": 118}, "models": models, "comparisons": comps,
            "freed": [], "notes": LEAKY_NOTES, "rules": rules}


def _indirect_doc(run_lang):
    h6 = next(p for p in lavaan_model("pooled_five_stage")["parameters"] if p["op"] == ":=")
    method = {"es": "bootstrap percentil", "en": "bootstrap percentile"}[run_lang]
    return {"n": 507, "n_boot": 1000, "seed": 1,
            "effects": [{"effect": "H6", "definition": h6["rhs"], **{k: h6[k] for k in ("est", "se", "std_all")},
                         "ci_lower": h6["ci_lower"], "ci_upper": h6["ci_upper"], "ci_method": method}]}


def _effects_doc():
    recs = [{"source": s, "target": "CO", "kind": k, "route": r, "est": 0.1, "std_all": 0.1, "se": 0.02,
             "ci_lower": 0.05, "ci_upper": 0.15, "ci_lower_bca": 0.06, "ci_upper_bca": 0.16}
            for s, k, r in (("E1", "direct", "E1 -> CO"), ("E1", "indirect", "E1 -> E2 -> CO"),
                            ("E1", "total_indirect", ""), ("E1", "total", ""))]
    return {"n": 507, "n_boot": 500, "seed": 1, "level": 0.95, "effects": recs}


def _all_tables(lang, run_lang):
    """Every table of a sample's set, from results written by a run in `run_lang`."""
    hyp = _hypothesis_doc()
    method = {"es": "bootstrap percentil", "en": "bootstrap percentile"}[run_lang]
    for r in hyp["hypotheses"]:
        r["ci_method"] = method
    inputs = TableInputs(
        validity=validity_wave(), measurement=lavaan_model("pooled_measurement"),
        models=[(m, lavaan_model(f"pooled_{m}")) for m in MODELS],
        comparison={"n": 507, "table": _comparison_records()}, hypotheses=hyp, indirect=_indirect_doc(run_lang),
        invariance={"sector": _invariance_doc()}, structural_model="five_stage", effects=_effects_doc())
    return sample_tables(inputs, codebook(), OutputOptions(lang=lang),
                         provenance=provenance_line(RECORD, "reports/provenance.json", lang))


@pytest.mark.parametrize("run_lang", ["es", "en"])
@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_table_in_every_format_speaks_one_language(tmp_path, lang, run_lang):
    tables = _all_tables(lang, run_lang)
    assert {"hypotheses", "effects", "indirect_effects", "invariance_sector", "model_comparison",
            "measurement_model", "discriminant_pairs", "efa_common_method"} <= {t.name for t in tables}
    for table in tables:
        write_table(table, {"docx": tmp_path / f"{table.name}.docx"})
        doc = Document(str(tmp_path / f"{table.name}.docx"))
        docx_text = "\n".join([p.text for p in doc.paragraphs]
                              + [c.text for t in doc.tables for r in t.rows for c in r.cells]
                              + [doc.core_properties.title or "", doc.core_properties.comments or ""])
        for fmt, text in (("md", to_markdown(table)), ("html", to_html_fragment(table)), ("tex", to_latex(table)),
                          ("docx", docx_text)):
            assert leaks(text, lang) == [], (table.name, fmt, lang)


def test_the_telltale_check_catches_a_leak():
    """The check is not vacuous: the English invariance notes as written by alianza.invariance leak."""
    assert leaks(" ".join(LEAKY_NOTES), "es")
    assert leaks("Tabla 3. Nota.", "en") == ["Tabla", "Nota"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_invariance_notes_and_criteria_in_the_table_language(lang):
    table = invariance(_invariance_doc(), codebook(), lang)
    note = table.notes[0]
    assert leaks(note, lang) == []
    assert "ΔSRMR ≤ .030" in note and "ΔSRMR ≤ .010" in note  # every criterion the decisions used
    label = codebook().variable("sector").code_labels[3][lang]
    assert label in invariance_note(LEAKY_NOTES[0], codebook(), lang)


def test_every_catalogue_entry_has_both_languages():
    for key, entry in STRINGS.items():
        assert set(entry) == {"es", "en"} and all(entry.values()), key


@pytest.mark.parametrize("lang", ["es", "en"])
def test_power_curve_in_the_configured_language_with_readable_labels(tmp_path, lang):
    from alianza.power.report import power_figure

    params = [{"lhs": "E2", "op": "~", "rhs": "E1", "label": "h1", "power": 0.6, "ci_power": None},
              {"lhs": "H6", "op": ":=", "rhs": "h1*h2", "label": "H6", "power": 0.3, "ci_power": 0.35},
              {"lhs": "E3", "op": "~", "rhs": "E2", "label": "h2", "power": 0.7, "ci_power": None}]
    results = {"n": [100, 200], "alpha": 0.05, "reps": 10, "data": "likert", "estimator": "ML", "target_power": 0.8,
               "results": [{"n": n, "converged": 10, "parameters": params} for n in (100, 200)],
               "min_n_80": {"h1": {"parameter": "E2 ~ E1"}, "H6": {"parameter": "h1*h2"}},
               "min_n_80_ci": {"H6": {"parameter": "h1*h2"}}}
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as text, to read it back
        power_figure(results, [tmp_path / "p.svg"], lang, {"h1": "H1"})
    svg = (tmp_path / "p.svg").read_text(encoding="utf-8")
    texts = " ".join(re.findall(r">([^<>]+)</text>", svg))
    assert leaks(texts, lang) == []
    assert "H1: E1 → E2" in texts and "H6: E1 → E2 → E3" in texts  # hypotheses by name, paths by route
    assert {"es": "efecto indirecto", "en": "indirect effect"}[lang] in texts
    assert "~" not in texts and "*" not in texts  # no lavaan syntax


@pytest.mark.parametrize("lang", ["es", "en"])
def test_provenance_page_speaks_one_language(lang):
    from alianza.tables.provenance_page import provenance_html

    page = provenance_html({**RECORD, "python": "3.11", "platform": "Linux"}, lang)
    body = re.sub(r"<pre>.*?</pre>|<style>.*?</style>", " ", page, flags=re.S)
    assert leaks(body, lang) == []
    assert {"es": "Procedencia", "en": "Provenance"}[lang] in body


@pytest.mark.parametrize("lang", ["es", "en"])
def test_figures_speak_one_language(tmp_path, lang):
    import pandas as pd

    from alianza.figures import likert_figure, path_diagram
    from tests.conftest import FIXTURES

    path_diagram(lavaan_model("pooled_partial_mediation"), codebook(), lang, [tmp_path / "p.svg"])
    likert_figure(pd.read_csv(FIXTURES / "waves" / "pooled.csv"), codebook(), "E1", lang, [tmp_path / "l.svg"])
    for name in ("p.svg", "l.svg"):
        svg = (tmp_path / name).read_text(encoding="utf-8")
        texts = " ".join(re.findall(r">([^<>]+)</(?:text|tspan)>", svg))
        assert texts.strip() and leaks(texts, lang) == [], (name, leaks(texts, lang))
