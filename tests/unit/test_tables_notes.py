"""Every table of a sample's set states N and what happened to the rows with missing answers."""
import copy

import pytest

from alianza.tables.catalog import OutputOptions, TableInputs, sample_tables
from alianza.tables.notes import n_sentence, with_sample_size
from tests.unit.tables_helpers import codebook, lavaan_model, validity_wave

MODELS = ["measurement", "five_stage", "partial_mediation", "no_chain"]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_sentence_counts_rows_left_out_or_kept(lang):
    assert n_sentence(507, 527, "listwise", lang).startswith("<i>N</i> = 507 (20 ")
    assert "527" in n_sentence(507, 527, "listwise", lang)
    assert n_sentence(527, 527, "listwise", lang) == "<i>N</i> = 527."
    assert {"es": "información completa", "en": "full-information"}[lang] in n_sentence(527, 527, "fiml", lang)


def test_note_expanded_once_prefixed_when_missing_and_left_alone_for_another_n():
    s = n_sentence(507, 527, "listwise", "en")
    once = with_sample_size("<i>N</i> = 507; ML estimator.", 507, 527, "listwise", "en")
    assert once == s[:-1] + "; ML estimator."
    assert with_sample_size(once, 507, 527, "listwise", "en") == once
    assert with_sample_size("Each level adds ...", 507, 527, "listwise", "en") == s + " Each level adds ..."
    assert with_sample_size("<i>N</i> = 527. Items.", 507, 527, "listwise", "en") == "<i>N</i> = 527. Items."


@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_table_of_the_set_states_n_and_the_rows_left_out(lang):
    measurement = copy.deepcopy(lavaan_model("pooled_measurement"))
    n = measurement["n"]
    measurement.update(n_input=n + 12, missing="listwise")
    inputs = TableInputs(validity=validity_wave(), measurement=measurement,
                         models=[(m, lavaan_model(f"pooled_{m}")) for m in MODELS])
    v = validity_wave()  # another data set than the models': its tables state its own N
    own = n_sentence(v["n_complete"], v["n_rows"], "listwise", lang)[:-1]
    names = []
    for table in sample_tables(inputs, codebook(), OutputOptions(lang=lang)):
        names.append(table.name)
        if table.name == "item_descriptives":
            continue
        if table.name in ("cfa_loadings", "fit_indices"):
            assert table.notes[0].startswith(f"<i>N</i> = {n} (12 "), table.name
            assert table.notes[0].count("(12 ") == 1, table.name
        else:
            assert table.notes[0].startswith(own), table.name
    assert {"cfa_loadings", "fit_indices", "measurement_model", "efa_common_method"} <= set(names)
