"""Which fit measures a table shows: under MLR and WLSMV the scaled chi-square (with its df, p and
scaling factor) and the robust CFI/TLI/RMSEA with its interval, under lavaan's names, and the note
that names the correction. A fit without scaled measures (ML) shows the standard ones.
"""
from __future__ import annotations

from collections.abc import Mapping

# role in a table -> lavaan's measure, for a scaled test; the first present is shown
SCALED = {
    "chisq": ("chisq_scaled",),
    "df": ("df_scaled", "df"),
    "pvalue": ("pvalue_scaled",),
    "chisq_scaling_factor": ("chisq_scaling_factor",),
    "cfi": ("cfi_robust", "cfi_scaled"),
    "tli": ("tli_robust", "tli_scaled"),
    "rmsea": ("rmsea_robust", "rmsea_scaled"),
    "rmsea_ci_lower": ("rmsea_ci_lower_robust", "rmsea_ci_lower_scaled"),
    "rmsea_ci_upper": ("rmsea_ci_upper_robust", "rmsea_ci_upper_scaled"),
}

NOTES = {
    "MLR": {"es": "Con MLR, χ² es el estadístico escalado de Yuan-Bentler (<i>c</i> = factor de escala) y CFI, TLI "
                  "y RMSEA [IC 90%] son sus versiones robustas.",
            "en": "Under MLR, χ² is the Yuan-Bentler scaled statistic (<i>c</i> = scaling factor) and CFI, TLI "
                  "and RMSEA [90% CI] are their robust versions."},
    "WLSMV": {"es": "Con WLSMV (DWLS sobre correlaciones policóricas), χ² está ajustado en media y varianza "
                    "(<i>c</i> = factor de escala) y CFI, TLI y RMSEA [IC 90%] son sus versiones robustas.",
              "en": "Under WLSMV (DWLS on polychoric correlations), χ² is mean- and variance-adjusted "
                    "(<i>c</i> = scaling factor) and CFI, TLI and RMSEA [90% CI] are their robust versions."},
}


# WLSMV where the scaled indices are shown: an invariance sequence (alianza.invariance.INDEX_BASIS), or a
# fit that has no robust ones
NOTES_SCALED_INDICES = {
    "WLSMV": {"es": "Con WLSMV (DWLS sobre correlaciones policóricas), χ² está ajustado en media y varianza y "
                    "CFI, TLI y RMSEA se calculan con él (versiones escaladas: lavaan 0.6.14 da versiones robustas "
                    "solo para ítems ordinales sin ítems continuos, covariables, medias latentes ni factores de "
                    "escala libres).",
              "en": "Under WLSMV (DWLS on polychoric correlations), χ² is mean- and variance-adjusted and CFI, "
                    "TLI and RMSEA are computed from it (scaled versions: lavaan 0.6.14 gives robust versions only "
                    "for ordered items without continuous items, covariates, free latent means or scaling "
                    "factors)."},
}


# the difference test of nested models, by lavTestLRT's method (alianza.comparison, alianza.invariance)
DIFFERENCE_NOTES = {
    "satorra.bentler.2001": {"es": "Δχ² es la diferencia escalada de Satorra-Bentler (2001).",
                             "en": "Δχ² is the Satorra-Bentler (2001) scaled difference."},
    "satorra.2000": {"es": "Δχ² es la prueba de diferencia de Satorra (2000), ajustada en media y varianza.",
                     "en": "Δχ² is Satorra's (2000) mean- and variance-adjusted difference test."},
}


def difference_method(record: Mapping) -> str | None:
    """lavTestLRT's method of one comparison record: its `method`, else Satorra-Bentler (2001) when
    the record says the test was scaled."""
    method = record.get("method")
    if method in DIFFERENCE_NOTES:
        return method
    return "satorra.bentler.2001" if record.get("scaled") and method in (None, "") else None


def difference_note(records, lang: str) -> str:
    """The note naming the scaled difference test(s) the comparisons used ('' for the standard one)."""
    seen = dict.fromkeys(m for m in (difference_method(r) for r in records) if m)
    return " ".join(DIFFERENCE_NOTES[m].get(lang, DIFFERENCE_NOTES[m]["en"]) for m in seen)


def is_scaled(fit: Mapping | None) -> bool:
    return bool(fit) and fit.get("chisq_scaled") is not None


def shown_names(fit: Mapping | None) -> dict[str, str]:
    """role (chisq, df, pvalue, cfi, tli, rmsea, rmsea_ci_lower, rmsea_ci_upper, and
    chisq_scaling_factor when scaled) -> the lavaan measure a table shows for this fit."""
    names = {k: k for k in SCALED if k != "chisq_scaling_factor"}
    if is_scaled(fit):
        for role, candidates in SCALED.items():
            names[role] = next((c for c in candidates if fit.get(c) is not None), candidates[0])
    return names


def shown_fit(fit: Mapping | None, roles=None) -> dict:
    """{lavaan name: value} of the measures a table shows for this fit (see shown_names)."""
    fit = fit or {}
    names = shown_names(fit)
    return {names[r]: fit.get(names[r]) for r in (roles or names) if r in names}


# how NOTES define c; left out where a table has no scaling-factor column
SCALING_FACTOR = {"es": " (<i>c</i> = factor de escala)", "en": " (<i>c</i> = scaling factor)"}


def correction_note(estimators, lang: str, *, scaled_indices: bool = False, scaling_factor: bool = True) -> str:
    """The note naming each scaled test among the estimators ('' for ML only); `scaled_indices`:
    the table shows the scaled CFI/TLI/RMSEA rather than the robust ones; `scaling_factor`: the
    table has a column c for the scaling factor (else the note does not define it)."""
    seen = dict.fromkeys(str(e).upper() for e in estimators if e)
    notes = {**NOTES, **NOTES_SCALED_INDICES} if scaled_indices else NOTES
    text = " ".join(notes[e].get(lang, notes[e]["en"]) for e in seen if e in notes)
    return text if scaling_factor else text.replace(SCALING_FACTOR.get(lang, SCALING_FACTOR["en"]), "")


def with_robust_measures(table, results: Mapping):
    """A comparison table (alianza.comparison, one row per model) with each scaled fit's robust
    measures beside the standard ones: `results` maps model -> fitted model (SemFit)."""
    out = table.copy()
    for model, res in results.items():
        if is_scaled(res.fit):
            for name, value in shown_fit(res.fit).items():
                if name not in table:
                    out.loc[out["model"] == model, name] = value
    return out
