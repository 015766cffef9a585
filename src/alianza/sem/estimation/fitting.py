"""fit(model, data): lavaan's sem() with ML, the entry point of alianza.sem."""
from __future__ import annotations

import numpy as np
import pandas as pd

from alianza.errors import ConfigError, InputError
from alianza.sem.inference import fitmeasures as fm
from alianza.sem.estimation.estimate import estimate_moments, start_values
from alianza.sem.estimation.casewise import fit_casewise
from alianza.sem.data.fiml import pattern_summary
from alianza.sem.spec.multigroup import fit_groups
from alianza.sem.estimation.options import resolve
from alianza.sem.matrices.model import MomentsObjective, SemModel
from alianza.sem.inference.modindices import modification_indices
from alianza.sem.spec.partable import build_partable, var_names
from alianza.sem.solution.result import SemFit
from alianza.sem.data.samplestats import SampleStats, sample_stats, select_complete
from alianza.sem.solution.solution import improper, information_vcov, parameter_table
from alianza.sem.solution.standardize import rsquare
from alianza.sem.spec.syntax import ParsedModel, parse_model


def fit(model: str | ParsedModel, data: pd.DataFrame, *, estimator: str | None = None,
        se: str | None = None, meanstructure: bool | None = None, source=None,
        group: str | None = None, group_equal=(), group_partial=(), group_label=None,
        missing: str | None = None, ordered=None, std_lv: bool = False, parameterization=None,
        fixed_x: bool = True, sampling_weights: str | None = None, cluster: str | None = None,
        test: str | None = None, start: SemFit | None = None) -> SemFit:
    """Fit a lavaan-syntax model with lavaan 0.6.14's sem() defaults and options.

    The stages, in lavaan's order: syntax -> variable roles -> options (sem/options.resolve:
    the estimator name expands into objective, se, test, information, missing) -> parameter
    table -> data and sample statistics -> estimation -> vcov -> test -> fit measures ->
    standardized solution. Then one of three estimation paths, chosen by the options:
      objective "dwls"                      -> sem/estimation/dwls.py (WLSMV, ordered items)
      ML with expected information, listwise -> the moments path below (any number of groups)
      FIML or a robust se/test               -> sem/estimation/casewise.py (any number of groups)
    `source` names the data file in error messages. Rows with a missing value are deleted
    listwise unless missing = "fiml" (reported in `warnings`, `n_dropped`).
    `sampling_weights` and `cluster` name the columns of a complex survey design (lavaan's
    sampling.weights and cluster): weighted estimates, cluster-robust SEs and scaled test; a
    design always takes the casewise path (options make its SEs robust).
    se = "none", test = "none" and `start` (a fit of the same model whose estimates start the optimizer,
    lavaan's start = fit) are how lavaan's bootstrap refits a replicate (the rows path of
    sem/inference/bootstrap.py: FIML, WLSMV, groups); "none" takes the casewise or DWLS path.
    """
    parsed = model if isinstance(model, ParsedModel) else parse_model(model)
    roles = var_names([dict(lhs=f.lhs, op=f.op, rhs=f.rhs) for f in parsed.formulas], fixed_x=fixed_x)
    opts = resolve(estimator, missing, ordered, observed=roles.ov, ov_x=roles.ov_x, group=group,
                   group_equal=group_equal, group_partial=group_partial, group_label=group_label,
                   std_lv=std_lv, parameterization=parameterization, se=se, fixed_x=fixed_x,
                   sampling_weights=sampling_weights, cluster=cluster, test=test)
    summary = pattern_summary(data, roles.ov) if all(v in data.columns for v in roles.ov) else None
    if opts.objective in ("dwls", "uls"):
        from alianza.sem.estimation.dwls import fit_wlsmv

        result = fit_wlsmv(parsed, data, list(opts.ordered), source=source, group=opts.group,
                           group_equal=opts.group_equal, group_partial=opts.group_partial,
                           group_label=opts.group_label, objective=opts.objective,
                           parameterization=opts.parameterization, std_lv=opts.std_lv,
                           estimator=opts.estimator, se=opts.se, test=opts.test, start_from=start)
    elif not opts.plain:
        result = fit_casewise(parsed, data, opts, meanstructure=meanstructure, source=source, start_from=start)
    elif opts.group is not None:
        result = fit_groups(parsed, data, opts.group, group_equal=opts.group_equal,
                            group_partial=opts.group_partial, group_label=opts.group_label, source=source,
                            std_lv=opts.std_lv)
    else:
        result = fit_listwise(parsed, data, meanstructure=meanstructure, source=source, std_lv=opts.std_lv)
    result.missing = opts.missing
    result.ordered = list(opts.ordered)
    result.missing_patterns = summary
    result.options = {**opts.to_dict(), **{k: v for k, v in result.options.items() if k not in ("estimator",)}}
    return result


def fit_listwise(parsed: ParsedModel, data: pd.DataFrame, *, meanstructure=None, source=None,
                 std_lv: bool = False) -> SemFit:
    """ML on the complete rows of one group (lavaan's defaults): the moments are all it needs."""
    table, names = build_partable(parsed, meanstructure=meanstructure, std_lv=std_lv)
    ms = bool((table["op"] == "~1").any())
    complete = select_complete(data, names.ov, source=source)
    warnings: list[str] = []
    if complete.n_dropped:
        warnings.append(f"{complete.n_dropped} of {complete.n_input} rows dropped (listwise deletion: "
                        f"missing values in model variables); N = {complete.n_input - complete.n_dropped}")
    if len(complete.data) < 2:
        raise ConfigError(f"only {len(complete.data)} complete rows for the model variables", key="data")
    stats = sample_stats(complete.data, names.ov)
    _check_positive_definite(stats, source)
    return fit_stats(table, names, stats, meanstructure=ms, warnings=warnings,
                     n_input=complete.n_input, n_dropped=complete.n_dropped, std_lv=std_lv)


def _check_positive_definite(stats: SampleStats, source) -> None:
    """ML needs a positive-definite sample covariance matrix (lavaan stops here too)."""
    cov = stats.cov[0]
    constant = [v for v, var in zip(stats.observed, np.diag(cov)) if var <= 1e-12 * max(1.0, np.abs(cov).max())]
    if constant:
        raise InputError("model variable has no variance in the complete rows", file=source, column=constant[0])
    eig = np.linalg.eigvalsh(cov)
    if eig.min() <= 1e-12 * eig.max():
        raise InputError("the sample covariance matrix of the model variables is not positive definite "
                         "(some variable is a linear combination of others)", file=source)


def fit_stats(table, names, stats: SampleStats, *, meanstructure: bool, warnings=None,
              n_input=None, n_dropped=0, std_lv: bool = False) -> SemFit:
    """Fit from sample moments (the part bootstrap replicates reuse)."""
    warnings = list(warnings or [])
    model, est = estimate_moments(table, names, stats, meanstructure=meanstructure, start=start_values,
                                  std_lv=std_lv)
    warnings += est.messages
    n = stats.ntotal
    values = model.row_values(est.theta)
    imp = model.implied(est.theta)[0]

    # standard errors: inverse of N times the expected information (lavaan's default for ML)
    vcov = information_vcov(est.information, n, model.npar, warnings)
    params = parameter_table(table, model, values, est.theta, vcov, imp, names)
    warnings += improper(table, values, imp, names)

    fit_dict = _fit_measures(model, stats, imp, est.fmin, meanstructure)
    r2 = rsquare(params["lhs"], params["op"], params["rhs"], params["std_all"].to_numpy())
    if vcov is not None and est.converged:
        mi = modification_indices(model, est.theta, stats, vcov * n)
    else:
        mi = pd.DataFrame(columns=["lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all"])
    ov, lv = names.ov, names.lv
    p = len(ov)
    result = SemFit(
        params=params, fit=fit_dict, r2=r2, modindices=mi, n=n, converged=est.converged,
        warnings=warnings, estimator="ML", observed=list(ov), latent=list(lv),
        sample_cov=pd.DataFrame(stats.cov[0], index=ov, columns=ov),
        implied_cov=pd.DataFrame(imp.sigma, index=ov, columns=ov),
        latent_cov=pd.DataFrame(imp.V[p:, p:], index=lv, columns=lv),
        n_input=n if n_input is None else n_input, n_dropped=n_dropped,
        sample_mean=pd.Series(stats.mean[0], index=ov),
        implied_mean=pd.Series(imp.mu if meanstructure else stats.mean[0], index=ov),
        partable=table.assign(est=values), vcov=vcov,
        fmin=est.fmin, iterations=est.iterations, sample_stats=stats, objective=MomentsObjective(stats), names=names, theta=est.theta,
    )
    return result


def _fit_measures(model: SemModel, stats: SampleStats, imp, fmin: float, meanstructure: bool) -> dict:
    names = model.names
    n = stats.ntotal
    cov, mean = stats.cov[0], stats.mean[0]
    p = cov.shape[0]
    x_idx = [names.ov.index(v) for v in names.ov_x]
    px = len(x_idx)
    ndat = p * (p + 1) // 2 - px * (px + 1) // 2
    if meanstructure:
        ndat += p - px
    npar = model.npar
    df = ndat - npar
    chisq = 2 * n * fmin
    # baseline (independence) model: variances (and means) of the non-exogenous variables
    base_chisq = fm.baseline_chisq(cov, n, x_idx)
    base_df = ndat - (p - px) * (2 if meanstructure else 1)
    mu = imp.mu if meanstructure else mean
    logl = fm.loglik(cov, mean, imp.sigma, mu, n, x_idx)
    unres = fm.loglik(cov, mean, cov, mean, n, x_idx)
    out = fm.chisq_based_measures(chisq, df, base_chisq, base_df, n, npar, logl, unres, fmin=fmin)
    out.update({
        "srmr": fm.srmr_bentler(cov, mean, imp.sigma, mu, meanstructure),
        "srmr_bentler_nomean": fm.srmr_bentler(cov, mean, imp.sigma, mu, False),
    })
    return {k: (float(v) if not isinstance(v, int) else v) for k, v in out.items()}
