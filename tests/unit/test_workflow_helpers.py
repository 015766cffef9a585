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


def test_outputs_of_a_removed_wave_leave_reports(tmp_path, capsys):
    from alianza.workflow import remove_stale_outputs, stale_outputs

    def touch(rel):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")

    for wave in ("w1", "w2"):
        for rel in (f"data/processed/{wave}.parquet", f"data/processed/{wave}.quarantine.csv",
                    f"data/processed/{wave}.summary.json", f"reports/models/{wave}/measurement.json",
                    f"reports/bootstrap/{wave}/five_stage.json", f"reports/validity/{wave}.json"):
            touch(rel)
    for rel in ("reports/models/pooled/measurement.json", "reports/validity/pooled.json",
                "reports/tables/pooled/fit_indices.md", "reports/tables/fit_indices.csv",
                "reports/figures/power_curve.png", "reports/tables/notes/mine.txt"):
        touch(rel)
    assert stale_outputs({"w1": "a", "w2": "b"}, ["w1", "w2", "pooled"], tmp_path) == []
    removed = remove_stale_outputs({"w1": "a"}, ["w1", "pooled"], tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in removed) == [
        "data/processed/w2.parquet", "data/processed/w2.quarantine.csv", "data/processed/w2.summary.json",
        "reports/bootstrap/w2", "reports/models/w2", "reports/validity/w2.json"]
    assert all(not p.exists() for p in removed)
    assert (tmp_path / "reports/tables/notes/mine.txt").exists()  # not a sample folder of a run
    assert (tmp_path / "reports/models/pooled/measurement.json").exists()
    assert capsys.readouterr().err.count("alianza: removed") == len(removed)
