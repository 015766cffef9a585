"""Structural equation models with lavaan 0.6.14's numbers.

    from alianza.sem import fit
    result = fit(model_text, data, estimator="MLR", group="sector")   # -> SemFit

fit() (estimation/fitting.py) runs lavaan's stages in order, each in the subpackage named for it:
  spec/        what the model says: syntax (lavaan syntax -> formulas), partable (lavaan's parameter
               table and defaults), multigroup (the table of G groups, group.equal/partial), defined (`:=`)
  data/        what a fit reads: samplestats (moments, rows per group), categorical (WLS.obs and NACOV of
               ordered and continuous items, given covariates: polychoric, polyserial, probit), fiml
               (missing-data patterns, EM, casewise likelihood), design (sampling weights and clusters)
  matrices/    ram and model (parameter table -> RAM matrices -> implied moments), derivatives (the
               derivative engine the fit, bootstrap refits and power replicates share)
  estimation/  options (the estimator registry: a name -> lavaan's bundle of options, validated once),
               scoring (the one optimiser), estimate (start values, ML on moments), casewise (FIML and
               robust ML on G groups), dwls (WLSMV/ULSMV on G groups), refit (batched refits), fitting
  inference/   robust (sandwich, Yuan-Bentler, robust indices), fitmeasures, distributions, scoretest,
               modindices, bootstrap and bootci
  solution/    solution (the parameter table every output reads, post-fit checks), standardize,
               stdbatch, result (SemFit), summary (lavaan-like text)
docs/engine_tour.py walks through the stages on real data.
"""
__all__ = ["fit", "fit_stats", "parse_model", "ParsedModel", "SemFit"]

# loaded on first use (PEP 562): importing one stage (the workflow's config checks read
# sem.data.design) does not pay for the whole engine and scipy
_HOMES = {"fit": "alianza.sem.estimation.fitting", "fit_stats": "alianza.sem.estimation.fitting",
          "SemFit": "alianza.sem.solution.result", "parse_model": "alianza.sem.spec.syntax",
          "ParsedModel": "alianza.sem.spec.syntax"}


def __getattr__(name: str):
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'alianza.sem' has no attribute {name!r}")
