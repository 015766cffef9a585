"""Structural equation models with lavaan 0.6.14's numbers (ML, sem()/cfa() defaults).

    from alianza.sem import fit, parse_model
    result = fit(model_text, data)      # -> SemFit (params, fit, r2, modindices, summary())

Modules: syntax (lavaan syntax -> formulas), partable (-> parameter table with lavaan's
defaults), ram/model (table -> theta -> Sigma, mu), estimate (ML), fitmeasures,
standardize, modindices, defined (`:=`), result (SemFit), summary (lavaan-like text).
Survey-data estimators (fit(..., estimator="MLR" | "WLSMV", missing="fiml", ordered=...)):
estimators (options, MLR and FIML fits), fiml (missing-data patterns, EM, casewise
likelihood), robust (sandwich SEs, Yuan-Bentler test, robust indices), polychoric
(thresholds, polychorics, Gamma), dwls (WLSMV), scoring (the minimiser they share).
Survey designs (fit(..., sampling_weights="w", cluster="muni")): design (columns checked,
weights normalised, what outputs report); the casewise path carries each row's weight and
cluster in fiml.Patterns, so the same likelihood, scores and traces become lavaan's weighted,
cluster-robust ones (fiml.score_crossprod).
"""
from .fitting import fit, fit_stats
from .result import SemFit
from .syntax import ParsedModel, parse_model

__all__ = ["fit", "fit_stats", "parse_model", "ParsedModel", "SemFit"]
