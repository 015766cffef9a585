"""Display names from config: waves (`waves.labels`, read by alianza.workflow.wave_labels) in tables,
figures and reports instead of file names; hypotheses by name where results know parameters only."""
import jsonschema
import pytest
import yaml

from tests.conftest import ROOT

SCHEMA = yaml.safe_load((ROOT / "workflow" / "schemas" / "config.schema.yaml").read_text())
CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def test_project_config_labels_validate_and_bad_labels_are_refused():
    jsonschema.validate(CONFIG, SCHEMA)
    for bad in ({"w1": {"es": "Ola"}}, {"w1": ""}, {"w1": {"es": "a", "en": "b", "fr": "c"}},
                {"w 1": {"es": "a", "en": "b"}}):
        cfg = {**CONFIG, "waves": {**CONFIG["waves"], "labels": bad}}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(cfg, SCHEMA)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_table_wave_names_in_the_table_language_default_the_wave_id(lang):
    from alianza.tables.catalog import OutputOptions

    opts = OutputOptions.from_config({"waves": {"labels": {"w_b": {"es": "Sonora", "en": "Sonora state"}}}}, lang=lang)
    assert opts.wave_names(["w_a", "w_b"]) == {"w_a": "w_a", "w_b": {"es": "Sonora", "en": "Sonora state"}[lang]}


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
