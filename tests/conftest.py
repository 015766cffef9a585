"""Shared test fixtures.

lavaan/semTools reference results are vendored in tests/fixtures/reference (a copy of the
project's shared/reference, checked against it when present) so a clone is self-contained.
"""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCE = FIXTURES / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


@pytest.fixture(scope="session")
def lavaan_public() -> dict:
    import json

    return json.loads((REFERENCE / "lavaan_public.json").read_text())
