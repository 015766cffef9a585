"""config `waves.labels`: how a wave is named in tables, figures and reports, instead of its file name."""
import jsonschema
import pytest
import yaml

from alianza.i18n import wave_label, wave_labels
from tests.conftest import ROOT

SCHEMA = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def test_project_config_labels_validate_and_bad_labels_are_refused():
    jsonschema.validate(CONFIG, SCHEMA)
    for bad in ({"w1": {"es": "Ola"}}, {"w1": ""}, {"w1": {"es": "a", "en": "b", "fr": "c"}}, {"w 1": "x"}):
        cfg = {**CONFIG, "waves": {**CONFIG["waves"], "labels": bad}}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(cfg, SCHEMA)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_labels_by_language_one_text_or_numbered(lang):
    labels = {"w_b": {"es": "Sonora", "en": "Sonora state"}, "w_c": "Hermosillo"}
    waves = ["w_c", "w_a", "w_b"]
    got = wave_labels({"waves": {"labels": labels}}, waves, lang)
    assert got["w_b"] == labels["w_b"][lang] and got["w_c"] == "Hermosillo"
    assert got["w_a"] == {"es": "Ola 1", "en": "Wave 1"}[lang]  # first of the sorted ids
    assert wave_label("other", labels, lang, waves) == "other"
    assert wave_labels({}, waves, lang)["w_c"] == {"es": "Ola 3", "en": "Wave 3"}[lang]


def test_hypothesis_names_by_parameter_label():
    from alianza.i18n import hypothesis_names

    names = hypothesis_names(CONFIG)
    for name, h in CONFIG["hypotheses"]["tests"].items():
        assert names[h["parameter"]] == name


def test_bundled_waves_have_labels_in_both_languages():
    for wave in ("wave1_hermosillo_synthetic", "wave2_sonora_synthetic"):
        entry = CONFIG["waves"]["labels"][wave]
        assert set(entry) == {"es", "en"} and wave not in entry.values()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_tables_show_wave_labels_not_file_names(lang):
    from alianza.tables.catalog import OutputOptions, data_quality_table, sample_description_table
    from alianza.tables.structural import invariance
    from alianza.tables.writers import to_markdown
    from tests.unit.tables_helpers import codebook
    from tests.unit.test_tables_writers import _processed_waves

    frames = _processed_waves()
    opts = OutputOptions.from_config(CONFIG, lang=lang)
    names = opts.wave_names(list(frames))
    md = to_markdown(sample_description_table(frames, codebook(), opts))
    summaries = [{"wave": w, "file": f"{w}.csv", "rows_in": len(d), "rows_kept": len(d), "rows_quarantined": 0}
                 for w, d in frames.items()]
    md += to_markdown(data_quality_table(summaries, opts))
    doc = {"group": "wave", "groups": {w: len(d) for w, d in frames.items()},
           "models": {"configural": {"fit": {"chisq": 1.0, "df": 1}}}, "comparisons": []}
    md += "\n".join(invariance(doc, codebook(), lang, value_labels=names).notes)
    for w in frames:
        assert w not in md.replace("\\_", "_")
        assert names[w].replace("_", "\\_") in md
