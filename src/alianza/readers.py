"""Read a survey file of any supported format into a DataFrame of raw values.

(Stub: CSV and Parquet only; the ingestion work extends it to sniffed CSV,
XLSX, SPSS .sav, Stata .dta.)
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import InputError


def read_table(path) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", file=path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    raise InputError(f"unknown format {suffix!r}", file=path)
