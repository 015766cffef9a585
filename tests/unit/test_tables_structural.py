"""Hypotheses, indirect effects, model comparison and invariance tables from small inputs of the
documented JSON shapes. The structural helper's modules (alianza.hypotheses, alianza.comparison,
alianza.sem.inference.bootstrap) had not landed when these were written, so the inputs are built here from
lavaan's numbers (tests/fixtures/waves/lavaan_waves.json, invariance_fixtures.json); differences
between nested models are computed from lavaan's fits (chi-square difference test: theory)."""
import json

import pytest
from docx import Document
from scipy import stats

from alianza.tables.structural import hypotheses, indirect_effects, invariance, model_comparison
from alianza.tables.writers import to_markdown, write_table
from tests.conftest import FIXTURES
from tests.unit.tables_helpers import apa, cell_number, codebook, lavaan_model, undot

ARROW = "\u2192"


def _hypothesis_doc():
    model = lavaan_model("pooled_five_stage")
    recs = []
    for p in model["parameters"]:
        if p["label"] and p["op"] in ("~", ":="):
            # the structural helper decides support (expected sign and p < .05); here: positive and significant
            recs.append({"hypothesis": p["label"].upper(), **p, "supported": p["est"] > 0 and p["pvalue"] < 0.05})
    return {"model": "five_stage", "n": model["n"], "level": 0.95, "hypotheses": recs}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_hypotheses_table(tmp_path, lang):
    doc = _hypothesis_doc()
    table = hypotheses(doc, codebook(), lang)
    table.number = 8
    write_table(table, {"docx": tmp_path / "h.docx"})
    rows = [[c.text for c in r.cells] for r in Document(str(tmp_path / "h.docx")).tables[0].rows]
    assert rows[0] == ({"es": ["Hipótesis", "Relación", "B", "EE", "β", "p", "IC 95%", "¿Se apoya?"],
                        "en": ["Hypothesis", "Path", "B", "SE", "β", "p", "95% CI", "Supported?"]}[lang])
    assert [r[0] for r in rows[1:]] == ["H1", "H2", "H3", "H4", "H5", "H6"]
    assert [r[1] for r in rows[1:6]] == [f"E1 {ARROW} E2", f"E2 {ARROW} E3", f"E3 {ARROW} E4", f"E4 {ARROW} E5",
                                         f"E5 {ARROW} CO"]
    assert rows[6][1] == f" {ARROW} ".join(["E1", "E2", "E3", "E4", "E5", "CO"])  # H6 := h1*h2*h3*h4*h5
    for row, rec in zip(rows[1:], doc["hypotheses"]):
        # the table holds H6 (a product of paths): three decimals throughout, as in the indirect-effects table
        assert row[2] == apa(rec["est"], 3)
        assert row[4] == apa(rec["std_all"], 3, leading_zero=False)  # an exact p: no asterisks beside it
        assert row[6] == f"[{apa(rec['ci_lower'], 3)}, {apa(rec['ci_upper'], 3)}]"
        assert row[7] == {"es": "Sí", "en": "Yes"}[lang]
    assert ("E1 = diagnóstico" if lang == "es" else "E1 = Strategic diagnosis") in table.notes[0]
    assert len(table.notes) == 1 and "*<i>p</i>" not in table.notes[0]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_hypotheses_table_r2_and_bootstrap_note(lang):
    """R² of each outcome, and a note that says the decision comes from the bootstrap interval while p
    is the z test; the CI method is worded in the table's language whatever the run's language."""
    doc = _hypothesis_doc()
    model = lavaan_model("pooled_five_stage")
    recs = [r for r in doc["hypotheses"] if r["op"] == "~"]
    for r in recs:
        r.update(r2_outcome=model["r2"][r["lhs"]], ci_method="bootstrap percentil")
    table = hypotheses({**doc, "hypotheses": recs}, codebook(), lang)
    heads = [c.header for c in table.columns]
    assert "<i>R</i>²" in heads
    rows = [c for k, c in table.rows() if k == "row"]
    for row, rec in zip(rows, recs):
        assert row[2] == apa(rec["est"])  # paths only: two decimals
        assert row[heads.index("<i>R</i>²")] == apa(model["r2"][rec["lhs"]], 2, leading_zero=False)
    note = table.notes[0]
    assert {"es": "(bootstrap percentil)", "en": "(percentile bootstrap)"}[lang] in note
    assert {"es": "intervalo bootstrap", "en": "bootstrap interval"}[lang] in note


def test_indirect_effects_and_tolerant_reading():
    h6 = next(p for p in lavaan_model("pooled_five_stage")["parameters"] if p["op"] == ":=")
    doc = {"n": 507, "n_boot": 1000, "seed": 20191123, "level": 0.95, "ci_type": "percentile",
           "effects": [{"name": "H6", "path": "E1 -> E2 -> E3 -> E4 -> E5 -> CO", "est": h6["est"], "se": h6["se"],
                        "ci_lower": h6["ci_lower"], "ci_upper": h6["ci_upper"], "std_all": h6["std_all"]}]}
    table = indirect_effects(doc, codebook(), "en")
    (row,) = [c for k, c in table.rows() if k == "row"]
    assert row[:2] == ["H6", f" {ARROW} ".join(["E1", "E2", "E3", "E4", "E5", "CO"])]
    assert row[2] == apa(h6["est"], 3) and row[4] == apa(h6["std_all"], 3, leading_zero=False)
    assert "1000 bootstrap resamples (seed 20191123)" in table.notes[0] and "percentile" in table.notes[0]
    # the same effects as a bare list of records, and with a mapping name -> record
    assert indirect_effects(doc["effects"], codebook(), "en").n_data_rows() == 1
    assert indirect_effects({"effects": {"H6": doc["effects"][0]}}, codebook(), "es").n_data_rows() == 1


def _comparison_records():
    """alianza.comparison.comparison_table's shape: a row per model, the difference test on the
    restricted model's row (five_stage is partial_mediation with d1..d4 fixed to 0)."""
    fits = {k: lavaan_model(f"pooled_{k}")["fit"] for k in ("five_stage", "partial_mediation", "no_chain")}
    aic_min, bic_min = min(f["aic"] for f in fits.values()), min(f["bic"] for f in fits.values())
    rows = []
    for name, f in fits.items():
        row = {"model": name, **{k: f[k] for k in ("chisq", "df", "cfi", "rmsea", "srmr", "aic", "bic")},
               "delta_aic": f["aic"] - aic_min, "delta_bic": f["bic"] - bic_min,
               "compared_with": None, "chisq_diff": None, "df_diff": None, "pvalue_diff": None}
        if name == "five_stage":
            g = fits["partial_mediation"]
            dchi, ddf = f["chisq"] - g["chisq"], f["df"] - g["df"]
            row.update(compared_with="partial_mediation", chisq_diff=dchi, df_diff=ddf,
                       pvalue_diff=float(stats.chi2.sf(dchi, ddf)))
        rows.append(row)
    return rows


def test_model_comparison_from_nested_lavaan_fits():
    recs = _comparison_records()
    labels = {"partial_mediation": {"es": "Mediación parcial", "en": "Partial mediation"},
              "five_stage": {"es": "Cinco etapas", "en": "Five stages"}}
    table = model_comparison({"n": 507, "table": recs}, "es", labels=labels)
    assert [c.key for c in table.columns] == ["label", "chisq", "df", "cfi", "rmsea", "delta_aic", "delta_bic",
                                              "against_label", "chisq_diff", "df_diff", "pvalue"]
    rows = [c for k, c in table.rows() if k == "row"]
    assert [r[0] for r in rows] == ["Cinco etapas", "Mediación parcial", "no_chain"]
    five = rows[0]
    assert five[7] == "vs. Mediación parcial" and five[8] == apa(recs[0]["chisq_diff"]) and five[9] == "4"
    assert five[10] == apa(recs[0]["pvalue_diff"], 3, leading_zero=False)
    assert rows[1][7:] == ["\u2014"] * 4  # no test on the general model's row
    assert min(cell_number(r[5]) for r in rows) == 0  # ΔAIC from the smallest AIC
    assert "Δ" in to_markdown(table)
    # the same rows as a bare list, and a record shape with 'against' / 'pvalue'
    assert model_comparison(recs, "en").n_data_rows() == 3
    alt = model_comparison([{"model": "a", "against": "b", "chisq_diff": 1.0, "df_diff": 1, "pvalue": 0.3,
                             "delta_cfi": -0.002}], "en")
    assert [c.key for c in alt.columns] == ["label", "against_label", "chisq_diff", "df_diff", "pvalue", "delta_cfi"]


def _invariance_doc():
    fx = json.loads((FIXTURES / "invariance_fixtures.json").read_text())["hs_school"]
    steps = [s for s in ("configural", "metric", "scalar", "strict") if s in fx["fit"]]
    fits = {s: undot(fx["fit"][s]) for s in steps}
    comps = []
    for prev, cur in zip(steps, steps[1:]):
        d = {"model": cur, "against": prev, "chisq_diff": fits[cur]["chisq"] - fits[prev]["chisq"],
             "df_diff": fits[cur]["df"] - fits[prev]["df"],
             "delta_cfi": fits[cur]["cfi"] - fits[prev]["cfi"], "delta_rmsea": fits[cur]["rmsea"] - fits[prev]["rmsea"],
             "delta_srmr": fits[cur]["srmr"] - fits[prev]["srmr"]}
        d["pvalue"] = float(stats.chi2.sf(d["chisq_diff"], d["df_diff"]))
        d["pass"] = d["delta_cfi"] >= -0.01 and d["delta_rmsea"] <= 0.015  # Chen (2007)
        comps.append(d)
    groups = dict(zip(fx["group_label"], fx["nobs"]))
    return {"group": "school", "groups": groups, "models": {s: {"fit": fits[s]} for s in steps},
            "comparisons": comps, "freed": [], "notes": [],
            "rules": {"rules": {"metric": {"delta_cfi": -0.01, "delta_rmsea": 0.015}}}}, fits, comps


def test_invariance_table_from_lavaan_steps():
    doc, fits, comps = _invariance_doc()
    table = invariance(doc, None, "en")
    rows = [c for k, c in table.rows() if k == "row"]
    assert [r[0] for r in rows] == ["Configural", "Metric (loadings)", "Scalar (intercepts)",
                                    "Strict (residuals)"][:len(fits)]
    for r, (step, fit) in zip(rows, fits.items()):
        assert r[1] == apa(fit["chisq"]) and r[2] == str(fit["df"])
        assert r[3] == apa(fit["cfi"], 3, leading_zero=False)
    assert rows[0][6:12] == ["\u2014"] * 6  # the configural model has nothing to be compared with
    for r, c in zip(rows[1:], comps):
        assert r[6] == apa(c["chisq_diff"]) and r[9] == apa(c["delta_cfi"], 3, leading_zero=False)
        assert r[12] == ("Holds" if c["pass"] else "Does not hold")
    assert "Pasteur (<i>n</i> = 156)" in table.notes[0] and "ΔCFI ≥ −.010" in table.notes[0]
    assert table.name == "invariance_school"


def test_hypotheses_from_alianza_hypotheses_records():
    """The records alianza.hypotheses.hypothesis_table writes (B, beta, path 'E1 -> E2', the label
    product of H6), rendered with the chain spelled out."""
    hyp = pytest.importorskip("alianza.hypotheses")
    import pandas as pd

    model = lavaan_model("pooled_five_stage")
    tests = {f"H{k}": {"parameter": f"h{k}", "sign": "positive", "model": "five_stage"} for k in range(1, 6)}
    tests["H6"] = {"parameter": "H6", "sign": "positive", "model": "five_stage"}
    recs = hyp.hypothesis_table(pd.DataFrame(model["parameters"]), model["r2"], tests).to_dict("records")
    table = hypotheses({"n": model["n"], "hypotheses": recs}, codebook(), "en")
    rows = [c for k, c in table.rows() if k == "row"]
    assert [r[1] for r in rows] == [f"E1 {ARROW} E2", f"E2 {ARROW} E3", f"E3 {ARROW} E4", f"E4 {ARROW} E5",
                                    f"E5 {ARROW} CO", f" {ARROW} ".join(["E1", "E2", "E3", "E4", "E5", "CO"])]
    for r, p in zip(rows, [p for p in model["parameters"] if p["label"]]):
        assert r[2] == apa(p["est"], 3) and r[4] == apa(p["std_all"], 3, leading_zero=False)  # H6 in the table
        assert r[-1] == ("Yes" if p["pvalue"] < 0.05 and p["est"] > 0 else "No")


def test_structural_reports_read_per_sample():
    """The structural step writes one JSON for all samples (hypotheses_report, effects_report);
    catalog.sample_part takes one sample's part, which the renderers read."""
    hyp = pytest.importorskip("alianza.hypotheses")
    from alianza.tables.catalog import sample_part

    model = lavaan_model("pooled_five_stage")
    tests = {f"H{k}": {"parameter": f"h{k}", "sign": "positive", "model": "five_stage"} for k in range(1, 6)}
    tests["H6"] = {"parameter": "H6", "sign": "positive", "model": "five_stage"}
    results = {("pooled", "five_stage"): model}
    _, hreport = hyp.hypotheses_report(results, {"alpha": 0.05, "tests": tests}, language="en")
    _, ereport = hyp.effects_report(results, language="en")
    hreport, ereport = json.loads(json.dumps(hreport, default=str)), json.loads(json.dumps(ereport, default=str))
    assert sample_part(hreport, "hypotheses", "wave1") is None
    h = sample_part(hreport, "hypotheses", "pooled")
    assert h["n"] == model["n"] and h["model"] == "five_stage" and len(h["hypotheses"]) == 6
    table = hypotheses(h, codebook(), "en", params=model["parameters"])
    assert table.n_data_rows() == 6
    e = sample_part(ereport, "indirect", "pooled")
    (row,) = [c for k, c in indirect_effects(e, codebook(), "en", params=model["parameters"]).rows() if k == "row"]
    assert row[0] == "H6" and row[1] == f" {ARROW} ".join(["E1", "E2", "E3", "E4", "E5", "CO"])
    h6 = next(p for p in model["parameters"] if p["op"] == ":=")
    assert row[2] == apa(h6["est"], 3)
