"""Shared test fixtures.

lavaan/semTools reference results are vendored in tests/fixtures/reference (a copy of the
project's shared/reference, checked against it when present) so a clone is self-contained.
"""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCE = FIXTURES / "reference"


PROJECT_FILES = ["Snakefile", "profiles", "config", "workflow", "data/raw"]


def copy_project(dest: Path) -> Path:
    """A scratch copy of the workflow and the bundled raw waves, for running Snakemake in."""
    import shutil

    for item in PROJECT_FILES:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, dest / item, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (dest / item).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / item)
    return dest


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


@pytest.fixture(scope="session")
def lavaan_public() -> dict:
    import json

    return json.loads((REFERENCE / "lavaan_public.json").read_text())
