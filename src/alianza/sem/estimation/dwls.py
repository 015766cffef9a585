"""WLSMV for ordered items: DWLS estimates from thresholds and polychoric correlations,
robust ("robust.sem") standard errors and the mean- and variance-adjusted
("scaled.shifted") test, with lavaan 0.6.14's defaults for cfa()/sem(ordered = ...):
parameterization = "delta", listwise deletion, meanstructure on. Continuous items may stand
beside the ordered ones (their means, variances and polyserial/Pearson covariances join the
statistics; only the ordered items are scaled), and observed covariates enter as lavaan's
conditional.x: the statistics are conditional on them (probit/linear-regression thresholds,
intercepts and slopes, residual correlations; sem/data/categorical.py) and so are the model's
moments (the covariates' own variances and means set to 0, the slopes being their total effects).

Delta parameterization: every ordered item is the discretised y* = (model) + residual with
Var(y*) = 1, so the residual variances are not free parameters but 1 minus the explained
variance (shown in the parameter table with se 0, as lavaan does); intercepts and latent
means are 0, the scaling factors (`~*~`) 1, and the thresholds (`|`, t1..tK) free. The
model's statistics are (thresholds, off-diagonal correlations of Sigma*), fitted to the
sample ones s by minimising F = (s - m)' W (s - m), W = diag(Gamma)^-1; lavaan's
fmin = (N - 1) / N F / 2, so chisq = (N - 1) F, and the covariance divides by N - 1:
    vcov         = (D'WD)^-1 D'W Gamma W D (D'WD)^-1 / (N - 1),  D = dm/dtheta
    U            = W - W D (D'WD)^-1 D'W
    a            = sqrt(df / tr((U Gamma)^2)),  shift b = df - a tr(U Gamma)
    chisq_scaled = a chisq + b,  chisq_scaling_factor = 1 / a
(lav_model_nvcov_robust_sem, lav_test_satorra_bentler with test = "scaled.shifted").
The baseline model keeps the thresholds (means, slopes, variances) and sets every correlation
to 0. Robust CFI/TLI/RMSEA follow lavaan's catML correction (which lavaan gives only for ordered
items without covariates); modification indices use Delta' W Delta of the model extended by each
candidate, group by group (lavaan's modindices() with information = "expected"), with covariates too:
then Delta is that of the conditional statistics (thresholds, slopes, residual correlations) and the
candidates are lavaan's under conditional.x (none on the covariates' own rows: strict.exo). The fixed
scaling factors `~*~` are candidates as in lavaan (identified under theta with covariates or groups).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from alianza.errors import ConfigError, InputError
from alianza.sem.inference import fitmeasures as fm
from alianza.sem.estimation.estimate import reflect_factors, start_values
from alianza.sem.matrices.model import SemModel
from alianza.sem.inference.modindices import Candidates, modification_indices_by_group
from alianza.sem.spec.partable import append_definitions, build_partable, number_parameters
from alianza.sem.data.categorical import CategoricalStats, categorical_stats
from alianza.sem.data.polychoric import pair_index
from alianza.sem.matrices.ram import KIND_A, KIND_M, KIND_S, RAMBlock
from alianza.sem.solution.result import SemFit
from alianza.sem.inference.robust import robust_indices, scaled_indices
from alianza.sem.data.samplestats import SampleStats, select_complete
from alianza.sem.estimation.scoring import minimize
from alianza.sem.solution.solution import improper, order_fit, parameter_table
from alianza.sem.solution.standardize import rsquare
from alianza.sem.spec.syntax import ParsedModel


def ordered_partable(parsed: ParsedModel, ordered: list[str], nthresholds: dict[str, int], *,
                     std_lv: bool = False):
    """lavaan's parameter table for ordered items (lav_partable_flat with categorical = TRUE):
    user rows, thresholds, (co)variances, scaling factors `~*~`, intercepts, `:=` rows. The
    residual variances of the ordered items and the scaling factors are fixed (ustart 1): under
    the delta parameterization the former are solved for, under theta the latter."""
    table, names = build_partable(parsed, meanstructure=True, std_lv=std_lv)
    op, lhs, rhs, user = (table[c].to_numpy() for c in ("op", "lhs", "rhs", "user"))
    ords = set(ordered)
    bad = [l for l, o, r, u in zip(lhs, op, rhs, user) if u == 1 and o == "~~" and l == r and l in ords]
    if bad:
        raise ConfigError(f"the residual variance of ordered item {bad[0]} is not a free parameter under "
                          "the delta parameterization; remove it from the model", key="model", column=bad[0])
    if any((o == "|") for o in op):
        raise ConfigError("thresholds in the model syntax are not supported; they are added for every "
                          "ordered item", key="model")
    table = table.copy()
    var_rows = (op == "~~") & (lhs == rhs) & (user == 0) & np.isin(lhs, list(ords))
    table.loc[var_rows, ["free", "ustart"]] = [0, 1.0]
    int_rows = (op == "~1") & (user == 0) & np.isin(lhs, list(ords))
    table.loc[int_rows, ["free", "ustart"]] = [0, 0.0]
    base = dict(user=0, exo=0, label="", start=np.nan, line=0, block=1, group=1, plabel="", par=-1, id=0)
    th = pd.DataFrame([dict(base, lhs=v, op="|", rhs=f"t{k}", free=1, ustart=np.nan)
                       for v in names.ov if v in ords for k in range(1, nthresholds[v] + 1)],
                      columns=table.columns)
    delta = pd.DataFrame([dict(base, lhs=v, op="~*~", rhs=v, free=0, ustart=1.0)
                          for v in names.ov if v in ords], columns=table.columns)
    is_user = (user == 1) & (op != ":=")
    is_def = op == ":="
    is_int = (user == 0) & (op == "~1")
    is_cov = ~is_user & ~is_def & ~is_int
    parts = [table[is_user], th, table[is_cov], delta, table[is_int]]
    out = pd.concat(parts, ignore_index=True)
    out["id"] = np.arange(1, len(out) + 1)
    out["plabel"] = [f".p{i}." for i in out["id"]]
    out = number_parameters(out.astype({"free": int}))
    defs = table[is_def].assign(id=np.arange(len(out) + 1, len(out) + 1 + int(is_def.sum())))
    return pd.concat([out, defs], ignore_index=True), names


def ordered_group_partable(parsed: ParsedModel, ordered: list[str], nthresholds: dict[str, int], ngroups: int,
                           *, group_equal=(), group_partial=(), parameterization: str = "delta",
                           std_lv: bool = False):
    """lavaan's table of G groups for ordered items (delta parameterization): every group's
    ordered table, then lavaan's identification defaults for groups 2..: with thresholds in
    group.equal the scaling factors `~*~` and (unless means are equal) the latent means are free;
    group.equal labels as for continuous models. Under theta the residual variances of the
    ordered items are freed instead of the scaling factors."""
    from alianza.sem.spec.multigroup import check_group_equal, equal_labels, group_formulas, normalize_partial

    group_equal = check_group_equal(group_equal)
    # lavaan (lav_options_set): with ordered items "intercepts" and "thresholds" go together, so the
    # intercepts of continuous items beside ordered ones follow the thresholds (and vice versa)
    if {"intercepts", "thresholds"} & set(group_equal):
        group_equal = list(dict.fromkeys([*group_equal, "intercepts", "thresholds"]))
    parts, names = [], None
    for g in range(ngroups):
        t, names = ordered_partable(group_formulas(parsed, g, ngroups), ordered, nthresholds, std_lv=std_lv)
        t = t[t["op"] != ":="].assign(group=g + 1, block=g + 1)
        if g > 0:
            if ({"intercepts", "thresholds"} & set(group_equal)) and "means" not in group_equal:
                lvm = (t["op"] == "~1") & t["lhs"].isin(names.lv) & (t["user"] == 0)
                t.loc[lvm, ["free", "ustart"]] = [1, np.nan]
            if "thresholds" in group_equal and parameterization == "delta":
                t.loc[t["op"] == "~*~", ["free", "ustart"]] = [1, np.nan]
            elif "thresholds" in group_equal:
                res = (t["op"] == "~~") & (t["lhs"] == t["rhs"]) & t["lhs"].isin(ordered) & (t["user"] == 0)
                t.loc[res, ["free", "ustart"]] = [1, np.nan]
            if std_lv and "loadings" in group_equal and "lv.variances" not in group_equal:
                lvv = (t["op"] == "~~") & t["lhs"].isin(names.lv) & (t["lhs"] == t["rhs"]) & (t["user"] == 0)
                t.loc[lvv, ["free", "ustart"]] = [1, np.nan]
        parts.append(t)
    table = pd.concat(parts, ignore_index=True)
    table["id"] = np.arange(1, len(table) + 1)
    table["plabel"] = [f".p{i}." for i in table["id"]]
    table["free"] = (table["free"] > 0).astype(int)
    table = equal_labels(table, names, group_equal, set(normalize_partial(group_partial)))
    table = number_parameters(table.drop(columns=["par"]))
    return append_definitions(table, parsed), names


class DeltaModel:
    """theta -> lavaan's WLS.est of group g (thresholds and minus the means, variances of the
    continuous items, covariances below the diagonal), delta or theta parameterization.

    With scaling factors delta (`~*~`, 1 in group 1) of the ordered items, the residual variances
    of the ordered items are not parameters (delta) but 1 / delta^2 minus the explained variance,
    so Sigma* = D Sigma D has a unit diagonal on the ordered items (D = delta there, 1 on the
    continuous items); the standardized thresholds are delta (tau - mu*), mu* the implied means
    of y* (intercepts and latent means through the loadings). Under theta the residual variances
    are parameters and delta = diag(Sigma)^-1/2 follows them."""

    def __init__(self, model: SemModel, stats: CategoricalStats, g: int = 0, parameterization: str = "delta"):
        t = model.table
        self.model = model
        self.g = g
        self.theta_param = parameterization == "theta"
        self.block, self.cells = model.blocks[g], model.cells[g]
        gv = model.group_values[g]
        rows = np.flatnonzero(t["group"].to_numpy() == gv)
        ops, lhs, rhs = (t[c].to_numpy()[rows] for c in ("op", "lhs", "rhs"))
        ov = model.names.ov
        find = {(o, l, r): int(i) for i, o, l, r in zip(rows, ops, lhs, rhs)}
        self.p = len(ov)
        # the statistics' items (ov without the covariates) and the covariates (conditional.x), as ov indices
        self.y = np.array([ov.index(v) for v in stats.items], dtype=int)
        self.x = np.array([ov.index(v) for v in model.names.ov_x], dtype=int)
        self.ord = self.y[stats.ordered]                      # ordered items
        self.num = self.y[~stats.ordered]                     # continuous items
        th_item = np.asarray(stats.th_item, int)
        numeric = ~stats.ordered[th_item]
        self.th_pos = np.flatnonzero(~numeric)                # th entries that are thresholds
        self.mean_pos = np.flatnonzero(numeric)               # th entries that are (minus) intercepts
        self.nth = len(th_item)
        self.th_item = self.y[th_item[self.th_pos]]
        c = self.cells
        self.x_cells = self.covariate_cells(c.kind, c.ii, c.jj)
        self.th_rows = np.array([find[("|", ov[j], f"t{k}")] for j in self.ord
                                 for k in range(1, int((self.th_item == j).sum()) + 1)], dtype=int)
        pos = {int(r): c for c, r in enumerate(self.cells.rows)}
        self.var_rows = np.array([find[("~~", ov[j], ov[j])] for j in self.ord], dtype=int)
        self.var_cells = np.array([pos[r] for r in self.var_rows], dtype=int)
        self.delta_rows = np.array([find[("~*~", ov[j], ov[j])] for j in self.ord], dtype=int)
        pi, pj = pair_index(len(self.y))
        self.pi, self.pj = self.y[pi], self.y[pj]

    def values(self, theta):
        """Row values with the residual variances (delta) or scaling factors (theta) of the
        ordered items solved for, and the implied moments (unscaled; given the covariates)."""
        values = self.model.row_values(theta)
        c = self.cells
        o = self.ord
        vals = values[c.rows].copy()
        vals[self.x_cells] = 0.0
        if self.theta_param:
            imp = self.block.implied(c.kind, c.ii, c.jj, vals)
            values[self.delta_rows] = 1.0 / np.sqrt(np.diag(imp.sigma)[o])
            return values, imp
        vals[self.var_cells] = 0.0
        imp0 = self.block.implied(c.kind, c.ii, c.jj, vals)
        M = imp0.C[np.ix_(o, o)] ** 2           # d diag(Sigma) / d residual variance
        delta = values[self.delta_rows]
        resid = np.linalg.solve(M, 1.0 / delta ** 2 - np.diag(imp0.sigma)[o])
        values[self.var_rows] = resid
        vals[self.var_cells] = resid
        return values, self.block.implied(c.kind, c.ii, c.jj, vals)

    def scales(self, values) -> np.ndarray:
        """The scaling factors of every item (1 on the continuous ones)."""
        d = np.ones(self.p)
        d[self.ord] = values[self.delta_rows]
        return d

    def scaled_sigma(self, values, imp) -> np.ndarray:
        """The model's (residual) covariance matrix of y* and the continuous items: D Sigma D."""
        d = self.scales(values)[self.y]
        return d[:, None] * imp.sigma[np.ix_(self.y, self.y)] * d[None, :]

    def moments(self, theta):
        values, imp = self.values(theta)
        delta = self.scales(values)
        th = np.zeros(self.nth)
        th[self.th_pos] = delta[self.th_item] * (values[self.th_rows] - imp.mu[self.th_item])
        th[self.mean_pos] = -imp.mu[self.num]
        slopes = (delta[self.y, None] * imp.C[np.ix_(self.y, self.x)]).T.ravel()
        return np.concatenate([th, slopes, np.diag(imp.sigma)[self.num],
                               (delta[self.pi] * delta[self.pj]) * imp.sigma[self.pi, self.pj]])

    def jacobian(self, theta):
        values, imp = self.values(theta)
        k = self.model.npar
        dsig, dmu = self.model.theta_derivatives(self.g, imp)
        return self._chain(values, imp, dsig, dmu, self.param_incidence(self.th_rows, k),
                           None if self.theta_param else self.param_incidence(self.delta_rows, k),
                           self.slope_derivatives(imp))

    def covariate_cells(self, kind, ii, jj) -> np.ndarray:
        """The cells of the covariates' own (co)variances and means: zero in the moments given x,
        and so are their derivatives."""
        return ((kind == KIND_S) & (np.isin(ii, self.x) | np.isin(jj, self.x))) | \
            ((kind == KIND_M) & np.isin(ii, self.x))

    def slope_cells(self, imp, kind, ii, jj) -> np.ndarray:
        """d C[y, x] / d cell (cells x y x x): the covariates' total effects move with the A cells
        (i, j) as C[y, i] B[j, x] (d B = B E_ij B), and with no other cell."""
        out = np.zeros((len(kind), len(self.y), len(self.x)))
        a = np.flatnonzero(kind == KIND_A)
        if len(self.x) and len(a):
            out[a] = imp.C[self.y][:, ii[a]].T[:, :, None] * imp.B[np.ix_(jj[a], self.x)][:, None, :]
        return out

    def slope_derivatives(self, imp) -> np.ndarray:
        """d C[y, x] / d theta (npar x y x x): the cells' derivatives summed by parameter."""
        c = self.cells
        out = np.zeros((self.model.npar, len(self.y), len(self.x)))
        par = self.model.par[c.rows]
        free = par >= 0
        np.add.at(out, par[free], self.slope_cells(imp, c.kind[free], c.ii[free], c.jj[free]))
        return out

    def param_incidence(self, rows, k):
        out = np.zeros((len(rows), k))
        par = self.model.par[rows]
        out[np.arange(len(rows))[par >= 0], par[par >= 0]] = 1.0
        return out

    def _chain(self, values, imp, dsig, dmu, d_tau, d_delta, d_slope=None):
        """WLS.est derivatives from those of the cells: the ordered items' residual variances
        re-solved (M dres = d(1/delta^2) - d diag Sigma0), then the scaling by delta."""
        o = self.ord
        k = len(dsig)
        delta = self.scales(values)
        dd = np.zeros((self.p, k))                # d delta: 0 on the continuous items
        if d_delta is None:            # theta: delta = diag(Sigma)^-1/2 follows the parameters
            total = dsig
            dd[o] = -0.5 * delta[o, None] ** 3 * dsig[:, o, o].T
        else:
            dd[o] = d_delta
            dvar, _ = RAMBlock.derivatives(imp, np.full(len(o), KIND_S), o, o)
            Mt = dvar[:, o, o].T                                  # [i, j]: d Sigma_ii / d resid_j
            d_inv2 = -2.0 / delta[o, None] ** 3 * d_delta          # d (1/delta^2)
            dres = np.linalg.solve(Mt, d_inv2 - dsig[:, o, o].T)
            total = dsig + np.einsum("jk,jab->kab", dres, dvar)    # k x p x p, unscaled Sigma
        pi, pj, ti = self.pi, self.pj, self.th_item
        sig = imp.sigma[pi, pj]
        d_cor = (delta[pi] * delta[pj])[:, None] * total[:, pi, pj].T \
            + (dd[pi] * delta[pj][:, None] + delta[pi][:, None] * dd[pj]) * sig[:, None]
        centred = values[self.th_rows] - imp.mu[ti]
        d_th = np.zeros((self.nth, k))
        d_th[self.th_pos] = dd[ti] * centred[:, None] + delta[ti][:, None] * (d_tau - dmu[:, ti].T)
        d_th[self.mean_pos] = -dmu[:, self.num].T
        d_var = total[:, self.num, self.num].T
        parts = [d_th]
        if len(self.x):
            y, x = self.y, self.x
            ds = dd[y][:, None, :] * imp.C[np.ix_(y, x)][:, :, None]                 # y x x x k
            if d_slope is not None:
                ds = ds + delta[y][:, None, None] * d_slope.transpose(1, 2, 0)
            parts.append(ds.transpose(1, 0, 2).reshape(len(y) * len(x), k))
        return np.vstack(parts + [d_var, d_cor])

    def extend(self, theta, cand: Candidates) -> np.ndarray:
        """Jacobian of WLS.est in the model's parameters, then in the candidates freed at their
        values (lavaan's Delta of the model extended for modification indices): the matrix cells,
        then the fixed scaling factors `~*~` (cand.other_rows). Every derivative is taken on the
        moments given the covariates (thresholds, slopes and residual correlations under
        conditional.x), where the covariates' own cells do not enter.

        A scaling factor moves the thresholds, slopes and correlations of its item under delta (its
        residual variance re-solved). Under theta lavaan's scales follow Sigma, and its Delta for a
        freed one (computeDelta with m = "delta") keeps only their direct part: tau - mu* in the
        item's thresholds and the unscaled slopes C[y, x] (not the correlations, which lavaan takes
        from Sigma by cov2cor)."""
        values, imp = self.values(theta)
        npar, ncell, nscale = self.model.npar, len(cand.kind), len(cand.other_rows)
        dsig_t, dmu_t = self.model.theta_derivatives(self.g, imp)
        dsig_c, dmu_c = RAMBlock.derivatives(imp, cand.kind, cand.ii, cand.jj)
        x_cand = self.covariate_cells(cand.kind, cand.ii, cand.jj)
        dsig_c[x_cand], dmu_c[x_cand] = 0.0, 0.0
        p = self.p
        dsig = np.concatenate([dsig_t, dsig_c, np.zeros((nscale, p, p))])
        dmu = np.concatenate([dmu_t, dmu_c, np.zeros((nscale, p))])
        slopes = np.concatenate([self.slope_derivatives(imp), self.slope_cells(imp, cand.kind, cand.ii, cand.jj),
                                 np.zeros((nscale, len(self.y), len(self.x)))])
        # the candidates move no threshold
        d_tau = np.hstack([self.param_incidence(self.th_rows, npar), np.zeros((len(self.th_rows), ncell + nscale))])
        item = {r: i for i, r in enumerate(self.delta_rows)}
        scaled = np.array([item[r] for r in cand.other_rows], dtype=int)
        d_delta = None
        if not self.theta_param:
            d_delta = np.hstack([self.param_incidence(self.delta_rows, npar), np.zeros((len(self.ord), ncell + nscale))])
            d_delta[scaled, npar + ncell + np.arange(nscale)] = 1.0
        out = self._chain(values, imp, dsig, dmu, d_tau, d_delta, slopes)
        if self.theta_param and nscale:
            cols = npar + ncell + np.arange(nscale)
            centred = values[self.th_rows] - imp.mu[self.th_item]
            for col, j in zip(cols, self.ord[scaled]):
                out[self.th_pos[self.th_item == j], col] = centred[self.th_item == j]
                if len(self.x):        # slope rows: covariate-major, item-minor
                    yi = int(np.flatnonzero(self.y == j)[0])
                    out[self.nth + np.arange(len(self.x)) * len(self.y) + yi, col] = imp.C[j, self.x]
        return out


def group_gradient_information(D, W, resid, ng: float, n: float) -> tuple[np.ndarray, np.ndarray]:
    """Group g's part of lavaan's DWLS gradient and expected information (lav_model_gradient,
    lav_model_information_expected): -(N_g - 1) / N D' W r_g and N_g / N D' W D, for any Jacobian D of
    the WLS moments (the model's, or extended by candidate parameters: modification indices)."""
    WD = W[:, None] * D
    return -(ng - 1) / n * WD.T @ resid, ng / n * D.T @ WD


def gradient_information(dms, s_obs, weights, nobs, theta) -> tuple[np.ndarray, np.ndarray]:
    """lavaan's DWLS/ULS gradient and expected information over the groups, at theta."""
    n = float(np.sum(nobs))
    grad, info = 0.0, 0.0
    for dm, so, W, ng in zip(dms, s_obs, weights, nobs):
        g, i = group_gradient_information(dm.jacobian(theta), W, so - dm.moments(theta), ng, n)
        grad, info = grad + g, info + i
    return grad, info


class DwlsObjective:
    """The DWLS/ULS discrepancy of a fit on its thresholds and polychoric correlations, re-evaluable
    on any SemModel over the same table: what post-fit tools (score tests) read, never refitting."""

    def __init__(self, stats: list[CategoricalStats], weights: list[np.ndarray], parameterization: str):
        self.stats, self.weights, self.parameterization = stats, weights, parameterization

    def gradient_information(self, model: SemModel, theta) -> tuple[np.ndarray, np.ndarray]:
        dms = [DeltaModel(model, st, g, self.parameterization) for g, st in enumerate(self.stats)]
        return gradient_information(dms, [st.wls_obs for st in self.stats], self.weights,
                                    [st.n for st in self.stats], theta)


def scaled_shifted(chisq, df, Ws, Deltas, gammas, fg):
    """lavaan's scaled.shifted test over G groups (lav_test_satorra_bentler, 0.6-13 and later):
    U = V - V D E^-1 D' V with V = bdiag(fg W_g), Gamma = bdiag(Gamma_g / fg), E = D' V D;
    a = sqrt(df / tr((U Gamma)^2)), shift = df - a tr(U Gamma) -> (stat, 1/a, shift, pvalue)."""
    from scipy.linalg import block_diag

    nan = float("nan")
    if df <= 0:
        return chisq, nan, nan, nan
    V = block_diag(*[np.diag(w * W) for w, W in zip(fg, Ws)])
    G = block_diag(*[gm / w for w, gm in zip(fg, gammas)])
    D = np.vstack(Deltas)
    VD = V @ D
    try:
        E_inv = np.linalg.inv(D.T @ VD)
    except np.linalg.LinAlgError:
        return nan, nan, nan, nan
    UG = (V - VD @ E_inv @ VD.T) @ G
    tr, tr2 = np.trace(UG), np.sum(UG * UG.T)
    a = np.sqrt(df / tr2)
    shift = df - a * tr
    stat = chisq * a + shift
    return stat, 1 / a, shift, fm.chisq_pvalue(stat, df)


def catml_robust(Rs, sigmas, Deltas, Ws, gammas, E_inv, nthr, df, nobs) -> dict | None:
    """lavaan's robust CFI/TLI/RMSEA for ordered data (lav_fit_catml_dwls, Savalei 2021), G groups:
    the normal-theory ML discrepancy of each polychoric matrix R_g from the model's correlation
    matrix at the DWLS estimates (XX3 = sum_g N_g F_ML), scaled by c.hat3 = tr(U' V U Gamma) / df
    with V the ML information of the correlations and U = I - D E^-1 D' W (correlation rows), the
    groups block-diagonal with weights f_g = N_g / N (Gamma_g / f_g)."""
    from scipy.linalg import block_diag

    n = float(sum(nobs))
    fg = [ng / n for ng in nobs]
    if any(np.linalg.eigvalsh(R).min() < np.sqrt(np.finfo(float).eps) for R in Rs):
        return None        # lavaan refits a smoothed matrix here; not reproduced
    xx3 = xx3_null = 0.0
    Vs, Wc, Gc, Dc = [], [], [], []
    for R, sigma, D, W, gm, k, ng, w in zip(Rs, sigmas, Deltas, Ws, gammas, nthr, nobs, fg):
        p = R.shape[0]
        _, ld_s = np.linalg.slogdet(sigma)
        _, ld_r = np.linalg.slogdet(R)
        sinv = np.linalg.inv(sigma)
        xx3 += ng * (ld_s + np.sum(R * sinv) - ld_r - p)
        xx3_null += -ng * ld_r
        i, j = pair_index(p)
        # 0.5 D'(S^-1 x S^-1) D on the off-diagonal cells: S^-1_ik S^-1_jl + S^-1_il S^-1_jk
        Vs.append(w * (sinv[i][:, i] * sinv[j][:, j] + sinv[i][:, j] * sinv[j][:, i]))
        Wc.append(w * W[k:])
        Gc.append(gm[k:, k:] / w)
        Dc.append(D[k:])
    V, G, D = block_diag(*Vs), block_diag(*Gc), np.vstack(Dc)
    U = np.eye(len(D)) - D @ E_inv @ D.T @ np.diag(np.concatenate(Wc))
    c_hat3 = float(np.trace(U.T @ V @ U @ G)) / df
    c_hat3_null = float(np.trace(G)) / len(D)
    return dict(xx3=xx3, c_hat3=c_hat3, xx3_scaled=xx3 / c_hat3, xx3_null=xx3_null, c_hat3_null=c_hat3_null)


def fit_wlsmv(parsed: ParsedModel, data: pd.DataFrame, ordered: list[str], *, source=None, group=None,
              group_equal=(), group_partial=(), group_label=None, objective: str = "dwls",
              parameterization: str = "delta", std_lv: bool = False, estimator: str = "WLSMV",
              se: str = "robust.sem", test: str = "scaled.shifted", start_from: SemFit | None = None) -> SemFit:
    """cfa()/sem() with ordered = items, estimator WLSMV (DWLS + robust SEs + scaled-shifted test),
    on G >= 1 groups (lavaan's delta parameterization and identification defaults).

    lavaan's objective: F = sum_g (N_g - 1) / (2 N) r_g' W_g r_g (r_g: sample minus implied
    thresholds and correlations, W_g = diag(Gamma_g)^-1), chi-square 2 N F; the robust ("sandwich")
    covariance E^-1 B E^-1 / (N - G) with E = sum_g f_g D_g' W_g D_g, B = sum_g f_g D_g' W_g Gamma_g W_g D_g,
    f_g = N_g / N. se = "none" / test = "none" (lavaan's, as its bootstrap sets them) skip the standard
    errors / the test and fit measures; `start_from`: a fit of the same model whose estimates start the
    optimizer (lavaan's start = fit; the bootstrap starts every replicate at the full-sample solution)."""
    from alianza.sem.spec.multigroup import group_order_labels, group_start_values

    _, names0 = build_partable(parsed, meanstructure=True)
    warnings: list[str] = []
    for v in ordered:
        if v in names0.ov_x:
            raise ConfigError(f"ordered item {v!r} is an exogenous covariate of the model; covariates enter as "
                              "numbers (lavaan's conditional.x): leave it out of the ordered items", key="ordered",
                              column=v)
    if group is None:
        complete = select_complete(data, names0.ov, source=source)
        parts, labels = [complete.data], [""]
        n_input, n_dropped = complete.n_input, complete.n_dropped
    else:
        labels, parts, n_input, n_dropped = group_order_labels(data, names0.ov, group, group_label, source,
                                                               warnings)
    if n_dropped:
        warnings.append(f"{n_dropped} of {n_input} rows dropped (listwise deletion: missing values in model "
                        f"variables{'' if group is None else ' or the group'}); N = {n_input - n_dropped}")
    G = len(labels)
    stats_g, moments = [], []
    ov_x, ov_nox = names0.ov_x, names0.ov_nox
    for lab, part in zip(labels, parts):
        x = part.to_numpy(dtype=float)
        where = "" if group is None else f" of group {lab!r}"
        if len(x) < 2:
            raise ConfigError(f"only {len(x)} complete rows{where} for the model variables", key="data")
        for j, v in enumerate(names0.ov):
            if len(np.unique(x[:, j])) < 2:
                kind = ("ordered item has a single category" if v in ordered else
                        "covariate has no variance" if v in ov_x else "continuous item has no variance")
                raise InputError(f"{kind} in the complete rows{where}", file=source, column=v)
        # with covariates every statistic is conditional on them (lavaan's conditional.x)
        stats_g.append(categorical_stats(part[ov_nox].to_numpy(float), ov_nox, ordered,
                                         exo=part[ov_x].to_numpy(float) if ov_x else None))
        # lavaan's cov.x under conditional.x divides by N - 1
        moments.append((np.cov(x, rowvar=False), x.mean(axis=0)))
    nth = {v: len(stats_g[0].levels[j]) - 1 for j, v in enumerate(ov_nox) if v in ordered}
    for lab, st in zip(labels[1:], stats_g[1:]):
        for j, v in enumerate(ov_nox):
            if v in ordered and not np.array_equal(st.levels[j], stats_g[0].levels[j]):
                raise InputError(f"ordered item has categories {_cats(st.levels[j])} in group {lab!r} but "
                                 f"{_cats(stats_g[0].levels[j])} in group {labels[0]!r}; every group needs "
                                 "the same categories (lavaan too)", file=source, column=v)
    if G == 1:
        table, names = ordered_partable(parsed, ordered, nth, std_lv=std_lv)
    else:
        table, names = ordered_group_partable(parsed, ordered, nth, G, group_equal=group_equal,
                                              group_partial=group_partial, parameterization=parameterization,
                                              std_lv=std_lv)
    model = SemModel(table, names, True)
    # fixed.x: the covariates' (co)variances and means at their sample values
    model.set_exogenous(SampleStats([c for c, _ in moments], [m for _, m in moments], [st.n for st in stats_g],
                                    names.ov))
    dms = [DeltaModel(model, st, g, parameterization) for g, st in enumerate(stats_g)]
    s_obs = [st.wls_obs for st in stats_g]
    gammas = [st.gamma for st in stats_g]
    # DWLS weighs by the inverse asymptotic variances, ULS by one (lavaan's WLS.V)
    Ws = [1.0 / np.diag(gm) if objective == "dwls" else np.ones(len(gm)) for gm in gammas]
    nobs = np.array([st.n for st in stats_g], float)
    n = int(nobs.sum())
    fg = nobs / n
    cw = (nobs - 1) / n                      # lavaan's 0.5 (N_g - 1) / N_g fx_g, weighted by N_g / N

    def fun(theta):
        try:
            return 0.5 * sum(c * float(np.sum(W * (so - dm.moments(theta)) ** 2))
                             for c, W, so, dm in zip(cw, Ws, s_obs, dms))
        except np.linalg.LinAlgError:
            return np.inf

    def grad_info(theta):
        return gradient_information(dms, s_obs, Ws, nobs, theta)

    # starting values from each group's polychoric/polyserial covariances and the continuous items'
    # means (as from moments), then its thresholds
    corr = SampleStats([_start_cov(st, c, names) for st, (c, _) in zip(stats_g, moments)],
                       [_start_mean(st, m, names) for st, (_, m) in zip(stats_g, moments)], [st.n for st in stats_g],
                       names.ov)
    start = group_start_values(model, corr) if G > 1 else start_values(model, corr)
    for st, dm in zip(stats_g, dms):
        start[dm.th_rows] = st.thresholds
    start[(table["op"] == "~*~").to_numpy() & (table["free"] > 0).to_numpy()] = 1.0   # scaling factors
    theta0 = model.theta_from_rows(start)
    if start_from is not None:
        theta0 = model.theta_from_table(start_from.partable, theta0)
    est = minimize(fun, grad_info, theta0, gtol=1e-9)
    theta = est.theta
    if std_lv:
        theta = reflect_factors(model, theta)
    if not est.converged:
        warnings.append(f"the optimizer did not converge (largest gradient {np.max(np.abs(est.gradient)):.2e})")
    solved = [dm.values(theta) for dm in dms]
    values = model.fixed.copy()
    for dm, (vals, _) in zip(dms, solved):
        rows = np.flatnonzero(table["group"].to_numpy() == dm.model.group_values[dm.g]) if G > 1 \
            else np.arange(len(table))
        values[rows] = vals[rows]
    imps = [imp for _, imp in solved]
    Ds = [dm.jacobian(theta) for dm in dms]
    info = sum(w * D.T @ (W[:, None] * D) for w, D, W in zip(fg, Ds, Ws))
    vcov = E_inv = None
    eig = np.linalg.eigvalsh(info) if model.npar and se != "none" else np.ones(1)
    if eig.min() <= 1e-10 * max(eig.max(), 1e-300):
        warnings.append("standard errors could not be computed: the information matrix is singular "
                        "(the model may not be identified)")
    elif se != "none":           # lavaan's se = "none" (the bootstrap's refits) stops at the estimates
        meat = sum(w * (W[:, None] * D).T @ gm @ (W[:, None] * D) for w, D, W, gm in zip(fg, Ds, Ws, gammas))
        E_inv = np.linalg.inv(info)
        vcov = E_inv @ meat @ E_inv / (n - G)
    # the standardized solution and the checks of the solution see the covariates' variances too
    full = [dm.block.implied(dm.cells.kind, dm.cells.ii, dm.cells.jj, values[dm.cells.rows]) for dm in dms] \
        if names.ov_x else imps
    params = parameter_table(table, model, values, theta, vcov, full if G > 1 else full[0], names)
    group_col = table["group"].to_numpy()
    for g, (lab, imp) in enumerate(zip(labels, full)):
        rows = np.flatnonzero(group_col == g + 1) if G > 1 else np.arange(len(table))
        warnings += [(f"group {lab}: {w}" if G > 1 else w) for w in improper(table.iloc[rows], values[rows], imp, names)]

    fmin = est.f
    model_cov = [dm.scaled_sigma(vals, imp) for dm, (vals, imp) in zip(dms, solved)]
    f = {"npar": model.npar, "fmin": fmin, "ntotal": n}
    if test != "none":     # lavaan's test = "none" (the bootstrap's refits): no test, no fit measures
        chisq = 2 * n * fmin
        nstat = sum(len(so) for so in s_obs)
        df = nstat - model.npar
        stat, scale, shift, pval = scaled_shifted(chisq, df, Ws, Ds, gammas, fg)
        nthr = [st.n_univariate for st in stats_g]
        base_chisq = sum((st.n - 1) * float(np.sum(W[k:] * so[k:] ** 2)) for st, W, so, k in zip(stats_g, Ws, s_obs, nthr))
        base_df = nstat - sum(nthr)
        base_D = []
        for g, (so, k) in enumerate(zip(s_obs, nthr)):
            d = np.zeros((len(so), sum(nthr)))
            off = sum(nthr[:g])
            d[np.arange(k), off + np.arange(k)] = 1.0
            base_D.append(d)
        b_stat, b_scale, b_shift, b_pval = scaled_shifted(base_chisq, base_df, Ws, base_D, gammas, fg)
        lo, hi = fm.rmsea_ci(chisq, df, n, groups=G)
        srmr = sum(w * float(np.sqrt(np.mean(((st.correlation - _cov2cor(c))[np.tril_indices(len(st.items))]) ** 2)))
                   for w, st, c in zip(fg, stats_g, model_cov))
        f = {
            "npar": model.npar, "fmin": fmin, "chisq": chisq, "df": df, "pvalue": fm.chisq_pvalue(chisq, df),
            "chisq_scaled": stat, "df_scaled": df, "pvalue_scaled": pval, "chisq_scaling_factor": scale,
            "chisq_shift_parameters": shift,
            "baseline_chisq": base_chisq, "baseline_df": base_df, "baseline_pvalue": fm.chisq_pvalue(base_chisq, base_df),
            "baseline_chisq_scaled": b_stat, "baseline_df_scaled": base_df, "baseline_pvalue_scaled": b_pval,
            "baseline_chisq_scaling_factor": b_scale,
            "cfi": fm.cfi(chisq, df, base_chisq, base_df), "tli": fm.tli(chisq, df, base_chisq, base_df),
            "nnfi": fm.tli(chisq, df, base_chisq, base_df), "rfi": fm.rfi(chisq, df, base_chisq, base_df),
            "nfi": fm.nfi(chisq, df, base_chisq, base_df), "pnfi": fm.pnfi(chisq, df, base_chisq, base_df),
            "ifi": fm.ifi(chisq, df, base_chisq, base_df), "rni": fm.rni(chisq, df, base_chisq, base_df),
            "ntotal": n,
            "rmsea": fm.rmsea(chisq, df, n, groups=G), "rmsea_ci_lower": lo, "rmsea_ci_upper": hi, "rmsea_ci_level": 0.90,
            "rmsea_pvalue": fm.rmsea_pvalue(chisq, df, n, groups=G, h0=0.05, close=True), "rmsea_close_h0": 0.05,
            "rmsea_notclose_pvalue": fm.rmsea_pvalue(chisq, df, n, groups=G, h0=0.08, close=False),
            "rmsea_notclose_h0": 0.08,
            # lavaan's srmr for ordered data: correlation residuals, no thresholds (N_g/N-weighted over groups)
            "srmr": srmr,
            "wrmr": float(np.sqrt(chisq / nstat)),
        }
        if G > 1:
            f["ngroups"] = G
        # scaled-shifted: the scaled indices and RMSEA take the scaled statistic with the model's df
        f.update(scaled_indices(stat, df, b_stat, base_df, n, stat, df, groups=G))
        # lavaan refits the model by ML on the polychoric matrices (lav_object_catml); with free
        # scaling factors or latent means (equal thresholds across groups) that refit fails and lavaan
        # reports no robust indices, so neither do we
        free = table["free"].to_numpy() > 0
        # lavaan's lav_fit_catml_dwls also gives none with continuous items (ov.num) or covariates (conditional.x)
        catml_ok = not np.any(free & np.isin(table["op"].to_numpy(), ["~*~", "~1"])) \
            and bool(stats_g[0].ordered.all()) and not names.ov_x
        if catml_ok and vcov is not None and df > 0:
            robust = catml_robust([st.correlation for st in stats_g],
                                  model_cov,
                                  Ds, Ws, gammas, E_inv, nthr, df, [st.n for st in stats_g])
            if robust is not None:
                f.update(robust_indices(robust["xx3"], df, n, robust["c_hat3"], robust["xx3_scaled"],
                                        robust["xx3_null"], base_df, robust["c_hat3_null"], groups=G))

    mi = pd.DataFrame(columns=["lhs", "op", "rhs", *(["group"] if G > 1 else []), "mi", "epc", "sepc_lv",
                               "sepc_all"])
    if se == "none":
        pass                     # estimates only (the bootstrap's refits): no modification indices
    elif vcov is not None and est.converged:
        # lavaan's modindices() with the expected information of DWLS: per group g the model extended by
        # each candidate, gradient -(N_g - 1) / N De' W r_g and information N_g / N De' W De (G = 1: N / N);
        # with covariates (conditional.x) lavaan's candidates leave out the covariates' own rows
        # (strict.exo) and De is that of the moments given the covariates
        imp_stats = SampleStats([im.sigma for im in full], [im.mu for im in full], [int(x) for x in nobs],
                                names.ov)
        for dm in dms:
            model.fixed[dm.var_rows] = values[dm.var_rows]     # the table's fixed rows at their values

        def group_terms(g):
            dm, resid = dms[g], s_obs[g] - dms[g].moments(theta)
            return lambda _dsig, _dmu, cand: group_gradient_information(dm.extend(theta, cand), Ws[g], resid,
                                                                       nobs[g], n)

        mi = modification_indices_by_group(model, theta, imp_stats, np.linalg.inv(info), group_terms,
                                           strict_exo=bool(names.ov_x), other_ops=("~*~",))
    else:
        warnings.append("modification indices are not computed: "
                        + ("the optimizer did not converge" if not est.converged else "the information matrix is singular"))

    ov, lv = names.ov, names.lv
    p = len(ov)
    if G > 1:
        r2 = {lab: rsquare(*(params[params["group"] == g + 1][c] for c in ("lhs", "op", "rhs")),
                           params[params["group"] == g + 1]["std_all"].to_numpy()) for g, lab in enumerate(labels)}
    else:
        r2 = rsquare(params["lhs"], params["op"], params["rhs"], params["std_all"].to_numpy())
    first = stats_g[0]
    th_item = first.th_item[~first.th_numeric]
    thresholds = pd.Series(first.thresholds, index=[f"{ov[j]}|t{k + 1}" for j in dict.fromkeys(th_item)
                                                    for k in range(int((th_item == j).sum()))])
    per_group = {}
    if G > 1:
        per_group = {lab: dict(n=st.n, latent_cov=pd.DataFrame(imp.V[p:, p:], index=lv, columns=lv),
                               latent_mean=pd.Series(imp.Bm[p:], index=lv))
                     for lab, st, imp in zip(labels, stats_g, full)}
    return SemFit(
        params=params, fit=order_fit(f), r2=r2, modindices=mi, n=n, converged=est.converged,
        warnings=warnings, estimator=estimator, observed=list(ov), latent=list(lv),
        sample_cov=pd.DataFrame(first.cov, index=first.items, columns=first.items),
        # the model's counterpart of sample_cov: the (residual) covariances of y* and the continuous items
        implied_cov=pd.DataFrame(model_cov[0], index=first.items, columns=first.items),
        latent_cov=pd.DataFrame(full[0].V[p:, p:], index=lv, columns=lv),
        n_input=n_input, n_dropped=n_dropped,
        partable=table.assign(est=values), vcov=vcov,
        groups=list(labels) if G > 1 else [], group_nobs=[int(x) for x in nobs] if G > 1 else [],
        fmin=fmin, iterations=est.iterations, theta=theta, names=names, thresholds=thresholds,
        wls={"delta": Ds, "weights": Ws, "gamma": gammas, "fg": fg, "information": info},
        objective=DwlsObjective(stats_g, Ws, parameterization),
        options={"estimator": estimator, "se": se, "information": "expected",
                 "h1_information": "unstructured", "test": test, "parameterization": parameterization},
        group=group, group_equal=list(group_equal), group_partial=list(group_partial), per_group=per_group,
    )


def _start_cov(st: CategoricalStats, cov: np.ndarray, names) -> np.ndarray:
    """Starting moments: the items' (residual) covariances, the covariates' own, nothing between."""
    y = [names.ov.index(v) for v in st.items]
    x = [names.ov.index(v) for v in names.ov_x]
    out = np.zeros_like(cov)
    out[np.ix_(y, y)] = st.cov
    out[np.ix_(x, x)] = cov[np.ix_(x, x)]
    return out


def _start_mean(st: CategoricalStats, mean: np.ndarray, names) -> np.ndarray:
    out = mean.copy()
    out[[names.ov.index(v) for v in st.items]] = st.mean
    return out


def _cats(levels) -> str:
    return "{" + ", ".join(f"{v:g}" for v in levels) + "}"


def _cov2cor(sigma: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(sigma))
    return sigma / np.outer(sd, sd)
