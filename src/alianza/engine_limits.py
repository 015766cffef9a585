"""What the estimation engine (alianza.sem) does not do yet, so the pipeline leaves that part out
with a note in both languages instead of stopping. Keep in step with alianza.sem: when the engine
learns a case, its refusal goes from here.
"""
from __future__ import annotations

from collections.abc import Mapping

BOOTSTRAPPED = ("ML", "MLR")  # a survey design's cluster bootstrap: ML/MLR on complete rows
# chi-square difference tests: ML, Satorra-Bentler 2001 for MLR, Satorra 2000 for WLSMV/ULSMV
DIFFERENCE_TESTED = ("ML", "MLR", "WLSMV", "ULSMV")


def _ordered(estimation: Mapping) -> bool:
    return estimation.get("ordered", "none") not in ("none", None, [], ())


def bootstrap_refusal(estimation: Mapping, design: Mapping | None = None) -> dict | None:
    """{es, en} notice when the bootstrap cannot refit with this `estimation:` / `design:` config, else
    None. Every estimator is bootstrapped (alianza.sem.inference.bootstrap refits each replicate with the run's
    options); a survey design's cluster bootstrap is available for ML/MLR on complete rows only."""
    design = design or {}
    if not (design.get("weights") or design.get("cluster")):
        return None
    estimator = str(estimation.get("estimator", "ML")).upper()
    missing = estimation.get("missing", "listwise")
    if estimator in BOOTSTRAPPED and missing == "listwise" and not _ordered(estimation):
        return None
    how = f"{estimator}, missing: {missing}" + (", ordered items" if _ordered(estimation) else "")
    return {"es": f"No se hizo bootstrap: con un diseño muestral el bootstrap remuestrea conglomerados con ML o "
                  f"MLR sobre filas completas, y la estimación es {how}; las hipótesis se deciden con la prueba "
                  "de Wald del modelo ajustado.",
            "en": f"No bootstrap was run: with a survey design the bootstrap resamples clusters for ML or MLR on "
                  f"complete rows, and the estimation is {how}; hypotheses are decided by the fitted model's "
                  "Wald test."}


def comparison_refusal(estimator: str) -> dict | None:
    """{es, en} notice when chi-square difference tests are not available for the estimator, else None."""
    estimator = str(estimator).upper()
    if estimator in DIFFERENCE_TESTED:
        return None
    return {"es": f"Con {estimator} no se calculan aún pruebas de diferencia de χ² (lavTestLRT); los modelos se "
                  "comparan por sus índices de ajuste.",
            "en": f"Chi-square difference tests (lavTestLRT) are not yet available under {estimator}; the models "
                  "are compared by their fit indices."}
