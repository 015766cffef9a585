"""The vendored lavaan reference is the project's shared reference, byte for byte."""
import pytest

from tests.conftest import REFERENCE, ROOT

SHARED = ROOT.parent / "shared" / "reference"


@pytest.mark.skipif(not SHARED.is_dir(), reason="no shared/reference beside this clone")
def test_vendored_reference_matches_shared():
    names = sorted(p.name for p in SHARED.iterdir())
    assert sorted(p.name for p in REFERENCE.iterdir()) == names
    for name in names:
        assert (REFERENCE / name).read_bytes() == (SHARED / name).read_bytes(), name
