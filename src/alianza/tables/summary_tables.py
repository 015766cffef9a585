"""Plain summary tables of the pipeline: data quality per wave, fit indices per model.

They read the ingestion summaries and the fit-measure dicts as they are; the
manuscript (APA) formatting of tables is a separate layer.
"""
from __future__ import annotations

import pandas as pd

from .flags import improper_problems
from .robust import is_scaled, shown_fit

FIT_COLUMNS = [
    "npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
    "srmr", "aic", "bic",
]


def data_quality_table(summaries: list[dict]) -> pd.DataFrame:
    """One row per wave: rows in, kept, quarantined, and the count for every quarantine reason."""
    rows = []
    for s in summaries:
        row = {
            "wave": s["wave"],
            "file": s["file"],
            "rows_in": s["rows_in"],
            "rows_kept": s["rows_kept"],
            "rows_quarantined": s["rows_quarantined"],
        }
        row.update({f"quarantined: {k}": v for k, v in sorted(s.get("reasons", {}).items())})
        rows.append(row)
    table = pd.DataFrame(rows)
    total = {"wave": "total", "file": ""}
    for col in table.columns[2:]:
        total[col] = int(table[col].fillna(0).sum())
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    count_cols = table.columns[2:]
    table[count_cols] = table[count_cols].fillna(0).astype(int)
    return table


def fit_indices_table(results: list[tuple[str, str, dict]]) -> pd.DataFrame:
    """(sample, model, fit JSON) -> one row per model and sample with the usual indices."""
    rows = []
    for sample, model, res in results:
        fit = res.get("fit", {})
        row = {"sample": sample, "model": model, "n": res.get("n"), "estimator": res.get("estimator"),
               "converged": res.get("converged")}
        row.update({k: fit.get(k) for k in FIT_COLUMNS})
        if is_scaled(fit):  # MLR, WLSMV: the scaled test and the robust indices beside the standard ones
            row.update(shown_fit(fit))
        row["improper"] = "; ".join(p.describe("en") for p in improper_problems(res))
        rows.append(row)
    return pd.DataFrame(rows)


def reliability_table(reports: list[tuple[str, dict]]) -> pd.DataFrame:
    """(sample, validity report) -> one row per sample and construct: alpha [CI], omega, CR, AVE, flags."""
    rows = []
    for sample, rep in reports:
        for construct, c in rep["constructs"].items():
            lo, hi = c.get("alpha_ci") or (None, None)
            flags = c.get("flags", {})
            rows.append({
                "sample": sample, "construct": construct, "n": rep.get("n_complete"),
                "items": c.get("n_items"), "alpha": c.get("alpha"), "alpha_ci_lower": lo, "alpha_ci_upper": hi,
                "omega": c.get("omega"), "cr": c.get("cr"), "ave": c.get("ave"),
                "below_thresholds": ", ".join(k.removesuffix("_ok") for k, v in flags.items()
                                               if k.endswith("_ok") and v is False),
            })
    return pd.DataFrame(rows)
