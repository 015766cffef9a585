"""Scratch projects of different study shapes for the end-to-end tests: waves simulated from the
population model (alianza.simulate) at chosen sizes, and config overrides on top of config/config.yaml."""
from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from tests.conftest import ROOT, copy_project

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))

# what keeps a run within CI time: few resamples, no power study, two models
SMALL = {
    "validity": {"bootstrap": 0},
    "bootstrap": {"replicates": 20, "models": ["five_stage"]},
    "power": None,
    "models": {"keep": ["measurement", "five_stage"]},
    "comparison": None,
    "invariance": {"min_group_n": 30, "groups": ["wave"], "partial": {"enabled": False}},
}


def merge(base: dict, over: dict) -> dict:
    """`over` on top of `base`; None removes a key; models: {keep: [...]} keeps only those models."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        if v is None:
            out.pop(k, None)
        elif k == "models" and isinstance(v, dict) and "keep" in v:
            out["models"] = {m: out["models"][m] for m in v["keep"]}
            labels = (out.get("output") or {}).get("model_labels") or {}
            out.setdefault("output", {})["model_labels"] = {m: labels[m] for m in v["keep"] if m in labels}
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


# E1's items with e1_1 and e1_2 close and e1_2 nearly unrelated to e1_3, e1_4: the one-factor model
# then needs a loading of e1_1 above 1 (0.80 * 0.55 / 0.25 = 1.76 squared), a negative residual variance
HEYWOOD_CORR = np.array([[1, .80, .55, .55], [.80, 1, .25, .25], [.55, .25, 1, .30], [.55, .25, .30, 1]])


def heywood_items(data: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The wave with E1's four items redrawn from HEYWOOD_CORR and cut into the 1-5 scale."""
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal(np.zeros(4), HEYWOOD_CORR, size=len(data))
    out = data.copy()
    for j, item in enumerate(["e1_1", "e1_2", "e1_3", "e1_4"]):
        out[item] = np.digitize(z[:, j], [-1.5, -0.5, 0.5, 1.5]) + 1
    return out


def simulate_waves(raw: Path, sizes: dict[str, int], seed: int = 7, heywood: tuple = ()) -> None:
    """Replace the bundled waves by clean simulated ones: wave id -> delivered rows; the waves in
    `heywood` get a Heywood case in E1."""
    from alianza.codebook import load_codebook
    from alianza.population import load_population
    from alianza.simulate import render_wave, simulate_dataset, write_wave

    codebook = load_codebook(ROOT / "config" / "codebook.yaml")
    pop = load_population(ROOT / "config" / "population.yaml", codebook)
    for p in raw.iterdir():
        if p.suffix != ".md":
            p.unlink()
    for k, (wave, n) in enumerate(sizes.items()):
        data = simulate_dataset(pop, n, seed + k, id_prefix=f"W{k}-").data
        if wave in heywood:
            data = heywood_items(data, seed + k)
        write_wave(render_wave(data, codebook), raw / f"{wave}.csv", codebook)


def make_project(dest: Path, overrides: dict, waves: dict[str, int] | None, heywood: tuple = ()) -> Path:
    work = copy_project(dest)
    if waves is not None:
        simulate_waves(work / "data" / "raw", waves, heywood=heywood)
    cfg_path = work / "config" / "config.yaml"
    small = {k: v for k, v in SMALL.items() if not (k == "models" and "models" in overrides)}
    cfg = merge(merge(yaml.safe_load(cfg_path.read_text(encoding="utf-8")), small), overrides)
    cfg_path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return work


def snakemake(work: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SNAKEMAKE, "--cores", "2", *args], cwd=work, capture_output=True, text=True,
                          timeout=1200)

