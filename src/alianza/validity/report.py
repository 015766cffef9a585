"""Assemble the scale-validation report of one measurement model on one data set (a wave or pooled).

validity_report() is the single entry point used by `alianza validity` and the pipeline.
Missing data: item descriptives use every non-missing answer; everything else (alpha, item-total,
CFA, omega/CR/AVE, HTMT, EFA, Mardia, CMV) uses the rows complete on every item of the model --
lavaan's and semTools' listwise default -- and the report counts the rows left out.
Thresholds come in as a dict (config `validity.thresholds`); results carry boolean flags.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputError
from . import cmv as cmv_mod
from . import discriminant, efa as efa_mod, items as items_mod, reliability
from .structure import observed_factor_items

# Conventional cut-offs, for callers without a config: alpha, omega, CR >= .70 (Nunnally 1978;
# Hair et al.), AVE >= .50 and loadings >= .70 (Fornell & Larcker 1981), HTMT < .85 (Kline) or
# < .90 (Gold et al. 2001; Henseler et al. 2015), Harman's single factor < 50% (Podsakoff et al. 2003).
DEFAULT_THRESHOLDS = {
    "alpha_min": 0.70,
    "omega_min": 0.70,
    "cr_min": 0.70,
    "ave_min": 0.50,
    "loading_min": 0.70,
    "htmt_max": 0.85,
    "htmt_max_liberal": 0.90,
    "harman_max": 0.50,
}


def check_thresholds(thresholds: dict) -> dict:
    """Every key of DEFAULT_THRESHOLDS must be present and numeric (ConfigError names the key)."""
    if not isinstance(thresholds, dict):
        raise ConfigError("must be a mapping of threshold names to numbers", key="validity.thresholds")
    out = {}
    for key in DEFAULT_THRESHOLDS:
        if key not in thresholds:
            raise ConfigError("missing threshold", key=f"validity.thresholds.{key}")
        value = thresholds[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"must be a number, not {value!r}", key=f"validity.thresholds.{key}")
        out[key] = float(value)
    unknown = sorted(set(thresholds) - set(DEFAULT_THRESHOLDS))
    if unknown:
        raise ConfigError(f"unknown threshold(s) {', '.join(unknown)}", key="validity.thresholds")
    return out


def _numeric_items(data: pd.DataFrame, items: list[str]) -> pd.DataFrame:
    missing = [i for i in items if i not in data.columns]
    if missing:
        raise InputError("item of the model is not a column of the data", column=missing[0])
    out = {}
    for item in items:
        col = data[item]
        num = pd.to_numeric(col, errors="coerce")
        bad = num.isna() & col.notna()
        if bad.any():
            pos = int(np.argmax(bad.to_numpy()))
            raise InputError(f"non-numeric value {col.iloc[pos]!r}", column=item, row=pos + 1)
        out[item] = num.astype(float)
    return pd.DataFrame(out, index=data.index)


def jsonable(obj):
    """DataFrames -> {row: {col: value}}, Series -> {key: value}, numpy -> Python, NaN/inf -> None."""
    if isinstance(obj, pd.DataFrame):
        return {str(r): {str(c): jsonable(v) for c, v in row.items()} for r, row in obj.iterrows()}
    if isinstance(obj, pd.Series):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return None if not math.isfinite(float(obj)) else float(obj)
    return obj


def _fit_dict(semfit) -> dict:
    return {k: v for k, v in semfit.fit.items()}


def _default_fitter() -> Callable:
    from ..sem import fit  # the SEM core: fit(model_text, data) -> SemFit

    return fit


def validity_report(
    model_text: str,
    data: pd.DataFrame,
    thresholds: dict,
    seed: int,
    n_boot: int,
    *,
    level: float = 0.95,
    efa_method: str = "minres",
    rotation: str | None = "oblimin",
    n_factors: int | None = None,
    n_parallel: int = 100,
    parallel_percentile: float = 95.0,
    harman_method: str = "pca",
    scale_min: float | None = None,
    scale_max: float | None = None,
    moment_type: int = 3,
    progress: bool = False,
    fitter: Callable | None = None,
    design: dict | None = None,
) -> dict:
    """Reliability, convergent and discriminant validity, EFA and common-method checks.

    n_factors: factors of the EFA (default: the model's number of constructs; the parallel
    analysis suggestion is reported beside it). fitter: the SEM core's fit function
    (alianza.sem.fit by default). design: {"weights": COL, "cluster": COL} of a complex survey;
    the columns are checked and described under "design", but every coefficient stays unweighted
    (weighted reliability is not standard), as the report's design note says in both languages.
    """
    thr = check_thresholds(thresholds)
    fi = observed_factor_items(model_text)
    all_items = list(dict.fromkeys(i for v in fi.values() for i in v))
    X = _numeric_items(data, all_items)
    complete = X.dropna()
    n_rows, n_complete = len(X), len(complete)
    if n_complete <= len(all_items):
        raise InputError(
            f"only {n_complete} rows complete on the {len(all_items)} items of the model; "
            "too few for a factor analysis"
        )

    # CFA: full measurement model, each construct alone, everything on one factor
    fit = fitter or _default_fitter()
    full = fit(model_text, complete)
    cfa_constructs = {}
    for f, items in fi.items():
        if len(items) >= 3:  # a lone factor with 2 indicators is not identified
            cfa_constructs[f] = _fit_dict(fit(f"{f} =~ " + " + ".join(items) + "\n", complete[items]))
    single = fit(cmv_mod.single_factor_syntax(fi), complete)

    # Reliability and convergent validity (semTools definitions; sample covariance, divisor N)
    sigma = complete.cov(ddof=0)
    rel = reliability.reliability_table(full.params, full.latent_cov, sigma, fi)
    std = reliability.loading_matrix(full.params, fi, "std_all")
    kmo_all, kmo_items = efa_mod.kmo(complete)

    constructs = {}
    for f, items in fi.items():
        desc = items_mod.item_descriptives(X, items, scale_min, scale_max, moment_type)
        table = desc.merge(items_mod.item_total(complete, items), on="item")
        table["kmo"] = [float(kmo_items[i]) for i in items]
        table["loading_std"] = [float(std.loc[i, f]) for i in items]
        table["loading_ok"] = table["loading_std"] >= thr["loading_min"]
        if len(items) >= 2:
            alpha, alpha_ci = reliability.cronbach_alpha(complete[items], level)
        else:
            alpha, alpha_ci = float("nan"), (float("nan"), float("nan"))
        r = rel.loc[f] if f in rel.index else pd.Series(dtype=float)
        omega, cr, ave = (float(r.get(k, float("nan"))) for k in ("omega", "cr", "ave"))
        constructs[f] = {
            "n_items": len(items),
            "alpha": alpha,
            "alpha_ci": list(alpha_ci),
            "alpha_taueq": float(r.get("alpha_taueq", float("nan"))),
            "omega": omega,
            "cr": cr,
            "ave": ave,
            "sqrt_ave": math.sqrt(ave) if ave == ave and ave >= 0 else float("nan"),
            "items": table.to_dict("records"),
            "flags": {
                "alpha_ok": alpha >= thr["alpha_min"],
                "omega_ok": omega >= thr["omega_min"],
                "cr_ok": cr >= thr["cr_min"],
                "ave_ok": ave >= thr["ave_min"],
                "loadings_ok": bool(table["loading_ok"].all()),
                "low_loading_items": table.loc[~table["loading_ok"], "item"].tolist(),
            },
        }

    # Discriminant validity
    R = complete.corr()
    htmt = discriminant.htmt(R, fi, geometric=False)
    htmt2 = discriminant.htmt(R, fi, geometric=True)
    boot = discriminant.htmt_bootstrap(complete, fi, n_boot, seed, level, progress) if n_boot > 0 else None
    latent_cor = discriminant.latent_correlations(full.latent_cov.loc[list(fi), list(fi)])
    ave = pd.Series({f: constructs[f]["ave"] for f in fi})
    fl = discriminant.fornell_larcker(ave, latent_cor)
    names = list(fi)
    pairs = []
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            fa, fb = names[a], names[b]
            r_ab = abs(float(latent_cor.loc[fa, fb]))
            upper = float(boot["htmt"]["upper"].loc[fa, fb]) if boot else float("nan")
            pairs.append(
                {
                    "factor_a": fa,
                    "factor_b": fb,
                    "latent_cor": float(latent_cor.loc[fa, fb]),
                    "htmt": float(htmt.loc[fa, fb]),
                    "htmt2": float(htmt2.loc[fa, fb]),
                    "htmt_ci_lower": float(boot["htmt"]["lower"].loc[fa, fb]) if boot else float("nan"),
                    "htmt_ci_upper": upper,
                    "htmt_ok": float(htmt.loc[fa, fb]) < thr["htmt_max"],
                    "htmt_liberal_ok": float(htmt.loc[fa, fb]) < thr["htmt_max_liberal"],
                    # Franke & Sarstedt (2019): the interval's upper bound below the threshold
                    "htmt_ci_ok": upper < thr["htmt_max"] if boot else None,
                    # sqrt(AVE) of both factors above their correlation; undefined without AVE
                    "fornell_larcker_ok": (
                        bool(min(ave[fa], ave[fb]) > r_ab**2) if ave[[fa, fb]].notna().all() else None
                    ),
                }
            )
    xl = discriminant.cross_loadings(complete, fi)
    own = {i: f for f, items in fi.items() for i in items}
    xl_ok = {i: bool(all(xl.loc[i, own[i]] > xl.loc[i, g] for g in names if g != own[i])) for i in xl.index}

    # EFA family
    k = n_factors or len(fi)
    pa = efa_mod.parallel_analysis(complete, seed, n_parallel, parallel_percentile)
    ef = efa_mod.efa(complete, k, efa_method, rotation)
    harman = cmv_mod.harman_single_factor(complete, harman_method)
    harman["cmv_suspected"] = harman["share"] > thr["harman_max"]
    single_cmp = cmv_mod.chisq_difference(_fit_dict(single), _fit_dict(full))
    single_cmp["single_factor_rejected"] = single_cmp["pvalue"] < 1 - level

    report = {
        "design": _design_summary(data, design),
        "model": model_text,
        "factors": fi,
        "n_rows": n_rows,
        "n_complete": n_complete,
        "n_incomplete_left_out": n_rows - n_complete,
        "seed": int(seed),
        "n_boot": int(n_boot),
        "level": level,
        "thresholds": thr,
        "conventions": {
            "moments": f"psych::describe type {moment_type}",
            "omega": "semTools::compRelSEM, observed total variance (obs.var = TRUE)",
            "ave": "semTools::AVE, observed indicator variances",
            "cr": "Fornell-Larcker from standardised loadings",
            "htmt": "semTools::htmt(htmt2 = FALSE); htmt2 = semTools::htmt() default (geometric means)",
            "htmt_ci": f"percentile bootstrap, {n_boot} resamples, numpy default_rng({seed})",
            "cross_loadings": "correlation of each item with each construct's unit-weighted mean",
            "efa": f"factor_analyzer {efa_method} + {rotation}; communalities diag(P Phi P') as psych",
            "mardia": "psych::mardia (covariance divisor n-1)",
        },
        "constructs": constructs,
        "htmt": htmt,
        "htmt2": htmt2,
        "htmt_ci": {"lower": boot["htmt"]["lower"], "upper": boot["htmt"]["upper"]} if boot else None,
        "htmt2_ci": {"lower": boot["htmt2"]["lower"], "upper": boot["htmt2"]["upper"]} if boot else None,
        "bootstrap": {k_: boot[k_] for k_ in ("level", "n_boot", "n_valid", "seed")} if boot else None,
        "fornell_larcker": fl,
        "latent_cor": latent_cor,
        "discriminant": pairs,
        "cross_loadings": xl,
        "cross_loadings_own_highest": xl_ok,
        "efa": {
            "kmo": kmo_all,
            "kmo_items": kmo_items,
            "bartlett": efa_mod.bartlett(complete),
            "n_factors_parallel": pa["n_factors"],
            "n_components_parallel": pa["n_components"],
            "parallel": pa,
            "n_factors": k,
            "method": ef["method"],
            "rotation": ef["rotation"],
            "loadings": ef["loadings"],
            "communalities": ef["communalities"],
            "variance": ef["variance"],
            "factor_correlations": ef["factor_correlations"],
        },
        "mardia": items_mod.mardia(complete),
        "cmv": {
            "harman": harman,
            "single_factor": {"fit": _fit_dict(single), "measurement": _fit_dict(full), **single_cmp},
        },
        "cfa": {"constructs": cfa_constructs, "full": _fit_dict(full)},
    }
    return jsonable(report)


def _design_summary(data: pd.DataFrame, design: dict | None) -> dict | None:
    """The survey design of the data, checked, with the note that validity ignores it."""
    from ..i18n import LANGUAGES, t
    from ..sem.data.design import design_rows, n_clusters

    design = dict(design or {})
    weights, cluster = design.get("weights"), design.get("cluster")
    if not weights and not cluster:
        return None
    rows = design_rows(data, weights or None, cluster or None)
    out = {"sampling_weights": weights or None, "cluster": cluster or None,
           "n_clusters": n_clusters(rows.cluster), "treatment": "unweighted",
           "note": {lang: t("note.design_unweighted_validity", lang) for lang in LANGUAGES}}
    if rows.weights is not None:
        out.update(weights_sum=float(rows.weights.sum()), weights_min=float(rows.weights.min()),
                   weights_max=float(rows.weights.max()))
    return out
