"""One-line failures: config, codebook and model files in other encodings; outputs written
atomically (alianza.atomic), and output folders that cannot be written named in one line."""
import errno

import pandas as pd
import pytest

from alianza.atomic import atomic_path, write_frame, write_json
from alianza.cli import main
from alianza.codebook import load_codebook
from alianza.errors import ConfigError, OutputError
from alianza.ingest import ingest_wave, write_outputs
from alianza.workflow import load_model_files, model_text, run_step
from alianza.yamlfiles import read_text, require_utf8
from tests.conftest import ROOT

MODEL = "# modelo de medición: diagnóstico y búsqueda de socios (señales)\nE1 =~ e1_1 + e1_2 + e1_3\n"
WAVE = sorted((ROOT / "data" / "raw").glob("*.csv"))[0]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-8-sig"])
def test_a_model_file_in_another_encoding_is_read(tmp_path, encoding):
    text = MODEL + ("# “comillas” de Word\n" if encoding in ("cp1252", "utf-16", "utf-8-sig") else "")
    path = tmp_path / "m.lav"
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    assert read_text(path) == text
    syntax, parsed = load_model_files([path])
    assert syntax == text and model_text([path]) == text
    assert {f.lhs for f in parsed.formulas} == {"E1"}


def test_a_file_that_is_not_text_in_any_encoding_asks_for_utf8(tmp_path):
    path = tmp_path / "m.lav"
    path.write_bytes(b"E1 =~ e1_1\x81\x8d + e1_2\n")  # bytes Windows-1252 leaves undefined
    with pytest.raises(ConfigError) as err:
        read_text(path)
    assert err.value.file == path and "UTF-8" in err.value.oneline()
    path.write_bytes("E1 =~ e1_1".encode("utf-16-le"))  # UTF-16 without its BOM
    with pytest.raises(ConfigError, match="UTF-8"):
        model_text([path])


def test_a_latin1_codebook_loads_as_the_utf8_one(tmp_path):
    text = (ROOT / "config" / "codebook.yaml").read_text(encoding="utf-8")
    path = tmp_path / "codebook.yaml"
    path.write_bytes(text.encode("cp1252"))
    latin = load_codebook(path)
    utf8 = load_codebook(ROOT / "config" / "codebook.yaml")
    assert latin.items() == utf8.items()
    assert [latin.construct_label(c, "es") for c in latin.constructs] == [
        utf8.construct_label(c, "es") for c in utf8.constructs]
    assert [latin.label(i, "es") for i in latin.items()] == [utf8.label(i, "es") for i in utf8.items()]


def test_snakemake_config_in_latin1_is_rejected_naming_the_file(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_bytes("language: es  # idioma de las tablas: español\n".encode("latin-1"))
    with pytest.raises(ConfigError) as err:
        require_utf8(path)
    assert err.value.file == path and "save it as UTF-8" in err.value.oneline()
    path.write_text("language: es  # español\n", encoding="utf-8")
    require_utf8(path)


def test_an_output_under_a_file_names_the_path(tmp_path):
    blocker = tmp_path / "reports"
    blocker.write_text("a file where a folder should be")
    target = blocker / "tables" / "fit.json"
    with pytest.raises(OutputError) as err:
        write_json(target, {"a": 1})
    assert err.value.file == target and "cannot write output" in err.value.oneline()


def test_a_full_disk_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "pooled.parquet"
    old = pd.DataFrame({"x": [1, 2, 3]})
    write_frame(path, old)

    def half_then_full(self, target, **kwargs):
        with open(target, "wb") as fh:
            fh.write(b"PAR1 truncated")
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", half_then_full)
    with pytest.raises(OutputError) as err:
        write_frame(path, pd.DataFrame({"x": [9]}))
    assert err.value.file == path and "no space left" in err.value.oneline()
    monkeypatch.undo()
    pd.testing.assert_frame_equal(pd.read_parquet(path), old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pooled.parquet"]


def test_a_wave_set_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    codebook = load_codebook(ROOT / "config" / "codebook.yaml")
    result = ingest_wave(WAVE, codebook, wave="w1")
    paths = write_outputs(result, tmp_path)
    before = {k: p.read_bytes() for k, p in paths.items()}
    changed = ingest_wave(WAVE, codebook, wave="w1")
    changed.summary["note"] = "second run"

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)  # the quarantine, second of the three files
    with pytest.raises(OutputError):
        write_outputs(changed, tmp_path)
    monkeypatch.undo()
    assert {k: p.read_bytes() for k, p in paths.items()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths.values())


def test_atomic_path_keeps_the_extension_for_writers_that_go_by_it(tmp_path):
    with atomic_path(tmp_path / "fig.svg") as tmp:
        assert tmp.suffix == ".svg" and tmp.parent == tmp_path and tmp.name.startswith(".fig.")
        tmp.write_text("<svg/>")
    assert (tmp_path / "fig.svg").read_text() == "<svg/>"


def test_cli_with_an_unwritable_output_folder_prints_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    blocker = tmp_path / "processed"
    blocker.write_text("not a folder")
    code = main(["ingest", str(WAVE), "--outdir", str(blocker / "sub")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and str(blocker / "sub") in err
    assert "Traceback" not in err


def test_a_pipeline_step_that_cannot_write_stops_with_one_line(tmp_path, capsys):
    log = tmp_path / "step.log"

    def step():
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "reports" / "x.json"))

    with pytest.raises(SystemExit):
        run_step(log, step)
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "x.json" in err and "permission denied" in err
    assert "x.json" in log.read_text()
