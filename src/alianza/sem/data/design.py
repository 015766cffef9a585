"""A complex survey design in the data: sampling weights (expansion factors) and cluster ids.

    rows = design_rows(data, "factor_exp", "municipio", source="wave1.csv")
    rows.weights, rows.cluster          # one value per row of `data` (None when not declared)

Checked as lavaan 0.6.14 checks them, with one line naming the file, column and row: the
columns exist, weights are numeric, present and positive (lavaan refuses missing and negative
weights; a zero weight is refused too, since the row would silently not count), cluster ids are
present. Weights are normalised (lavaan's sampling.weights.normalization = "total": they sum to
the number of rows used) by `normalise`, after the rows that enter the likelihood are known;
the original weights are never changed in the data.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alianza.errors import InputError

# below this many clusters the sandwich underestimates SEs (McNeish & Stapleton 2016): warn
FEW_CLUSTERS = 30


@dataclass
class DesignRows:
    weights: np.ndarray | None      # float per row, as given (not normalised)
    cluster: np.ndarray | None      # str per row


def design_rows(data: pd.DataFrame, weights: str | None, cluster: str | None, *, source=None) -> DesignRows:
    w = cl = None
    if weights is not None:
        if weights not in data.columns:
            raise InputError("sampling weights column not in the data", file=source, column=weights)
        raw = data[weights]
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() | ~(values > 0)
        if bad.any():
            row = data.index[bad.to_numpy()][0]
            what = ("missing" if pd.isna(raw[row]) else
                    "not a number" if pd.isna(values[row]) else "not positive")
            raise InputError(f"sampling weight {raw[row]!r} is {what} (weights must be positive numbers)",
                             file=source, column=weights, row=row)
        w = values.to_numpy(dtype=float)
    if cluster is not None:
        if cluster not in data.columns:
            raise InputError("cluster column not in the data", file=source, column=cluster)
        ids = data[cluster]
        if ids.isna().any():
            row = data.index[ids.isna().to_numpy()][0]
            raise InputError("missing cluster id", file=source, column=cluster, row=row)
        cl = ids.astype(str).to_numpy()
    return DesignRows(w, cl)


def normalise(weights: list[np.ndarray]) -> list[np.ndarray]:
    """lavaan's "total" normalisation over groups: sum of all weights = number of rows."""
    n = sum(len(w) for w in weights)
    total = float(sum(w.sum() for w in weights))
    return [w * (n / total) for w in weights]


def n_clusters(cluster: np.ndarray | None) -> int | None:
    return None if cluster is None else int(len(np.unique(cluster)))


def describe(opts, design: DesignRows, used_rows: list[np.ndarray]) -> dict:
    """What outputs report about the design of the rows that entered the fit (`used_rows`:
    indices into the design's rows, per group)."""
    rows = np.concatenate(used_rows) if used_rows else np.zeros(0, int)
    out = {"sampling_weights": opts.sampling_weights, "cluster": opts.cluster, "se": opts.se,
           "n_clusters": None, "weights_sum": None, "weights_min": None, "weights_max": None,
           "normalisation": None}
    if design.cluster is not None:
        out["n_clusters"] = n_clusters(design.cluster[rows])
    if design.weights is not None:
        w = design.weights[rows]
        out.update(weights_sum=float(w.sum()), weights_min=float(w.min()), weights_max=float(w.max()),
                   normalisation="total (weights rescaled to sum to N for estimation, as lavaan)")
    return out


def design_notes(design: dict | None, lang: str, *, bootstrap: bool = False) -> str:
    """The sentences a table note adds for a design (empty without one): weighted estimates,
    cluster-robust SEs with the number of clusters, strata described only, bootstrap by cluster."""
    from alianza.i18n import t

    if not design:
        return ""
    out = []
    if design.get("sampling_weights"):
        out.append(t("note.design_weighted", lang, weights=design["sampling_weights"]))
    if design.get("cluster"):
        out.append(t("note.design_cluster", lang, n_clusters=design.get("n_clusters"), cluster=design["cluster"]))
    if design.get("strata"):
        out.append(t("note.design_strata", lang, strata=design["strata"]))
    if bootstrap and design.get("cluster"):
        out.append(t("note.design_bootstrap", lang))
    elif bootstrap and design.get("sampling_weights"):
        out.append(t("note.design_bootstrap_weights", lang))
    return " ".join(out)


def check_design_config(design: dict | None, context: dict[str, str]) -> None:
    """The config's `design:` block against the codebook's context variables (id -> type):
    every design column is one (so ingestion keeps it), and weights are numeric."""
    from alianza.errors import ConfigError

    for role, column in (design or {}).items():
        if column not in context:
            raise ConfigError(f"{column!r} is not a context variable of the codebook (declare it under "
                              "context: so ingestion keeps and checks it)", key=f"design.{role}")
        if role == "weights" and context[column] not in ("number", "integer"):
            raise ConfigError(f"sampling weights {column!r} must be a number or integer context variable, "
                              f"not {context[column]}", key="design.weights")
