"""The `power` target of the pipeline, locally and on a real (one-node) SLURM cluster.

The cluster is started here from Debian's slurm-wlm and munge packages: munged with its
own key and socket, slurmctld and slurmd on free loopback ports, all files in a temporary
folder. The workflow then runs with `--workflow-profile workflow/profiles/slurm` (executor
plugin snakemake-executor-plugin-slurm): every chunk of replicates is a SLURM job (the aggregation, a
cheap step, runs inside Snakemake), and the results are byte-for-byte those of the local run. Skipped where it cannot run (no SLURM or
munge binaries, not root, no executor plugin).
"""
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import copy_project

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
OUTPUTS = ["reports/power/power.json", "reports/tables/power.csv", "reports/tables/power.md"]
TINY = {"n": [60, 100], "reps": 4, "chunks": 2, "mc_draws": 200}


def _project(dest: Path) -> Path:
    copy_project(dest)
    config_path = dest / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["power"].update(TINY)
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return dest


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    work = _project(tmp_path_factory.mktemp("power_local"))
    proc = subprocess.run([SNAKEMAKE, "--cores", "2", "power"], cwd=work, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return work


def test_power_target_runs_locally(local_run):
    res = json.loads((local_run / "reports" / "power" / "power.json").read_text())
    assert res["n"] == TINY["n"] and res["reps"] == TINY["reps"] and res["data"] == "likert"
    assert set(res["min_n_80"]) == {"h1", "h2", "h3", "h4", "h5", "H6"}
    assert all(b["reps"] == TINY["reps"] for b in res["results"])
    assert len(list((local_run / "reports" / "power" / "chunks").glob("chunk*.json"))) == TINY["chunks"]
    png = local_run / "reports" / "figures" / "power_curve.png"
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert (local_run / "reports" / "figures" / "power_curve.svg").read_text().lstrip().startswith("<?xml")


# ------------------------------------------------------------------------------- SLURM

def _why_no_slurm() -> str | None:
    missing = [b for b in ("munged", "slurmctld", "slurmd", "sbatch", "srun", "squeue", "sinfo")
               if shutil.which(b) is None]
    if missing:
        return f"no {', '.join(missing)} (apt-get install slurm-wlm munge)"
    if os.geteuid() != 0:
        return "starting slurmd needs root"
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        return "snakemake-executor-plugin-slurm is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SLURM_CONF = """\
ClusterName=alianzatest
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
AuthType=auth/munge
AuthInfo=socket={base}/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation={base}/state
SlurmdSpoolDir={base}/spool
SlurmctldPidFile={base}/slurmctld.pid
SlurmdPidFile={base}/slurmd.pid
SlurmctldLogFile={base}/slurmctld.log
SlurmdLogFile={base}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
# squeue keeps finished jobs for 10 minutes: the plugin's status checks read them there
MinJobAge=600
SlurmdParameters=config_overrides
NodeName={host} NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory):
    reason = _why_no_slurm()
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("slurm")
    os.chmod(base, 0o700)                      # munged refuses group/world-writable folders
    for sub in ("state", "spool", "bin"):
        (base / sub).mkdir()
    key = base / "munge.key"
    key.write_bytes(os.urandom(1024))
    os.chmod(key, 0o400)
    conf = base / "slurm.conf"
    conf.write_text(SLURM_CONF.format(host=socket.gethostname(), base=base, ctld_port=_free_port(),
                                      d_port=_free_port()))
    # snakemake-executor-plugin-slurm-jobstep 0.6.1 strips every SLURM_* variable (SLURM_CONF
    # too) before its inner `srun`; a real cluster has its config at the default path, this
    # one points srun at it with a wrapper first on PATH
    srun = base / "bin" / "srun"
    srun.write_text(f'#!/bin/sh\nSLURM_CONF="{conf}" exec {shutil.which("srun")} "$@"\n')
    srun.chmod(0o755)
    env = dict(os.environ, SLURM_CONF=str(conf), PATH=f"{base / 'bin'}{os.pathsep}{os.environ['PATH']}")
    procs = []

    def start(cmd):
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    try:
        start(["munged", "--foreground", "--force", f"--key-file={key}", f"--socket={base}/munge.socket",
               f"--pid-file={base}/munged.pid", f"--log-file={base}/munged.log",
               f"--seed-file={base}/munged.seed"])
        _wait(lambda: (base / "munge.socket").exists(), "munged", base / "munged.log")
        start(["slurmctld", "-D", "-f", str(conf)])
        start(["slurmd", "-D", "-f", str(conf)])

        def idle():
            out = subprocess.run(["sinfo", "-h", "-o", "%t"], env=env, capture_output=True, text=True)
            return out.returncode == 0 and out.stdout.strip() == "idle"

        _wait(idle, "slurmctld/slurmd", base / "slurmctld.log")
        yield env
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def _wait(ready, what, log: Path, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if ready():
            return
        time.sleep(0.5)
    tail = log.read_text()[-2000:] if log.exists() else "(no log)"
    pytest.skip(f"{what} did not start in this sandbox: {tail}")


def test_power_target_on_slurm_gives_the_local_numbers(slurm_cluster, local_run, tmp_path):
    work = _project(tmp_path / "power_slurm")
    cmd = [SNAKEMAKE, "--workflow-profile", "workflow/profiles/slurm",
           # test-cluster settings: no accounting database (squeue for status), no accounts,
           # and no 40 s wait before the first status check
           "--slurm-status-command", "squeue", "--slurm-no-account",
           "--slurm-init-seconds-before-status-checks", "1", "--slurm-keep-successful-logs", "power"]
    proc = subprocess.run(cmd, cwd=work, env=slurm_cluster, capture_output=True, text=True, timeout=900)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-6000:]
    # every chunk went through sbatch; the aggregation, a cheap step, ran inside Snakemake (a local rule)
    submitted = [line for line in log.splitlines() if "submitted with SLURM jobid" in line]
    assert len(submitted) == TINY["chunks"], log[-4000:]
    assert "localrule power:" in log, log[-4000:]
    assert len(list((work / ".snakemake" / "slurm_logs" / "rule_power_chunk").glob("*/*.log"))) == TINY["chunks"]
    for out in OUTPUTS:
        assert (work / out).read_bytes() == (local_run / out).read_bytes(), out
