"""The HTML report (`snakemake --report`) of a run on the bundled waves, opened in headless Chromium.

To stay short the run makes the data-quality part of the outputs (Table 1, the supplementary
data-quality table, the Likert bars of the pooled sample, the provenance page) and the report of
those; the report machinery (categories, captions, the landing page) is the same for every output.
Skipped where Chromium is not installed (Debian: apt-get install chromium).
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import ROOT

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
TARGETS = ["reports/tables/data_quality.html", "reports/tables/sample_description.html",
           "reports/figures/pooled/likert_E1.png", "reports/provenance.html"]
INCLUDES = ['include: "workflow/rules/outputs.smk"', 'include: "workflow/rules/report.smk"']


def _project(dest: Path) -> Path:
    for item in ["Snakefile", "profiles", "config", "workflow", "data/raw"]:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, dest / item, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / item)
    snakefile = dest / "Snakefile"
    text = snakefile.read_text()
    missing = [line for line in INCLUDES if line not in text]
    if missing:  # until the Snakefile includes the output rules, the copy does
        text = text.replace("\n\nrule all:", "\n" + "\n".join(missing) + "\n\n\nrule all:", 1)
        snakefile.write_text(text)
    return dest


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    work = _project(tmp_path_factory.mktemp("report"))
    run = subprocess.run([SNAKEMAKE, "--cores", "2", *TARGETS], cwd=work, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 0, run.stderr[-4000:]
    rep = subprocess.run([SNAKEMAKE, "--report", "reports/report.html", *TARGETS], cwd=work, capture_output=True,
                         text=True, timeout=300)
    assert rep.returncode == 0, rep.stderr[-4000:]
    return work / "reports" / "report.html"


def test_report_has_categories_captions_and_provenance(report):
    html = report.read_text(encoding="utf-8")
    for category in ("1. Calidad de los datos", "5. Procedencia"):  # config language: es
        assert category in html
    assert "data_quality.html" in html and "likert_E1.png" in html and "provenance.html" in html
    assert "reports/provenance.json" in html  # the landing page tells where the provenance record is


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed")
def test_report_renders_in_headless_chromium(report, tmp_path):
    shot = tmp_path / "report.png"
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--window-size=1280,900", "--virtual-time-budget=10000", f"--screenshot={shot}", report.as_uri()],
        capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    with Image.open(shot) as im:
        assert im.format == "PNG" and im.size == (1280, 900)
        grey = im.convert("L")
        assert sum(1 for h in grey.histogram() if h) > 20  # text and graphics, not a blank page
        lo, hi = grey.getextrema()
        assert hi - lo > 100
