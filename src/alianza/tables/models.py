"""Fit indices of every model on one sample (from the fitted models' JSON, lavaan's fit-measure names)."""
from __future__ import annotations

import pandas as pd

from ..i18n import t
from . import robust
from .apa import ApaTable, Column, fmt_bounded, stat_column

# Hu & Bentler (1999); config output.fit_cutoffs overrides.
DEFAULT_CUTOFFS = {"cfi": 0.95, "tli": 0.95, "rmsea": 0.06, "srmr": 0.08}


def model_label(model: str, labels: dict | None, lang: str) -> str:
    """Display name of a model: config output.model_labels[model][lang], else its id."""
    entry = (labels or {}).get(model)
    if isinstance(entry, dict):
        return entry.get(lang) or entry.get("en") or model
    return entry or model


def cutoff_text(cutoffs: dict, lang: str) -> str:
    parts = [t(f"cut.{k}", lang, v=fmt_bounded(v, 2)) for k, v in cutoffs.items() if f"cut.{k}" in _KNOWN]
    return ", ".join(parts)


_KNOWN = {"cut.cfi", "cut.tli", "cut.rmsea", "cut.srmr"}


def fit_indices(results: list[tuple[str, dict]], lang: str, *, labels: dict | None = None,
                cutoffs: dict | None = None, decimals: int = 2, p_decimals: int = 3) -> ApaTable:
    """results: (model id, fitted-model JSON) in display order, all on the same sample."""
    # under MLR/WLSMV the scaled chi-square and the robust indices, under lavaan's names (tables.robust)
    k = next((robust.shown_names(res.get("fit")) for _, res in results if robust.is_scaled(res.get("fit"))),
             robust.shown_names(None))
    rows = []
    for model, res in results:
        fit = res.get("fit", {})
        rows.append({"model": model, "label": model_label(model, labels, lang), "n": res.get("n"),
                     **{c: fit.get(c) for c in ("npar", *k.values(), "srmr", "aic", "bic")}})
    body = pd.DataFrame(rows)
    columns = [
        Column("label", t("col.model", lang), kind="text", width=1.8),
        Column(k["chisq"], "χ²"),
        Column(k["df"], "<i>gl</i>" if lang == "es" else "<i>df</i>", kind="int", thousands=False),
        Column(k["pvalue"], "<i>p</i>", kind="p"),
        *([Column(k["chisq_scaling_factor"], "<i>c</i>", decimals=3)] if "chisq_scaling_factor" in k else []),
        stat_column(k["cfi"], "CFI", "cfi"),
        stat_column(k["tli"], "TLI", "tli"),
        # no-break spaces keep "[90% CI]" on one line when the heading wraps
        Column((k["rmsea"], k["rmsea_ci_lower"], k["rmsea_ci_upper"]),
               f"RMSEA [{t('col.ci', lang, level=90).replace(' ', chr(0xA0))}]", kind="ci",
               decimals=3, leading_zero=False, csv_header=[k["rmsea"], k["rmsea_ci_lower"], k["rmsea_ci_upper"]]),
        stat_column("srmr", "SRMR", "srmr"),
        Column("aic", "AIC"),
        Column("bic", "BIC"),
    ]
    ns = sorted({int(n) for n in body["n"].dropna()})
    estimators = sorted({res.get("estimator", "ML") for _, res in results})
    note = t("note.fit_indices", lang, n=", ".join(map(str, ns)), estimator=", ".join(estimators),
             cutoffs=cutoff_text(cutoffs or DEFAULT_CUTOFFS, lang))
    note = f"{note} {robust.correction_note(estimators, lang, scaled_indices=k['cfi'].endswith('_scaled'))}".strip()
    raw = body.drop(columns=["label"])
    return ApaTable(name="fit_indices", title=t("title.fit_indices", lang), columns=columns, body=body, lang=lang,
                    notes=[note], decimals=decimals, p_decimals=p_decimals, raw=raw, landscape=True)
