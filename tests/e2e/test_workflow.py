"""The Snakemake workflow end to end on the bundled example waves, in a scratch copy.

One real run (session fixture) feeds the checks: outputs exist and agree with each other,
rows add up, and adding a third wave reschedules only the work that depends on it.
"""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT, copy_project

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
def _snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SNAKEMAKE, "--cores", "2", *args], cwd=workdir, capture_output=True, text=True, timeout=1200
    )


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory):
    work = copy_project(tmp_path_factory.mktemp("pipeline"))
    proc = _snakemake(work)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return work


def _scheduled_jobs(stdout: str) -> list[tuple[str, str]]:
    """(rule, wildcards) of every job a dry run lists."""
    jobs, rule = [], None
    for line in stdout.splitlines():
        m = re.match(r"^(?:local)?rule (\w+):", line.strip())
        if m:
            rule = m.group(1)
            jobs.append((rule, ""))
            continue
        m = re.match(r"^wildcards: (.*)$", line.strip())
        if m and jobs:
            jobs[-1] = (jobs[-1][0], m.group(1))
    return jobs


def test_lint_is_clean():
    proc = subprocess.run([SNAKEMAKE, "--lint"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Lints for" not in proc.stdout + proc.stderr


def test_every_rule_has_a_log():
    for smk in (ROOT / "workflow" / "rules").glob("*.smk"):
        text = smk.read_text()
        for block in re.split(r"\n(?=rule \w+:)", text)[1:]:
            assert "    log:" in block, f"{smk.name}: {block.splitlines()[0]} has no log"


def test_every_rule_has_a_benchmark_under_its_own_name():
    # bench/bench_pipeline.py reads the rule of a job from the folder of its benchmark file
    for smk in (ROOT / "workflow" / "rules").glob("*.smk"):
        for block in re.split(r"\n(?=rule \w+:)", smk.read_text())[1:]:
            rule = re.match(r"rule (\w+):", block).group(1)
            m = re.search(r'^    benchmark:\n        "([^"]+)"', block, flags=re.M)
            assert m, f"{smk.name}: rule {rule} has no benchmark"
            assert m.group(1).startswith(f"benchmarks/{rule}/"), (rule, m.group(1))


def test_in_process_rules_run_on_threads_one_at_a_time_and_locally():
    """A `run:` job runs its adapter inside Snakemake (common.smk's in_process): the default profile must run
    such jobs on threads (without force-use-threads Snakemake spawns a whole Snakemake per job), one at a
    time (the in_process resource), as local rules on a cluster, with no conda env (Snakemake refuses one)."""
    profile = yaml.safe_load((ROOT / "profiles" / "default" / "config.yaml").read_text())
    assert profile["force-use-threads"] is True and profile["resources"] == {"in_process": 1}
    seen = 0
    for smk in (ROOT / "workflow" / "rules").glob("*.smk"):
        for block in re.split(r"\n(?=rule \w+:)", smk.read_text())[1:]:
            rule = re.match(r"rule (\w+):", block).group(1)
            if "\n    run:\n" not in block:
                continue
            seen += 1
            m = re.search(r'^    run:\n        in_process\("(\w+\.py)", input, output, params, wildcards, log\)$',
                          block, flags=re.M)
            assert m and (ROOT / "workflow" / "scripts" / m.group(1)).is_file(), rule
            assert "\n    localrule: True\n" in block and "\n        in_process=1,\n" in block, rule
            assert "\n    conda:" not in block, rule
    assert seen


def test_snakefile_only_includes_rules():
    text = (ROOT / "Snakefile").read_text()
    code = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    assert all(
        l.startswith(("configfile:", "include: \"workflow/rules/", "rule all:", "    ", "        "))
        for l in code
    ), code


def test_pipeline_outputs_and_row_accounting(pipeline_run):
    work = pipeline_run
    summaries = sorted((work / "data" / "processed").glob("*.summary.json"))
    assert len(summaries) == len([p for p in (work / "data" / "raw").iterdir() if p.suffix != ".md"])
    pooled = pd.read_parquet(work / "data" / "processed" / "pooled.parquet")
    kept_total = 0
    for s in map(lambda p: json.loads(p.read_text()), summaries):
        assert s["rows_in"] == s["rows_kept"] + s["rows_quarantined"]
        assert s["rows_quarantined"] > 0  # the example waves carry defects
        wave = s["wave"]
        kept = pd.read_parquet(work / "data" / "processed" / f"{wave}.parquet")
        quarantine = pd.read_csv(work / "data" / "processed" / f"{wave}.quarantine.csv")
        assert len(kept) == s["rows_kept"] and len(quarantine) == s["rows_quarantined"]
        kept_total += len(kept)
    assert len(pooled) == kept_total
    quality = pd.read_csv(work / "reports" / "tables" / "data_quality.csv")
    total = quality[quality["wave"] == "total"].iloc[0]
    assert total["rows_in"] == total["rows_kept"] + total["rows_quarantined"]
    prov = json.loads((work / "reports" / "provenance.json").read_text())
    assert all(len(v["sha256"]) == 64 for v in prov["inputs"].values())
    assert prov["packages"]["semopy"] == "2.3.11"


def test_model_results_carry_lavaan_names(pipeline_run):
    work = pipeline_run
    results = sorted((work / "reports" / "models").glob("*/*.json"))
    assert results
    for path in results:
        res = json.loads(path.read_text())
        assert {"estimator", "n", "converged", "fit", "parameters"} <= set(res)
        assert {"chisq", "df", "cfi", "tli", "rmsea", "rmsea_ci_lower", "srmr", "aic", "bic"} <= set(res["fit"])
        assert {"lhs", "op", "rhs", "est", "se", "std_all"} <= set(res["parameters"][0])
    fit_table = pd.read_csv(work / "reports" / "tables" / "fit_indices.csv")
    assert len(fit_table) == len(results)


def test_validity_reports_for_every_sample(pipeline_run):
    work = pipeline_run
    reports = sorted((work / "reports" / "validity").glob("*.json"))
    samples = {p.parent.name for p in (work / "reports" / "models").glob("*/*.json")}
    assert {p.stem for p in reports} == samples
    table = pd.read_csv(work / "reports" / "tables" / "reliability.csv")
    for path in reports:
        rep = json.loads(path.read_text())
        rows = table[table["sample"] == path.stem].set_index("construct")
        assert list(rows.index) == list(rep["constructs"])
        for construct, c in rep["constructs"].items():
            assert rows.loc[construct, "omega"] == pytest.approx(c["omega"])


def test_nothing_to_do_after_a_complete_run(pipeline_run):
    proc = _snakemake(pipeline_run, "-n")
    assert proc.returncode == 0, proc.stderr
    assert _scheduled_jobs(proc.stdout) == [], proc.stdout


def test_a_new_wave_reruns_only_what_depends_on_it(pipeline_run, tmp_path):
    work = pipeline_run
    raw = work / "data" / "raw"
    first = sorted(p for p in raw.iterdir() if p.suffix == ".csv")[0]
    new = raw / "wave3_added_synthetic.csv"
    shutil.copy2(first, new)
    try:
        proc = _snakemake(work, "-n")
    finally:
        new.unlink()
    assert proc.returncode == 0, proc.stderr
    jobs = _scheduled_jobs(proc.stdout)
    ingests = [w for r, w in jobs if r == "ingest"]
    assert ingests == ["wave=wave3_added_synthetic"], jobs
    # only the new wave's and the pooled sample's models and scales are redone, never the old waves'
    assert ("pool", "") in jobs
    for rule in ("fit_model", "validity"):
        samples = {w for r, w in jobs if r == rule}
        assert samples and all(("sample=wave3_added_synthetic" in w) or ("sample=pooled" in w) for w in samples), rule


def test_a_column_map_reruns_only_its_wave_and_unread_files_are_named(pipeline_run):
    work = pipeline_run
    raw = work / "data" / "raw"
    first = sorted(p for p in raw.iterdir() if p.suffix == ".csv")[0]
    column_map = raw / f"{first.stem}.columns.yaml"
    column_map.write_text("Encuestador: ignore\n", encoding="utf-8")
    stray = raw / "wave4_old.ods"
    stray.write_bytes(b"not read")
    try:
        proc = _snakemake(work, "-n")
    finally:
        column_map.unlink()
        stray.unlink()
    assert proc.returncode == 0, proc.stderr
    ingests = [w for r, w in _scheduled_jobs(proc.stdout) if r == "ingest"]
    assert ingests == [f"wave={first.stem}"]
    assert "data/raw/wave4_old.ods: not read (extension .ods is not in waves.extensions)" in proc.stderr
    pooled = pd.read_parquet(work / "data" / "processed" / "pooled.parquet")
    assert set(pooled.attrs["wave_labels"]) == set(pooled["wave"].unique())


@pytest.mark.parametrize(
    "path, old, new, expected",
    [
        ("config/config.yaml", "language: es", "language: fr",
         "alianza: error: file config/config.yaml, key language: 'fr' is not one of ['es', 'en']"),
        ("config/codebook.yaml", "        reverse: false", '        reverse: "no"',
         "alianza: error: file config/codebook.yaml, key constructs.E1.items[0].reverse: 'no' is not of type 'boolean'"),
    ],
)
def test_bad_config_stops_before_any_work_with_one_line(tmp_path, path, old, new, expected):
    work = copy_project(tmp_path)
    target = work / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    proc = _snakemake(work, "-n")
    assert proc.returncode != 0
    assert expected in proc.stderr.splitlines(), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert not (work / "data" / "processed").exists()


def test_bad_wave_stops_with_one_line_naming_file_and_column(tmp_path):
    work = copy_project(tmp_path)
    (work / "data" / "raw" / "wave9_bad.csv").write_text("folio;sector\nX-1;1\n", encoding="utf-8")
    proc = _snakemake(work, "data/processed/wave9_bad.summary.json")
    assert proc.returncode != 0
    lines = [l for l in (proc.stdout + proc.stderr).splitlines() if l.startswith("alianza: error:")]
    assert len(lines) == 1 and "file data/raw/wave9_bad.csv" in lines[0] and "column" in lines[0], lines
