"""ML-family fits that need the rows, not only the moments: FIML and the robust (MLR) family,
on G >= 1 groups, with observed exogenous covariates (fixed.x).

    fit_casewise(parsed, data, opts, source=...)     # opts from sem/options.resolve

Stages (lavaan's order): data per group -> sample statistics (moments, or the EM saturated
model under FIML) -> estimates (ML on moments for complete data; the casewise likelihood
under FIML) -> vcov on `opts.se` / `opts.information` -> test on `opts.test` -> fit measures.
The objective is lavaan's: the sum over groups of (N_g / N) times each group's -logl_g / N_g,
so single-group is the G = 1 case. Every per-group piece (patterns, Hessian, scores) is
sem/data/fiml.py's; robust traces follow lav_test_yuan_bentler_mplus_trace group by group.

A survey design (opts.sampling_weights, opts.cluster; lavaan's sampling.weights and cluster)
enters through the patterns: each pattern's frequency and moments are weighted (weights rescaled
to sum to N over all groups, lavaan's "total" normalisation), so estimates, the observed
information and the chi-square are the weighted ones; first-order information multiplies each
row's score by its weight and sums the scores within clusters (robust.cluster). With clusters
the model has a mean structure, as in lavaan.

With fixed.x the covariates' moments stay at their sample values and rows missing a covariate
are deleted under FIML (lavaan 0.6.14: "cases were deleted due to missing values in exogenous
variable(s), while fixed.x = TRUE"), with a warning naming the count.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from alianza.errors import ConfigError, InputError
from alianza.sem.inference import fitmeasures as fm
from alianza.sem.data.fiml import (CasewiseML, IndependenceStructure, Patterns, SemStructure, em_saturated, loglik,
                   patterns_of)
from alianza.sem.estimation.estimate import fit_ml as fit_ml_moments, reflect_factors, start_values
from alianza.sem.matrices.model import MomentsObjective, SemModel
from alianza.sem.spec.multigroup import group_partable, group_start_values
from alianza.sem.estimation.options import Options
from alianza.sem.spec.partable import build_partable, var_names
from alianza.sem.solution.result import SemFit
from alianza.sem.estimation.scoring import minimize
from alianza.sem.solution.solution import improper, order_fit, parameter_table
from alianza.sem.solution.standardize import rsquare
from alianza.sem.inference.robust import (H1Information, ScaledTest, fiml_corrected, first_order, h1_information,
                                          non_x_coordinates, robust_indices, sandwich, scaled_indices,
                                          vech_jacobian)
from alianza.sem.data.samplestats import SampleStats, model_frame
from alianza.sem.data.design import FEW_CLUSTERS, DesignRows, describe, design_rows, n_clusters, normalise


@dataclass
class GroupData:
    """The rows of one group that enter the likelihood, and their patterns."""
    label: str
    x: np.ndarray              # n_g x p, NaN missing
    pat: Patterns
    rows: np.ndarray | None = None   # positions of these rows in the model frame


def split_rows(x: np.ndarray, group_values, labels, *, fiml: bool, x_idx, warnings: list,
               design: DesignRows | None = None) -> list[GroupData]:
    """Rows per group: complete rows (listwise) or rows observing something (FIML; rows missing a
    fixed.x covariate are deleted, as lavaan does). With a survey design the patterns carry each
    row's weight (normalised over the rows kept in all groups, as lavaan does) and cluster."""
    design = design or DesignRows(None, None)
    kept = []
    n_empty = n_x = 0
    for lab in labels:
        in_group = group_values == lab if group_values is not None else np.ones(len(x), bool)
        xg = x[in_group]
        obs = ~np.isnan(xg)
        if fiml:
            keep = obs.any(axis=1)
            n_empty += int((~keep).sum())
            if len(x_idx):
                keep_x = obs[:, x_idx].all(axis=1)
                n_x += int((keep & ~keep_x).sum())
                keep &= keep_x
        else:
            keep = obs.all(axis=1)
        rows = np.flatnonzero(in_group)[keep]
        kept.append((str(lab), xg[keep], rows))
    weights = (normalise([design.weights[rows] for _, _, rows in kept]) if design.weights is not None
               else [None] * len(kept))
    out = [GroupData(lab, xg, patterns_of(xg, wg, None if design.cluster is None else design.cluster[rows])
                     if len(xg) else None, rows)
           for (lab, xg, rows), wg in zip(kept, weights)]
    if n_empty:
        warnings.append(f"{n_empty} rows dropped: every model variable missing")
    if n_x:
        warnings.append(f"{n_x} rows deleted because of missing values in exogenous covariate(s), "
                        "while fixed.x = TRUE (lavaan's FIML keeps the covariates fixed)")
    return out


class MultiGroupCasewise:
    """f(theta) = sum_g (N_g / N) f_g(theta), f_g = -logl_g / N_g (lavaan's fmin for FIML)."""

    def __init__(self, parts: list[CasewiseML]):
        self.parts = parts
        n = np.array([o.pat.n for o in parts], float)
        # the weights sum to the rows used (lavaan's "total" normalisation): N is a count
        self.n = int(round(n.sum()))
        self.w = n / n.sum()

    def fun(self, theta) -> float:
        total = 0.0
        for w, o in zip(self.w, self.parts):
            f = o.fun(theta)
            if not np.isfinite(f):
                return np.inf
            total += w * f
        return total

    def grad_info(self, theta):
        grad, info = 0.0, 0.0
        for w, o in zip(self.w, self.parts):
            g, i = o.grad_info(theta)
            grad, info = grad + w * g, info + w * i
        return grad, info

    def hessian(self, theta, gradient=None) -> np.ndarray:
        return sum(w * o.hessian(theta) for w, o in zip(self.w, self.parts))

    def first_order(self, theta) -> list[np.ndarray]:
        """B0_g per group (per observation of the group)."""
        return [first_order(o, theta) for o in self.parts]


class CasewiseObjective:
    """The casewise (FIML) likelihood of a fit, re-evaluable on any SemModel over the same table:
    what post-fit tools (score tests) read, never refitting (lavaan's gradient and expected
    information, h1 structured, under missing = "ml")."""

    def __init__(self, stats: SampleStats, patterns: list, fixed_means: list):
        self.stats, self.patterns, self.fixed_means = stats, patterns, fixed_means

    def likelihood(self, model: SemModel) -> "MultiGroupCasewise":
        """f(theta) = -logl / N of `model` on these rows (fixed.x covariates at their sample moments)."""
        model.set_exogenous(self.stats)
        return MultiGroupCasewise([CasewiseML(SemStructure(model, g), pat, fixed_mean=fm) for g, (pat, fm)
                                   in enumerate(zip(self.patterns, self.fixed_means))])

    def gradient_information(self, model: SemModel, theta) -> tuple[np.ndarray, np.ndarray]:
        return self.likelihood(model).grad_info(theta)


def robust_vcov(obj: MultiGroupCasewise, theta, warnings: list, *, robust: bool):
    """(vcov, E^-1, [B0_g]): observed information as bread, Huber-White meat when robust."""
    E = obj.hessian(theta)
    eig = np.linalg.eigvalsh(E) if len(theta) else np.ones(1)
    if eig.min() <= 1e-10 * max(eig.max(), 1e-300):
        warnings.append("standard errors could not be computed: the information matrix is singular "
                        "(the model may not be identified)")
        return None, None, None
    E_inv = np.linalg.inv(E)
    if not robust:
        return E_inv / obj.n, E_inv, None
    B0 = obj.first_order(theta)
    meat = sum(w * b for w, b in zip(obj.w, B0))
    return sandwich(E_inv, meat, obj.n), E_inv, B0


def masked_h1(h1: H1Information, p: int, x_idx, meanstructure: bool) -> H1Information:
    """Drop the coordinates of the fixed.x covariates' own moments (lavaan masks them: zero
    diagonal in A1) from the saturated model's information."""
    if not len(x_idx):
        return h1
    keep = non_x_coordinates(p, x_idx)
    if not meanstructure:
        keep = keep[p:]
    return H1Information(h1.A1[np.ix_(keep, keep)], h1.B1[np.ix_(keep, keep)])


def yuan_bentler_groups(chisq, df, h1s: list[H1Information], w, E_inv, B0s) -> ScaledTest:
    """lav_test_yuan_bentler_mplus_trace over groups: sum_g tr(A1_g^-1 B1_g) - w_g tr(B0_g E^-1)."""
    tr_h1 = [float(np.sum(h.B1 * np.linalg.inv(h.A1).T)) for h in h1s]
    tr_h0 = [float(wg * np.sum(b * E_inv.T)) for wg, b in zip(w, B0s)]
    trace = sum(tr_h1) - sum(tr_h0)
    ndat = sum(h.A1.shape[0] for h in h1s)
    npar = E_inv.shape[0]
    h1f, h0f = sum(tr_h1) / ndat, sum(tr_h0) / max(npar, 1)
    if df <= 0:
        return ScaledTest(chisq, df, float("nan"), float("nan"), trace, h1f, h0f)
    c = trace / df
    if c < 0:
        c = float("nan")
    stat = chisq / c
    return ScaledTest(stat, df, fm.chisq_pvalue(stat, df), c, trace, h1f, h0f)


@dataclass
class Saturated:
    """The saturated (h1) model of one group: moments and log-likelihood."""
    mean: np.ndarray
    cov: np.ndarray
    logl: float
    converged: bool = True
    iterations: int = 0


def saturated(gd: GroupData, *, fiml: bool) -> Saturated:
    if fiml and gd.pat.mask.all():
        fiml = False            # complete rows: the sample moments are the EM solution
    if fiml:
        h1 = em_saturated(gd.pat)
        return Saturated(h1.mean, h1.cov, h1.logl, h1.converged, h1.iterations)
    if gd.pat.weights is not None:      # one complete pattern: its weighted moments
        mean, cov = gd.pat.mean[0], gd.pat.cov[0]
        return Saturated(mean, cov, loglik(gd.pat, mean, cov))
    x = gd.x
    mean = x.mean(axis=0)
    dev = x - mean
    cov = dev.T @ dev / len(x)
    return Saturated(mean, cov, loglik(gd.pat, mean, cov))


def baseline(gd: GroupData, h1: Saturated, x_idx, meanstructure: bool):
    """The independence model of one group at its ML estimates: (structure, theta, logl)."""
    x = gd.x
    p = x.shape[1]
    xi = np.asarray(x_idx, dtype=int)
    base = IndependenceStructure(p, meanstructure, xi, h1.cov[np.ix_(xi, xi)] if len(xi) else None,
                                 h1.mean[xi] if len(xi) else None)
    # available-case (weighted) moments: the independence model's ML estimates
    w = np.ones(len(x)) if gd.pat.weights is None else gd.pat.weights
    obs = ~np.isnan(x)
    wsum = w @ obs
    b_mean = w @ np.where(obs, x, 0.0) / wsum
    b_var = w @ np.where(obs, (x - b_mean) ** 2, 0.0) / wsum
    y = base.y_idx
    theta = np.concatenate([b_var[y], b_mean[y]]) if meanstructure else b_var[y].copy()
    sigma, mu = base.moments(theta)
    if not meanstructure:
        mu = h1.mean
    return base, theta, loglik(gd.pat, mu, sigma)


def fiml_singular_check(gd: GroupData, names, source=None) -> None:
    """One line naming two variables never observed together (their covariance has no data)."""
    obs = ~np.isnan(gd.x)
    both = obs.T.astype(int) @ obs.astype(int)
    p = both.shape[0]
    for i in range(p):
        for j in range(i + 1, p):
            if both[i, j] == 0:
                where = f" in group {gd.label!r}" if gd.label else ""
                raise InputError(f"variables {names[i]} and {names[j]} are never observed together{where}: "
                                 "their covariance cannot be estimated (FIML needs every pair observed in "
                                 "some rows)", file=source, column=names[j])


def check_group_sizes(groups: list[GroupData], group: str | None, source) -> None:
    for gd in groups:
        if gd.pat is None or gd.pat.n < 2:
            where = f"group {gd.label!r} of {group!r}" if group else "the data"
            n = 0 if gd.pat is None else gd.pat.n
            raise InputError(f"{where} has {n} usable rows for the model variables", file=source,
                             column=group)


def check_clusters(groups: list[GroupData], opts: Options, source, warnings: list) -> None:
    """Each group needs 2 or more clusters (the C / (C - 1) correction); fewer than FEW_CLUSTERS
    in the rows used is said in a warning."""
    for gd in groups:
        if n_clusters(gd.pat.cluster) < 2:
            where = f" of group {gd.label!r}" if opts.group is not None else ""
            raise InputError(f"the rows{where} used by the model are all in cluster {gd.pat.cluster[0]!r}: "
                             "cluster-robust standard errors need 2 or more clusters", file=source,
                             column=opts.cluster)
    used = n_clusters(np.concatenate([gd.pat.cluster for gd in groups]))
    if used < FEW_CLUSTERS:
        warnings.append(f"only {used} clusters of {opts.cluster!r}: cluster-robust standard errors are "
                        f"unreliable with fewer than about {FEW_CLUSTERS} clusters")


# -- the fit -------------------------------------------------------------------------------
def fit_casewise(parsed, data: pd.DataFrame, opts: Options, *, meanstructure=None, source=None, start_from=None):
    """lavaan's sem() with missing = "ml" and/or a robust estimator (MLR), any number of groups.
    opts.se / opts.test "none" (lavaan's, as its bootstrap sets them) stop at the estimates; `start_from`:
    a fit of the same model whose estimates start the optimizer (lavaan's start = fit)."""

    fiml = opts.missing == "fiml"
    names0 = var_names([dict(lhs=f.lhs, op=f.op, rhs=f.rhs) for f in parsed.formulas], fixed_x=opts.fixed_x)
    warnings: list[str] = []
    x, gvals, labels, n_input, n_nogroup = model_frame(data, names0.ov, opts.group, opts.group_label, source,
                                                       warnings)
    G = len(labels)
    if opts.group is not None:
        table, names = group_partable(parsed, G, group_equal=opts.group_equal, group_partial=opts.group_partial,
                                      fixed_x=opts.fixed_x, std_lv=opts.std_lv)
        ms = True
    else:
        # lavaan adds the mean structure under FIML and with clusters (lav_options_set)
        ms = True if fiml or opts.cluster is not None else meanstructure
        table, names = build_partable(parsed, meanstructure=ms, fixed_x=opts.fixed_x, std_lv=opts.std_lv)
        ms = bool((table["op"] == "~1").any())
    p = len(names.ov)
    x_idx = [names.ov.index(v) for v in names.ov_x]
    design = None
    if opts.design:
        rows = data if opts.group is None else data.loc[data[opts.group].notna()]
        design = design_rows(rows, opts.sampling_weights, opts.cluster, source=source)
    groups = split_rows(x, gvals, labels, fiml=fiml, x_idx=x_idx, warnings=warnings, design=design)
    check_group_sizes(groups, opts.group, source)
    if opts.cluster is not None:
        check_clusters(groups, opts, source, warnings)
    if fiml:
        for gd in groups:
            fiml_singular_check(gd, names.ov, source)
    n_used = sum(len(gd.x) for gd in groups)
    if not fiml and n_input - n_nogroup - n_used:
        warnings.append(f"{n_input - n_nogroup - n_used} of {n_input - n_nogroup} rows dropped (listwise "
                        f"deletion: missing values in model variables); N = {n_used}")
    h1s = [saturated(gd, fiml=fiml) for gd in groups]
    for lab, h in zip(labels, h1s):
        if not h.converged:
            warnings.append(f"the EM algorithm for the saturated (h1) model{'' if G == 1 else ' of group ' + lab} "
                            "did not converge in 500 iterations")
    stats = SampleStats([h.cov for h in h1s], [h.mean for h in h1s], [gd.pat.n for gd in groups], names.ov)
    model = SemModel(table, names, ms)
    likelihood = CasewiseObjective(stats, [gd.pat for gd in groups], [None if ms else h.mean for h in h1s])
    obj = likelihood.likelihood(model)
    n = obj.n

    # estimation: ML on the moments with complete rows, the casewise likelihood under FIML
    if G > 1:
        theta0 = model.theta_from_rows(group_start_values(model, stats))
    else:
        theta0 = model.theta_from_rows(start_values(model, stats))
    if start_from is not None:
        theta0 = model.theta_from_table(start_from.partable, theta0)
    if fiml:
        try:
            est = minimize(obj.fun, obj.grad_info, theta0, hessian=obj.hessian)
        except FloatingPointError:
            raise ConfigError("the starting values give a model-implied covariance matrix that is not "
                              "positive definite", key="model") from None
        theta, converged, iterations = est.theta, est.converged, est.iterations
        if not converged:
            warnings.append(f"the optimizer did not converge (largest gradient {np.max(np.abs(est.gradient)):.2e})")
    else:
        est = fit_ml_moments(model, stats, theta0)
        theta, converged, iterations = est.theta, est.converged, est.iterations
        warnings += est.messages
    if opts.std_lv:
        theta = reflect_factors(model, theta)

    # covariance of the estimates: observed information (FIML, MLR), sandwich when robust
    vcov = E_inv = B0 = None
    if opts.se != "none":
        vcov, E_inv, B0 = robust_vcov(obj, theta, warnings, robust=opts.robust)
    if not fiml and not opts.robust:          # not reached: plain ML has its own path
        raise AssertionError("plain ML goes through fitting.fit_listwise")
    values = model.row_values(theta)
    imps = model.implied(theta)
    params = parameter_table(table, model, values, theta, vcov, imps, names)
    group_col = table["group"].to_numpy()
    for g, (lab, imp) in enumerate(zip(labels, imps)):
        rows = np.flatnonzero(group_col == g + 1) if G > 1 else np.arange(len(table))
        warnings += [(f"group {lab}: {w}" if G > 1 else w)
                     for w in improper(table.iloc[rows], values[rows], imp, names)]

    # test statistics against the saturated model; baseline = independence model per group
    logl_g = [loglik(gd.pat, imp.mu if ms else h.mean, imp.sigma) for gd, imp, h in zip(groups, imps, h1s)]
    xlogl = [_x_loglik(h, gd.pat.n, x_idx) for h, gd in zip(h1s, groups)]
    # complete rows: 2 N fmin of the moments fit, exactly as the ML path computes it
    chisq = max(2 * sum(h.logl - l for h, l in zip(h1s, logl_g)), 0.0) if fiml else 2 * n * est.fmin
    px = len(x_idx)
    ndat_g = p * (p + 1) // 2 - px * (px + 1) // 2 + ((p - px) if ms else 0)
    df = G * ndat_g - model.npar
    f = {"npar": model.npar, "fmin": chisq / (2 * n), "ntotal": n}
    if opts.test != "none":      # test = "none" (the bootstrap's refits): no test, baseline or fit measures
        bases = [baseline(gd, h, x_idx, ms) for gd, h in zip(groups, h1s)]
        base_chisq = 2 * sum(h.logl - b[2] for h, b in zip(h1s, bases))
        base_df = G * (ndat_g - (p - px) * (2 if ms else 1))
        logl = sum(logl_g) - sum(xlogl)
        unres = sum(h.logl for h in h1s) - sum(xlogl)
        f = fm.chisq_based_measures(chisq, df, base_chisq, base_df, n, model.npar, logl, unres,
                                    fmin=chisq / (2 * n), groups=G)
        w = obj.w
        f["srmr"] = float(sum(wg * fm.srmr_bentler(h.cov, h.mean, imp.sigma, imp.mu if ms else h.mean, ms)
                              for wg, h, imp in zip(w, h1s, imps)))
        f["srmr_bentler_nomean"] = float(sum(wg * fm.srmr_bentler(h.cov, h.mean, imp.sigma, imp.mu, False)
                                             for wg, h, imp in zip(w, h1s, imps)))
        if G > 1:
            f["ngroups"] = G
        if opts.test == "yuan.bentler.mplus" and E_inv is not None:
            f.update(_scaled_measures(f, groups, h1s, bases, obj, E_inv, B0, x_idx, ms, n, fiml, imps, theta,
                                      model))
        elif fiml:
            f.update(_fiml_corrected_measures(f, groups, h1s, bases, imps, theta, model, n, robust=False))
    r2 = ({lab: rsquare(*_rows(params[params["group"] == g + 1])) for g, lab in enumerate(labels)}
          if G > 1 else rsquare(*_rows(params)))
    mi = _modindices(model, obj, theta, stats, converged and vcov is not None, G, fiml, names)  # none without vcov
    ov, lv = names.ov, names.lv
    first, h1 = imps[0], h1s[0]
    per_group = {lab: dict(n=len(gd.x), sample_cov=pd.DataFrame(h.cov, index=ov, columns=ov),
                           sample_mean=pd.Series(h.mean, index=ov),
                           implied_cov=pd.DataFrame(imp.sigma, index=ov, columns=ov),
                           implied_mean=pd.Series(imp.mu, index=ov),
                           latent_cov=pd.DataFrame(imp.V[p:, p:], index=lv, columns=lv),
                           latent_mean=pd.Series(imp.Bm[p:], index=lv))
                 for lab, gd, h, imp in zip(labels, groups, h1s, imps)}
    return SemFit(
        params=params, fit=order_fit(f), r2=r2, modindices=mi, n=n, converged=converged,
        warnings=warnings, estimator=opts.estimator, observed=list(ov), latent=list(lv),
        sample_cov=pd.DataFrame(h1.cov, index=ov, columns=ov),
        implied_cov=pd.DataFrame(first.sigma, index=ov, columns=ov),
        latent_cov=pd.DataFrame(first.V[p:, p:], index=lv, columns=lv),
        n_input=n_input, n_dropped=n_input - n,
        sample_mean=pd.Series(h1.mean, index=ov),
        implied_mean=pd.Series(first.mu if ms else h1.mean, index=ov),
        partable=table.assign(est=values), vcov=vcov,
        groups=list(labels) if G > 1 else [], group_nobs=[len(gd.x) for gd in groups] if G > 1 else [],
        missing=opts.missing, ordered=[], fmin=chisq / (2 * n), iterations=iterations, options=opts.to_dict(),
        sample_stats=stats, names=names, theta=theta,
        objective=likelihood if fiml else MomentsObjective(stats),
        em_iterations=max(h.iterations for h in h1s) if fiml else None,
        per_group=per_group if G > 1 else {}, group=opts.group, group_equal=list(opts.group_equal),
        group_partial=list(opts.group_partial),
        design=describe(opts, design, [gd.rows for gd in groups]) if design is not None else None,
    )


def _rows(params):
    return params["lhs"], params["op"], params["rhs"], params["std_all"].to_numpy()


def _x_loglik(h1: Saturated, n: int, x_idx) -> float:
    """The covariates' own (saturated) log-likelihood: lavaan's logl with fixed.x is conditional."""
    if not len(x_idx):
        return 0.0
    xi = np.asarray(x_idx)
    sx = h1.cov[np.ix_(xi, xi)]
    return fm.loglik(sx, h1.mean[xi], sx, h1.mean[xi], n)


def _scaled_measures(f, groups, h1s, bases, obj, E_inv, B0, x_idx, ms, n, fiml, imps, theta, model) -> dict:
    """Yuan-Bentler (Mplus) scaled test of the model and the baseline, scaled and robust indices."""
    G = len(groups)
    p = groups[0].x.shape[1]
    h1_infos = [masked_h1(h1_information(gd.pat, h.mean, h.cov, ms), p, x_idx, ms) for gd, h in zip(groups, h1s)]
    w = obj.w
    test = yuan_bentler_groups(f["chisq"], f["df"], h1_infos, w, E_inv, B0)
    # baseline: its parameters are separate per group, so its information is block diagonal
    b_objs = [CasewiseML(b[0], gd.pat, fixed_mean=None if ms else h.mean) for b, gd, h in zip(bases, groups, h1s)]
    tr_b = 0.0
    for ob, b, h in zip(b_objs, bases, h1_infos):
        Hb = ob.hessian(b[1])
        tr_b += float(np.sum(h.B1 * np.linalg.inv(h.A1).T)) - float(np.sum(first_order(ob, b[1]) * np.linalg.inv(Hb).T))
    bdf = f["baseline_df"]
    bc = tr_b / bdf if bdf > 0 else float("nan")
    base_test = ScaledTest(f["baseline_chisq"] / bc, bdf, fm.chisq_pvalue(f["baseline_chisq"] / bc, bdf), bc,
                           tr_b, float("nan"), float("nan"))
    out = {
        "chisq_scaled": test.stat, "df_scaled": f["df"], "pvalue_scaled": test.pvalue,
        "chisq_scaling_factor": test.scaling_factor,
        "baseline_chisq_scaled": base_test.stat, "baseline_df_scaled": bdf,
        "baseline_pvalue_scaled": base_test.pvalue, "baseline_chisq_scaling_factor": base_test.scaling_factor,
        "scaling_factor_h1": test.h1, "scaling_factor_h0": test.h0,
    }
    out.update(scaled_indices(test.stat, f["df"], base_test.stat, bdf, n, f["chisq"], test.trace_ugamma,
                              groups=G))
    if fiml:
        out.update(_fiml_corrected_measures(f, groups, h1s, bases, imps, theta, model, n, robust=True))
        return out
    out.update(robust_indices(f["chisq"], f["df"], n, test.scaling_factor, test.stat, f["baseline_chisq"], bdf,
                              base_test.scaling_factor, groups=G))
    return out


def _fiml_corrected_measures(f, groups, h1s, bases, imps, theta, model, n, *, robust: bool) -> dict:
    """lav_fit_fiml_corrected (Savalei 2018): V3 with a robust test, V6 without; any number of groups.
    The baseline's parameters are separate per group: its Jacobians are placed side by side."""
    G = len(groups)
    deltas = [vech_jacobian(SemStructure(model, g), theta, True) for g in range(G)]
    widths = [len(b[1]) for b in bases]
    offsets = np.concatenate([[0], np.cumsum(widths)])
    base_deltas = []
    for g, (bstruct, btheta, _) in enumerate(bases):
        d = vech_jacobian(bstruct, btheta, True)
        full = np.zeros((d.shape[0], offsets[-1]))
        full[:, offsets[g]:offsets[g + 1]] = d
        base_deltas.append(full)
    corr = fiml_corrected("V3" if robust else "V6", [gd.pat for gd in groups], [(h.mean, h.cov) for h in h1s], n,
                          f["df"], f["baseline_df"], [(imp.sigma, imp.mu) for imp in imps], deltas,
                          [b[0].moments(b[1]) for b in bases], base_deltas,
                          x_idx=[model.names.ov.index(v) for v in model.names.ov_x])
    return robust_indices(corr.xx3, f["df"], n, corr.c_hat3, corr.xx3_scaled, corr.xx3_null, f["baseline_df"],
                          corr.c_hat3_null, groups=G)


def _modindices(model, obj, theta, stats, ok, G, fiml, names):
    """modindices(): expected information (lavaan's default) of the incomplete data under FIML,
    the ML fit's own for complete data, any number of groups, with or without covariates."""
    from alianza.sem.inference.modindices import modification_indices_by_group

    empty = pd.DataFrame(columns=["lhs", "op", "rhs"] + (["group"] if G > 1 else []) +
                         ["mi", "epc", "sepc_lv", "sepc_all"])
    if not ok:
        return empty
    if not fiml:
        from alianza.sem.matrices.model import ml_gradient_information

        inv = np.linalg.inv(ml_gradient_information(model, theta, stats)[1])
        return modification_indices_by_group(model, theta, stats, inv)

    # the casewise likelihood's gradient and expected information (h1 structured), group g weighted
    # by N_g / N as in the information of the whole model
    def group_terms(g):
        w, part = obj.w[g], obj.parts[g]

        def grad_info(ds, dm, _cells):
            grad, info = part.gradient_information(theta, ds, dm)
            return w * grad, w * info
        return grad_info

    return modification_indices_by_group(model, theta, stats, np.linalg.inv(obj.grad_info(theta)[1]), group_terms)

