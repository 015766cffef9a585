"""Sample statistics ML works from: biased covariance (divisor N), means, N per group."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alianza.errors import ConfigError, InputError


@dataclass
class SampleStats:
    cov: list[np.ndarray]      # per group, divisor N (lavaan's default likelihood = "normal")
    mean: list[np.ndarray]
    nobs: list[int]            # rows per group; sums of the (normalised) sampling weights if weighted
    observed: list[str]

    @property
    def ntotal(self) -> int:
        # weights are normalised to sum to the rows used, so the total is a count up to rounding
        return int(round(sum(self.nobs)))

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
    x = numeric_matrix(data, observed, source)
    complete = ~np.isnan(x).any(axis=1)
    if not complete.all():
        x = x[complete]                     # the only copy: none when every row is complete
    dropped = list(data.index[~complete])
    sub = pd.DataFrame(x, index=data.index[complete], columns=list(observed), copy=False)
    return ListwiseData(sub, len(data), int((~complete).sum()), dropped)


def sample_stats(data: pd.DataFrame, observed: list[str]) -> SampleStats:
    x = data.loc[:, observed].to_numpy(dtype=float)
    n = x.shape[0]
    mean = x.mean(axis=0)
    return SampleStats([centered_crossproduct(x, mean) / n], [mean], [n], list(observed))


def centered_crossproduct(x: np.ndarray, mean: np.ndarray, rows: int = 16384) -> np.ndarray:
    """(x - mean)'(x - mean), centred in blocks of rows so that no copy of the whole data is made
    (100,000 rows of 24 items: a 3 MB block instead of an 18 MB one)."""
    p = x.shape[1]
    out = np.zeros((p, p))
    for i in range(0, x.shape[0], rows):
        dev = x[i:i + rows] - mean
        out += dev.T @ dev
    return out


def weighted_stats(x: np.ndarray, weights: np.ndarray, observed: list[str]) -> SampleStats:
    """Weighted mean and covariance (divisor the sum of the weights: lavaan's cov.wt(method = "ML")),
    N = the sum of the (normalised) weights."""
    w = np.asarray(weights, float)
    total = w.sum()
    mean = w @ x / total
    dev = x - mean
    cov = (dev * w[:, None]).T @ dev / total
    return SampleStats([cov], [mean], [total], list(observed))


def model_frame(data: pd.DataFrame, observed: list[str], group: str | None, group_label, source,
                warnings: list):
    """The model's columns as a float matrix (NaN missing), checked numeric, with each row's group.

    -> (x, group values or None, group labels in lavaan's order, rows handed in, rows without a
    group). Groups come in order of first appearance, or `group_label`'s order.
    """
    missing = [v for v in observed if v not in data.columns]
    if missing:
        raise InputError(f"model variable(s) not in the data: {', '.join(missing)}", file=source,
                         column=missing[0])
    n_input = len(data)
    if group is None:
        return numeric_matrix(data, observed, source), None, [""], n_input, 0
    keep, gvals, labels = group_rows(data, observed, group, group_label, source, warnings)
    n_nogroup = int((~keep).sum())
    sub = data.loc[keep]
    inside = np.isin(gvals, labels)
    if not inside.all():
        warnings.append(f"{int((~inside).sum())} rows of groups not in group_label were left out")
    return numeric_matrix(sub, observed, source), gvals, labels, n_input, n_nogroup + int((~inside).sum())


def group_rows(data: pd.DataFrame, observed: list[str], group: str, group_label, source, warnings: list):
    """The grouping column checked: -> (rows with a group value, their groups as text, the group labels
    in lavaan's order: first appearance, or `group_label`'s). Rows without a group are said in a warning."""
    if group not in data.columns:
        raise InputError("grouping variable not in the data", file=source, column=group)
    if group in observed:
        raise ConfigError(f"grouping variable {group!r} is also a model variable", key="group")
    values = data[group]
    keep = values.notna().to_numpy()
    n_nogroup = int((~keep).sum())
    if n_nogroup:
        warnings.append(f"{n_nogroup} rows without a value of {group!r} belong to no group and were dropped")
    gvals = values[keep].astype(str).to_numpy()
    labels = list(dict.fromkeys(gvals)) if group_label is None else [str(x) for x in group_label]
    absent = [lab for lab in labels if lab not in set(gvals)]
    if absent:
        raise ConfigError(f"group {absent[0]!r} does not occur in {group!r}", key="group_label")
    if len(labels) < 2:
        raise InputError(f"{group!r} has {len(labels)} group(s); a multi-group model needs 2 or more",
                         file=source, column=group)
    return keep, gvals, labels


def numeric_matrix(data: pd.DataFrame, observed: list[str], source=None) -> np.ndarray:
    """The columns as floats (NaN missing); a non-numeric value stops naming file, column and row."""
    out = np.empty((len(data), len(observed)))
    for j, col in enumerate(observed):
        s = data[col]
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            converted = pd.to_numeric(s, errors="coerce")
            bad = s.notna() & converted.isna()
            if bad.any():
                row = s.index[bad.to_numpy()][0]
                raise InputError(f"non-numeric value {s[row]!r} in a model variable", file=source, column=col,
                                 row=row)
            s = converted
        out[:, j] = s.to_numpy(dtype=float, na_value=np.nan)
    return out
