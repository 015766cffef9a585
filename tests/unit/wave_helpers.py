"""Small waves for the ingestion tests, built from the bundled codebook and population model.

A test takes a clean wave (a few respondents, codes as answered), changes the
cells it is about, and writes it in the format it tests.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from alianza.codebook import load_codebook
from alianza.population import load_population
from alianza.simulate import render_wave, simulate_responses, write_wave

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK_PATH = ROOT / "config" / "codebook.yaml"
POPULATION_PATH = ROOT / "config" / "population.yaml"

_cache: dict = {}


def codebook():
    if "cb" not in _cache:
        _cache["cb"] = load_codebook(CODEBOOK_PATH)
    return _cache["cb"]


def population():
    if "pop" not in _cache:
        _cache["pop"] = load_population(POPULATION_PATH, codebook())
    return _cache["pop"]


def clean_wave(n: int = 10, seed: int = 7) -> pd.DataFrame:
    """n respondents, codes as answered (reverse-keyed items not recoded), attention check passed."""
    return simulate_responses(population(), n, seed, id_prefix="T")


def write(df: pd.DataFrame, path, *, labels: bool = False, **opts) -> Path:
    """Write a wave to path, as codes or Spanish labels; opts go to write_wave (delimiter, encoding ...)."""
    return write_wave(render_wave(df, codebook(), labels=labels), path, codebook(), **opts)


def construct_direction(df: pd.DataFrame) -> pd.DataFrame:
    """What ingestion must return for the items of a clean wave: reverse-keyed items as 6 - x."""
    cb = codebook()
    out = df[cb.items()].astype("Int64").copy()
    for item in cb.reverse_items:
        out[item] = 6 - out[item]
    return out
