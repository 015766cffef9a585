"""Fitting the analysis model to replicates, and its true values in its own scaling.

A power study fits the same model thousands of times and needs, per replicate, only the
estimates, standard errors, convergence and properness: not fit measures, the standardized
solution or modification indices. `FastML` builds the model once and, per replicate, runs
Fisher scoring (Newton steps with the expected information, backtracking) from the true
values, the start Mplus uses for Monte Carlo studies too, with the gradient and information
in closed form from the RAM matrices; it stops when the Newton decrement is below 1e-10 / N
(estimates within ~1e-5 standard errors of the optimum alianza.sem.fit reaches) and falls
back to alianza.sem's full optimizer when scoring stalls.
Standard errors are lavaan's ML default (inverse expected information), `:=` effects get
delta-method SEs and a Monte Carlo CI (Preacher & Selig 2012, semTools::monteCarloCI).

Any other estimator goes through alianza.sem.fit on the replicate's data frame.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, special

from ..errors import AlianzaError, ConfigError
from ..sem.spec.defined import Definitions
from ..sem.estimation.estimate import fit_ml, start_values
from ..sem.matrices.model import SemModel, ml_objective
from ..sem.spec.partable import build_partable
from ..sem.matrices.ram import KIND_A, KIND_M, KIND_S
from ..sem.data.samplestats import SampleStats
from ..sem.spec.syntax import ParsedModel, parse_model
from .moments import PopulationMoments

CATEGORICAL_ESTIMATORS = {"WLSMV", "WLS", "DWLS", "ULSMV", "ULS", "WLSM", "WLSMVS"}
N_POPULATION = 100_000      # any N: estimates from population moments do not depend on it
_EPS_PROPER = np.finfo(float).eps ** 0.75


@dataclass
class AnalysisModel:
    """The analysis model: its parameter table and the rows a power table reports."""
    parsed: ParsedModel
    table: pd.DataFrame
    names: object
    meanstructure: bool
    rows: np.ndarray          # reported partable rows: free parameters, then `:=` in table order
    defined: np.ndarray       # bool per reported row: a `:=` effect

    @classmethod
    def from_text(cls, text: str | ParsedModel) -> "AnalysisModel":
        parsed = text if isinstance(text, ParsedModel) else parse_model(text)
        table, names = build_partable(parsed)
        ms = bool((table["op"] == "~1").any())
        op = table["op"].to_numpy()
        rows = np.flatnonzero((table["par"].to_numpy() >= 0) | (op == ":="))
        return cls(parsed, table, names, ms, rows, op[rows] == ":=")

    @property
    def observed(self) -> list[str]:
        return list(self.names.ov)

    def keys(self) -> list[dict]:
        t = self.table.iloc[self.rows]
        return [dict(lhs=l, op=o, rhs=r, label=lab) for l, o, r, lab in
                zip(t["lhs"], t["op"], t["rhs"], t["label"])]

    def hypotheses(self) -> list[int]:
        """Reported positions of the hypotheses: each labelled parameter (first row of a label) and `:=`."""
        seen, out = set(), []
        for k, key in enumerate(self.keys()):
            if key["label"] and key["label"] not in seen:
                seen.add(key["label"])
                out.append(k)
        return out


@dataclass
class ReplicateFit:
    converged: bool           # optimum reached and standard errors available
    improper: bool            # negative variance or non-positive-definite latent covariance
    est: np.ndarray           # per reported row
    se: np.ndarray
    mc_lower: np.ndarray      # Monte Carlo CI of the `:=` rows (NaN elsewhere)
    mc_upper: np.ndarray
    n_used: int


def failed(analysis: AnalysisModel, n_used: int) -> ReplicateFit:
    nan = np.full(len(analysis.rows), np.nan)
    return ReplicateFit(False, False, nan, nan.copy(), nan.copy(), nan.copy(), int(n_used))


class FastML:
    """ML replicate fitter over sample moments (see the module docstring)."""

    def __init__(self, analysis: AnalysisModel, theta_start: np.ndarray, *, alpha: float = 0.05,
                 mc_draws: int = 2000, max_iter: int = 100):
        self.analysis = analysis
        self.model = SemModel(analysis.table, analysis.names, analysis.meanstructure)
        self.defs = Definitions(analysis.table)
        self.start = np.asarray(theta_start, float)
        self.alpha = alpha
        self.mc_draws = mc_draws
        self.max_iter = max_iter
        t = analysis.table
        par = t["par"].to_numpy()
        self.row_par = par[analysis.rows]
        op, lhs, rhs = t["op"].to_numpy(), t["lhs"].to_numpy(), t["rhs"].to_numpy()
        self.var_rows = np.flatnonzero((op == "~~") & (lhs == rhs) & (par >= 0))
        self.def_pos = np.flatnonzero(analysis.defined)
        # the free matrix cells (single group): d Sigma = s (u v' + v u') for each, see _pieces
        cells = self.model.cells[0]
        cell_par = par[cells.rows]
        keep = cell_par >= 0
        kind, self.ii, self.jj = cells.kind[keep], cells.ii[keep], cells.jj[keep]
        self.is_a, self.is_s, self.is_m = kind == KIND_A, kind == KIND_S, kind == KIND_M
        self.scale = np.where(self.is_s & (self.ii == self.jj), 0.5, 1.0)
        self.scale[self.is_m] = 0.0
        # cells -> free parameters (cells sharing a label add up)
        self.incidence = np.zeros((len(cell_par[keep]), self.model.npar))
        self.incidence[np.arange(len(cell_par[keep])), cell_par[keep]] = 1.0

    def fit(self, stats: SampleStats, mc_rng: np.random.Generator | None = None) -> ReplicateFit:
        model = self.model
        model.set_exogenous(stats)          # fixed.x: this replicate's covariate moments
        theta, info, converged = self._scoring(stats, self.start.copy())
        if not converged:
            if not np.isfinite(ml_objective(model, theta, stats)):
                theta = model.theta_from_rows(start_values(model, stats))
            est = fit_ml(model, stats, theta)
            theta, info, converged = est.theta, est.information, est.converged
        if not converged or info is None:
            return failed(self.analysis, stats.ntotal)
        return self.report(theta, info, stats.ntotal, mc_rng)

    def _pieces(self, theta, stats: SampleStats, logdet_s: float, info: bool):
        """lavaan's ML fmin, its gradient and (optionally) the expected information per observation.

        Every free cell moves Sigma by s (u v' + v u'): A_ij by u = c_i, v = h_j; S_ij by
        c_i, c_j (s = 1/2 on the diagonal), with C = F B and H = B S C' (ram.py). So with
        P = Sigma^-1, Omega = P - P (S + d d') P and d = xbar - mu:
            gradient_a = s_a u_a' Omega v_a - d mu_a' P d,
            information_ab = s_a s_b [(u_a'P u_b)(v_a'P v_b) + (u_a'P v_b)(v_a'P u_b)] + d mu_a' P d mu_b,
        lavaan's formulas (model.py) without the parameters x p x p derivative arrays.
        Returns (inf, None, None) when Sigma is not positive definite.
        """
        imp = self.model.implied(theta)[0]
        try:
            chol = linalg.cho_factor(imp.sigma, lower=True, check_finite=False)
        except linalg.LinAlgError:
            return np.inf, None, None
        cov, mean = stats.cov[0], stats.mean[0]
        p = cov.shape[0]
        P = linalg.cho_solve(chol, np.eye(p), check_finite=False)
        logdet = 2.0 * np.log(np.diag(chol[0])).sum()
        PS = P @ cov
        f = logdet + np.trace(PS)
        ms = self.model.meanstructure
        omega = P - PS @ P
        if ms:
            d = mean - imp.mu
            v = P @ d
            f += d @ v
            omega -= np.outer(v, v)
        f = 0.5 * (f - logdet_s - p)
        Ct = imp.C.T
        U = Ct[self.ii]
        V = np.where(self.is_a[:, None], imp.H[self.jj], Ct[self.jj])
        g = self.scale * np.einsum("kp,kp->k", U @ omega, V)
        if ms:
            dmu = np.where(self.is_a[:, None], U * imp.Bm[self.jj][:, None], 0.0)
            dmu[self.is_m] = U[self.is_m]
            g -= dmu @ v
        grad = g @ self.incidence
        if not info:
            return f, grad, None
        PU, PV = U @ P, V @ P
        uu, vv, uv = PU @ U.T, PV @ V.T, PU @ V.T
        cell_info = np.outer(self.scale, self.scale) * (uu * vv + uv * uv.T)
        if ms:
            cell_info += dmu @ P @ dmu.T
        inf = self.incidence.T @ cell_info @ self.incidence
        return f, grad, 0.5 * (inf + inf.T)

    def _scoring(self, stats, theta):
        """Fisher scoring with backtracking -> (theta, information at theta, converged).

        Stops when the Newton decrement g' I^-1 g is below 1e-10 / N: the estimates are then
        within ~1e-5 standard errors of the optimum.
        """
        logdet_s = np.linalg.slogdet(stats.cov[0])[1]
        f, grad, info = self._pieces(theta, stats, logdet_s, True)
        if grad is None:
            return theta, None, False
        tol = 1e-10 / stats.ntotal
        for _ in range(self.max_iter):
            try:
                step = -np.linalg.solve(info, grad)
            except np.linalg.LinAlgError:
                return theta, info, False
            decrement = float(-grad @ step)
            if not np.isfinite(decrement) or decrement < 0:
                return theta, info, False
            if decrement < tol:
                return theta, info, True
            t = 1.0
            for _ in range(30):
                new = theta + t * step
                fn, gn, inf_n = self._pieces(new, stats, logdet_s, True)
                if gn is not None and fn <= f - 1e-4 * t * decrement:
                    break
                t *= 0.5
            else:
                # no decrease left at the precision of f: converged if the decrement is negligible
                return theta, info, decrement < 1e-9
            theta, f, grad, info = new, fn, gn, inf_n
        return theta, info, False

    def report(self, theta, info, n: int, mc_rng=None) -> ReplicateFit:
        """Estimates and SEs of the reported rows at theta (info: expected, per observation)."""
        k = len(theta)
        nrow = len(self.analysis.rows)
        if k:
            eig = np.linalg.eigvalsh(info)
            if eig.min() <= 1e-10 * max(eig.max(), 1e-300):
                return failed(self.analysis, n)
            vcov = np.linalg.inv(n * info)
        else:
            vcov = np.zeros((0, 0))
        est = np.full(nrow, np.nan)
        se = np.full(nrow, np.nan)
        free = self.row_par >= 0
        theta_se = np.sqrt(np.clip(np.diag(vcov), 0, None))
        est[free] = theta[self.row_par[free]]
        se[free] = theta_se[self.row_par[free]]
        mc_lo = np.full(nrow, np.nan)
        mc_hi = np.full(nrow, np.nan)
        if len(self.def_pos):
            est[self.def_pos] = self.defs.at_theta(theta)
            jac = self.defs.jacobian(theta)
            se[self.def_pos] = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", jac, vcov, jac), 0, None))
            if mc_rng is not None and self.mc_draws:
                mc_lo[self.def_pos], mc_hi[self.def_pos] = monte_carlo_ci(self.defs, theta, vcov, mc_rng,
                                                                           self.mc_draws, self.alpha)
        return ReplicateFit(True, self._improper(theta), est, se, mc_lo, mc_hi, int(n))

    def _improper(self, theta) -> bool:
        values = self.model.row_values(theta)
        if np.any(values[self.var_rows] < 0):
            return True
        lv = self.analysis.names.lv
        if lv:
            p = len(self.analysis.names.ov)
            V = self.model.implied(theta)[0].V[p:, p:]
            if np.linalg.eigvalsh(V).min() < -_EPS_PROPER:
                return True
        return False


def moments_stats(x: np.ndarray, observed) -> SampleStats | None:
    """Listwise-complete sample moments (divisor N) of a replicate; None when unusable."""
    if np.isnan(x).any():
        x = x[~np.isnan(x).any(axis=1)]
    n, p = x.shape
    if n <= p:
        return None
    mean = x.mean(axis=0)
    dev = x - mean
    cov = dev.T @ dev / n
    # a constant column (possible for Likert data at small n) or collinear columns: ML cannot start
    eig = np.linalg.eigvalsh(cov)
    if eig.min() <= 1e-12 * max(eig.max(), 1e-300):
        return None
    return SampleStats([cov], [mean], [n], list(observed))


def monte_carlo_ci(defs: Definitions, theta, vcov, rng, draws: int, alpha: float):
    """Percentile CI (level 1 - alpha) of each `:=` effect over `draws` draws of the labelled
    parameters from N(theta, vcov): semTools::monteCarloCI (Preacher & Selig 2012)."""
    labels = [lab for lab, par in defs.label_par.items() if par >= 0]
    used = [defs.label_par[lab] for lab in labels]
    w, v = np.linalg.eigh(vcov[np.ix_(used, used)])     # robust to a semi-definite block
    root = v * np.sqrt(np.clip(w, 0, None))
    sample = theta[used] + rng.standard_normal((draws, len(used))) @ root.T
    values = defs.from_labels({lab: sample[:, j] for j, lab in enumerate(labels)})
    q = np.quantile(values, [alpha / 2, 1 - alpha / 2], axis=1)
    return q[0], q[1]


def fit_with_sem(analysis: AnalysisModel, x: np.ndarray, estimator: str, *, missing: str = "listwise",
                 alpha: float = 0.05, mc_draws: int = 2000, mc_rng=None, cluster=None) -> ReplicateFit:
    """Any estimator or missing-data method: alianza.sem.fit on the replicate's data (NaN = missing).

    Rows are matched by (lhs, op, rhs): the estimator's table may differ from the ML one (e.g.
    thresholds of ordered items; residual variances that are not parameters under WLSMV's
    delta parameterization are reported as missing).
    """
    from ..sem import fit

    observed = analysis.observed
    data = pd.DataFrame(x, columns=observed)
    kwargs = {"estimator": estimator}
    if cluster is not None:             # cluster ids per row: cluster-robust SEs (lavaan's cluster=)
        column = "_cluster" if "_cluster" not in observed else "_cluster_id"
        data[column] = cluster
        kwargs["cluster"] = column
    if missing != "listwise":
        kwargs["missing"] = missing        # fit() says so when it does not know the option
    if estimator.upper() in CATEGORICAL_ESTIMATORS and "ordered" in inspect.signature(fit).parameters:
        kwargs["ordered"] = observed
    n_complete = int((~np.isnan(x).any(axis=1)).sum())
    try:
        res = fit(analysis.parsed, data, **kwargs)
    except AlianzaError as exc:
        if isinstance(exc, ConfigError) and exc.key in ("estimator", "se", "missing", "ordered", "cluster"):
            raise                       # a bad option, not a bad replicate
        return failed(analysis, n_complete)
    if not res.converged or res.vcov is None:
        return failed(analysis, res.n)
    params = res.params
    position: dict = {}
    for i, key in enumerate(zip(params["lhs"], params["op"], params["rhs"])):
        position.setdefault(key, i)
    idx = np.array([position.get((k["lhs"], k["op"], k["rhs"]), -1) for k in analysis.keys()])
    found = idx >= 0
    est = np.full(len(idx), np.nan)
    se = np.full(len(idx), np.nan)
    est[found] = params["est"].to_numpy(dtype=float)[idx[found]]
    se[found] = params["se"].to_numpy(dtype=float)[idx[found]]
    fixed = ~(se > 0)                   # not a parameter of this estimator's model
    est[fixed] = se[fixed] = np.nan
    mc_lo = np.full(len(est), np.nan)
    mc_hi = np.full(len(est), np.nan)
    defs_pos = np.flatnonzero(analysis.defined)
    table = res.partable
    if len(defs_pos) and mc_rng is not None and mc_draws and table is not None and "par" in table:
        par = table["par"].to_numpy()
        theta = np.zeros(res.vcov.shape[0])
        theta[par[par >= 0]] = table["est"].to_numpy(dtype=float)[par >= 0]
        defs = Definitions(table)
        lo, hi = monte_carlo_ci(defs, theta, res.vcov, mc_rng, mc_draws, alpha)
        by_name = dict(zip(defs.names, zip(lo, hi)))
        for j in defs_pos:
            mc_lo[j], mc_hi[j] = by_name.get(analysis.keys()[j]["lhs"], (np.nan, np.nan))
    improper = any(w.startswith("improper solution") for w in res.warnings)
    return ReplicateFit(True, improper, est, se, mc_lo, mc_hi, int(res.n))


# --------------------------------------------------------------------------- truth

@dataclass
class Truth:
    theta: np.ndarray          # free parameters in the analysis model's scaling
    values: np.ndarray         # per reported row (`:=` evaluated)
    fmin: float                # lavaan's fmin at the population moments: 0 for a correct model
    df: int
    moments: str               # which population moments the model was fitted to
    stats: SampleStats         # those moments

    @property
    def rmsea(self) -> float:
        """Population RMSEA, sqrt(F0 / df) with F0 = 2 fmin: the analysis model's misfit."""
        return float(np.sqrt(max(2 * self.fmin, 0.0) / self.df)) if self.df > 0 else 0.0


def population_stats(moments: PopulationMoments, *, likert: bool, estimator: str) -> tuple[SampleStats, str]:
    """The population moments an estimator's estimates converge to."""
    if likert and estimator.upper() in CATEGORICAL_ESTIMATORS:
        sd = np.sqrt(np.diag(moments.cov))
        cov, mean = moments.cov / np.outer(sd, sd), np.zeros(len(sd))
        what = "latent-response (polychoric) correlations of the population"
    elif likert:
        mean, cov = moments.code_moments()
        what = "exact means and covariances of the population's Likert codes"
    else:
        cov, mean = moments.cov, moments.mean
        what = "population-implied means and covariances"
    return SampleStats([cov], [mean], [N_POPULATION], list(moments.observed)), what


def true_values(analysis: AnalysisModel, moments: PopulationMoments, *, likert: bool = False,
                estimator: str = "ML") -> Truth:
    """Fit the analysis model to the population moments: its (pseudo-)true values, exactly.

    For a correctly specified model these are the population values rescaled to the model's
    identification (marker variables etc.), whatever the estimator; for a misspecified one,
    the values the ML estimates converge to (fmin > 0 then, reported as the population
    RMSEA; other estimators' limits differ slightly there).
    """
    stats, what = population_stats(moments.subset(analysis.observed), likert=likert, estimator=estimator)
    model = SemModel(analysis.table, analysis.names, analysis.meanstructure)
    model.set_exogenous(stats)
    est = fit_ml(model, stats, model.theta_from_rows(start_values(model, stats)))
    if not est.converged:
        raise ConfigError("the analysis model cannot be fitted to the population moments "
                          "(is it identified?)", file=moments.source)
    fitter = FastML(analysis, est.theta)
    fitter.model = model                    # the one holding the population's fixed.x values
    rep = fitter.report(est.theta, est.information, N_POPULATION) if est.information is not None else None
    if rep is None or not rep.converged:
        raise ConfigError("the analysis model is not identified at the population values", file=moments.source)
    names = analysis.names
    p, px = len(names.ov), len(names.ov_x)
    ndat = p * (p + 1) // 2 - px * (px + 1) // 2 + ((p - px) if analysis.meanstructure else 0)
    return Truth(est.theta, rep.est, float(est.fmin), ndat - model.npar, what, stats)


def pvalues(est: np.ndarray, se: np.ndarray) -> np.ndarray:
    """Two-sided z-test p-values, as lavaan's parameterEstimates()."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    return 2 * (1 - special.ndtr(np.abs(z)))
