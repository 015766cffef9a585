"""Estimator options of fit() and the ML-family fits beyond plain ML on complete rows.

    fit(model, data, estimator="MLR")                       # robust ML, listwise
    fit(model, data, missing="fiml")                        # FIML (lavaan's missing = "ml")
    fit(model, data, estimator="MLR", missing="fiml")       # both
    fit(model, data, ordered="all")                         # WLSMV on polychorics (sem/dwls.py)

`resolve_options` checks the combination once, with one-line errors, and follows lavaan's
defaults: ordered items switch the default estimator to WLSMV; FIML turns the mean
structure on; standard errors come from the observed information with FIML
(information = "observed") and are Huber-White sandwiches with MLR.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ConfigError
from . import fitmeasures as fm
from .estimate import start_values
from .fiml import (CasewiseML, IndependenceStructure, SemStructure, em_saturated, loglik,
                   pattern_summary, patterns_of)
from .model import SemModel
from .modindices import modification_indices
from .partable import build_partable
from .result import SemFit
from .robust import (fiml_corrected, first_order, h1_information, robust_indices, sandwich,
                     scaled_indices, vech_jacobian, yuan_bentler_mplus)
from .samplestats import SampleStats, sample_stats, select_complete
from .scoring import minimize
from .standardize import rsquare
from .syntax import ParsedModel

ESTIMATORS = ("ML", "MLR", "WLSMV")
MISSING = {"listwise": "listwise", "fiml": "fiml", "ml": "fiml", "direct": "fiml", "default": "listwise"}


@dataclass
class EstimationOptions:
    estimator: str = "ML"
    missing: str = "listwise"
    ordered: list[str] = field(default_factory=list)


def plain_ml_options(estimator, missing, ordered) -> bool:
    """True for lavaan's defaults on continuous data: ML with listwise deletion."""
    return (estimator is None or str(estimator).upper() == "ML") and \
        (missing is None or str(missing).lower() in ("listwise", "default")) and not _ordered_list(ordered)


def _ordered_list(ordered) -> list[str] | str:
    if ordered is None or ordered is False:
        return []
    if ordered is True:
        return "all"
    if isinstance(ordered, str):
        text = ordered.strip()
        if text.lower() in ("", "none"):
            return []
        if text.lower() == "all":
            return "all"
        return [t.strip() for t in text.split(",") if t.strip()]
    return [str(v) for v in ordered]


def resolve_options(estimator=None, missing=None, ordered=None, observed=None, ov_x=()) -> EstimationOptions:
    """Validate estimator / missing / ordered against each other and the model's variables."""
    ordered_spec = _ordered_list(ordered)
    est = "WLSMV" if estimator is None and ordered_spec else ("ML" if estimator is None else str(estimator).upper())
    if est not in ESTIMATORS:
        raise ConfigError(f"unknown estimator {estimator!r}; use one of {', '.join(ESTIMATORS)}", key="estimator")
    miss_key = "listwise" if missing is None else str(missing).lower()
    if miss_key not in MISSING:
        raise ConfigError(f"unknown missing-data treatment {missing!r}; use listwise or fiml", key="missing")
    miss = MISSING[miss_key]
    observed = list(observed or [])
    if ordered_spec == "all":
        ordered_list = list(observed)
    else:
        ordered_list = list(dict.fromkeys(ordered_spec))
        for item in ordered_list:
            if item not in observed:
                raise ConfigError(f"ordered item {item!r} is not an observed variable of the model",
                                  key="ordered", column=item)
    if ordered_list and est != "WLSMV":
        raise ConfigError(f"ordered items need estimator WLSMV (lavaan's default for ordered data), "
                          f"not {est}", key="estimator")
    if est == "WLSMV":
        if miss == "fiml":
            raise ConfigError("WLSMV estimates from polychoric correlations of the complete rows "
                              "(listwise, lavaan's default for ordered data); FIML needs estimator ML or MLR",
                              key="missing")
        if not ordered_list:
            raise ConfigError("WLSMV needs ordered items (ordered: all, or a list of items)", key="ordered")
        if set(ordered_list) != set(observed):
            raise ConfigError("every observed variable of the model must be ordered with WLSMV "
                              f"(not ordered: {', '.join(v for v in observed if v not in ordered_list)}); "
                              "use ordered: all", key="ordered")
    if ov_x and not (est == "ML" and miss == "listwise"):
        raise ConfigError(f"observed exogenous covariates ({', '.join(ov_x)}) are only supported with "
                          "estimator ML and listwise deletion", key="estimator")
    return EstimationOptions(est, miss, [v for v in observed if v in ordered_list])


def numeric_model_data(data: pd.DataFrame, observed: list[str], source=None) -> pd.DataFrame:
    """The model's columns as floats (NaN missing); non-numeric values stop with file/column/row."""
    select_complete(data, observed, source=source)            # validates columns and values
    return data.loc[:, observed].apply(pd.to_numeric, errors="coerce").astype(float)


def fit_estimator(model: str | ParsedModel, data: pd.DataFrame, *, estimator=None, missing=None,
                  ordered=None, meanstructure=None, se="standard", source=None) -> SemFit:
    """fit() for every option set other than plain ML on complete rows."""
    from .syntax import parse_model

    if se != "standard":
        raise ConfigError(f"se {se!r} is not available (standard errors follow the estimator)", key="se")
    parsed = model if isinstance(model, ParsedModel) else parse_model(model)
    _, names0 = build_partable(parsed, meanstructure=meanstructure)
    opts = resolve_options(estimator, missing, ordered, names0.ov, names0.ov_x)
    summary = pattern_summary(numeric_model_data(data, names0.ov, source), names0.ov)
    if opts.estimator == "WLSMV":
        from .dwls import fit_wlsmv

        result = fit_wlsmv(parsed, data, opts.ordered, source=source)
    elif opts.missing == "fiml":
        result = fit_fiml(parsed, data, robust=opts.estimator == "MLR", source=source)
    elif opts.estimator == "MLR":
        result = fit_mlr_complete(parsed, data, meanstructure=meanstructure, source=source)
    else:                                   # spelled differently from the defaults, e.g. "ml"
        from .fitting import fit

        result = fit(parsed, data, meanstructure=meanstructure, source=source)
    result.missing = opts.missing
    result.missing_patterns = summary
    result.ordered = list(opts.ordered)
    return result


# -- MLR on complete rows ---------------------------------------------------------------------
def fit_mlr_complete(parsed: ParsedModel, data: pd.DataFrame, *, meanstructure=None, source=None) -> SemFit:
    """lavaan's estimator = "MLR" with listwise deletion: the ML estimates, sandwich standard
    errors (observed information as bread) and the Yuan-Bentler (Mplus) scaled test."""
    from .fitting import fit, _parameter_table

    res = fit(parsed, data, meanstructure=meanstructure, source=source)
    table = res.partable
    names = build_partable(parsed, meanstructure=meanstructure)[1]
    ms = bool((table["op"] == "~1").any())
    complete = select_complete(data, names.ov, source=source)
    stats = sample_stats(complete.data, names.ov)
    model = SemModel(table, names, ms)
    model.set_exogenous(stats)
    theta = model.theta_from_rows(table["est"].to_numpy(dtype=float))
    pat = patterns_of(complete.data.to_numpy(dtype=float))
    mean, cov = stats.mean[0], stats.cov[0]
    obj = CasewiseML(SemStructure(model), pat, fixed_mean=mean)
    n = pat.n
    E = obj.hessian(theta)
    eig = np.linalg.eigvalsh(E) if model.npar else np.ones(1)
    if res.vcov is None or eig.min() <= 1e-10 * max(eig.max(), 1e-300):
        res.estimator = "MLR"
        free = (table["par"].to_numpy() >= 0) | (table["op"].to_numpy() == ":=")
        res.params = res.params.assign(**{c: np.where(free, np.nan, res.params[c])
                                          for c in ("se", "z", "pvalue", "ci_lower", "ci_upper")})
        res.warnings.append("robust standard errors and test could not be computed: the information "
                            "matrix is singular (the model may not be identified)")
        return res
    E_inv = np.linalg.inv(E)
    B0 = first_order(obj, theta)
    vcov = sandwich(E_inv, B0, n)
    h1 = h1_information(pat, mean, cov, ms)
    f = res.fit
    test = yuan_bentler_mplus(f["chisq"], f["df"], h1, E_inv, B0)
    base = IndependenceStructure(pat.p, ms)
    theta_b = base.start(mean, cov)               # the ML estimates of the independence model
    obj_b = CasewiseML(base, pat, fixed_mean=mean)
    base_test = yuan_bentler_mplus(f["baseline_chisq"], f["baseline_df"], h1,
                                   np.linalg.inv(obj_b.hessian(theta_b)), first_order(obj_b, theta_b))
    imp = model.implied(theta)[0]
    values = model.row_values(theta)
    params = _parameter_table(table, model, values, theta, vcov, imp, names)
    res.params = params
    res.vcov = vcov
    res.estimator = "MLR"
    res.fit = _order_fit({**f, **_scaled_block(f, test, base_test, n, c_hat=test.scaling_factor,
                                               xx3=f["chisq"], xx3_scaled=test.stat,
                                               xx3_null=f["baseline_chisq"],
                                               c_hat_null=base_test.scaling_factor)})
    res.extra.update(se="robust.huber.white", information="observed", test="yuan.bentler.mplus")
    return res


def _scaled_block(f: dict, test, base_test, n, *, c_hat, xx3, xx3_scaled, xx3_null, c_hat_null) -> dict:
    df, base_df = f["df"], f["baseline_df"]
    out = {
        "chisq_scaled": test.stat, "df_scaled": df, "pvalue_scaled": test.pvalue,
        "chisq_scaling_factor": test.scaling_factor,
        "baseline_chisq_scaled": base_test.stat, "baseline_df_scaled": base_df,
        "baseline_pvalue_scaled": base_test.pvalue,
        "baseline_chisq_scaling_factor": base_test.scaling_factor,
        "scaling_factor_h1": test.h1, "scaling_factor_h0": test.h0,
    }
    out.update(scaled_indices(test.stat, df, base_test.stat, base_df, n, f["chisq"], test.trace_ugamma))
    out.update(robust_indices(xx3, df, n, c_hat, xx3_scaled, xx3_null, base_df, c_hat_null))
    return out


_ORDER = ["npar", "fmin", "chisq", "df", "pvalue", "chisq_scaled", "df_scaled", "pvalue_scaled",
          "chisq_scaling_factor", "baseline_chisq", "baseline_df", "baseline_pvalue",
          "baseline_chisq_scaled", "baseline_df_scaled", "baseline_pvalue_scaled",
          "baseline_chisq_scaling_factor", "cfi", "tli", "cfi_scaled", "tli_scaled", "cfi_robust",
          "tli_robust", "nnfi", "rfi", "nfi", "pnfi", "ifi", "rni", "nnfi_scaled", "rfi_scaled",
          "nfi_scaled", "pnfi_scaled", "ifi_scaled", "rni_scaled", "nnfi_robust", "rni_robust",
          "logl", "unrestricted_logl", "aic", "bic", "ntotal", "bic2", "scaling_factor_h1",
          "scaling_factor_h0", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_ci_level",
          "rmsea_pvalue", "rmsea_close_h0", "rmsea_notclose_pvalue", "rmsea_notclose_h0",
          "rmsea_scaled", "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled", "rmsea_pvalue_scaled",
          "rmsea_notclose_pvalue_scaled", "rmsea_robust", "rmsea_ci_lower_robust",
          "rmsea_ci_upper_robust", "rmsea_pvalue_robust", "rmsea_notclose_pvalue_robust"]


def _order_fit(f: dict) -> dict:
    """lavaan's fitMeasures() order; values as plain floats (ints stay ints)."""
    keys = [k for k in _ORDER if k in f] + [k for k in f if k not in _ORDER]
    return {k: (f[k] if isinstance(f[k], int) else float(f[k])) for k in keys}


# -- FIML -------------------------------------------------------------------------------------
def fit_fiml(parsed: ParsedModel, data: pd.DataFrame, *, robust: bool, source=None) -> SemFit:
    """lavaan's missing = "ml" (with estimator = "MLR" when `robust`): casewise likelihood,
    saturated model by EM, observed-information standard errors (sandwich with MLR)."""
    from .fitting import _improper, _parameter_table

    table, names = build_partable(parsed, meanstructure=True)
    x = numeric_model_data(data, names.ov, source).to_numpy()
    empty = np.isnan(x).all(axis=1)
    warnings: list[str] = []
    if empty.any():
        warnings.append(f"{int(empty.sum())} of {len(x)} rows dropped: every model variable missing")
    x = x[~empty]
    if len(x) < 2:
        raise ConfigError(f"only {len(x)} rows observe a model variable", key="data")
    for j, v in enumerate(names.ov):
        col = x[:, j][~np.isnan(x[:, j])]
        if len(col) < 2 or np.ptp(col) == 0:
            raise ConfigError("model variable has fewer than two distinct observed values", key="data",
                              column=v)
    pat = patterns_of(x)
    h1 = em_saturated(pat)
    if not h1.converged:
        warnings.append("the EM algorithm for the saturated (h1) model did not converge in 500 iterations")
    n, p = pat.n, pat.p
    model = SemModel(table, names, True)
    stats = SampleStats([h1.cov], [h1.mean], [n], names.ov)
    theta0 = model.theta_from_rows(start_values(model, stats))
    obj = CasewiseML(SemStructure(model), pat)
    try:
        est = minimize(obj.fun, obj.grad_info, theta0, hessian=obj.hessian)
    except FloatingPointError:
        raise ConfigError("the starting values give a model-implied covariance matrix that is not "
                          "positive definite", key="model") from None
    theta = est.theta
    if not est.converged:
        warnings.append(f"the optimizer did not converge (largest gradient {np.max(np.abs(est.gradient)):.2e})")
    E = obj.hessian(theta)
    vcov = None
    E_inv = None
    eig = np.linalg.eigvalsh(E) if model.npar else np.ones(1)
    if eig.min() <= 1e-10 * max(eig.max(), 1e-300):
        warnings.append("standard errors could not be computed: the information matrix is singular "
                        "(the model may not be identified)")
    else:
        E_inv = np.linalg.inv(E)
        B0 = first_order(obj, theta) if robust else None
        vcov = sandwich(E_inv, B0, n) if robust else E_inv / n
    imp = model.implied(theta)[0]
    values = model.row_values(theta)
    params = _parameter_table(table, model, values, theta, vcov, imp, names)
    warnings += _improper(table, values, imp, names)

    # test statistics against the EM saturated model; baseline = independence model by FIML
    logl = -est.f * n
    chisq = max(2 * (h1.logl - logl), 0.0)     # lavaan sets a negative statistic to 0
    ndat = p + p * (p + 1) // 2
    df = ndat - model.npar
    base = IndependenceStructure(p, True)
    b_mean = np.nanmean(x, axis=0)
    b_var = np.nanmean((x - b_mean) ** 2, axis=0)
    theta_b = np.concatenate([b_var, b_mean])   # ML estimates: the likelihood factorises by variable
    base_logl = loglik(pat, b_mean, np.diag(b_var))
    base_chisq = 2 * (h1.logl - base_logl)
    base_df = ndat - 2 * p
    f = _fit_measures(chisq, df, base_chisq, base_df, n, model.npar, logl, h1, imp)

    obj_b = CasewiseML(base, pat)
    struct_delta = vech_jacobian(SemStructure(model), theta, True)
    base_delta = vech_jacobian(base, theta_b, True)
    if robust and E_inv is not None:
        h1_info = h1_information(pat, h1.mean, h1.cov, True)
        test = yuan_bentler_mplus(chisq, df, h1_info, E_inv, B0)
        base_test = yuan_bentler_mplus(base_chisq, base_df, h1_info, np.linalg.inv(obj_b.hessian(theta_b)),
                                       first_order(obj_b, theta_b))
        corr = fiml_corrected("V3", pat, h1.mean, h1.cov, n, df, base_df, (imp.sigma, imp.mu),
                              struct_delta, (np.diag(b_var), b_mean), base_delta)
        f.update(_scaled_block(f, test, base_test, n, c_hat=corr.c_hat3, xx3=corr.xx3,
                               xx3_scaled=corr.xx3_scaled, xx3_null=corr.xx3_null,
                               c_hat_null=corr.c_hat3_null))
    else:
        corr = fiml_corrected("V6", pat, h1.mean, h1.cov, n, df, base_df, (imp.sigma, imp.mu),
                              struct_delta, (np.diag(b_var), b_mean), base_delta)
        f.update(robust_indices(corr.xx3, df, n, corr.c_hat3, corr.xx3_scaled, corr.xx3_null, base_df,
                                corr.c_hat3_null))
    ov, lv = names.ov, names.lv
    r2 = rsquare(params["lhs"], params["op"], params["rhs"], params["std_all"].to_numpy())
    mi = _fiml_modindices(model, obj, theta, stats, est.converged and vcov is not None)
    return SemFit(
        params=params, fit=_order_fit(f), r2=r2, modindices=mi, n=n, converged=est.converged,
        warnings=warnings, estimator="MLR" if robust else "ML", observed=list(ov), latent=list(lv),
        sample_cov=pd.DataFrame(h1.cov, index=ov, columns=ov),
        implied_cov=pd.DataFrame(imp.sigma, index=ov, columns=ov),
        latent_cov=pd.DataFrame(imp.V[p:, p:], index=lv, columns=lv),
        n_input=len(empty), n_dropped=int(empty.sum()),
        sample_mean=pd.Series(h1.mean, index=ov), implied_mean=pd.Series(imp.mu, index=ov),
        partable=table.assign(est=values), vcov=vcov,
        extra={"fmin": chisq / (2 * n), "iterations": est.iterations, "em_iterations": h1.iterations,
               "se": "robust.huber.white" if robust else "standard", "information": "observed",
               "test": "yuan.bentler.mplus" if robust else "standard"},
    )


def _fiml_modindices(model, obj: CasewiseML, theta, stats, ok: bool) -> pd.DataFrame:
    """modindices() of a FIML fit: score tests with the expected information of the
    incomplete data at the estimates (lavaan's default information = "expected")."""
    if not ok:
        return pd.DataFrame(columns=["lhs", "op", "rhs", "mi", "epc", "sepc_lv", "sepc_all"])
    inv_info = np.linalg.inv(obj.grad_info(theta)[1])
    return modification_indices(model, theta, stats, inv_info,
                                gradient_information=lambda ds, dm: obj.gradient_information(theta, ds, dm))


def _fit_measures(chisq, df, base_chisq, base_df, n, npar, logl, h1, imp) -> dict:
    out = fm.chisq_based_measures(chisq, df, base_chisq, base_df, n, npar, logl, h1.logl, fmin=chisq / (2 * n))
    out.update({
        # residuals against the EM estimates of the saturated model, means included
        "srmr": fm.srmr_bentler(h1.cov, h1.mean, imp.sigma, imp.mu, True),
        "srmr_bentler_nomean": fm.srmr_bentler(h1.cov, h1.mean, imp.sigma, imp.mu, False),
    })
    return out
