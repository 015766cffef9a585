"""The survey design the codebook declares: which context variables are the sampling weights,
the cluster ids and the strata (`design: weights | cluster | strata` on a context variable).

Ingestion reads it to quarantine rows that the weighted, clustered fits could not use (a missing,
non-numeric or non-positive weight; a missing cluster id) and to report the weights' sum and range
in the wave's summary. Weights are never rescaled here: the fits normalise them (sem/data/design.py).
"""
from __future__ import annotations

import pandas as pd


def design_columns(codebook) -> dict[str, str]:
    """role (weights, cluster, strata) -> column, from the codebook's context variables."""
    return {cv["design"]: cv["id"] for cv in (codebook.data.get("context") or []) if cv.get("design")}


def design_summary(kept: pd.DataFrame, codebook) -> dict | None:
    """The design columns of the kept rows: the weights' sum, minimum and maximum as delivered,
    the number of clusters and strata; None when the codebook declares no design."""
    cols = design_columns(codebook)
    if not cols:
        return None
    out: dict = {role: col for role, col in cols.items()}
    if "weights" in cols and cols["weights"] in kept:
        w = pd.to_numeric(kept[cols["weights"]], errors="coerce").dropna()
        out.update(weights_sum=float(w.sum()), weights_min=float(w.min()) if len(w) else None,
                   weights_max=float(w.max()) if len(w) else None)
    for role in ("cluster", "strata"):
        if role in cols and cols[role] in kept:
            out[f"n_{role}"] = int(kept[cols[role]].nunique())
    return out


def weighted_stats(x: pd.Series, weights: pd.Series) -> tuple[float, float, float]:
    """(weighted mean, weighted SD with divisor the sum of the weights, sum of the weights) of the
    rows where both are present, with statsmodels' DescrStatsW (design-based point estimates)."""
    from statsmodels.stats.weightstats import DescrStatsW

    both = pd.DataFrame({"x": pd.to_numeric(x, errors="coerce"), "w": pd.to_numeric(weights, errors="coerce")})
    both = both.dropna().astype(float)
    if both.empty or both["w"].sum() <= 0:
        return float("nan"), float("nan"), 0.0
    d = DescrStatsW(both["x"].to_numpy(), weights=both["w"].to_numpy(), ddof=0)
    return float(d.mean), float(d.std), float(d.sum_weights)


def weighted_percent(x: pd.Series, weights: pd.Series, code) -> float:
    """Weighted percentage of rows whose value is `code` (None: missing) among all rows with a weight."""
    values = pd.to_numeric(x, errors="coerce")
    hit = values.isna() if code is None else values.eq(code)
    return 100.0 * weighted_stats(hit.astype(float), weights)[0]
