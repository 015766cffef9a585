"""Comparison of alternative models: nested chi-square difference tests, information
criteria and fit indices side by side, and a check that a declared nesting holds.

- difference_test: lavaan 0.6.14's lavTestLRT for two models. Standard ML statistics give
  Chisq diff = chisq_restricted - chisq_general on df_restricted - df_general degrees of
  freedom (and lavaan's RMSEA of the difference); when every model carries a scaling
  factor (fit keys `chisq_scaling_factor`, as MLR fits have) the scaled difference of
  Satorra & Bentler (2001), lavaan's default method for MLR, from the standard statistics
  and the scaling factors: cd = (d0 c0 - d1 c1) / (d0 - d1), T = (T0 - T1) / cd;
- lrt_table: lavTestLRT(m1, m2, ...) for several models (sorted by df, each tested against
  the next less restricted one), the numbers of lavaan's anova table;
- nesting_chisq: Bentler & Satorra's (2010) NET, what semTools::net does: the general
  model fitted to the moments implied by the restricted one has chi-square ~0 when the
  restricted model is nested in it;
- comparison_table: one row per model (fit indices, AIC, BIC and their differences from
  the best) with the difference test of every declared pair on the restricted model's row.
All of it reads fit-measure dicts with lavaan's names (SemFit.fit), so a scaled
estimator's fits plug in unchanged.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .errors import ConfigError
from .sem.inference import fitmeasures as fm

NET_CRIT = 1e-4          # semTools::net's crit: chi-square below it means nested
FIT_COLUMNS = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
               "srmr", "aic", "bic"]
TEST_COLUMNS = ["compared_with", "chisq_diff", "df_diff", "pvalue_diff", "rmsea_diff", "scaling_factor_diff",
                "method", "nested"]
_EPS3 = np.finfo(float).eps ** (1 / 3)


def _num(fit: Mapping, key: str) -> float:
    v = fit.get(key)
    return float("nan") if v is None else float(v)


def is_scaled(fit: Mapping) -> bool:
    c = fit.get("chisq_scaling_factor")
    return c is not None and math.isfinite(float(c))


def difference_test(restricted: Mapping, general: Mapping, *, scaled: bool | None = None) -> dict:
    """lavTestLRT of a restricted model (more df) against a general one (fewer df).

    `scaled` None: scaled (Satorra-Bentler 2001) when both fits carry a scaling factor
    (a saturated general model may lack one: lavaan takes 1 for it).
    """
    T0, d0 = _num(restricted, "chisq"), _num(restricted, "df")
    T1, d1 = _num(general, "chisq"), _num(general, "df")
    m = d0 - d1
    if scaled is None:
        scaled = is_scaled(restricted) and (is_scaled(general) or d1 == 0)
    out = {"chisq_diff": T0 - T1, "df_diff": m, "scaling_factor_diff": float("nan"),
           "method": "satorra.bentler.2001" if scaled else "standard", "warnings": []}
    if scaled:
        c0 = _num(restricted, "chisq_scaling_factor")
        c1 = 1.0 if d1 == 0 else _num(general, "chisq_scaling_factor")
        if m != 0:
            cd = (d0 * c0 - d1 * c1) / m
            if cd < 0:
                out["warnings"].append("scaling factor of the difference is negative")
                cd = float("nan")
            out["chisq_diff"] = (T0 - T1) / cd
            out["scaling_factor_diff"] = cd
        out["rmsea_diff"] = float("nan")      # lavaan prints no RMSEA for scaled differences
    else:
        n = _num(restricted, "ntotal")
        out["rmsea_diff"] = fm.rmsea(T0 - T1, m, n) if m > 0 and math.isfinite(n) else float("nan")
    out["pvalue_diff"] = fm.chisq_pvalue(out["chisq_diff"], m) if m > 0 else float("nan")
    if m == 0:
        out["warnings"].append("the models have the same degrees of freedom")
    if T0 - T1 < -_EPS3:
        out["warnings"].append(f"the restricted model fits better than the general one (difference "
                               f"{T0 - T1:.6g}): the models are not nested, or the general one did not "
                               "reach its optimum")
    return out


def lrt_table(fits: Mapping[str, Mapping]) -> pd.DataFrame:
    """lavaan's lavTestLRT / anova for several models: sorted by df, each row tested against
    the row above (the next less restricted model). Columns with lavaan's names."""
    if len(fits) < 2:
        raise ConfigError("a likelihood-ratio test needs at least two models", key="comparison")
    scaled = [is_scaled(f) for f in fits.values()]
    dfs = [_num(f, "df") for f in fits.values()]
    if any(scaled) and not all(s or d == 0 for s, d in zip(scaled, dfs)):
        raise ConfigError("some models (but not all) have scaled test statistics", key="comparison")
    order = sorted(fits, key=lambda k: _num(fits[k], "df"))      # stable, as R's order()
    rows = []
    for i, name in enumerate(order):
        f = fits[name]
        row = {"model": name, "Df": _num(f, "df"), "AIC": _num(f, "aic"), "BIC": _num(f, "bic"),
               "Chisq": _num(f, "chisq"), "Chisq diff": np.nan, "RMSEA": np.nan, "Df diff": np.nan,
               "Pr(>Chisq)": np.nan}
        if i:
            t = difference_test(f, fits[order[i - 1]], scaled=any(scaled))
            row.update({"Chisq diff": t["chisq_diff"], "RMSEA": t["rmsea_diff"], "Df diff": t["df_diff"],
                        "Pr(>Chisq)": t["pvalue_diff"]})
        rows.append(row)
    table = pd.DataFrame(rows)
    if any(scaled):
        table = table.drop(columns="RMSEA")
    return table


def nesting_chisq(restricted, general_model, *, meanstructure: bool | None = None) -> float:
    """NET: chi-square of the general model fitted to the restricted fit's implied moments
    (a SemFit). ~0 (below NET_CRIT) when the restricted model is nested in the general one."""
    from .sem import parse_model
    from .sem.estimation.fitting import fit_stats
    from .sem.spec.partable import build_partable
    from .sem.data.samplestats import SampleStats

    parsed = general_model if not isinstance(general_model, str) else parse_model(general_model)
    table, names = build_partable(parsed, meanstructure=meanstructure)
    ms = bool((table["op"] == "~1").any())
    ov = list(names.ov)
    if sorted(ov) != sorted(restricted.observed):
        raise ConfigError("the models do not have the same observed variables, so they cannot be nested",
                          key="comparison")
    cov = restricted.implied_cov.loc[ov, ov].to_numpy(dtype=float)
    mean = restricted.implied_mean.loc[ov].to_numpy(dtype=float)
    stats = SampleStats.from_moments([cov], [mean], [restricted.n], ov)
    return float(fit_stats(table, names, stats, meanstructure=ms).fit["chisq"])


def check_nesting(name_r: str, fit_r: Mapping, name_g: str, fit_g: Mapping, *, key="comparison.nested") -> None:
    """The declared pair must be orderable: same data (N), restricted model with more df."""
    if _num(fit_r, "ntotal") != _num(fit_g, "ntotal"):
        raise ConfigError(f"{name_r} and {name_g} were fitted to different numbers of observations "
                          f"({fit_r.get('ntotal')} and {fit_g.get('ntotal')}), so they cannot be compared "
                          "by a likelihood-ratio test", key=key)
    if not _num(fit_r, "df") > _num(fit_g, "df"):
        raise ConfigError(f"{name_r} is declared nested in {name_g}, but it has {fit_r.get('df')} degrees of "
                          f"freedom and {name_g} has {fit_g.get('df')}: a nested (restricted) model must have "
                          "more", key=key)


def comparison_table(fits: Mapping[str, Mapping], nested: list[tuple[str, str]] | None = None, *,
                     verified: Mapping[tuple[str, str], bool] | None = None,
                     tests: Mapping[tuple[str, str], dict] | None = None) -> pd.DataFrame:
    """One row per model: fit indices, AIC/BIC and their differences from the smallest, and,
    for every declared (restricted, general) pair, the difference test on the restricted
    model's row (a model restricted in two pairs gets two rows). `nested` None: lavTestLRT's
    chain (sorted by df). `verified`: the NET result of each pair, when it was checked. `tests`:
    difference tests computed from the fits themselves (Satorra 2000 for WLSMV), by pair."""
    names = list(fits)
    if nested is None:
        order = sorted(names, key=lambda k: _num(fits[k], "df"))
        nested = [(order[i + 1], order[i]) for i in range(len(order) - 1)]
    for r, g in nested:
        for name in (r, g):
            if name not in fits:
                raise ConfigError(f"model {name!r} of a nested pair is not among the compared models",
                                  key="comparison.nested")
        check_nesting(r, fits[r], g, fits[g])
    aic = np.array([_num(fits[k], "aic") for k in names])
    bic = np.array([_num(fits[k], "bic") for k in names])
    rows = []
    for i, name in enumerate(names):
        f = fits[name]
        base = {"model": name}
        base.update({c: f.get(c) for c in FIT_COLUMNS})
        if is_scaled(f):
            base.update({c: f.get(c) for c in ("chisq_scaled", "chisq_scaling_factor", "pvalue_scaled")})
        base["delta_aic"] = aic[i] - np.nanmin(aic) if np.isfinite(aic).any() else np.nan
        base["delta_bic"] = bic[i] - np.nanmin(bic) if np.isfinite(bic).any() else np.nan
        pairs = [(r, g) for r, g in nested if r == name]
        if not pairs:
            rows.append({**base, **{c: None for c in TEST_COLUMNS}})
        for r, g in pairs:
            t = (tests or {}).get((r, g)) or difference_test(fits[r], fits[g])
            rows.append({**base, "compared_with": g, "chisq_diff": t["chisq_diff"], "df_diff": t["df_diff"],
                         "pvalue_diff": t["pvalue_diff"], "rmsea_diff": t["rmsea_diff"],
                         "scaling_factor_diff": t["scaling_factor_diff"], "method": t["method"],
                         "nested": None if verified is None else verified.get((r, g))})
    return pd.DataFrame(rows)


def compare_fits(models: Mapping[str, object], results: Mapping[str, object],
                 nested: list[tuple[str, str]] | None = None, *, verify: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """Comparison table of fitted models (SemFit by name; `models` their syntax), with each
    pair's nesting verified by NET. A declared pair that is not nested is a ConfigError;
    for an inferred chain (nested None) it is reported as a warning, lavTestLRT-style."""
    fits = {k: r.fit for k, r in results.items()}
    # WLSMV/ULSMV: lavTestLRT's Satorra (2000) test from the fits' Jacobians; NET is an ML check
    categorical = any(getattr(r, "wls", None) is not None for r in results.values())
    declared = nested is not None
    if nested is None:
        order = sorted(fits, key=lambda k: _num(fits[k], "df"))
        pairs = [(order[i + 1], order[i]) for i in range(len(order) - 1)]
    else:
        pairs = list(nested)
    warnings: list[str] = []
    verified: dict[tuple[str, str], bool] = {}
    for r, g in pairs:
        if r not in results or g not in results:
            raise ConfigError(f"model {r if r not in results else g!r} of a nested pair is not among the "
                              "compared models", key="comparison.nested")
        check_nesting(r, fits[r], g, fits[g])
        if verify and not categorical:
            x2 = nesting_chisq(results[r], models[g])
            verified[(r, g)] = bool(x2 < NET_CRIT)
            if not verified[(r, g)]:
                msg = (f"{r} is not nested in {g}: {g} fitted to the moments {r} implies has chi-square "
                       f"{x2:.4g} (NET, Bentler & Satorra 2010), not ~0")
                if declared:
                    raise ConfigError(msg, key="comparison.nested")
                warnings.append(msg + "; its difference test is not valid")
        for w in difference_test(fits[r], fits[g])["warnings"]:
            warnings.append(f"{r} vs {g}: {w}")
    tests = None
    if categorical:
        from .sem.inference.lrt import satorra_2000

        tests = {}
        for r, g in pairs:
            t = satorra_2000(results[r], results[g])
            tests[(r, g)] = {"chisq_diff": t["chisq_diff"], "df_diff": t["df_diff"], "pvalue_diff": t["pvalue"],
                             "rmsea_diff": float("nan"), "scaling_factor_diff": float("nan"),
                             "method": "satorra.2000"}
        warnings.append("nesting of ordered-item models is not verified (NET is defined for ML fits)")
    table = comparison_table(fits, pairs, verified=verified if verify and not categorical else None, tests=tests)
    return table, warnings


def comparison_report(per_sample: Mapping[str, tuple[pd.DataFrame, list[str], Mapping]],
                      nested: list[tuple[str, str]] | None) -> tuple[pd.DataFrame, dict]:
    """sample -> (comparison table, warnings, {model: SemFit}) as one table with a `sample`
    column and the machine-readable report."""
    from .sem.solution.result import json_ready

    frames, samples = [], {}
    for sample, (table, warnings, results) in per_sample.items():
        frames.append(table.assign(sample=sample)[["sample"] + list(table.columns)])
        samples[sample] = {"n": next(iter(results.values())).n,
                           "models": {k: {"n": r.n, "estimator": r.estimator, "fit": r.fit}
                                      for k, r in results.items()},
                           "comparison": table.to_dict(orient="records"), "warnings": list(warnings)}
    table = pd.concat(frames, ignore_index=True)
    report = {"nested": [list(p) for p in nested] if nested is not None else None,
              "net_crit": NET_CRIT, "columns": list(table.columns), "samples": samples}
    return table, json_ready(report)
