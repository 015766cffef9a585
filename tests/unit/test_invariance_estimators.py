"""The invariance sequence under robust and ordinal estimators: which indices the steps compare,
score tests from the estimator's own objective, and a step that adds no constraint.

Data: psychTools' bfi (tests/fixtures/shapes/bfi.csv, ordered 6-point items), its first 900 rows.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from alianza.invariance import compare_fits, invariance, invariance_table
from alianza.tables.structural import invariance as invariance_apa
from tests.conftest import ROOT

BFI = pd.read_csv(ROOT / "tests" / "fixtures" / "shapes" / "bfi.csv").head(900)
MODEL = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"


def _fit(chisq, df, c, cfi, cfi_scaled, cfi_robust):
    return {"chisq": chisq, "df": df, "chisq_scaled": chisq / c, "chisq_scaling_factor": c, "cfi": cfi,
            "cfi_scaled": cfi_scaled, "cfi_robust": cfi_robust, "tli": cfi, "rmsea": 0.05, "srmr": 0.04}


def test_scaled_comparisons_take_the_robust_indices_then_the_scaled_ones():
    restricted, reference = _fit(120.0, 30, 1.2, 0.95, 0.94, 0.93), _fit(100.0, 25, 1.1, 0.97, 0.96, 0.96)
    robust = compare_fits(restricted, reference)
    assert robust["delta_basis"]["delta_cfi"] == "cfi_robust"
    assert math.isclose(robust["delta_cfi"], 0.93 - 0.96)
    scaled = compare_fits(restricted, reference, basis=("scaled",))
    assert scaled["delta_basis"]["delta_cfi"] == "cfi_scaled"
    assert math.isclose(scaled["delta_cfi"], 0.94 - 0.96)
    del restricted["cfi_robust"]            # a fit without robust indices: the next version both have
    assert compare_fits(restricted, reference)["delta_basis"]["delta_cfi"] == "cfi_scaled"
    plain = compare_fits({k: v for k, v in restricted.items() if k != "chisq_scaled"}, reference)
    assert plain["delta_basis"]["delta_cfi"] == "cfi"


@pytest.fixture(scope="module")
def ordinal():
    return invariance(MODEL, BFI, "gender", ordered="all", partial={"enabled": False})


def test_ordinal_strict_step_is_not_tested_and_not_supported(ordinal):
    strict = next(c for c in ordinal.comparisons if c["model"] == "strict")
    assert strict["df_diff"] == 0 and strict["decision"] == "not tested"
    assert ordinal.supported != "strict"
    assert any("parameterization theta" in n for n in ordinal.notes)
    table = invariance_table(ordinal.to_dict())
    strict_row = table.loc[table["model"] == "strict"].iloc[0]
    assert strict_row["decision"] == "not tested"
    # no difference is shown for a step that tested nothing (zeros would read as "no change")
    assert strict_row[["chisq_diff", "df_diff", "pvalue_diff", "delta_cfi", "delta_rmsea"]].isna().all()
    for lang in ("en", "es"):
        apa_row = invariance_apa(ordinal.to_dict(), None, lang).body.set_index("step").loc["strict"]
        assert apa_row[["chisq_diff", "df_diff", "pvalue", "delta_cfi", "delta_rmsea", "delta_srmr"]].isna().all()
        assert apa_row["chisq_scaled"] > 0                  # the step's own fit is still shown


def test_ordinal_sequence_compares_the_scaled_indices_and_shows_them(ordinal):
    doc = ordinal.to_dict()
    for c in doc["comparisons"]:
        assert c["delta_basis"]["delta_cfi"] == "cfi_scaled"
    metric = next(c for c in doc["comparisons"] if c["model"] == "metric")
    fits = {k: m["fit"] for k, m in doc["models"].items()}
    assert math.isclose(metric["delta_cfi"], fits["metric"]["cfi_scaled"] - fits["configural"]["cfi_scaled"])
    table = invariance_table(doc)
    assert {"chisq_scaled", "cfi_scaled", "rmsea_scaled"} <= set(table.columns)
    for lang, word, note in (("en", "Not tested", "scaled versions"), ("es", "No evaluado", "versiones escaladas")):
        apa = invariance_apa(doc, None, lang)
        assert apa.body.loc[apa.body["step"] == "strict", "decision"].item() == word
        assert "cfi_scaled" in apa.body.columns and "cfi_robust" not in apa.body.columns
        assert note in " ".join(apa.notes)
        assert "<i>c</i>" not in " ".join(apa.notes)            # the table has no scaling-factor column
    es_notes = " ".join(invariance_apa(doc, None, "es").notes)
    assert "La invarianza estricta no añade restricciones de igualdad a la escalar" in es_notes
    assert "not tested" not in es_notes and "parameterization" not in es_notes     # no English in a Spanish note
    assert "Satorra's (2000)" in " ".join(invariance_apa(doc, None, "en").notes)
    assert "Satorra (2000)" in " ".join(invariance_apa(doc, None, "es").notes)


def test_ordinal_steps_record_score_tests_of_the_dwls_objective(ordinal):
    metric = ordinal.to_dict()["models"]["metric"]["score_tests"]
    assert len(metric) == 8                         # one per loading constrained equal (2 x 4 free)
    assert all(r["par_op"] == "=~" and r["X2"] >= 0 for r in metric)


def test_ordinal_multigroup_fit_has_modification_indices_per_group(ordinal):
    mi = ordinal.fits["metric"].modindices
    assert set(mi["group"]) == {1, 2} and (mi["mi"] >= 0).all()
    assert list(mi["mi"]) == sorted(mi["mi"], reverse=True)


def test_difference_note_names_the_test_each_comparison_used():
    from alianza.tables.robust import difference_note

    assert difference_note([{"scaled": False, "method": "standard"}], "en") == ""
    assert "Satorra-Bentler (2001)" in difference_note([{"scaled": True, "method": None}], "en")
    assert "Satorra-Bentler (2001)" in difference_note([{"method": "satorra.bentler.2001"}], "es")
    both = difference_note([{"method": "satorra.2000"}, {"scaled": True}], "en")
    assert "Satorra's (2000)" in both and "Satorra-Bentler (2001)" in both


def test_wide_tables_wrap_text_columns_before_numbers(ordinal):
    """A landscape table too wide for the page narrows its text column (which wraps at spaces)
    before any number column (a chi-square must not break over two lines)."""
    from alianza.tables.apa import text_width
    from alianza.tables.word import column_widths

    apa = invariance_apa(ordinal.to_dict(), None, "es")
    natural = column_widths(apa, float("inf"))
    text = [j for j, c in enumerate(apa.columns) if c.kind == "text"]
    # a page 0.3 in narrower than the table: the text columns' spare width (beyond their longest word) absorbs it
    widths = column_widths(apa, sum(natural) - 0.3)
    assert abs(sum(widths) - (sum(natural) - 0.3)) < 1e-9 and sum(widths[j] for j in text) < sum(natural[j] for j in text)
    body = [cells for kind, cells in apa.rows() if kind == "row"]
    for j, col in enumerate(apa.columns):
        if col.kind != "text":
            assert widths[j] >= natural[j] - 1e-9 > max(text_width(row[j]) for row in body), col.key
