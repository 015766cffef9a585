"""The console of `make run`: Snakemake's output to the log, one line per finished stage, failures named
with their log, and a summary of the results in the configured language."""
import io
import json
import shutil
import sys

import pytest

from alianza.console import Progress, run_snakemake, stage_label, summary_lines
from alianza.yamlfiles import load_yaml
from tests.conftest import ROOT
from tests.unit.tables_helpers import lavaan_model, validity_wave

SNAKEMAKE_OUTPUT = """Building DAG of jobs...
Job stats:
job           count
----------  -------
ingest            2
pool              1
all               1
total             4

Select jobs to execute...
localrule ingest:
    input: data/raw/w1.csv
Finished jobid: 2 (Rule: ingest)
1 of 4 steps (25%) done
Finished jobid: 3 (Rule: ingest)
2 of 4 steps (50%) done
Finished jobid: 1 (Rule: pool)
3 of 4 steps (75%) done
Finished jobid: 0 (Rule: all)
4 of 4 steps (100%) done
"""


def test_progress_reports_a_stage_when_its_last_job_finishes():
    prog, stages = Progress(), []
    for line in SNAKEMAKE_OUTPUT.splitlines():
        stages += prog.feed(line)
    assert stages == ["ingest", "pool"]
    assert prog.planned == {"ingest": 2, "pool": 1, "all": 1} and (prog.done, prog.total) == (4, 4)


def _fake_snakemake(tmp_path, text, code=0):
    script = tmp_path / "fake.py"
    script.write_text(f"import sys\nsys.stdout.write({text!r})\nsys.exit({code})\n")
    return [sys.executable, str(script)]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_console_shows_stages_and_sends_detail_to_the_log(tmp_path, lang):
    out = io.StringIO()
    code, _ = run_snakemake(_fake_snakemake(tmp_path, SNAKEMAKE_OUTPUT), tmp_path / "logs" / "run.log", lang, out)
    shown = out.getvalue().splitlines()
    assert code == 0
    assert shown[1:] == [f"  \u2713 {stage_label('ingest', lang)} (2)", f"  \u2713 {stage_label('pool', lang)}"]
    assert str(tmp_path / "logs" / "run.log") in shown[0]
    assert (tmp_path / "logs" / "run.log").read_text() == SNAKEMAKE_OUTPUT  # every line of detail, in the log
    assert "localrule" not in out.getvalue() and "input:" not in out.getvalue()


def test_a_failed_stage_is_named_with_its_log(tmp_path):
    text = ("Job stats:\njob count\nfit_model 1\ntotal 1\n"
            "Error in rule fit_model:\n    jobid: 3\n    log: logs/fit/pooled/m.log (check log file(s) for error details)\n")
    out = io.StringIO()
    code, prog = run_snakemake(_fake_snakemake(tmp_path, text, 1), tmp_path / "run.log", "en", out)
    assert code == 1 and prog.failed == [("fit_model", "logs/fit/pooled/m.log")]
    assert f"Failed: {stage_label('fit_model', 'en')}. Detail in logs/fit/pooled/m.log" in out.getvalue()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_summary_reads_the_results_in_the_configured_language(tmp_path, lang):
    config = load_yaml(ROOT / "config" / "config.yaml")
    (tmp_path / "config").mkdir()
    shutil.copy(ROOT / "config" / "codebook.yaml", tmp_path / "config" / "codebook.yaml")
    models = tmp_path / "reports" / "models" / "pooled"
    models.mkdir(parents=True)
    for m in ("measurement", "five_stage"):
        (models / f"{m}.json").write_text(json.dumps(lavaan_model(f"pooled_{m}")))
    (tmp_path / "reports" / "validity").mkdir()
    (tmp_path / "reports" / "validity" / "pooled.json").write_text(json.dumps(validity_wave()))
    hyp = {"samples": {"pooled": {"hypotheses": [{"hypothesis": "H1", "supported": True},
                                                 {"hypothesis": "H2", "supported": False}]}}}
    (tmp_path / "reports" / "tables").mkdir()
    (tmp_path / "reports" / "tables" / "hypotheses.json").write_text(json.dumps(hyp))
    lines = summary_lines(tmp_path, config, lang)
    text = "\n".join(lines)
    assert {"es": "Hipótesis: 1 de 2 apoyadas", "en": "Hypotheses: 1 of 2 supported"}[lang] in text
    assert "H1 \u2713" in text and "H2 \u2717" in text
    label = config["output"]["model_labels"]["five_stage"][lang]
    assert label in text and f"N = {lavaan_model('pooled_five_stage')['n']}" in text
    assert {"es": "Validez", "en": "Validity"}[lang] in text
    assert lines[-1].startswith({"es": "Dónde mirar: reports/index.html", "en": "Where to look: reports/index.html"}[lang])


def test_every_workflow_rule_has_a_stage_name_in_both_languages():
    """The console names finished stages from the i18n catalogue: a rule without an entry would
    print its English rule name under language: es."""
    import re
    from pathlib import Path

    from alianza.i18n import STRINGS as CATALOG

    root = Path(__file__).resolve().parents[2]
    rules = {m for p in (root / "workflow" / "rules").glob("*.smk")
             for m in re.findall(r"^rule (\w+):", p.read_text(encoding="utf-8"), re.M)} - {"all"}
    missing = sorted(r for r in rules if f"stage.{r}" not in CATALOG
                     or not all(CATALOG[f"stage.{r}"].get(lang) for lang in ("es", "en")))
    assert not missing, missing


def test_summary_fit_line_reads_the_robust_indices_of_a_scaled_fit(tmp_path):
    """Under MLR the console shows the robust CFI and RMSEA the tables show, not the standard ones."""
    config = load_yaml(ROOT / "config" / "config.yaml")
    models = tmp_path / "reports" / "models" / "pooled"
    models.mkdir(parents=True)
    res = lavaan_model("pooled_five_stage")
    res["fit"].update(chisq_scaled=300.0, cfi_robust=0.9123, rmsea_robust=0.0789, estimator="MLR")
    (models / "five_stage.json").write_text(json.dumps(res))
    text = "\n".join(summary_lines(tmp_path, config, "en"))
    assert "CFI = .912" in text and "RMSEA = .079" in text and "\u2717" in text


def test_summary_says_an_untested_grouping_was_not_tested(tmp_path):
    """One wave: invariance across waves is not tested, which is not the same as no level reached."""
    config = load_yaml(ROOT / "config" / "config.yaml")
    inv = tmp_path / "reports" / "invariance"
    inv.mkdir(parents=True)
    group = config["invariance"]["groups"][0]
    (inv / f"{group}.json").write_text(json.dumps({"group": group, "models": {}, "supported": None,
                                                   "notes": ["not tested"]}))
    for lang, word in (("es", "No evaluado"), ("en", "Not tested")):
        line = next(x for x in summary_lines(tmp_path, config, lang) if "nvarian" in x)
        assert line.endswith(f": {word}")


def test_summary_of_one_wave_reads_in_the_singular(tmp_path):
    config = load_yaml(ROOT / "config" / "config.yaml")
    processed = tmp_path / "data" / "processed"
    processed.mkdir(parents=True)
    (processed / "w1.summary.json").write_text(json.dumps({"rows_in": 120, "rows_kept": 118}))
    for lang, words in (("es", "Muestra: 1 ola, 120 filas recibidas, 118 empresas válidas."),
                        ("en", "Sample: 1 wave, 120 rows received, 118 valid firms.")):
        assert words in "\n".join(summary_lines(tmp_path, config, lang))
    (processed / "w2.summary.json").write_text(json.dumps({"rows_in": 80, "rows_kept": 80}))
    assert "Muestra: 2 olas, 200 filas recibidas" in "\n".join(summary_lines(tmp_path, config, "es"))
