"""Improper solutions made visible (alianza.tables.flags), the honest estimator in fit tables
(alianza.tables.robust), Word's 255-character core properties, and single-group invariance."""
import copy

import pandas as pd
import pytest
from docx import Document

from alianza.hypotheses import hypotheses_report
from alianza.sem import fit
from alianza.tables import flags, robust
from alianza.tables.catalog import OutputOptions, TableInputs, provenance_line, sample_tables
from alianza.tables.summary_tables import fit_indices_table
from alianza.tables.word import CORE_LIMIT, write_docx
from alianza.workflow import model_text
from tests.conftest import FIXTURES, ROOT
from tests.unit.tables_helpers import codebook, lavaan_model, validity_wave

HEYWOOD = "F =~ h1 + h2 + h3"


@pytest.fixture(scope="module")
def heywood():
    """The Heywood wave of the lavaan fixtures: h1's residual variance is negative."""
    return fit(HEYWOOD, pd.read_csv(FIXTURES / "sem_heywood.csv")).to_dict()


def _improper_measurement():
    """The pooled measurement model with its first item's residual variance made negative and its
    standardized loading beyond 1, as a Heywood case leaves them."""
    res = copy.deepcopy(lavaan_model("pooled_measurement"))
    load = next(p for p in res["parameters"] if p["op"] == "=~")
    var = next(p for p in res["parameters"] if p["op"] == "~~" and p["lhs"] == p["rhs"] == load["rhs"])
    var["est"], var["std_all"] = -abs(var["est"]), -0.1
    load["std_all"] = 1.05
    return res, f"{load['lhs']} =~ {load['rhs']}", f"{var['lhs']} ~~ {var['rhs']}"


def test_the_heywood_wave_is_found_from_its_parameter_table(heywood):
    problems = flags.improper_problems(heywood)
    params = pd.DataFrame(heywood["parameters"])
    negative = params[(params["op"] == "~~") & (params["lhs"] == params["rhs"]) & (params["est"] < 0)]
    assert [(p.kind, p.parameter) for p in problems if p.kind == "negative_variance"] == [
        ("negative_variance", f"{r.lhs} ~~ {r.rhs}") for r in negative.itertuples()]
    beyond = params[params["std_all"].abs() > 1]
    assert {p.parameter for p in problems if p.kind == "std_beyond_1"} == {
        f"{r.lhs} {r.op} {r.rhs}" for r in beyond.itertuples()} - {f"{r.lhs} ~~ {r.rhs}" for r in negative.itertuples()}
    assert {p.kind for p in problems} == {"negative_variance", "std_beyond_1"}
    assert any(w.startswith("improper solution") for w in heywood["warnings"])
    assert flags.improper_problems(lavaan_model("pooled_measurement")) == []
    assert flags.improper_problems({**lavaan_model("pooled_measurement"), "converged": False})[0].kind == \
        "not_converged"


def test_latent_covariance_not_positive_definite():
    params = [{"lhs": "A", "op": "=~", "rhs": "a1"}, {"lhs": "B", "op": "=~", "rhs": "b1"},
              {"lhs": "A", "op": "~~", "rhs": "A", "est": 1.0}, {"lhs": "B", "op": "~~", "rhs": "B", "est": 1.0}]
    cov = {"lhs": "A", "op": "~~", "rhs": "B", "est": 0.5}
    assert flags.latent_cov_is_pd(params + [cov])
    assert not flags.latent_cov_is_pd(params + [{**cov, "est": 1.2}])  # |r| > 1: eigenvalue 1 - 1.2 < 0
    doc = {"converged": True, "parameters": params + [{**cov, "est": 1.2, "std_all": 1.2}]}
    kinds = {p.kind for p in flags.improper_problems(doc)}
    assert kinds == {"latent_cov_not_pd", "std_beyond_1"}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_table_marks_the_improper_rows_and_names_the_parameter(lang):
    bad, loading, variance = _improper_measurement()
    models = [("measurement", bad), ("five_stage", lavaan_model("pooled_five_stage"))]
    inputs = TableInputs(validity=validity_wave(), measurement=bad, models=models)
    tables = {t.name: t for t in sample_tables(inputs, codebook(), OutputOptions(lang=lang))}
    fit_tb = tables["fit_indices"]
    marked = fit_tb.body.set_index("model")["label"]
    assert marked["measurement"].endswith(flags.MARK) and not marked["five_stage"].endswith(flags.MARK)
    notes = " ".join(fit_tb.notes)
    assert variance in notes and flags.text("improper_note", lang, mark="", where="", problems="")[:12] in notes
    load_tb = tables["cfa_loadings"]
    item = loading.split(" =~ ")[1]
    assert load_tb.body.loc[load_tb.body["rhs"].str.startswith(item), "rhs"].iloc[0] == item + flags.MARK
    assert sum(load_tb.body["rhs"].str.endswith(flags.MARK)) == 1
    assert variance in " ".join(load_tb.notes) and loading in " ".join(load_tb.notes)


def test_a_hypothesis_on_an_improper_solution_is_not_supported():
    cfg = {"alpha": 0.05, "tests": {"H1": {"parameter": "h1", "model": "five_stage", "sign": "positive"}}}
    good = lavaan_model("pooled_five_stage")
    table, _ = hypotheses_report({("pooled", "five_stage"): good}, cfg, language="en")
    assert table["supported"].iloc[0]  # the example's H1 holds on a proper solution
    bad = copy.deepcopy(good)
    var = next(p for p in bad["parameters"] if p["op"] == "~~" and p["lhs"] == p["rhs"])
    var["est"] = -0.2
    for lang in ("es", "en"):
        table, report = hypotheses_report({("pooled", "five_stage"): bad}, cfg, language=lang)
        assert not table["supported"].iloc[0] and table["decision"].iloc[0] == flags.not_assessable(lang)
        rec = report["samples"]["pooled"]["hypotheses"][0]
        assert rec["improper"][0]["parameter"] == f"{var['lhs']} ~~ {var['rhs']}"
        inputs = TableInputs(hypotheses={"n": bad["n"], "model": "five_stage", "hypotheses": [rec]},
                             models=[("five_stage", bad)])
        tb = next(t for t in sample_tables(inputs, codebook(), OutputOptions(lang=lang)) if t.name == "hypotheses")
        assert tb.body["hypothesis"].iloc[0] == "H1" + flags.MARK and pd.isna(tb.body["supported"].iloc[0])
        assert flags.not_assessable(lang).capitalize() in " ".join(tb.notes)


def _invariance_doc(warnings_metric):
    steps = ["configural", "metric", "scalar"]
    fitm = {"chisq": 10.0, "df": 5, "cfi": 0.99, "rmsea": 0.02, "srmr": 0.03}
    return {"group": "sector", "groups": {"1": 80, "2": 90},
            "models": {s: {"converged": True, "warnings": warnings_metric if s == "metric" else [], "fit": fitm}
                       for s in steps},
            "comparisons": [{"model": s, "against": a, "pass": True, "chisq_diff": 1.0, "df_diff": 2, "pvalue": 0.6,
                             "delta_cfi": 0.0, "delta_rmsea": 0.0, "delta_srmr": 0.0}
                            for s, a in (("metric", "configural"), ("scalar", "metric"))],
            "freed": [], "supported": "scalar", "notes": []}


def test_an_invariance_step_on_an_improper_solution_is_not_assessable():
    doc = _invariance_doc(["group 2: improper solution: negative residual variance of observed variable(s) e1_1"])
    out = flags.flag_invariance(doc)
    assert [c["decision"] for c in out["comparisons"]] == [flags.not_assessable("en")] * 2  # metric, and scalar vs it
    assert not any(c["pass"] for c in out["comparisons"])
    assert out["supported"] == "configural" and "group 2: negative residual variance" in " ".join(out["notes"])
    assert doc["comparisons"][0]["pass"]  # the input is left as it was
    assert flags.flag_invariance(_invariance_doc([])) == {**_invariance_doc([])}
    for lang in ("es", "en"):
        inputs = TableInputs(invariance={"sector": out})
        tb = next(t for t in sample_tables(inputs, codebook(), OutputOptions(lang=lang)))
        assert list(tb.body["decision"])[1:] == [flags.not_assessable(lang)] * 2
        assert tb.body["label"].str.endswith(flags.MARK).tolist() == [False, True, True]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_single_group_gets_a_table_saying_invariance_was_not_tested(lang):
    doc = {"group": "wave", "groups": {"w1": 150}, "models": {}, "comparisons": [], "supported": None,
           "notes": ["'wave' has fewer than two groups"]}
    tables = sample_tables(TableInputs(invariance={"wave": doc}), codebook(), OutputOptions(lang=lang))
    assert [t.name for t in tables] == ["invariance_wave"]
    tb = tables[0]
    assert tb.body["decision"].tolist() == [flags.text("inv_untested_row", lang)]
    assert "w1" in tb.notes[0] and "150" in tb.notes[0]
    assert tb.csv_frame()["group"].tolist() == ["w1"]


def test_mlr_tables_show_the_scaled_test_and_the_robust_indices():
    data = pd.read_csv(FIXTURES / "waves" / "pooled.csv")
    text = model_text([str(ROOT / "config" / "models" / "measurement.lav")])
    res = fit(text, data, estimator="MLR").to_dict()
    f = res["fit"]
    for lang in ("es", "en"):
        tb = next(t for t in sample_tables(TableInputs(models=[("measurement", res)]), codebook(),
                                           OutputOptions(lang=lang)) if t.name == "fit_indices")
        csv = tb.csv_frame().iloc[0]
        for name in ("chisq_scaled", "pvalue_scaled", "chisq_scaling_factor", "cfi_robust", "tli_robust",
                     "rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust"):
            assert csv[name] == pytest.approx(f[name]), name
        assert "chisq" not in csv and "cfi" not in csv  # the unscaled values are not what the table shows
        assert robust.NOTES["MLR"][lang] in " ".join(tb.notes)
    plain = fit_indices_table([("pooled", "measurement", res)]).iloc[0]
    assert plain["chisq"] == pytest.approx(f["chisq"]) and plain["chisq_scaled"] == pytest.approx(f["chisq_scaled"])
    ml = fit(text, data).to_dict()
    assert robust.shown_names(ml["fit"])["chisq"] == "chisq" and robust.correction_note(["ML"], "en") == ""


def test_word_core_properties_hold_a_summary_of_a_long_provenance(tmp_path):
    record = {"created": "2026-01-01T00:00:00+00:00", "packages": {"alianza": "0.1.0"}, "seeds": {"seed": 1},
              "inputs": {f"data/raw/wave{k}_a_long_file_name_synthetic.csv": {"sha256": f"{k:02d}" * 32}
                         for k in range(12)}}
    line = provenance_line(record, "reports/provenance.json")
    assert len(line) > CORE_LIMIT
    tb = sample_tables(TableInputs(models=[("five_stage", lavaan_model("pooled_five_stage"))]), codebook(),
                       OutputOptions(lang="en"), provenance=line)[0]
    path = tmp_path / "t.docx"
    write_docx([tb], path)
    comments = Document(str(path)).core_properties.comments
    assert len(comments) <= CORE_LIMIT and comments.endswith("reports/provenance.json")
    assert "12 inputs" in comments and "seed 1" in comments


def test_report_front_page_warns_under_each_title():
    template = (ROOT / "workflow" / "report" / "workflow.rst").read_text(encoding="utf-8")
    bad, _, variance = _improper_measurement()
    lines = flags.improper_listing({"pooled/measurement": bad, "pooled/five_stage": lavaan_model("pooled_five_stage")},
                                   {}, "en")
    assert len(lines) == 1 and lines[0].startswith("pooled/measurement:") and variance in lines[0]
    page = flags.report_intro(template, lines, "en")
    assert page.count(".. warning::") == 2 and variance in page  # the Spanish and the English branch
    assert flags.report_intro(template, [], "en") == template


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_untested_invariance_table_names_groups_as_the_invariance_table_does(lang):
    """Wave labels from config (not file names) and codebook category labels (not codes)."""
    wave = {"group": "wave", "groups": {"wave1_hermosillo_synthetic": 193}, "models": {}, "comparisons": []}
    sector = {"group": "sector", "groups": {"1": 120}, "models": {}, "comparisons": []}
    labels = {"wave1_hermosillo_synthetic": {"es": "Ola 1, Hermosillo", "en": "Wave 1, Hermosillo"}}
    tables = sample_tables(TableInputs(invariance={"wave": wave, "sector": sector}), codebook(),
                           OutputOptions(lang=lang, wave_labels=labels))
    by_name = {t.name: t for t in tables}
    assert labels["wave1_hermosillo_synthetic"][lang] in by_name["invariance_wave"].body["label"].iloc[0]
    assert "wave1_hermosillo_synthetic" not in by_name["invariance_wave"].notes[0]
    comercio = codebook().variable("sector").code_labels[1][lang]
    assert by_name["invariance_sector"].body["label"].iloc[0].startswith(comercio)


def _effects_doc(bca: bool = True, estimator: str = "ML") -> dict:
    rec = {"source": "E4", "target": "CO", "kind": "indirect", "route": "E4 -> E5 -> CO", "est": 0.2, "std_all": 0.21,
           "se": 0.03, "ci_lower": 0.14, "ci_upper": 0.27, "ci_lower_bca": 0.15 if bca else None,
           "ci_upper_bca": 0.28 if bca else None, "std_all_ci_lower": 0.15, "std_all_ci_upper": 0.28}
    direct = {**rec, "source": "E5", "kind": "direct", "route": "E5 -> CO"}
    return {"model": "five_stage", "estimator": estimator, "missing": "listwise", "n": 507, "n_boot": 500,
            "seed": 1, "level": 0.95, "effects": [rec, direct]}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_effects_on_an_improper_path_model_are_marked(lang):
    bad = copy.deepcopy(lavaan_model("pooled_five_stage"))
    var = next(p for p in bad["parameters"] if p["op"] == "~~" and p["lhs"] == p["rhs"] and p["lhs"].startswith("e"))
    var["est"] = -0.05
    for models, marked in (([("five_stage", bad)], True), ([("five_stage", lavaan_model("pooled_five_stage"))], False)):
        inputs = TableInputs(models=models, effects=_effects_doc())
        tb = next(t for t in sample_tables(inputs, codebook(), OutputOptions(lang=lang)) if t.name == "effects")
        assert tb.body["label"].str.endswith(flags.MARK).all() == marked
        assert (f"{var['lhs']} ~~ {var['rhs']}" in " ".join(tb.notes)) == marked


@pytest.mark.parametrize("lang", ["es", "en"])
def test_effects_note_names_the_refitting_estimator_and_bca_only_when_computed(lang):
    from alianza.tables.effects import effects

    tb = effects(_effects_doc(estimator="WLSMV"), codebook(), lang)
    assert "WLSMV" in tb.notes[0] and "BCa" in [c.header for c in tb.columns]
    tb = effects(_effects_doc(bca=False), codebook(), lang)
    assert "BCa" not in [c.header for c in tb.columns]
    assert ("sin BCa" if lang == "es" else "no BCa") in tb.notes[0]
