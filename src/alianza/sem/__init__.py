"""Structural equation models with lavaan 0.6.14's numbers.

    from alianza.sem import fit
    result = fit(model_text, data, estimator="MLR", group="sector")   # -> SemFit

fit() (estimation/fitting.py) runs lavaan's stages in order, each in the subpackage named for it:
  spec/        what the model says: syntax (lavaan syntax -> formulas), partable (lavaan's parameter
               table and defaults), multigroup (the table of G groups, group.equal/partial), defined (`:=`)
  data/        what a fit reads: samplestats (moments, rows per group), polychoric (thresholds,
               polychorics, Gamma), fiml (missing-data patterns, EM, casewise likelihood), design
               (sampling weights and clusters)
  matrices/    ram and model (parameter table -> RAM matrices -> implied moments), derivatives (the
               closed-form gradient and Hessian the fit, bootstrap refits and power replicates share)
  estimation/  options (the estimator registry: a name -> lavaan's bundle of options, validated once),
               estimate (the ML optimiser), scoring (the minimiser of FIML and DWLS), casewise (FIML and
               robust ML on G groups), dwls (WLSMV/ULSMV on G groups), refit (batched refits), fitting
  inference/   robust (sandwich, Yuan-Bentler, robust indices), fitmeasures, distributions, scoretest,
               modindices, bootstrap and bootci
  solution/    solution (the parameter table every output reads, post-fit checks), standardize,
               stdbatch, result (SemFit), summary (lavaan-like text)
docs/engine_tour.py walks through the stages on real data.
"""
from alianza.sem.estimation.fitting import fit, fit_stats
from alianza.sem.solution.result import SemFit
from alianza.sem.spec.syntax import ParsedModel, parse_model

__all__ = ["fit", "fit_stats", "parse_model", "ParsedModel", "SemFit"]
