"""Study shapes end to end (issue 14): the whole workflow on small simulated waves, one scratch
project per shape, each run checked for what that shape must show.

- one wave, WLSMV on ordered items, English, bootstrapped by refitting, Satorra (2000) difference
  tests, invariance across a single group;
- five waves of very different sizes, MLR, Spanish, bootstrap on, small waves merged for
  invariance, provenance of many inputs;
- two waves, WLSMV on a list of ordered items, no bootstrap, every group below min_group_n;
- two waves, one with a Heywood case, ML with FIML, one model, invariance across the waves
  resting on the improper group, no bootstrap, no hypotheses; then a wave removed.
"""
import json

import pandas as pd
import pytest
from docx import Document

from alianza.codebook import load_codebook
from alianza.engine_limits import bootstrap_refusal, comparison_refusal
from alianza.tables import flags
from tests.e2e.shapes_helpers import ROOT, make_project, snakemake


def _run(tmp_path_factory, name, overrides, waves, heywood=()):
    work = make_project(tmp_path_factory.mktemp(name), overrides, waves, heywood=heywood)
    proc = snakemake(work)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return work, proc


def _md(path):
    return path.read_text(encoding="utf-8").replace("\\_", "_")  # Markdown escapes underscores


def _json(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def one_wave_wlsmv(tmp_path_factory):
    return _run(tmp_path_factory, "one_wave", {
        "language": "en",
        "estimation": {"estimator": "WLSMV", "ordered": "all"},
        "models": {"keep": ["measurement", "five_stage", "partial_mediation"]},
        "comparison": {"models": ["five_stage", "partial_mediation"], "nested": [["five_stage", "partial_mediation"]]},
    }, {"w1": 150})


@pytest.fixture(scope="module")
def five_waves_mlr(tmp_path_factory):
    return _run(tmp_path_factory, "five_waves", {
        "language": "es",
        "samples": {"per_wave": False},
        "estimation": {"estimator": "MLR"},
        "invariance": {"groups": ["wave"], "min_group_n": 100, "small_groups": "merge"},
    }, {"w1": 60, "w2": 70, "w3": 80, "w4": 300, "w5": 90})


@pytest.fixture(scope="module")
def two_waves_ordered_list(tmp_path_factory):
    items = load_codebook(ROOT / "config" / "codebook.yaml").items()
    return _run(tmp_path_factory, "ordered_list", {
        "language": "es",
        "samples": {"per_wave": False},
        "estimation": {"estimator": "WLSMV", "ordered": items},
        "bootstrap": {"models": []},
        "invariance": {"groups": ["sector"], "min_group_n": 1000, "small_groups": "skip"},
    }, {"x": 90, "y": 110})


@pytest.fixture(scope="module")
def heywood_fiml(tmp_path_factory):
    return _run(tmp_path_factory, "heywood", {
        "language": "en",
        "estimation": {"estimator": "ML", "missing": "fiml"},
        "models": {"keep": ["measurement"]},
        "hypotheses": None, "bootstrap": None, "comparison": None,
        "invariance": {"groups": ["wave"], "min_group_n": 100, "steps": ["configural", "metric"]},
        "output": {"samples": ["a", "pooled"], "path_model": None},  # a CFA only: no path diagram
    }, {"a": 200, "b": 120}, heywood=("a",))


def test_one_wave_wlsmv_runs_and_says_what_it_left_out(one_wave_wlsmv):
    work, proc = one_wave_wlsmv
    # WLSMV is bootstrapped by refitting every replicate with the run's options
    boot = _json(work / "reports" / "bootstrap" / "pooled" / "five_stage.json")
    assert boot["estimator"] == "WLSMV" and "refitted with the fit's own estimator options" in \
        boot["bootstrap"]["resampling"]
    tables = work / "reports" / "tables" / "pooled"
    # a single group: a table that says invariance was not tested, instead of a crash
    inv = (tables / "invariance_wave.md").read_text(encoding="utf-8")
    assert flags.text("inv_untested_row", "en") in inv and "w1" in inv
    # the scaled test and robust indices, as the model JSON has them
    fit = _json(work / "reports" / "models" / "pooled" / "measurement.json")["fit"]
    row = pd.read_csv(tables / "fit_indices.csv").set_index("model").loc["measurement"]
    for name in ("chisq_scaled", "pvalue_scaled", "chisq_scaling_factor", "cfi_robust", "rmsea_robust"):
        assert row[name] == pytest.approx(fit[name]), name
    assert "mean- and variance-adjusted" in (tables / "fit_indices.md").read_text(encoding="utf-8")
    # lavTestLRT's Satorra (2000) difference test for WLSMV
    assert comparison_refusal("WLSMV") is None
    comparison = pd.read_csv(work / "reports" / "tables" / "model_comparison.csv")
    assert "satorra.2000" in set(comparison["method"].dropna())
    assert bootstrap_refusal({"estimator": "WLSMV", "ordered": "all"}) is None
    decided = _json(work / "reports" / "tables" / "hypotheses.json")["samples"]["pooled"]["hypotheses"]
    assert {h["ci_method"] for h in decided} != {"Wald"}


def test_wlsmv_on_a_list_of_items_with_every_group_too_small(two_waves_ordered_list):
    work, proc = two_waves_ordered_list
    assert "left out" not in proc.stderr  # bootstrap.models: [] asks for nothing to leave out
    tables = work / "reports" / "tables" / "pooled"
    assert flags.text("inv_untested_row", "es") in _md(tables / "invariance_sector.md")
    fit = _json(work / "reports" / "models" / "pooled" / "five_stage.json")
    assert fit["estimator"] == "WLSMV"
    row = pd.read_csv(tables / "fit_indices.csv").set_index("model").loc["five_stage"]
    assert row["chisq_scaled"] == pytest.approx(fit["fit"]["chisq_scaled"])
    assert not (tables / "indirect_effects.md").exists()
    decided = _json(work / "reports" / "tables" / "hypotheses.json")["samples"]["pooled"]["hypotheses"]
    assert {h["ci_method"] for h in decided} == {"Wald"}


def test_five_waves_of_different_sizes_with_mlr(five_waves_mlr):
    work, _ = five_waves_mlr
    processed = work / "data" / "processed"
    summaries = [_json(processed / f"w{k}.summary.json") for k in range(1, 6)]
    assert all(s["rows_in"] == s["rows_kept"] + s["rows_quarantined"] for s in summaries)
    assert len(pd.read_parquet(processed / "pooled.parquet")) == sum(s["rows_kept"] for s in summaries)
    assert not (work / "reports" / "models" / "w1").exists()  # samples.per_wave: false
    # Table 1 names all five inputs; Word's core properties keep a summary within 255 characters
    comments = Document(str(work / "reports" / "tables" / "sample_description.docx")).core_properties.comments
    assert len(comments) <= 255 and comments.endswith("reports/provenance.json")
    # the small waves are merged into one group, so invariance across waves is tested
    inv = _json(work / "reports" / "invariance" / "wave.json")
    small = [f"w{k}" for k, s in enumerate(summaries, 1) if s["rows_kept"] < 100]
    assert len(inv["groups"]) == 2 and inv["models"] and not set(small) & set(inv["groups"])
    tables = work / "reports" / "tables" / "pooled"
    fit = _json(work / "reports" / "models" / "pooled" / "five_stage.json")["fit"]
    row = pd.read_csv(tables / "fit_indices.csv").set_index("model").loc["five_stage"]
    assert row["chisq_scaled"] == pytest.approx(fit["chisq_scaled"]) and row["tli_robust"] == pytest.approx(
        fit["tli_robust"])
    assert "Yuan-Bentler" in (tables / "fit_indices.md").read_text(encoding="utf-8")
    assert (work / "reports" / "bootstrap" / "pooled" / "five_stage.json").is_file()
    assert (tables / "indirect_effects.md").is_file() and (tables / "invariance_wave.docx").is_file()


def test_a_heywood_wave_is_flagged_everywhere(heywood_fiml):
    work, _ = heywood_fiml
    improper = _json(work / "reports" / "improper_solutions.json")
    problems = improper["models"]["a/measurement"]
    assert {"kind": "negative_variance", "parameter": "e1_1 ~~ e1_1"} in [
        {k: p[k] for k in ("kind", "parameter")} for p in problems]
    listing = (work / "reports" / "improper_solutions.txt").read_text(encoding="utf-8")
    assert listing.startswith(flags.text("console_header", "en")) and "a/measurement" in listing
    tables = work / "reports" / "tables" / "a"
    fit_md = _md(tables / "fit_indices.md")
    assert flags.MARK in fit_md and "e1_1 ~~ e1_1" in fit_md
    assert f"e1_1{flags.MARK}" in _md(tables / "cfa_loadings.md")
    assert ".. warning::" in (work / "reports" / "report_intro.rst").read_text(encoding="utf-8")
    # invariance across the waves rests on the Heywood group: no step is "supported"
    inv = _json(work / "reports" / "invariance" / "wave.json")
    assert inv["improper"] and inv["supported"] is None
    assert {c["decision"] for c in inv["comparisons"]} == {flags.not_assessable("en")}
    assert set(pd.read_csv(work / "reports" / "tables" / "invariance_wave.csv")["decision"].dropna()) <= {
        flags.not_assessable("en"), ""}
    inv_md = _md(work / "reports" / "tables" / "pooled" / "invariance_wave.md")
    assert flags.not_assessable("en") in inv_md and flags.MARK in inv_md
    assert "invariance wave/configural" in listing
    assert _json(work / "reports" / "models" / "a" / "measurement.json")["missing"] == "fiml"


def test_the_report_opens_with_the_improper_solutions(heywood_fiml):
    work, _ = heywood_fiml
    proc = snakemake(work, "--report", "reports/report.html")
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (work / "reports" / "report.html").read_text(encoding="utf-8", errors="replace")
    assert "a/measurement" in html and "e1_1 ~~ e1_1" in html


def test_a_removed_wave_leaves_reports(heywood_fiml):
    work, _ = heywood_fiml
    assert (work / "reports" / "models" / "b").is_dir()
    (work / "data" / "raw" / "b.csv").unlink()
    proc = snakemake(work)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert not (work / "reports" / "models" / "b").exists()
    assert not (work / "reports" / "validity" / "b.json").exists()
    assert not list((work / "data" / "processed").glob("b.*"))
    kept = _json(work / "data" / "processed" / "a.summary.json")["rows_kept"]
    assert len(pd.read_parquet(work / "data" / "processed" / "pooled.parquet")) == kept
    assert "removed" in proc.stderr and "reports/models/b" in proc.stderr
