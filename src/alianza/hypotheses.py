"""Hypothesis tests of a fitted model, and the table of its defined (indirect) effects.

The hypotheses live in config (config/config.yaml, `hypotheses:`): each names the
parameter label that carries it (a path `E2 ~ h1*E1` or a defined effect `H6 := ...`),
the expected sign, the model it is tested in and its wording in Spanish and English.
hypothesis_table() reads lavaan's parameter table (SemFit.params, or the `parameters` of a
fit JSON) and gives per hypothesis: B (est), beta (std_all), SE, z, p, the confidence
interval at level 1 - alpha, the R-squared of the outcome, and the decision:

- with bootstrap intervals (the fit carries a `bootstrap` block): supported when the
  percentile interval excludes zero on the expected side, the usual criterion for
  indirect effects (Preacher & Hayes 2008), applied to every hypothesis alike;
- otherwise: supported when p < alpha and the estimate has the expected sign (the
  Wald interval est +/- z se at 1 - alpha agrees with that test).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import special

from .errors import ConfigError
from .sem.solution.result import json_ready
from .tables.flags import improper_problems, not_assessable

SIGNS = ("positive", "negative", "any")
_DECISION = {"es": ("apoyada", "no apoyada"), "en": ("supported", "not supported")}
_CI_METHOD = {"es": {"perc": "bootstrap percentil", "bca": "bootstrap BCa", "wald": "Wald"},
              "en": {"perc": "bootstrap percentile", "bca": "bootstrap BCa", "wald": "Wald"}}

HYPOTHESIS_COLUMNS = ["hypothesis", "model", "parameter", "path", "statement", "expected_sign", "est", "std_all",
                      "se", "z", "pvalue", "ci_lower", "ci_upper", "ci_level", "ci_method", "r2_outcome",
                      "sign_as_expected", "significant", "supported", "decision"]
EFFECT_COLUMNS = ["effect", "definition", "est", "std_all", "se", "z", "pvalue", "ci_lower", "ci_upper",
                  "ci_lower_bca", "ci_upper_bca", "std_all_ci_lower", "std_all_ci_upper", "ci_level", "ci_method"]


def _find(params: pd.DataFrame, label: str):
    """The row carrying a label: the first one, as lavaan's def.function reads labels."""
    hit = params.index[params["label"].fillna("").astype(str) == str(label)]
    return params.loc[hit[0]] if len(hit) else None


def _path(row) -> str:
    if row["op"] == "~":
        return f"{row['rhs']} -> {row['lhs']}"
    if row["op"] == "=~":
        return f"{row['lhs']} -> {row['rhs']}"
    if row["op"] == ":=":
        return str(row["rhs"])
    return f"{row['lhs']} {row['op']} {row['rhs']}"


def _f(x) -> float:
    return float("nan") if x is None else float(x)


def hypothesis_table(params: pd.DataFrame, r2: Mapping[str, float], hypotheses: Mapping[str, Mapping], *,
                     alpha: float = 0.05, language: str = "es", bootstrap: Mapping | None = None,
                     model: str | None = None, ci: str = "perc") -> pd.DataFrame:
    """One row per hypothesis (those tested in `model` when given), in config order.

    params: lavaan's columns (lhs, op, rhs, label, est, se, z, pvalue, ci_lower, ci_upper,
    std_all); with `bootstrap` (the fit's bootstrap block) ci_lower/ci_upper are its
    percentile interval and ci_lower_bca/ci_upper_bca its BCa one (`ci` = "perc" or
    "bca" picks the one reported and decided with), at level 1 - alpha.
    """
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be between 0 and 1, not {alpha!r}", key="hypotheses.alpha")
    if language not in _DECISION:
        raise ConfigError(f"language must be es or en, not {language!r}", key="language")
    level = 1 - alpha
    boot = bootstrap is not None
    if boot and not np.isclose(float(bootstrap.get("ci_level", 0.95)), level):
        raise ConfigError(f"the bootstrap intervals are at level {bootstrap.get('ci_level')}, but alpha = {alpha} "
                          f"needs {level:g}: bootstrap with level {level:g}", key="hypotheses.alpha")
    if ci not in ("perc", "bca"):
        raise ConfigError(f"interval type must be perc or bca, not {ci!r}", key="bootstrap.ci")
    if boot and ci == "bca" and "ci_lower_bca" not in params:
        raise ConfigError("BCa intervals were not computed for this fit (bootstrap.ci lacks bca)",
                          key="bootstrap.ci")
    lo_col, hi_col = ("ci_lower_bca", "ci_upper_bca") if ci == "bca" else ("ci_lower", "ci_upper")
    yes, no = _DECISION[language]
    method = _CI_METHOD[language][ci if boot else "wald"]
    zcrit = special.ndtri(1 - alpha / 2)
    rows = []
    for name, h in hypotheses.items():
        if model is not None and h.get("model") != model:
            continue
        key = f"hypotheses.tests.{name}"
        label = h.get("parameter")
        row = _find(params, label)
        if row is None:
            raise ConfigError(f"parameter label {label!r} of hypothesis {name} is not in model "
                              f"{h.get('model', model)!r}", key=f"{key}.parameter")
        sign = h.get("sign", "positive")
        if sign not in SIGNS:
            raise ConfigError(f"sign must be one of {', '.join(SIGNS)}, not {sign!r}", key=f"{key}.sign")
        est, se = _f(row["est"]), _f(row["se"])
        if boot:
            lo, hi = _f(row[lo_col]), _f(row[hi_col])
        else:
            lo, hi = est - zcrit * se, est + zcrit * se
        p = _f(row["pvalue"])
        sign_ok = {"positive": est > 0, "negative": est < 0, "any": est != 0}[sign]
        significant = bool(p < alpha)
        if boot:
            excludes = {"positive": lo > 0, "negative": hi < 0, "any": lo > 0 or hi < 0}[sign]
            supported = bool(excludes and sign_ok)
        else:
            supported = bool(significant and sign_ok)
        outcome = row["lhs"] if row["op"] == "~" else None
        rows.append({
            "hypothesis": name, "model": h.get("model", model), "parameter": label, "path": _path(row),
            "statement": h.get(language, ""), "expected_sign": sign, "est": est, "std_all": _f(row.get("std_all")),
            "se": se, "z": _f(row["z"]), "pvalue": p, "ci_lower": lo, "ci_upper": hi, "ci_level": level,
            "ci_method": method, "r2_outcome": _f(r2.get(outcome)) if outcome else np.nan,
            "sign_as_expected": bool(sign_ok), "significant": significant, "supported": supported,
            "decision": yes if supported else no,
        })
    return pd.DataFrame(rows, columns=HYPOTHESIS_COLUMNS)


def endogenous_r2(params: pd.DataFrame, r2: Mapping[str, float]) -> dict[str, float]:
    """R-squared of every latent variable that is a regression outcome (the endogenous
    constructs), in table order."""
    lv = set(params.loc[params["op"] == "=~", "lhs"])
    outcomes = dict.fromkeys(params.loc[(params["op"] == "~") & params["lhs"].isin(lv), "lhs"])
    return {k: _f(r2.get(k)) for k in outcomes}


def effects_table(params: pd.DataFrame, *, language: str = "es", bootstrap: Mapping | None = None) -> pd.DataFrame:
    """Every `:=` parameter (indirect, total effects): estimate, std_all, SE, z, p and the
    intervals the fit carries (bootstrap percentile and BCa, std_all percentile)."""
    defs = params[params["op"] == ":="]
    boot = bootstrap is not None
    level = float(bootstrap.get("ci_level", 0.95)) if boot else 0.95
    out = pd.DataFrame({
        "effect": defs["lhs"].to_numpy(), "definition": defs["rhs"].to_numpy(),
        **{c: defs[c].to_numpy(dtype=float) if c in defs else np.full(len(defs), np.nan)
           for c in EFFECT_COLUMNS[2:-2]},
    })
    out["ci_level"] = level
    out["ci_method"] = _CI_METHOD.get(language, _CI_METHOD["en"])["perc" if boot else "wald"]
    return out[EFFECT_COLUMNS]


# ------------------------------------------------------------------ pipeline reports
def sample_and_model(path) -> tuple[str, str]:
    """reports/models/<sample>/<model>.json or reports/bootstrap/<sample>/<model>.json ->
    (sample, model)."""
    from pathlib import Path

    p = Path(path)
    return p.parent.name, p.name.split(".")[0]


def hypotheses_report(results: Mapping[tuple[str, str], Mapping], config: Mapping, *, language: str = "es",
                      ci: str = "perc") -> tuple[pd.DataFrame, dict]:
    """Hypothesis tables of every (sample, model) fit JSON: one table with a `sample`
    column, and the machine-readable report (both wordings, R-squared of the endogenous
    constructs, the bootstrap block of each fit)."""
    tests = config.get("tests", {})
    alpha = float(config.get("alpha", 0.05))
    frames, samples = [], {}
    for (sample, model), res in results.items():
        params = pd.DataFrame(res["parameters"])
        boot = res.get("bootstrap")
        table = hypothesis_table(params, res.get("r2", {}), tests, alpha=alpha, language=language,
                                 bootstrap=boot, model=model, ci=ci if boot else "perc")
        problems = improper_problems(res)
        if problems:  # a hypothesis resting on an improper solution is not assessable, never supported
            table["supported"] = False
            table["decision"] = not_assessable(language)
        table["improper"] = "; ".join(p.describe(language) for p in problems)
        table.insert(0, "sample", sample)
        table.insert(1, "n", res.get("n"))
        frames.append(table)
        entry = samples.setdefault(sample, {"n": res.get("n"), "models": {}, "hypotheses": []})
        entry["models"][model] = {"n": res.get("n"), "estimator": res.get("estimator"), "bootstrap": boot,
                                  "r2": endogenous_r2(params, res.get("r2", {}))}
        for rec in table.drop(columns=["sample"]).to_dict(orient="records"):
            h = tests[rec["hypothesis"]]
            rec["statement_es"], rec["statement_en"] = h.get("es", ""), h.get("en", "")
            rec["improper"] = [p.to_dict() for p in problems]
            entry["hypotheses"].append(rec)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["sample", "n"] + HYPOTHESIS_COLUMNS)
    report = {"alpha": alpha, "language": language, "ci": ci, "columns": list(table.columns), "samples": samples}
    return table, json_ready(report)


def effects_report(results: Mapping[tuple[str, str], Mapping], *, language: str = "es") -> tuple[pd.DataFrame, dict]:
    """Defined effects of every (sample, model) fit JSON, with `sample` and `model` columns."""
    frames, samples = [], {}
    for (sample, model), res in results.items():
        params = pd.DataFrame(res["parameters"])
        table = effects_table(params, language=language, bootstrap=res.get("bootstrap"))
        table.insert(0, "sample", sample)
        table.insert(1, "model", model)
        table.insert(2, "n", res.get("n"))
        frames.append(table)
        boot = res.get("bootstrap") or {}
        samples.setdefault(sample, {})[model] = {
            "n": res.get("n"), "n_boot": boot.get("replicates"), "seed": boot.get("seed"),
            "bootstrap": res.get("bootstrap"),
            "effects": table.drop(columns=["sample", "model", "n"]).to_dict(orient="records")}
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["sample", "model", "n"] + EFFECT_COLUMNS)
    return table, json_ready({"language": language, "columns": list(table.columns), "samples": samples})


def markdown(table: pd.DataFrame) -> str:
    """The plain Markdown of a report table: 3 decimals, p-values as < .001 below that,
    empty cells for missing values (the APA layer formats tables for the manuscript)."""
    def cell(col, v):
        if v is None or (isinstance(v, float) and not np.isfinite(v)):
            return ""
        if isinstance(v, (bool, np.bool_)):
            return str(bool(v))
        if isinstance(v, (float, np.floating)):
            if col.startswith("pvalue"):
                return "< .001" if v < 0.001 else f"{v:.3f}"
            return f"{v:.0f}" if col in ("df", "df_diff", "npar", "n") else f"{v:.3f}"
        return str(v)

    shown = pd.DataFrame({c: [cell(c, v) for v in table[c]] for c in table.columns})
    numeric = [pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
               for c in table.columns]
    return shown.to_markdown(index=False, disable_numparse=True,
                             colalign=["right" if n else "left" for n in numeric]) + "\n"
