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


def test_bundled_waves_have_labels_in_both_languages():
    for wave in ("wave1_hermosillo_synthetic", "wave2_sonora_synthetic"):
        entry = CONFIG["waves"]["labels"][wave]
        assert set(entry) == {"es", "en"} and wave not in entry.values()
