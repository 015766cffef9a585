"""reports/index.html, the results-first page: built from result files of the pipeline's shapes
(lavaan's numbers on the example waves, alianza.validity's report, a hypothesis table, a power study),
opened in headless Chromium (Debian's chromium; skipped where absent), and read as a reader sees it:
the text Chromium renders, in the configured language, with fit flags, decisions and validity flags."""
import copy
import re
import shutil
import subprocess

import pytest
from PIL import Image

from alianza.tables.catalog import OutputOptions, TableInputs, sample_tables
from alianza.tables.results_page import PageInputs, improper_notices, results_page, table_links, validity_flags
from tests.unit.tables_helpers import apa, codebook, lavaan_model, validity_wave
from tests.unit.test_language_leaks import leaks
from tests.unit.test_tables_structural import _hypothesis_doc

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
MODELS = ["measurement", "five_stage", "partial_mediation"]


def _page_inputs(lang):
    hyp = _hypothesis_doc()
    for r in hyp["hypotheses"]:
        r.update(statement_es=f"{r['hypothesis']}: enunciado", statement_en=f"{r['hypothesis']}: statement")
    hyp["hypotheses"][1]["supported"] = False  # one rejected hypothesis, to see both decisions
    models = [(m, lavaan_model(f"pooled_{m}")) for m in MODELS]
    summaries = [{"wave": "w1_synthetic", "rows_in": 210, "rows_kept": 200, "rows_quarantined": 10},
                 {"wave": "w2_synthetic", "rows_in": 330, "rows_kept": 327, "rows_quarantined": 3}]
    tables = sample_tables(TableInputs(validity=validity_wave(), models=models), codebook(), OutputOptions(lang=lang))
    power = {"n": [60, 100, 150], "reps": 50, "target_power": 0.8,
             "min_n_80": {"h1": {"parameter": "E2 ~ E1", "n": None, "status": "below_grid"},
                          "H6": {"parameter": "h1*h2", "n": 146, "status": "interpolated"}}}
    inv = {"sector": {"groups": {"1": 300, "2": 120}, "supported": "strict"},
           "wave": {"groups": {"w1": 200, "w2": 300}, "supported": "metric"}}
    return PageInputs(lang=lang, samples=summaries, wave_names={"w1_synthetic": "Hermosillo", "w2_synthetic": "Sonora"},
                      models=models, hypotheses=hyp, validity=validity_wave(), invariance=inv, power=power,
                      tables=table_links(tables, ["docx", "tex"], {t.name: "tables/pooled" for t in tables}),
                      figures=[("Path diagram", "figures/pooled/path_diagram.png")],
                      path_diagram_svg='<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
                      codebook=codebook())


def test_validity_flags_are_the_reports_own():
    v = validity_wave()
    flags = validity_flags(v, codebook(), "en")
    expected = sum(1 for c in v["constructs"].values() for k in ("alpha", "omega", "cr", "ave")
                   if c["flags"].get(f"{k}_ok") is False)
    expected += sum(1 for c in v["constructs"].values() if c["flags"].get("low_loading_items"))
    expected += sum((p.get("fornell_larcker_ok") is False) + (p.get("htmt_ok") is False) for p in v["discriminant"])
    expected += bool(v["cmv"]["harman"].get("cmv_suspected"))
    assert len(flags) == expected > 0


def test_improper_solutions_are_noticed():
    model = copy.deepcopy(lavaan_model("pooled_measurement"))
    var = next(p for p in model["parameters"] if p["op"] == "~~" and p["lhs"] == p["rhs"] and p["lhs"] == "e1_1")
    var["est"] = -0.05
    notes = improper_notices(model, "es")
    assert len(notes) == 1 and "e1_1" in notes[0] and "Heywood" in notes[0]
    assert improper_notices(lavaan_model("pooled_measurement"), "es") == []


def _chromium(args, tmp_path):
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp_path / 'profile'}", *args], capture_output=True, text=True,
                          timeout=180)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed")
@pytest.mark.parametrize("lang", ["es", "en"])
def test_page_in_headless_chromium_shows_the_results(tmp_path, lang):
    inp = _page_inputs(lang)
    page = tmp_path / "index.html"
    page.write_text(results_page(inp), encoding="utf-8")
    dom = _chromium(["--dump-dom", page.as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = re.sub(r"\s+", " ", re.sub(r"<style.*?</style>|<[^>]+>", " ", dom.stdout, flags=re.S))
    text = text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">")
    # the sample, by wave label, with the counts
    assert "Hermosillo" in text and "Sonora" in text and "w1_synthetic" not in text
    assert re.search(r"527\b", text)  # 200 + 327 valid firms
    # fit of every model with its values and the criteria
    for _, res in inp.models:
        assert apa(res["fit"]["cfi"], 3, leading_zero=False) in text
        assert apa(res["fit"]["rmsea"], 3, leading_zero=False) in text
    # every hypothesis with its decision
    yes, no = {"es": ("Apoyada", "No apoyada"), "en": ("Supported", "Not supported")}[lang]
    assert text.count(no) == 1 and text.count(yes) == len(inp.hypotheses["hypotheses"]) - 1
    # validity flags, invariance, power, links
    assert len(validity_flags(inp.validity, codebook(), lang)) > 0
    assert "AVE" in text and {"es": "Nivel alcanzado", "en": "Level reached"}[lang] in text
    assert "146" in text and "< 60" in text
    assert 'href="tables/pooled/fit_indices.docx"' in dom.stdout and 'href="provenance.html"' in dom.stdout
    assert leaks(text, lang) == [], leaks(text, lang)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed")
def test_page_screenshot_is_not_blank(tmp_path):
    page = tmp_path / "index.html"
    page.write_text(results_page(_page_inputs("es")), encoding="utf-8")
    shot = tmp_path / "shot.png"
    run = _chromium(["--window-size=1280,2000", f"--screenshot={shot}", page.as_uri()], tmp_path)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    with Image.open(shot) as im:
        grey = im.convert("L")
        assert sum(1 for h in grey.histogram() if h) > 20 and grey.getextrema()[1] - grey.getextrema()[0] > 100


def test_fit_section_and_path_caption_show_the_scaled_statistics_under_wlsmv():
    """A WLSMV fit: the page and the path diagram's fit line read the scaled χ² and the scaled indices
    (lavaan gives no robust ones with continuous items beside ordered ones), and name the correction."""
    from alianza.figures.path_diagram import fit_line
    from alianza.tables.results_page import PageInputs, results_page

    fit = {"chisq": 118.34, "df": 237, "pvalue": 1.0, "chisq_scaled": 223.99, "df_scaled": 237,
           "pvalue_scaled": 0.72, "chisq_scaling_factor": 0.71, "cfi": 1.0, "tli": 1.012, "rmsea": 0.0,
           "cfi_scaled": 0.998, "tli_scaled": 0.997, "rmsea_scaled": 0.011, "srmr": 0.023}
    model = {"estimator": "WLSMV", "fit": fit, "n": 794, "parameters": []}
    for lang, words in (("en", "computed from it"), ("es", "se calculan con él")):
        page = results_page(PageInputs(lang=lang, models=[("measurement", model)]))
        fit_section = page[page.index("<section id=fit>"):page.index("</section>", page.index("<section id=fit>"))]
        assert "223.99" in fit_section and "118.34" not in fit_section and ".997" in fit_section
        assert words in fit_section and "<i>c</i>" not in fit_section     # the page has no c column
        line = fit_line(fit, lang, "WLSMV")
        assert "223.99" in line and "118.34" not in line and words in line
    plain = {k: v for k, v in fit.items() if "scaled" not in k}
    assert "118.34" in fit_line(plain, "en", "ML") and "Under" not in fit_line(plain, "en", "ML")


def test_a_single_wave_reads_in_the_singular_and_is_not_called_pooled():
    import dataclasses

    for lang, expected, wrong in (("es", "1 ola, 200 empresas válidas; resultados de la muestra: la única ola.",
                                   "todas las olas"),
                                  ("en", "1 wave, 200 valid firms; results of the sample: the single wave.",
                                   "all waves pooled")):
        inp = _page_inputs(lang)
        page = results_page(dataclasses.replace(inp, samples=inp.samples[:1]))
        assert expected in page and wrong not in page
        assert "2 " + ("olas" if lang == "es" else "waves") in results_page(inp)
