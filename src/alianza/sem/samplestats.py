"""Sample statistics ML works from: biased covariance (divisor N), means, N per group."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError


@dataclass
class SampleStats:
    cov: list[np.ndarray]      # per group, divisor N (lavaan's default likelihood = "normal")
    mean: list[np.ndarray]
    nobs: list[int]
    observed: list[str]

    @property
    def ntotal(self) -> int:
        return int(sum(self.nobs))

    @classmethod
    def from_moments(cls, cov, mean, nobs, observed) -> "SampleStats":
        """From covariance matrices already divided by N (e.g. a resampled replicate)."""
        return cls([np.asarray(c, float) for c in cov], [np.asarray(m, float) for m in mean],
                   [int(n) for n in nobs], list(observed))


@dataclass
class ListwiseData:
    data: pd.DataFrame          # the complete rows of the model's observed variables
    n_input: int
    n_dropped: int
    dropped_rows: list          # index labels of the dropped rows


def select_complete(data: pd.DataFrame, observed: list[str], *, source=None) -> ListwiseData:
    """The model's columns, checked numeric, with incomplete rows removed (listwise)."""
    missing = [v for v in observed if v not in data.columns]
    if missing:
        raise InputError(f"model variable(s) not in the data: {', '.join(missing)}",
                         file=source, column=missing[0])
    sub = data.loc[:, observed]
    for col in observed:
        if not pd.api.types.is_numeric_dtype(sub[col]) or pd.api.types.is_bool_dtype(sub[col]):
            converted = pd.to_numeric(sub[col], errors="coerce")
            bad = sub[col].notna() & converted.isna()
            if bad.any():
                row = sub.index[bad.to_numpy()][0]
                raise InputError(f"non-numeric value {sub[col][row]!r} in a model variable",
                                 file=source, column=col, row=row)
            sub = sub.assign(**{col: converted})
    sub = sub.astype(float)
    complete = sub.notna().all(axis=1).to_numpy()
    dropped = list(sub.index[~complete])
    return ListwiseData(sub.loc[complete], len(sub), int((~complete).sum()), dropped)


def sample_stats(data: pd.DataFrame, observed: list[str]) -> SampleStats:
    x = data.loc[:, observed].to_numpy(dtype=float)
    n = x.shape[0]
    mean = x.mean(axis=0)
    dev = x - mean
    cov = dev.T @ dev / n
    return SampleStats([cov], [mean], [n], list(observed))
