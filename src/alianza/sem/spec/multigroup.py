"""Multi-group models with lavaan 0.6.14's `group=`, `group.equal=` and `group.partial=`.

    fit_groups(model, data, "school", group_equal=["loadings", "intercepts"])  # -> SemFit

The parameter table is lavaan's: every row of the one-group table repeated per group
(group 1 first), modifiers given as c(...) vectors taken per group, meanstructure on, and
the latent means freed in groups 2.. when intercepts (or thresholds) are equal and the
means are not. `group.equal` gives the matching rows of every group the label of group 1
(lav_partable_labels), `group.partial` ("x3 ~1", "visual =~ x2") exempts parameters;
rows sharing a label share one free parameter (model.py), which is lavaan's
`ceq.simple` solution of its "==" constraints, so estimates, SEs and fit agree with
lavaan while `free` still numbers every row as lavaan does (the unconstrained space
that score tests, sem/inference/scoretest.py, work in). Fit measures follow lavaan's multi-group
definitions: chi-square and log-likelihoods summed over groups, the baseline model
fitted per group, RMSEA with the sqrt(G) correction, SRMR the N_g/N-weighted mean of the
groups' SRMRs.

semopy 2.3.11 cannot do this: its `multigroup` fits each group separately, without
cross-group equality constraints.
"""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from alianza.errors import ConfigError, InputError, ModelSyntaxError
from alianza.sem.inference import fitmeasures as fm
from alianza.sem.estimation.estimate import estimate_moments, start_values
from alianza.sem.solution.solution import improper, information_vcov, parameter_table
from alianza.sem.matrices.model import MomentsObjective, SemModel
from alianza.sem.inference.modindices import modification_indices_by_group
from alianza.sem.spec.partable import VarNames, append_definitions, number_parameters, build_partable, var_names
from alianza.sem.solution.result import SemFit
from alianza.sem.data.samplestats import SampleStats, group_rows, sample_stats, select_complete
from alianza.sem.solution.standardize import rsquare
from alianza.sem.spec.syntax import ParsedModel, parse_model

# lavaan's group.equal keywords; "thresholds" joins "intercepts" for ordered indicators
GROUP_EQUAL = ("loadings", "intercepts", "means", "thresholds", "regressions", "residuals",
               "residual.covariances", "lv.variances", "lv.covariances")


# ------------------------------------------------------------------ parameter table
def normalize_partial(group_partial) -> list[str]:
    """'visual =~ x2' -> 'visual=~x2' (lavaan compares group.partial without spaces)."""
    return [re.sub(r"\s+", "", str(p)) for p in (group_partial or [])]


def check_group_equal(group_equal) -> list[str]:
    eq = [str(e) for e in (group_equal or []) if str(e) not in ("", "none")]
    bad = [e for e in eq if e not in GROUP_EQUAL]
    if bad:
        raise ConfigError(f"unknown group.equal keyword {bad[0]!r}; use {', '.join(GROUP_EQUAL)}",
                          key="group_equal")
    return eq


def group_formulas(parsed: ParsedModel, g: int, ngroups: int) -> ParsedModel:
    """The model as group g sees it: every c(...) modifier reduced to its g-th value."""
    def pick(values, what, f):
        if values is None or len(values) == 1:
            return values
        if len(values) != ngroups:
            raise ModelSyntaxError(f"{what} modifier of {f.lhs} {f.op} {f.rhs} has {len(values)} values "
                                   f"but the model has {ngroups} groups", row=f.line)
        return [values[g]]

    formulas = [replace(f, fixed=pick(f.fixed, "fixed-value", f), start=pick(f.start, "start", f),
                        label=pick(f.label, "label", f), lower=pick(f.lower, "lower", f),
                        upper=pick(f.upper, "upper", f))
                for f in parsed.formulas]
    return ParsedModel(formulas, [], parsed.text)


def group_partable(parsed: ParsedModel, ngroups: int, *, group_equal=(), group_partial=(),
                   fixed_x: bool = True, std_lv: bool = False) -> tuple[pd.DataFrame, VarNames]:
    """lavaanify(model, ngroups = G, group.equal, group.partial, meanstructure = TRUE)."""
    group_equal = check_group_equal(group_equal)
    partial = set(normalize_partial(group_partial))
    parts = []
    names = None
    for g in range(ngroups):
        t, names = build_partable(group_formulas(parsed, g, ngroups), meanstructure=True,
                                  fixed_x=fixed_x, std_lv=std_lv)
        t = t.assign(group=g + 1, block=g + 1)
        if g > 0 and ({"intercepts", "thresholds"} & set(group_equal)) and "means" not in group_equal:
            # lav_partable_flat: with equal intercepts the latent means of groups 2.. are free
            lvm = (t["op"] == "~1") & t["lhs"].isin(names.lv) & (t["user"] == 0)
            t.loc[lvm, "free"] = 1
            t.loc[lvm, "ustart"] = np.nan
        if g > 0 and std_lv and "loadings" in group_equal and "lv.variances" not in group_equal:
            # lav_partable_flat (0.6-4): with std.lv and equal loadings the latent variances of
            # groups 2.. are free (group 1 keeps them at 1 and sets the scale)
            lvv = (t["op"] == "~~") & t["lhs"].isin(names.lv) & (t["lhs"] == t["rhs"]) & (t["user"] == 0)
            t.loc[lvv, "free"] = 1
            t.loc[lvv, "ustart"] = np.nan
        parts.append(t)
    table = pd.concat(parts, ignore_index=True)
    table["id"] = np.arange(1, len(table) + 1)
    table["plabel"] = [f".p{i}." for i in table["id"]]
    table["free"] = (table["free"] > 0).astype(int)
    table = equal_labels(table, names, group_equal, partial)
    table = number_parameters(table.drop(columns=["par"]))
    table = append_definitions(table, parsed)
    return table, names


def equal_labels(table: pd.DataFrame, names: VarNames, group_equal: list[str], partial: set) -> pd.DataFrame:
    """lav_partable_labels + lavaanify's eq.LABELS loop.

    Every row gets the name "lhs op rhs" (".gG" appended in groups 2..); group.equal copies
    the group-1 name to the matching rows of the other groups; a user label wins. Rows
    sharing a name are equal: all fixed (to the first fixed value) if one is fixed,
    otherwise they take the label of the first row (its plabel, as lavaan shows it).
    """
    lhs, op, rhs = table["lhs"].to_numpy(), table["op"].to_numpy(), table["rhs"].to_numpy()
    group = table["group"].to_numpy()
    base = np.array([f"{a}{o}{b}" for a, o, b in zip(lhs, op, rhs)], dtype=object)
    label = np.array([b if g == 1 else f"{b}.g{g}" for b, g in zip(base, group)], dtype=object)
    ov_nox, lv = set(names.ov_nox), set(names.lv)
    g1 = group == 1
    flag = np.zeros(len(table), dtype=bool)
    kinds = {
        "loadings": op == "=~",
        "intercepts": (op == "~1") & np.isin(lhs, list(ov_nox)),
        "thresholds": op == "|",
        "means": (op == "~1") & np.isin(lhs, list(lv)),
        "regressions": op == "~",
        "residuals": (op == "~~") & np.isin(lhs, list(ov_nox)) & (lhs == rhs),
        "residual.covariances": (op == "~~") & np.isin(lhs, list(ov_nox)) & (lhs != rhs),
        "lv.variances": (op == "~~") & np.isin(lhs, list(lv)) & (lhs == rhs),
        "lv.covariances": (op == "~~") & np.isin(lhs, list(lv)) & (lhs != rhs),
    }
    for kind in group_equal:
        flag |= g1 & kinds[kind]
    flag &= ~np.isin(base, list(partial))
    for r in np.flatnonzero(flag):
        same = (lhs == lhs[r]) & (op == op[r]) & (rhs == rhs[r]) & (group > 1)
        label[same] = label[r]
    user_label = table["label"].to_numpy().astype(object)
    has_user = np.array([bool(x) for x in user_label])
    label[has_user] = user_label[has_user]

    free = table["free"].to_numpy().copy()
    ustart = table["ustart"].to_numpy(dtype=float).copy()
    out_label = user_label.copy()
    plabel = table["plabel"].to_numpy()
    dup = pd.Series(label)[pd.Series(label).duplicated()].unique()
    for lab in dup:
        idx = np.flatnonzero(label == lab)
        fixed = idx[free[idx] == 0]
        if len(fixed):
            ustart[idx] = ustart[fixed[0]]
            free[idx] = 0
        else:
            for i in idx:
                if not out_label[i]:
                    out_label[i] = plabel[idx[0]]
    return table.assign(free=free, ustart=ustart, label=out_label)


def equality_constraints(table: pd.DataFrame) -> pd.DataFrame:
    """lavaan's "==" rows: (first row, other row) of every label shared by free rows, in
    lavaan's order (labels by their first repeat, then the rows carrying each)."""
    model = table[table["op"] != ":="]
    free = model[model["free"] > 0]
    labels = free["label"].to_numpy()
    rows = []
    seen = pd.Series(labels)
    order = pd.unique(seen[(seen != "") & seen.duplicated()])
    for lab in order:
        idx = free.index[labels == lab]
        for other in idx[1:]:
            rows.append(dict(lhs=table.at[idx[0], "plabel"], op="==", rhs=table.at[other, "plabel"],
                             row_lhs=int(idx[0]), row_rhs=int(other)))
    return pd.DataFrame(rows, columns=["lhs", "op", "rhs", "row_lhs", "row_rhs"])


# ------------------------------------------------------------------ data
def group_sample(data: pd.DataFrame, observed: list[str], group: str, *, group_label=None,
                 source=None):
    """Complete rows of the model variables split by `group` (lavaan's order of groups:
    first appearance, or `group_label`). -> (labels, SampleStats, n_input, n_dropped, warnings)."""
    warnings: list[str] = []
    keep, _, labels = group_rows(data, observed, group, group_label, source, warnings)
    n_nogroup = int((~keep).sum())
    sub = data.loc[keep]
    complete = select_complete(sub, observed, source=source)
    gvals = sub.loc[complete.data.index, group].astype(str).to_numpy()
    covs, means, nobs = [], [], []
    for lab in labels:
        part = complete.data.loc[gvals == lab]
        if len(part) < 2:
            raise InputError(f"group {lab!r} has {len(part)} complete rows", file=source, column=group)
        s = sample_stats(part, observed)
        _check_group_pd(s, lab, group, source)
        covs.append(s.cov[0])
        means.append(s.mean[0])
        nobs.append(s.nobs[0])
    n_out_of_labels = int((~np.isin(gvals, labels)).sum())
    if n_out_of_labels:
        warnings.append(f"{n_out_of_labels} rows of groups not in group_label were left out")
    if complete.n_dropped:
        warnings.append(f"{complete.n_dropped} of {complete.n_input} rows dropped (listwise deletion: missing "
                        f"values in model variables); N = {complete.n_input - complete.n_dropped}")
    stats = SampleStats(covs, means, nobs, list(observed))
    return labels, stats, len(data), complete.n_dropped + n_nogroup, warnings


def group_order_labels(data: pd.DataFrame, observed: list[str], group: str, group_label, source, warnings: list):
    """Complete rows of the model variables per group, in lavaan's group order (first appearance,
    or `group_label`). -> (labels, [DataFrame per group], rows handed in, rows dropped)."""
    from alianza.sem.data.samplestats import model_frame

    x, gvals, labels, n_input, n_out = model_frame(data, observed, group, group_label, source, warnings)
    frame = pd.DataFrame(x, columns=observed)
    complete = ~np.isnan(x).any(axis=1)
    parts = [frame[complete & (gvals == lab)] for lab in labels]
    return labels, parts, n_input, n_input - sum(len(p) for p in parts)


def _check_group_pd(stats: SampleStats, label, group, source) -> None:
    cov = stats.cov[0]
    for v, var in zip(stats.observed, np.diag(cov)):
        if var <= 1e-12 * max(1.0, np.abs(cov).max()):
            raise InputError(f"model variable has no variance in group {label!r} of {group!r}",
                             file=source, column=v)
    eig = np.linalg.eigvalsh(cov)
    if eig.min() <= 1e-12 * eig.max():
        raise InputError(f"the sample covariance matrix of group {label!r} of {group!r} is not positive "
                         "definite (too few rows, or a variable is a combination of others)",
                         file=source, column=group)


# ------------------------------------------------------------------ fitting
def fit_groups(model: str | ParsedModel, data: pd.DataFrame, group: str, *, group_equal=(),
               group_partial=(), group_label=None, source=None, std_lv: bool = False) -> SemFit:
    """lavaan's cfa()/sem() with `group = group` (ML, listwise deletion): the moments path of
    sem.fit for several groups (other estimators: sem/estimation/casewise.py)."""
    parsed = model if isinstance(model, ParsedModel) else parse_model(model)
    # the variable roles do not depend on the groups
    names = var_names([dict(lhs=f.lhs, op=f.op, rhs=f.rhs) for f in parsed.formulas])
    labels, stats, n_input, n_dropped, warnings = group_sample(data, names.ov, group,
                                                               group_label=group_label, source=source)
    table, names = group_partable(parsed, len(labels), group_equal=group_equal,
                                  group_partial=group_partial, std_lv=std_lv)
    partial = normalize_partial(group_partial)
    known = {f"{a}{o}{b}" for a, o, b in zip(table["lhs"], table["op"], table["rhs"])}
    warnings += [f"group.partial {p!r} matches no parameter of the model" for p in partial if p not in known]
    result = fit_group_stats(table, names, stats, labels, warnings=warnings, n_input=n_input,
                             n_dropped=n_dropped, std_lv=std_lv)
    result.group, result.group_equal, result.group_partial = group, check_group_equal(group_equal), partial
    return result


def group_start_values(model: SemModel, stats: SampleStats) -> np.ndarray:
    """Row values to start from, each group's rows from its own sample moments."""
    values = model.fixed.copy()
    t = model.table
    for g, gv in enumerate(model.group_values):
        rows = np.flatnonzero((t["group"].to_numpy() == gv) & np.isin(t["op"].to_numpy(), ("=~", "~", "~~", "~1")))
        sub = SemModel(t.iloc[rows].reset_index(drop=True), model.names, model.meanstructure)
        sub_stats = SampleStats([stats.cov[g]], [stats.mean[g]], [stats.nobs[g]], stats.observed)
        sub.set_exogenous(sub_stats)
        values[rows] = start_values(sub, sub_stats)
    return values


def fit_group_stats(table: pd.DataFrame, names: VarNames, stats: SampleStats, labels: list[str], *,
                    warnings=None, n_input=None, n_dropped=0, std_lv: bool = False) -> SemFit:
    """Fit a multi-group table from per-group sample moments."""
    warnings = list(warnings or [])
    model, est = estimate_moments(table, names, stats, meanstructure=True, start=group_start_values, std_lv=std_lv)
    warnings += est.messages
    n = stats.ntotal
    values = model.row_values(est.theta)
    imps = model.implied(est.theta)

    vcov = information_vcov(est.information, n, model.npar, warnings)
    params = parameter_table(table, model, values, est.theta, vcov, imps, names)
    group = table["group"].to_numpy()
    for g, (lab, imp) in enumerate(zip(labels, imps)):
        rows = np.flatnonzero(group == g + 1)
        warnings += [f"group {lab}: {w}" for w in improper(table.iloc[rows], values[rows], imp, names)]

    fit_dict = group_fit_measures(model, stats, imps, est.fmin)
    r2 = {}
    for g, lab in enumerate(labels):
        sub = params[params["group"] == g + 1]
        r2[lab] = rsquare(sub["lhs"], sub["op"], sub["rhs"], sub["std_all"].to_numpy())
    if vcov is not None and est.converged:
        mi = modification_indices_by_group(model, est.theta, stats, vcov * n)
    else:
        mi = pd.DataFrame(columns=["lhs", "op", "rhs", "group", "mi", "epc", "sepc_lv", "sepc_all"])
    ov, lv = names.ov, names.lv
    p = len(ov)
    per_group = {
        lab: dict(n=stats.nobs[g],
                  sample_cov=pd.DataFrame(stats.cov[g], index=ov, columns=ov),
                  sample_mean=pd.Series(stats.mean[g], index=ov),
                  implied_cov=pd.DataFrame(imp.sigma, index=ov, columns=ov),
                  implied_mean=pd.Series(imp.mu, index=ov),
                  latent_cov=pd.DataFrame(imp.V[p:, p:], index=lv, columns=lv),
                  latent_mean=pd.Series(imp.Bm[p:], index=lv))
        for g, (lab, imp) in enumerate(zip(labels, imps))
    }
    first = per_group[labels[0]]
    return SemFit(
        params=params, fit=fit_dict, r2=r2, modindices=mi, n=n, converged=est.converged,
        warnings=warnings, estimator="ML", observed=list(ov), latent=list(lv),
        sample_cov=first["sample_cov"], implied_cov=first["implied_cov"], latent_cov=first["latent_cov"],
        n_input=n if n_input is None else n_input, n_dropped=n_dropped,
        sample_mean=first["sample_mean"], implied_mean=first["implied_mean"],
        partable=table.assign(est=values), vcov=vcov,
        groups=list(labels), group_nobs=[int(x) for x in stats.nobs],
        fmin=est.fmin, iterations=est.iterations, per_group=per_group, sample_stats=stats, objective=MomentsObjective(stats), names=names,
        theta=est.theta,
    )


def group_fit_measures(model: SemModel, stats: SampleStats, imps, fmin: float) -> dict:
    """fitMeasures() of a multi-group ML fit (lav_fit_measures.R, G groups)."""
    names = model.names
    n = stats.ntotal
    G = len(stats.nobs)
    p = len(names.ov)
    x_idx = [names.ov.index(v) for v in names.ov_x]
    px = len(x_idx)
    ndat_g = p * (p + 1) // 2 - px * (px + 1) // 2 + (p - px)
    ndat = G * ndat_g
    npar = model.npar
    df = ndat - npar
    chisq = 2 * n * fmin
    base_chisq = float(sum(fm.baseline_chisq(stats.cov[g], stats.nobs[g], x_idx) for g in range(G)))
    base_df = G * (ndat_g - 2 * (p - px))
    logl = sum(fm.loglik(stats.cov[g], stats.mean[g], imps[g].sigma, imps[g].mu, stats.nobs[g], x_idx)
               for g in range(G))
    unres = sum(fm.loglik(stats.cov[g], stats.mean[g], stats.cov[g], stats.mean[g], stats.nobs[g], x_idx)
                for g in range(G))
    w = np.asarray(stats.nobs, float) / n
    srmr = float(sum(w[g] * fm.srmr_bentler(stats.cov[g], stats.mean[g], imps[g].sigma, imps[g].mu, True)
                     for g in range(G)))
    srmr_nomean = float(sum(w[g] * fm.srmr_bentler(stats.cov[g], stats.mean[g], imps[g].sigma,
                                                   imps[g].mu, False) for g in range(G)))
    out = fm.chisq_based_measures(chisq, df, base_chisq, base_df, n, npar, logl, unres, fmin=fmin, groups=G)
    out.update({"srmr": srmr, "srmr_bentler_nomean": srmr_nomean, "ngroups": G})
    return {k: (float(v) if not isinstance(v, int) else v) for k, v in out.items()}
