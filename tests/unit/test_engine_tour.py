"""docs/engine_tour.py runs: the newcomers' tour calls the stages as fit() does and checks that
its hand-assembled robust SEs are fit()'s."""
import runpy
from pathlib import Path


def test_engine_tour_runs(capsys):
    runpy.run_path(str(Path(__file__).resolve().parents[2] / "docs" / "engine_tour.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "7. converged: True" in out and "9. scaled chi-square" in out
