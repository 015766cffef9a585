"""Scale validation of a lavaan measurement model, with semTools/psych definitions.

Modules: items (item diagnostics, Mardia), reliability (alpha, omega, CR, AVE), efa (KMO,
Bartlett, parallel analysis, EFA), discriminant (HTMT, HTMT2, Fornell-Larcker, cross-loadings),
cmv (common-method variance), structure (factor -> items), report (the JSON of `alianza validity`).
"""
from .report import DEFAULT_THRESHOLDS, check_thresholds, validity_report

__all__ = ["DEFAULT_THRESHOLDS", "check_thresholds", "validity_report"]
