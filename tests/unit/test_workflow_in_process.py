"""Adapters run inside the Snakemake process (`run:` jobs, alianza.workflow.run_adapter): the same
script as a `script:` job, its own log, a user error as one line that fails the job (not the process),
and nothing left behind for the next job (log handlers, warning registry, matplotlib settings)."""
from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from snakemake.exceptions import WorkflowError

from alianza.workflow import run_adapter

ADAPTER = '''
import logging
import threading
import warnings
from pathlib import Path

from alianza.errors import InputError
from alianza.workflow import run_step


def step():
    rows = Path(snakemake.input[0]).read_text(encoding="utf-8").splitlines()
    logging.info("read %d rows for %s", len(rows), snakemake.wildcards.sample)
    if getattr(snakemake.params, "other_thread", None):  # as Snakemake's scheduler does meanwhile
        other = threading.Thread(target=logging.getLogger("snakemake").warning, args=(snakemake.params.other_thread,))
        other.start()
        other.join()
    if snakemake.params.fail_row is not None:
        raise InputError("not a number", file=snakemake.input[0], column="x", row=snakemake.params.fail_row)
    warnings.warn("a value was rounded", UserWarning)
    if snakemake.params.svg_fonttype:
        import matplotlib
        matplotlib.rcParams["svg.fonttype"] = snakemake.params.svg_fonttype
    Path(snakemake.output[0]).write_text(str(sum(map(int, rows))), encoding="utf-8")


run_step(snakemake.log[0], step)
'''


def _job(tmp_path, name, values, fail_row=None, svg_fonttype=None):
    data = tmp_path / f"{name}.txt"
    data.write_text("\n".join(map(str, values)), encoding="utf-8")
    return dict(input=[str(data)], output=[str(tmp_path / f"{name}.sum")], log=[str(tmp_path / f"{name}.log")],
                params=SimpleNamespace(fail_row=fail_row, svg_fonttype=svg_fonttype),
                wildcards=SimpleNamespace(sample=name), threads=1, config={})


@pytest.fixture
def adapter(tmp_path):
    path = tmp_path / "adapter.py"
    path.write_text(ADAPTER, encoding="utf-8")
    return path


def test_an_adapter_runs_in_process_with_its_own_log(tmp_path, adapter):
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    run_adapter(adapter, **_job(tmp_path, "wave1", [3, 4, 5]))
    assert (tmp_path / "wave1.sum").read_text() == "12"
    log = (tmp_path / "wave1.log").read_text()
    assert "INFO read 3 rows for wave1" in log
    assert "a value was rounded" in log  # warnings go to the log, as in a job of its own
    assert root.handlers == handlers and root.level == level  # nothing left on the root logger


def test_the_log_gets_only_its_own_thread(tmp_path, adapter):
    """Snakemake's scheduler logs from other threads while a job runs; those lines stay out of the job's log."""
    job = _job(tmp_path, "pooled", [1, 2])
    job["params"].other_thread = "job 7 finished"
    run_adapter(adapter, **job)
    log = (tmp_path / "pooled.log").read_text()
    assert "read 2 rows" in log and "job 7 finished" not in log


def test_a_user_error_fails_the_job_with_one_line_not_the_process(tmp_path, adapter):
    with pytest.raises(WorkflowError) as info:
        run_adapter(adapter, **_job(tmp_path, "wave2", [1, 2], fail_row=7))
    message = str(info.value)
    assert message.startswith("alianza: error: ") and "\n" not in message
    assert "wave2.txt" in message and "column 'x'" in message and "row 7" in message
    assert "row 7" in (tmp_path / "wave2.log").read_text()
    assert not (tmp_path / "wave2.sum").exists()
    run_adapter(adapter, **_job(tmp_path, "after", [2]))  # the next job runs as usual
    assert (tmp_path / "after.sum").read_text() == "2"


def test_every_job_logs_its_warnings_not_only_the_first(tmp_path, adapter):
    run_adapter(adapter, **_job(tmp_path, "first", [1]))
    run_adapter(adapter, **_job(tmp_path, "second", [1]))
    assert "a value was rounded" in (tmp_path / "second.log").read_text()


def test_matplotlib_settings_of_one_job_do_not_reach_the_next(tmp_path, adapter):
    matplotlib = pytest.importorskip("matplotlib")
    default = matplotlib.rcParamsOrig["svg.fonttype"]
    changed = "none" if default != "none" else "path"
    run_adapter(adapter, **_job(tmp_path, "figures", [1], svg_fonttype=changed))
    assert matplotlib.rcParams["svg.fonttype"] == default
