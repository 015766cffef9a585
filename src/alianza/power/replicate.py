"""Fitting the analysis model to replicates, and its true values in its own scaling.

A power study fits the same model thousands of times and needs, per replicate, only the
estimates, standard errors, convergence and properness: not fit measures, the standardized
solution or modification indices. `FastML` builds the model once and fits the replicates of
a batch at once with the bootstrap's refit (sem/estimation/refit.py): the batched Newton steps of
the one optimiser (sem/estimation/scoring.py) on the shared derivative engine
(sem/matrices/derivatives.BatchedML), every replicate from the true values (the start Mplus uses
for Monte Carlo studies too) to the ML optimum (steps below 1e-9), a replicate the batched steps
cannot finish refitted by the full optimizer. Each replicate's numbers never depend on its batch.
Standard errors are lavaan's ML default (inverse expected information), `:=` effects get
delta-method SEs and a Monte Carlo CI (Preacher & Selig 2012, semTools::monteCarloCI).

Any other estimator goes through alianza.sem.fit on the replicate's data frame.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from ..errors import AlianzaError, ConfigError
from ..sem.spec.defined import Definitions
from ..sem.estimation.estimate import fit_ml, start_values
from ..sem.estimation.refit import refit, start_hessian
from ..sem.matrices.derivatives import BatchedML
from ..sem.matrices.model import SemModel
from ..sem.spec.partable import build_partable
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

    def __init__(self, analysis: AnalysisModel, theta_start: np.ndarray, stats: SampleStats, *,
                 alpha: float = 0.05, mc_draws: int = 2000, max_iter: int = 50):
        self.analysis = analysis
        self.model = SemModel(analysis.table, analysis.names, analysis.meanstructure)
        self.model.set_exogenous(stats)
        self.engine = BatchedML(self.model)
        self.defs = Definitions(analysis.table)
        self.start = np.asarray(theta_start, float)
        # every replicate's first steps use the curvature at the true values (refit's warm start)
        self.hessian0 = start_hessian(self.engine, self.start, stats.cov[0], stats.mean[0])
        self.alpha = alpha
        self.mc_draws = mc_draws
        self.max_iter = max_iter
        t = analysis.table
        par = t["par"].to_numpy()
        self.row_par = par[analysis.rows]
        op, lhs, rhs = t["op"].to_numpy(), t["lhs"].to_numpy(), t["rhs"].to_numpy()
        self.var_rows = np.flatnonzero((op == "~~") & (lhs == rhs) & (par >= 0))
        self.def_pos = np.flatnonzero(analysis.defined)

    def fit(self, stats: SampleStats, mc_rng: np.random.Generator | None = None) -> ReplicateFit:
        return self.fit_batch([stats], [mc_rng])[0]

    def fit_batch(self, stats: list[SampleStats], mc_rngs: list) -> list[ReplicateFit]:
        """Fit the replicates of `stats` at once; each one's numbers never depend on its batch."""
        if not stats:
            return []
        cov = np.array([s.cov[0] for s in stats], float)
        mean = np.array([s.mean[0] for s in stats], float)
        nobs = np.array([s.ntotal for s in stats])
        res = refit(self.engine, self.start, cov, mean, nobs, hessian0=self.hessian0, max_iter=self.max_iter)
        ok = np.flatnonzero(res.converged)
        info = np.full((len(stats), self.engine.npar, self.engine.npar), np.nan)
        improper = np.zeros(len(stats), bool)
        if len(ok):
            th, c, m = res.theta[ok], cov[ok], mean[ok]
            info[ok] = self.engine.evaluate(th, c, m, np.linalg.slogdet(c)[1], order=2).info
            improper[ok] = self._improper(th, c, m)
        return [self.report(res.theta[b], info[b], int(nobs[b]), rng, improper=bool(improper[b]))
                if res.converged[b] else failed(self.analysis, int(nobs[b]))
                for b, rng in enumerate(mc_rngs)]

    def report(self, theta, info, n: int, mc_rng=None, *, improper: bool = False) -> ReplicateFit:
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
        return ReplicateFit(True, improper, est, se, mc_lo, mc_hi, int(n))

    def _improper(self, theta, cov, mean) -> np.ndarray:
        """Per replicate: a negative variance, or a latent covariance matrix that is not positive definite."""
        values = self.engine.row_values(theta, cov, mean)
        out = np.any(values[:, self.var_rows] < 0, axis=1)
        if self.analysis.names.lv:
            p = len(self.analysis.names.ov)
            V = self.engine.covariances(theta, cov, mean)[:, p:, p:]
            out |= np.linalg.eigvalsh(V).min(axis=1) < -_EPS_PROPER
        return out


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
    fitter = FastML(analysis, est.theta, stats)
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
