"""Pipeline helpers: wave discovery and model files."""
import pytest

from alianza.errors import ConfigError, InputError, ModelSyntaxError
from alianza.workflow import discover_waves, load_model_files, model_text


def test_model_files_are_concatenated_and_parsed(tmp_path):
    a, b = tmp_path / "m.lav", tmp_path / "s.lav"
    a.write_text("F =~ x1 + x2 + x3\nG =~ x4 + x5 + x6\n")
    b.write_text("# structural part\nG ~ b*F\n")
    text, parsed = load_model_files([a, b])
    assert text == model_text([a, b])
    assert "G ~ b*F" in text and parsed is not None


def test_syntax_error_names_the_file_and_its_own_line(tmp_path):
    a, b = tmp_path / "m.lav", tmp_path / "s.lav"
    a.write_text("F =~ x1 + x2 + x3\nG =~ x4 + x5 + x6\n")
    b.write_text("# structural part\nG ~ \n")
    with pytest.raises(ModelSyntaxError) as err:
        load_model_files([a, b])
    assert err.value.oneline().startswith(f"file {b}, line 2:")


def test_missing_model_file_is_named(tmp_path):
    with pytest.raises(InputError, match="no such model file"):
        load_model_files([tmp_path / "nope.lav"])


def test_waves_are_discovered_by_extension_and_pooled_is_reserved(tmp_path):
    (tmp_path / "w1.csv").write_text("x\n1\n")
    (tmp_path / "w2.xlsx").write_bytes(b"")
    (tmp_path / "README.md").write_text("synthetic")
    cfg = {"raw_dir": str(tmp_path), "discover": True, "extensions": ["csv", "xlsx"]}
    assert discover_waves(cfg) == {"w1": str(tmp_path / "w1.csv"), "w2": str(tmp_path / "w2.xlsx")}
    (tmp_path / "pooled.csv").write_text("x\n1\n")
    with pytest.raises(ConfigError, match="reserved"):
        discover_waves(cfg)


def test_files_the_pipeline_does_not_read_are_named_with_the_reason(tmp_path, capsys):
    from alianza.provenance import provenance_record
    from alianza.workflow import unread_files, warn_unread

    for name in ["w1.csv", "w1.columns.yaml", "w3.xls", "notes.txt", "README.md", ".hidden", "orphan.columns.yaml"]:
        (tmp_path / name).write_text("x\n1\n")
    cfg = {"raw_dir": str(tmp_path), "discover": True, "extensions": ["csv"]}
    waves = discover_waves(cfg)
    unread = unread_files(cfg, waves)
    assert unread == [
        {"file": str(tmp_path / "notes.txt"), "reason": "extension .txt is not in waves.extensions"},
        {"file": str(tmp_path / "orphan.columns.yaml"), "reason": "a column map without a wave of the same name"},
        {"file": str(tmp_path / "w3.xls"), "reason": "extension .xls is not in waves.extensions"},
    ]
    warn_unread(unread)
    assert f"file {tmp_path / 'w3.xls'}: not read (extension .xls" in capsys.readouterr().err
    record = provenance_record([tmp_path / "w1.csv"], {"seed": 1}, unread=unread)
    assert record["unread_raw_files"] == unread


def test_wave_labels_give_display_names_and_default_to_the_wave_id():
    from alianza.workflow import wave_labels

    cfg = {"labels": {"w1": {"es": "Ola 1, Hermosillo", "en": "Wave 1, Hermosillo"}, "gone": {"es": "x", "en": "x"}}}
    assert wave_labels(cfg, ["w1", "w2"]) == {
        "w1": {"es": "Ola 1, Hermosillo", "en": "Wave 1, Hermosillo"}, "w2": {"es": "w2", "en": "w2"},
    }
