"""The table set of a sample (which tables, their numbers), config `output:`, provenance note, `alianza tables`."""
import json

import pandas as pd
import pytest
from docx import Document

from alianza.cli import main
from alianza.errors import ConfigError
from alianza.tables.catalog import OutputOptions, TableInputs, provenance_line, sample_tables
from alianza.yamlfiles import load_yaml
from tests.conftest import FIXTURES, ROOT
from tests.unit.tables_helpers import codebook, lavaan_model, validity_wave

MODELS = ["measurement", "five_stage", "partial_mediation", "no_chain"]
RECORD = {"created": "2026-01-01T00:00:00+00:00", "packages": {"alianza": "0.1.0"}, "seeds": {"seed": 20191123},
          "inputs": {"data/raw/w1.csv": {"sha256": "ab" * 32, "bytes": 10},
                     "config/codebook.yaml": {"sha256": "cd" * 32, "bytes": 5}}}


def test_options_from_the_project_config():
    opts = OutputOptions.from_config(load_yaml(ROOT / "config" / "config.yaml"), lang="en")
    assert opts.lang == "en" and set(opts.formats) == {"tex", "docx", "md", "csv"}
    assert opts.fit_cutoffs == {"cfi": 0.95, "tli": 0.95, "rmsea": 0.06, "srmr": 0.08}
    assert opts.model_labels["five_stage"]["en"].startswith("Five stages")
    with pytest.raises(ConfigError) as err:
        OutputOptions.from_config({"output": {"formats": ["pdf"]}})
    assert err.value.key == "output.formats"


def test_numbering_follows_the_manuscript_order_and_closes_up():
    inputs = TableInputs(validity=validity_wave(), measurement=lavaan_model("pooled_measurement"),
                         models=[(m, lavaan_model(f"pooled_{m}")) for m in MODELS])
    tables = sample_tables(inputs, codebook(), OutputOptions(lang="es"), provenance="prov")
    assert [(t.name, t.number) for t in tables] == [
        ("item_descriptives", 2), ("measurement_model", 3), ("reliability", 4), ("discriminant", 5),
        ("discriminant_pairs", 6), ("efa_common_method", 7), ("cfa_loadings", 8), ("fit_indices", 9)]
    assert all(t.provenance == "prov" for t in tables)


def test_provenance_line_names_the_record_and_the_raw_data_checksums():
    line = provenance_line(RECORD, "reports/provenance.json")
    assert "alianza 0.1.0" in line and "seed 20191123" in line and "w1.csv sha256 " + "ab" * 6 in line
    assert "codebook" not in line and line.endswith("reports/provenance.json")


def test_cli_writes_the_set_in_english(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)  # the config's codebook path is relative to the repository
    rep = tmp_path / "reports"
    (rep / "validity").mkdir(parents=True)
    (rep / "validity" / "pooled.json").write_text(json.dumps(validity_wave()))
    (rep / "models" / "pooled").mkdir(parents=True)
    for m in MODELS:
        (rep / "models" / "pooled" / f"{m}.json").write_text(json.dumps(lavaan_model(f"pooled_{m}")))
    (rep / "provenance.json").write_text(json.dumps(RECORD))
    processed = tmp_path / "processed"
    processed.mkdir()
    data = pd.read_csv(FIXTURES / "waves" / "pooled.csv")
    for w, d in data.groupby("wave"):
        d.to_parquet(processed / f"{w}.parquet")
    out = tmp_path / "out"
    code = main(["tables", "--lang", "en", "--reports", str(rep), "--processed", str(processed), "--out", str(out),
                 "--formats", "docx,csv"])
    assert code == 0
    names = ["sample_description", "item_descriptives", "measurement_model", "reliability", "discriminant",
             "discriminant_pairs", "efa_common_method", "cfa_loadings", "fit_indices"]
    for n in names:
        for ext in ("docx", "csv", "html"):
            assert (out / f"{n}.{ext}").is_file()
    assert not (out / "reliability.tex").exists()
    assert "\\renewcommand{\\tablename}{Table}" in (out / "tables.tex").read_text(encoding="utf-8")
    doc = Document(str(out / "tables.docx"))
    labels = [p.text for p in doc.paragraphs if p.text.startswith("Table ")]
    assert labels == [f"Table {k}" for k in range(1, 10)]
    assert "reports/provenance.json" in doc.core_properties.comments
    assert "files written" in capsys.readouterr().out


def test_cli_missing_results_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = main(["tables", "--reports", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "validity" in err and "pooled.json" in err


def test_every_report_caption_exists():
    import re

    from alianza.tables.catalog import SAMPLE_TABLES

    report = ROOT / "workflow" / "report"
    for name in SAMPLE_TABLES:  # captions are looked up by table name (outputs_common.smk)
        assert (report / f"{name}.rst").is_file(), name
    for smk in ("outputs.smk", "outputs_common.smk", "report.smk"):
        text = (ROOT / "workflow" / "rules" / smk).read_text()
        for caption in re.findall(r'"\.\./report/([\w]+\.rst)"', text):
            assert (report / caption).is_file(), (smk, caption)
    # the front page: workflow.rst, or the copy with the improper-solution warning (rule improper_solutions)
    assert re.search(r'^report: .*"\.\./report/workflow\.rst"$', (ROOT / "workflow/rules/report.smk").read_text(), re.M)
