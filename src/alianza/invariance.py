"""Measurement invariance across groups (waves, sectors, municipalities), as lavaan/semTools users test it.

    result = invariance(model_text, data, "wave")          # -> InvarianceResult
    result.to_dict()                                        # what `alianza invariance --json` writes

The sequence fits the model with lavaan's `group=` and growing `group.equal=` sets:
configural (same pattern), metric (+ loadings), scalar (+ intercepts; latent means free
in groups 2..; "thresholds" join here for ordered items), strict (+ residual variances).
Each step is compared with the step before it: the likelihood-ratio test of lavTestLRT
(Satorra-Bentler 2001 scaled difference when both fits carry a scaled chi-square) and
the changes in CFI, RMSEA and SRMR, judged by the rule of config `invariance.rules`
(default Chen 2007). When a step fails, partial invariance is searched the way
semTools/lavaan users do it: the univariate score tests of lavTestScore on the step's
new equality constraints, the parameter with the largest significant one freed
(group.partial, which frees it in every group), refit, until the rule passes or nothing
significant remains. Freed parameters stay free in later steps. Once scalar invariance
holds (fully or partially), latent means of groups 2.. are compared with group 1's
(fixed at 0).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
from .sem.inference.distributions import chi2_sf

from .errors import ConfigError

STEPS = ("configural", "metric", "scalar", "strict")
# what each step adds to group.equal
STEP_ADDS = {"configural": [], "metric": ["loadings"], "scalar": ["intercepts"], "strict": ["residuals"]}
RULE_KEYS = ("delta_cfi", "delta_rmsea", "delta_srmr", "chisq_alpha", "chisq_p_min")
# Chen (2007): a loss of CFI of .010 or more, supplemented by a rise of RMSEA of .015 or of
# SRMR of .030 (loadings) / .010 (intercepts, residuals), indicates non-invariance.
DEFAULT_RULES = {
    "combine": "all",
    "metric": {"delta_cfi": -0.010, "delta_rmsea": 0.015, "delta_srmr": 0.030},
    "scalar": {"delta_cfi": -0.010, "delta_rmsea": 0.015, "delta_srmr": 0.010},
    "strict": {"delta_cfi": -0.010, "delta_rmsea": 0.015, "delta_srmr": 0.010},
}
DEFAULT_PARTIAL = {"enabled": True, "alpha": 0.05, "max_free": 20}


def group_equal_for(step: str, *, ordered: bool = False) -> list[str]:
    """lavaan's group.equal of a step (cumulative); ordered items add thresholds to scalar."""
    if step not in STEPS:
        raise ConfigError(f"unknown invariance step {step!r}; use {', '.join(STEPS)}", key="invariance.steps")
    out: list[str] = []
    for s in STEPS[: STEPS.index(step) + 1]:
        out += STEP_ADDS[s]
        if s == "scalar" and ordered:
            out.append("thresholds")
    return out


def parameter_kind(lhs: str, op: str, rhs: str, observed: set, latent: set) -> str:
    """The group.equal keyword a parameter falls under (lav_partable_labels' classes)."""
    if op == "=~":
        return "loadings"
    if op == "|":
        return "thresholds"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "intercepts" if lhs in observed else "means"
    if op == "~~":
        if lhs in latent:
            return "lv.variances" if lhs == rhs else "lv.covariances"
        return "residuals" if lhs == rhs else "residual.covariances"
    return "other"


# ------------------------------------------------------------------ comparing two fits
# Which version of CFI, TLI and RMSEA an invariance sequence compares under a scaled test: the robust
# ones (Brosseau-Liard & Savalei) under MLR; under WLSMV the scaled ones, because lavaan 0.6.14 has no
# robust indices for models with free latent means or scaling factors (every scalar step), and one
# sequence must compare like with like
INDEX_BASIS = {"continuous": ("robust", "scaled"), "ordered": ("scaled",)}


def index_names(result: dict) -> dict[str, str]:
    """role (chisq, df, pvalue, cfi, tli, rmsea) -> the lavaan measure an invariance table shows:
    the scaled test and the version of the indices its comparisons used (INDEX_BASIS)."""
    from .tables.robust import shown_names

    fits = [m.get("fit", {}) for m in result.get("models", {}).values()]
    names = shown_names(next((f for f in fits if f.get("chisq_scaled") is not None), None))
    for c in result.get("comparisons", []):
        for key, name in (c.get("delta_basis") or {}).items():
            names[key.removeprefix("delta_")] = name
    return names


def compare_fits(restricted: dict, reference: dict, *, ntotal: int | None = None,
                 ngroups: int | None = None, basis: tuple[str, ...] = ("robust", "scaled")) -> dict:
    """lavTestLRT(reference, restricted) plus the changes of the fit indices.

    Fit dicts use lavaan's names (dots -> underscores). With `chisq_scaled` in both, the
    difference is Satorra-Bentler (2001) scaled, as lavTestLRT does for robust estimators:
    cd = (df0 c0 - df1 c1) / (df0 - df1), T = (T0 - T1) / cd, with T the standard
    chi-squares and c the scaling factors (NaN and a note when cd < 0). `ntotal` and
    `ngroups` give lavTestLRT's RMSEA of the difference (unscaled test only). Under a scaled test
    the changes of CFI, TLI and RMSEA are those of the first of `basis`'s versions both fits have
    (`delta_basis` names them).
    """
    t0, df0 = float(restricted["chisq"]), float(restricted["df"])
    t1, df1 = float(reference["chisq"]), float(reference["df"])
    ddf = df0 - df1
    out = {"chisq_diff": t0 - t1, "df_diff": ddf, "scaled": False, "scaling_factor": float("nan")}
    notes = []
    scaled = all(f.get("chisq_scaled") is not None and _finite(f.get("chisq_scaled"))
                 for f in (restricted, reference))
    if scaled:
        c0, c1 = _scaling_factor(restricted), _scaling_factor(reference)
        if df1 == 0:
            c1 = 1.0
        out["scaled"] = True
        if ddf != 0:
            cd = (df0 * c0 - df1 * c1) / ddf
            if cd < 0:
                notes.append("the Satorra-Bentler (2001) scaling factor of the difference is negative")
                cd = float("nan")
            out["scaling_factor"] = cd
            out["chisq_diff"] = (t0 - t1) / cd
    stat = out["chisq_diff"]
    out["pvalue"] = float(chi2_sf(stat, ddf)) if ddf > 0 and _finite(stat) else float("nan")
    if not scaled and ntotal and ddf > 0:
        out["rmsea_diff"] = math.sqrt(max(stat / ntotal / ddf - 1.0 / ntotal, 0.0)) * math.sqrt(ngroups or 1)
    else:
        out["rmsea_diff"] = float("nan")
    # under a scaled test the changes are those of the indices the tables show (robust CFI, TLI,
    # RMSEA, else the scaled ones: tables/robust.py), not of the standard ones beside them
    used = {}
    for idx in ("cfi", "tli", "rmsea", "srmr"):
        name = next((n for n in (f"{idx}_{b}" for b in basis) if scaled and _finite(restricted.get(n))
                     and _finite(reference.get(n))), idx)
        a, b = restricted.get(name), reference.get(name)
        out[f"delta_{idx}"] = float(a) - float(b) if _finite(a) and _finite(b) else float("nan")
        used[f"delta_{idx}"] = name
    out["delta_basis"] = used
    for idx in ("aic", "bic"):
        a, b = restricted.get(idx), reference.get(idx)
        out[f"delta_{idx}"] = float(a) - float(b) if _finite(a) and _finite(b) else float("nan")
    if stat is not None and _finite(stat) and stat < -np.finfo(float).eps ** (1 / 3):
        notes.append("the restricted model fits better than the less restricted one: not nested, or "
                     "a fit did not reach its optimum")
    out["notes"] = notes
    return out


def _finite(x) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _scaling_factor(fit: dict) -> float:
    c = fit.get("chisq_scaling_factor")
    if _finite(c):
        return float(c)
    return float(fit["chisq"]) / float(fit["chisq_scaled"])


def check_rules(comparison: dict, rule: dict, combine: str = "all") -> dict:
    """Judge one comparison. rule: delta_cfi (minimum change), delta_rmsea / delta_srmr
    (maximum change), chisq_alpha (minimum p of the difference test); a missing or null
    entry is not checked. combine "all": every criterion must pass; "chen2007": the step
    fails only when CFI fails together with RMSEA or SRMR (Chen 2007's wording); a
    chi-square criterion must pass in either case.
    -> {"criteria": {name: {"value", "limit", "pass"}}, "pass": bool}"""
    crit: dict[str, dict] = {}
    for key, better in (("delta_cfi", "ge"), ("delta_rmsea", "le"), ("delta_srmr", "le")):
        limit = rule.get(key)
        if limit is None:
            continue
        value = comparison.get(key)
        ok = _finite(value) and (value >= limit - 1e-12 if better == "ge" else value <= limit + 1e-12)
        crit[key] = {"value": value, "limit": float(limit), "pass": bool(ok)}
    for key in ("chisq_alpha", "chisq_p_min"):        # the same criterion under two names
        if rule.get(key) is not None:
            p = comparison.get("pvalue")
            crit[key] = {"value": p, "limit": float(rule[key]),
                         "pass": bool(_finite(p) and p >= float(rule[key]))}
    if combine == "all":
        ok = all(c["pass"] for c in crit.values())
    elif combine == "chen2007":
        cfi_ok = crit.get("delta_cfi", {"pass": True})["pass"]
        others = [crit[k]["pass"] for k in ("delta_rmsea", "delta_srmr") if k in crit]
        ok = cfi_ok or (all(others) if others else False)
        ok = ok and all(crit[k]["pass"] for k in ("chisq_alpha", "chisq_p_min") if k in crit)
    else:
        raise ConfigError(f"unknown rule combination {combine!r}; use 'all' or 'chen2007'",
                          key="invariance.rules.combine")
    return {"criteria": crit, "pass": bool(ok)}


# ------------------------------------------------------------------ latent means
def latent_means(result) -> pd.DataFrame:
    """Latent means of groups 2.. against group 1 (fixed at 0) from a scalar-level fit.

    est, se, z, pvalue, ci are lavaan's parameterEstimates of the `f ~1` rows; std_lv is
    lavaan's (the mean over the group's own latent SD); d divides by the pooled SD of groups
    1 and g, sqrt((N_1 psi_1 + N_g psi_g) / (N_1 + N_g)), a standardized mean difference.
    """
    p = result.params
    per_group = result.per_group
    labels = result.groups
    rows = []
    for _, r in p[(p["op"] == "~1") & p["lhs"].isin(result.latent) & (p["group"] > 1)].iterrows():
        if not _finite(r["z"]):
            continue                       # fixed: the mean is not estimated in this model
        g = int(r["group"])
        ref, this = labels[0], labels[g - 1]
        psi1 = float(per_group[ref]["latent_cov"].loc[r["lhs"], r["lhs"]])
        psig = float(per_group[this]["latent_cov"].loc[r["lhs"], r["lhs"]])
        n1, ng = per_group[ref]["n"], per_group[this]["n"]
        pooled = (n1 * psi1 + ng * psig) / (n1 + ng)
        rows.append({"factor": r["lhs"], "group": this, "reference": ref, "est": r["est"], "se": r["se"],
                     "z": r["z"], "pvalue": r["pvalue"], "ci_lower": r["ci_lower"], "ci_upper": r["ci_upper"],
                     "std_lv": r["std_lv"], "d": r["est"] / math.sqrt(pooled) if pooled > 0 else float("nan")})
    return pd.DataFrame(rows, columns=["factor", "group", "reference", "est", "se", "z", "pvalue",
                                       "ci_lower", "ci_upper", "std_lv", "d"])


# ------------------------------------------------------------------ the sequence
@dataclass
class InvarianceResult:
    group: str
    groups: dict                     # label -> N (complete rows)
    models: dict                     # step -> {"group_equal", "group_partial", "converged", "warnings", "fit"
                                     #          [, "full_fit": before partial freeing]}
    comparisons: list
    freed: list
    latent_means: list
    supported: str | None            # the most restrictive step that holds (all before it too)
    notes: list
    rules: dict
    fits: dict = field(default_factory=dict, repr=False)     # step -> SemFit

    def to_dict(self) -> dict:
        from .sem.solution.result import json_ready

        return json_ready({"group": self.group, "groups": self.groups, "models": self.models,
                       "comparisons": self.comparisons, "freed": self.freed,
                       "latent_means": self.latent_means, "supported": self.supported,
                       "notes": self.notes, "rules": self.rules})


def merged_rules(rules: dict | None) -> dict:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_RULES.items()}
    for k, v in (rules or {}).items():
        if k == "combine":
            out[k] = v
        elif k in STEPS[1:]:
            if not isinstance(v, dict):
                raise ConfigError("a step's rule must be a mapping", key=f"invariance.rules.{k}")
            bad = [x for x in v if x not in RULE_KEYS]
            if bad:
                raise ConfigError(f"unknown rule entry {bad[0]!r}; use {', '.join(RULE_KEYS)}",
                                  key=f"invariance.rules.{k}")
            out[k] = {**out.get(k, {}), **v}
        else:
            raise ConfigError(f"unknown invariance rule {k!r}", key="invariance.rules")
    return out


def invariance(model, data: pd.DataFrame, group: str, *, steps=STEPS, rules: dict | None = None,
               partial: dict | None = None, group_label=None, ordered=None,
               estimator: str | None = None, missing: str | None = None, fitter: Callable | None = None,
               source=None) -> InvarianceResult:
    """Fit the invariance sequence of `model` across the groups of `group` and judge it.

    Every step is fitted by alianza.sem.fit with the same estimator, missing-data treatment and
    ordered items (lavaan's options; robust steps are compared by the scaled difference test).
    `fitter` replaces sem.fit (same keywords); `partial` ({"enabled", "alpha", "max_free"})
    controls the partial-invariance search. Every step with equality constraints records the
    univariate score test of each constraint (lavTestScore) under "score_tests".
    """
    from .sem import fit as sem_fit
    from .sem.estimation.options import ordered_spec
    from .sem.inference.scoretest import score_test
    from .sem.spec.syntax import ParsedModel, parse_model

    fitter = fitter or sem_fit
    is_ordered = bool(ordered_spec(ordered))
    steps = list(steps)
    if not steps or steps[0] != "configural" or [s for s in steps if s not in STEPS]:
        raise ConfigError(f"invariance steps must start with configural and be among {', '.join(STEPS)}",
                          key="invariance.steps")
    if steps != [s for s in STEPS if s in steps]:
        raise ConfigError("invariance steps must be in the order configural, metric, scalar, strict",
                          key="invariance.steps")
    rules = merged_rules(rules)
    opts = {**DEFAULT_PARTIAL, **(partial or {})}
    parsed = model if isinstance(model, ParsedModel) else parse_model(model)

    def run(step, group_partial):
        return fitter(parsed, data, group=group, group_equal=group_equal_for(step, ordered=is_ordered),
                      group_partial=list(group_partial), group_label=group_label, estimator=estimator,
                      missing=missing, ordered=ordered, source=source)

    models, fits, comparisons, freed, notes = {}, {}, [], [], []
    group_partial: list[str] = []
    previous, prev_step = None, None
    supported = None
    chain_ok = True
    for step in steps:
        res = run(step, group_partial)
        comparison = None
        if previous is not None:
            rule = rules.get(step, {})
            comparison = _comparison(res, previous, step, prev_step, rule, rules["combine"])
            adds = set(group_equal_for(step, ordered=is_ordered)) - set(group_equal_for(prev_step, ordered=is_ordered))
            n_freed = 0
            full = (res, comparison)
            while (not comparison["pass"] and opts["enabled"] and n_freed < int(opts["max_free"])):
                pick = _largest_score(res, score_test, adds, opts["alpha"], group_partial)
                if pick is None:
                    break
                group_partial.append(pick["parameter"])
                freed.append({"step": step, **pick})
                n_freed += 1
                res = run(step, group_partial)
                comparison = _comparison(res, previous, step, prev_step, rule, rules["combine"])
            comparison["partial"] = n_freed > 0
            if n_freed:       # what the step looked like before anything was freed
                comparison["full"] = {k: full[1][k] for k in ("chisq_diff", "df_diff", "pvalue", "delta_cfi",
                                                               "delta_rmsea", "delta_srmr", "pass")}
            comparisons.append(comparison)
            if comparison.get("decision") == "not tested":
                notes.append(comparison["notes"][-1])          # why (_comparison adds it last)
            if not comparison["pass"]:
                chain_ok = False
                notes.append(f"{step} invariance is not supported"
                             + (" even after freeing parameters" if n_freed else "")
                             + f"; later steps are reported but rest on a failed {step} step")
        if not res.converged:
            notes.append(f"the {step} model did not converge")
            chain_ok = False
        if chain_ok and not (comparison or {}).get("decision") == "not tested":
            supported = step
        models[step] = {"group_equal": group_equal_for(step, ordered=is_ordered),
                        "group_partial": list(group_partial), "converged": res.converged,
                        "warnings": list(res.warnings), "npar": res.fit.get("npar"), "fit": dict(res.fit),
                        "estimator": res.estimator, "score_tests": step_score_tests(res, score_test)}
        if previous is not None and comparison.get("partial"):
            models[step]["full_fit"] = dict(full[0].fit)      # every parameter of the step constrained
            fits[f"{step}_full"] = full[0]
        fits[step] = res
        previous, prev_step = res, step

    means = []
    if "scalar" in fits and supported in ("scalar", "strict"):
        means = latent_means(fits["scalar"]).to_dict(orient="records")
    elif "scalar" in fits:
        notes.append("latent means are not compared: scalar invariance (full or partial) does not hold")
    first = next(iter(fits.values()))
    return InvarianceResult(group=group, groups=dict(zip(first.groups, first.group_nobs)), models=models,
                            comparisons=comparisons, freed=freed, latent_means=means, supported=supported,
                            notes=notes, rules={"rules": rules, "partial": opts}, fits=fits)


def _comparison(res, previous, step, prev_step, rule, combine) -> dict:
    comp = compare_fits(res.fit, previous.fit, ntotal=res.n, ngroups=len(res.groups) or 1,
                        basis=INDEX_BASIS["ordered" if getattr(res, "wls", None) is not None else "continuous"])
    if getattr(res, "wls", None) is not None and getattr(previous, "wls", None) is not None:
        # ordered items: lavTestLRT's Satorra (2000) test from the steps' Jacobians (not Satorra-Bentler 2001)
        from .sem.inference.lrt import satorra_2000

        t = satorra_2000(res, previous)
        comp.update(chisq_diff=t["chisq_diff"], df_diff=t["df_diff"], pvalue=t["pvalue"], scaled=True,
                    scaling_factor=float("nan"), method="satorra.2000")
    judged = check_rules(comp, rule, combine)
    out = {"model": step, "against": prev_step, **comp, **judged}
    if comp["df_diff"] == 0:
        # the step adds no constraint (strict with ordered items under the delta parameterization:
        # their residual variances are not parameters): nothing was tested, so nothing is supported
        out["decision"] = "not tested"
        out["notes"] = list(out.get("notes", [])) + [
            f"{step} adds no equality constraint to {prev_step}"
            + (" (ordered items under the delta parameterization have no residual variances to equate; "
               "parameterization theta tests them)" if step == "strict" and getattr(res, "wls", None) is not None
               else "") + ": the step is not tested"]
    return out


def step_score_tests(res, score_test) -> list[dict]:
    """lavTestScore's univariate table of a step: every equality constraint (the two parameters'
    plabels, X2, df, p) and the parameter it is on; [] for a step without constraints."""
    try:
        uni = score_test(res)["uni"]
    except ValueError:
        return []
    return uni.to_dict(orient="records")


def _largest_score(res, score_test, kinds: set, alpha: float, already: list[str]) -> dict | None:
    """The parameter of the step's kinds with the largest significant univariate score test."""
    try:
        uni = score_test(res)["uni"]
    except ValueError:
        return None
    observed, latent = set(res.observed), set(res.latent)
    best = None
    for _, r in uni.iterrows():
        name = f"{r['par_lhs']}{r['par_op']}{r['par_rhs']}"
        if parameter_kind(r["par_lhs"], r["par_op"], r["par_rhs"], observed, latent) not in kinds:
            continue
        if name in already or not (r["pvalue"] < alpha):
            continue
        if best is None or r["X2"] > best["X2"]:
            best = {"parameter": name, "lhs": r["par_lhs"], "op": r["par_op"], "rhs": r["par_rhs"],
                    "constraint": f"{r['lhs']} == {r['rhs']}", "group": res.groups[int(r["group"]) - 1],
                    "X2": float(r["X2"]), "df": 1, "pvalue": float(r["pvalue"])}
    return best


# ------------------------------------------------------------------ groups for the pipeline
def natural_order(values) -> list[str]:
    """Group labels sorted as numbers when they all are, else as text."""
    labels = list(dict.fromkeys(str(v) for v in values))
    try:
        return sorted(labels, key=float)
    except ValueError:
        return sorted(labels)


def prepare_groups(data: pd.DataFrame, group: str, *, min_group_n: int = 0, small_groups: str = "merge",
                   other_label: str = "other", complete_in=None) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Handle groups smaller than `min_group_n` before fitting: "merge" pools them into one
    group `other_label` (dropped too if the pool is still small), "skip" leaves them out.
    Sizes count complete rows of `complete_in` (the model's variables) when given.
    -> (data to fit, group labels in order of first appearance, notes)."""
    from .errors import InputError

    if group not in data.columns:
        raise InputError("grouping variable not in the data", column=group)
    values = data[group]
    keep = values.notna().to_numpy().copy()
    if complete_in:
        missing = [v for v in complete_in if v not in data.columns]
        if missing:
            raise InputError("model variable not in the data", column=missing[0])
        keep = keep & data[list(complete_in)].notna().all(axis=1).to_numpy()
    labels = list(dict.fromkeys(str(v) for v in values[values.notna()]))   # lavaan's order
    text = pd.Series([str(v) if pd.notna(v) else "" for v in values], index=data.index)
    counts = {lab: int(((text == lab).to_numpy() & keep).sum()) for lab in labels}
    small = [lab for lab in labels if counts[lab] < min_group_n]
    notes = []
    new = text.copy()
    if small:
        if small_groups == "merge":
            pooled = sum(counts[s] for s in small)
            if pooled >= min_group_n and len(small) > 1:
                new[text.isin(small)] = other_label
                notes.append(f"groups {', '.join(small)} of {group!r} (N < {min_group_n}) merged into "
                             f"{other_label!r} (N = {pooled})")
                labels = [lab for lab in labels if lab not in small] + [other_label]
            else:
                new[text.isin(small)] = ""
                notes.append(f"groups {', '.join(small)} of {group!r} (N = {pooled} together, below "
                             f"min_group_n = {min_group_n}) left out")
                labels = [lab for lab in labels if lab not in small]
        elif small_groups == "skip":
            new[text.isin(small)] = ""
            notes.append(f"groups {', '.join(f'{s} (N = {counts[s]})' for s in small)} of {group!r} are "
                         f"smaller than min_group_n = {min_group_n} and were left out")
            labels = [lab for lab in labels if lab not in small]
        else:
            raise ConfigError(f"small_groups must be 'merge' or 'skip', not {small_groups!r}",
                              key="invariance.small_groups")
    out = data.assign(**{group: new.where(new != "", None)})
    return out, labels, notes


def skipped_result(group: str, groups: dict, notes: list[str], rules: dict | None = None) -> dict:
    """The JSON of a grouping variable that cannot be compared (fewer than two groups)."""
    from .sem.solution.result import json_ready

    return json_ready({"group": group, "groups": groups, "models": {}, "comparisons": [], "freed": [],
                   "latent_means": [], "supported": None, "notes": notes, "rules": rules or {}})


# ------------------------------------------------------------------ tables
TABLE_FIT = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"]
TABLE_COLUMNS = ["model", "freed", *TABLE_FIT, "against", "chisq_diff", "df_diff", "pvalue_diff", "delta_cfi",
                 "delta_rmsea", "delta_srmr", "decision"]


def invariance_table(result: dict) -> pd.DataFrame:
    """One row per step: fit, the comparison with the previous step, the decision. Under a scaled
    test the fit columns are the measures the tables show, under lavaan's names (chisq_scaled,
    df_scaled, pvalue_scaled, cfi_robust ...: tables/robust.py)."""
    names = index_names(result)
    fit_cols = [names.get(k, k) for k in TABLE_FIT]
    comps = {c["model"]: c for c in result.get("comparisons", [])}
    freed: dict[str, list[str]] = {}
    for f in result.get("freed", []):
        freed.setdefault(f["step"], []).append(f["parameter"])
    rows = []
    for step, m in result.get("models", {}).items():
        row = {"model": step, "freed": ", ".join(freed.get(step, []))}
        row.update({k: m["fit"].get(k) for k in fit_cols})
        c = comps.get(step)
        # a step that adds no constraint has no difference to report (its zeros would read as "no change")
        shown = c if c and c.get("decision") != "not tested" else {}
        row.update({
            "against": c["against"] if c else "",
            "chisq_diff": shown.get("chisq_diff"),
            "df_diff": shown.get("df_diff"),
            "pvalue_diff": shown.get("pvalue"),
            "delta_cfi": shown.get("delta_cfi"),
            "delta_rmsea": shown.get("delta_rmsea"),
            "delta_srmr": shown.get("delta_srmr"),
            "decision": (c.get("decision") or ("supported" if c["pass"] else "not supported")) if c else "",
        })
        rows.append(row)
    return pd.DataFrame(rows, columns=["model", "freed", *fit_cols, *TABLE_COLUMNS[2 + len(TABLE_FIT):]])


def invariance_markdown(result: dict) -> str:
    """The steps table, then latent means and notes, in Markdown."""
    lines = [f"# Measurement invariance across `{result['group']}`", ""]
    groups = result.get("groups", {})
    if groups:
        lines += ["Groups: " + ", ".join(f"{k} (N = {v})" for k, v in groups.items()), ""]
    table = invariance_table(result)
    if not table.empty:
        lines += [_markdown(table), ""]
    if result.get("latent_means"):
        lines += ["## Latent means (reference group fixed at 0)", "",
                  _markdown(pd.DataFrame(result["latent_means"])), ""]
    if result.get("notes"):
        lines += ["## Notes", ""] + [f"- {n}" for n in result["notes"]] + [""]
    return "\n".join(lines)


# ------------------------------------------------------------------ one call for CLI and pipeline
def invariance_report(model, data: pd.DataFrame, group: str, settings: dict | None = None, *,
                      group_label=None, sort_groups: bool = False, source=None, estimation: dict | None = None) -> dict:
    """Groups prepared (min_group_n, small_groups), the sequence fitted, as a JSON-ready dict.

    settings: the `invariance:` section of config/config.yaml (steps, rules, partial,
    min_group_n, small_groups); missing entries take the defaults. Groups come in lavaan's
    order (first appearance; a merged group last), sorted with `sort_groups`, or as
    `group_label` lists them: the first is the reference group. Fewer than two usable
    groups give a result with no models and a note instead of an error, so a pipeline over
    several grouping variables goes on. `estimation` holds sem.fit's estimator options
    (estimator, missing, ordered, std_lv, sampling_weights, cluster: config `estimation:` and
    `design:` through sem.estimation.options.fit_kwargs).
    """
    from .sem.spec.syntax import ParsedModel, parse_model

    settings = dict(settings or {})
    parsed = model if isinstance(model, ParsedModel) else parse_model(model)
    observed = _observed(parsed)
    min_n = int(settings.get("min_group_n", 0) or 0)
    prepared, labels, notes = prepare_groups(data, group, min_group_n=min_n,
                                             small_groups=settings.get("small_groups", "merge"),
                                             complete_in=observed)
    if group_label is not None:
        labels = [str(x) for x in group_label if str(x) in labels]
    elif sort_groups:
        labels = natural_order(labels)
    rules = merged_rules(settings.get("rules"))
    if len(labels) < 2:
        counts = prepared[group].value_counts().to_dict()
        return skipped_result(group, {str(k): int(v) for k, v in counts.items()},
                              notes + [f"{group!r} has fewer than two groups with at least {min_n} complete "
                                       "rows: invariance across it is not tested"], rules)
    est = dict(estimation or {})
    from functools import partial

    from .sem import fit as sem_fit

    # the survey design (weights, clusters) goes to every step's fit unchanged
    fitter = partial(sem_fit, std_lv=bool(est.get("std_lv")), parameterization=est.get("parameterization"),
                     sampling_weights=est.get("sampling_weights"), cluster=est.get("cluster"))
    result = invariance(parsed, prepared, group, steps=settings.get("steps", STEPS), rules=rules,
                        partial=settings.get("partial"), group_label=labels, source=source,
                        estimator=est.get("estimator"), missing=est.get("missing"), ordered=est.get("ordered"),
                        fitter=fitter)
    out = result.to_dict()
    out["notes"] = notes + out["notes"]
    fits = [f for f in getattr(result, "fits", {}).values() if getattr(f, "design", None)]
    out["design"] = fits[0].design if fits else None      # every step's fit used the same design
    return out


def _observed(parsed) -> list[str]:
    from .sem.spec.partable import var_names

    return var_names([dict(lhs=f.lhs, op=f.op, rhs=f.rhs) for f in parsed.formulas]).ov


def _markdown(table: pd.DataFrame) -> str:
    """Markdown with 3 decimals and blank cells for missing values (not "nan")."""
    cells = table.astype(object).where(table.notna(), None)
    return cells.to_markdown(index=False, floatfmt=".3f", missingval="")
