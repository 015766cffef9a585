"""Inputs of the table and figure tests, all made of lavaan / semTools numbers.

lavaan_model(): a fitted-model JSON in the pipeline's shape (lavaan names, dots -> underscores)
whose numbers are lavaan 0.6.14's on the processed example waves (tests/fixtures/waves).
validity_wave(): alianza.validity's report on tests/fixtures/validity_wave.csv, whose
semTools/psych numbers are in tests/fixtures/validity_fixtures.json["wave"].
"""
from __future__ import annotations

import json
from functools import lru_cache

from tests.conftest import FIXTURES, ROOT

MINUS = "\u2212"


def undot(d: dict) -> dict:
    return {k.replace(".", "_"): v for k, v in d.items()}


@lru_cache(maxsize=None)
def lavaan_waves() -> dict:
    return json.loads((FIXTURES / "waves" / "lavaan_waves.json").read_text())


def lavaan_model(key: str) -> dict:
    """'pooled_five_stage' -> {n, estimator, fit, parameters, r2, latent} with lavaan's numbers."""
    res = lavaan_waves()[key]
    params = [undot(p) for p in res["params"]]
    latent = list(dict.fromkeys(p["lhs"] for p in params if p["op"] == "=~"))
    return {"estimator": "ML", "n": res["n"], "fit": undot(res["fit"]), "parameters": params,
            "r2": dict(res["r2"]), "latent": latent}


@lru_cache(maxsize=None)
def codebook():
    from alianza.codebook import load_codebook

    return load_codebook(ROOT / "config" / "codebook.yaml")


@lru_cache(maxsize=None)
def validity_fixture() -> dict:
    return json.loads((FIXTURES / "validity_fixtures.json").read_text())["wave"]


@lru_cache(maxsize=None)
def validity_wave() -> dict:
    import pandas as pd

    from alianza.validity import DEFAULT_THRESHOLDS, validity_report

    data = pd.read_csv(FIXTURES / "validity_wave.csv")
    model = (FIXTURES / "validity_wave.lav").read_text()
    return validity_report(model, data, DEFAULT_THRESHOLDS, seed=1, n_boot=0, n_parallel=10)


def apa(x: float, decimals: int = 2, *, leading_zero: bool = True) -> str:
    """APA 7 rendering written out independently of alianza.tables.apa, for expected cells."""
    s = f"{abs(x):.{decimals}f}"
    if not leading_zero:
        s = s.lstrip("0") if s.startswith("0.") else s
    return (MINUS if x < 0 and float(s.replace(",", "")) != 0 else "") + s


def cell_number(text: str) -> float:
    """'−.46***' -> -0.46."""
    t = text.replace(MINUS, "-").rstrip("*").replace(",", "")
    return float(t)
