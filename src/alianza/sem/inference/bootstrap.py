"""Nonparametric bootstrap of a whole SEM (lavaan's se = "bootstrap"), fast and reproducible.

    from alianza.sem.inference.bootstrap import bootstrap, with_bootstrap
    boot = bootstrap(model_text, data, replicates=2000, seed=1)
    result = with_bootstrap(boot.fit, boot)     # SemFit: bootstrap SEs and CIs in `params`

What is computed, and how it relates to lavaan 0.6.14:
- replicates: rows of the complete data drawn with replacement (sample.int(N, replace =
  TRUE)); each replicate refitted by ML from the full-sample estimates (lavaan also starts
  from them); estimates of every free parameter, every `:=` parameter (the definitions
  applied to the replicate's estimates) and their std.all;
- se: SD of the successful replicates, with lavaan's divisors (R for free parameters,
  R - 1 for defined ones); z and p from it, as lavaan prints them;
- ci_lower/ci_upper: percentile interval with boot's normal-scale interpolation
  (lavaan's boot.ci.type = "perc"); ci_lower_bca/ci_upper_bca: BCa with the acceleration
  from the jackknife (bootci.py explains how that relates to lavaan's "bca"); std_all
  percentile intervals beside them;
- Bollen-Stine p-value of the chi-square (lavaan's test = "bollen.stine"): the data are
  transformed to fit the model exactly (X S^-1/2 Sigma^1/2), resampled, refitted, and p is
  the share of replicate chi-squares larger than the sample's;
- failed replicates (no convergence) are counted, listed and left out of SEs and CIs
  (lavaan's error.idx), never dropped silently; improper replicates (a negative variance)
  are kept, as lavaan keeps them, and counted.

Reproducibility: replicate b of stream s draws its rows from
numpy.random.default_rng(SeedSequence(seed, spawn_key=(s, b))) (s = 0 ordinary,
1 Bollen-Stine), so a replicate's rows depend on (seed, s, b) only. Replicates are fitted
in fixed chunks of CHUNK, and refit() makes each replicate's result independent of its
chunk, so the numbers are identical whatever the number of worker processes.

Speed: refit.py fits whole chunks at once from resampled moments (batched numpy, analytic
Hessian, warm start); chunks run on all cores. bench/bench_bootstrap.py compares with
lavaan and with a loop of semopy fits.
"""
from __future__ import annotations

import dataclasses
import multiprocessing as mp
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from alianza.errors import ConfigError
from alianza.sem.inference import bootci
from alianza.sem.spec.defined import Definitions
from alianza.sem.estimation.fitting import fit
from alianza.sem.matrices.model import SemModel
from alianza.sem.spec.partable import build_partable
from alianza.sem.matrices.derivatives import BatchedML
from alianza.sem.estimation.options import resolve
from alianza.sem.spec.partable import var_names
from alianza.sem.estimation.refit import FAILED, FALLBACK, FAST, refit, start_hessian
from alianza.sem.solution.result import SemFit
from alianza.sem.data.design import design_rows, normalise
from alianza.sem.data.samplestats import sample_stats, select_complete, weighted_stats
from alianza.sem.solution.stdbatch import BatchStandardizer
from alianza.sem.spec.syntax import ParsedModel, parse_model

CHUNK = 50                       # replicates per batch (small enough for the cache)
ORDINARY, BOLLEN_STINE, JACKKNIFE = "ordinary", "bollen_stine", "jackknife"
STREAM = {ORDINARY: 0, BOLLEN_STINE: 1}
DEFAULT_REPLICATES = 2000


@dataclass
class BootstrapResult:
    fit: SemFit                      # the full-sample fit (lavaan's numbers)
    replicates: int                  # requested
    seed: int
    level: float
    rows: pd.DataFrame               # lhs, op, rhs, label, kind (free / fixed / defined)
    est: np.ndarray                  # R x rows: estimates per replicate (NaN where failed)
    std_all: np.ndarray              # R x rows
    status: np.ndarray               # R: refit.FAST / FALLBACK / FAILED
    improper: int                    # converged replicates with a negative variance
    jackknife: np.ndarray | None     # n x rows, leave-one-out estimates (for BCa)
    jackknife_status: np.ndarray | None
    bs_chisq: np.ndarray | None      # R, Bollen-Stine replicate chi-squares (NaN where failed)
    bs_status: np.ndarray | None
    path: str = "moments"            # "moments" (batched refits) or "rows" (sem.fit per replicate)
    design: dict | None = None       # the survey design (SemFit.design): clusters resampled whole
    bca_requested: bool = False      # asked for BCa (the rows path cannot give it: no jackknife there)
    summary: pd.DataFrame = field(init=False)

    def __post_init__(self):
        self.summary = _summarise(self)

    @property
    def converged(self) -> int:
        return int((self.status != FAILED).sum())

    @property
    def failed(self) -> int:
        return int((self.status == FAILED).sum())

    @property
    def bollen_stine_pvalue(self) -> float | None:
        if self.bs_chisq is None:
            return None
        ok = np.isfinite(self.bs_chisq)
        if not ok.any():
            return float("nan")
        return float(np.sum(self.bs_chisq[ok] > self.fit.fit["chisq"]) / ok.sum())

    def block(self) -> dict:
        """The JSON `bootstrap` block: what was done, and how many replicates failed."""
        out = {
            "replicates": self.replicates,
            "converged": self.converged,
            "failed": self.failed,
            "failed_replicates": [int(b) + 1 for b in np.flatnonzero(self.status == FAILED)],
            "full_optimizer": int((self.status == FALLBACK).sum()),
            "improper": self.improper,
            "seed": self.seed,
            "ci_level": self.level,
            "ci_types": ["perc"] + (["bca"] if self.jackknife is not None else []),
            "resampling": self._resampling(),
            "estimator": self.fit.estimator,
            "se": "SD of the converged replicates (divisor R for free parameters, R - 1 for "
                  "defined ones, as lavaan 0.6.14)",
            "ci": "percentile with normal-scale interpolation (lavaan boot.ci.type = 'perc')",
        }
        if self.jackknife is not None:
            failed = int((self.jackknife_status == FAILED).sum())
            out["bca"] = ("bias-corrected and accelerated (boot::boot.ci type 'bca'); acceleration "
                          "from the jackknife influence values")
            out["jackknife"] = {"fits": int(len(self.jackknife_status)), "failed": failed}
        elif self.bca_requested:
            # BCa's acceleration needs the leave-one-out refits, made only on the moment path
            out["bca_not_computed"] = ("BCa needs the jackknife of the batched moment path (ML or MLR on the "
                                       "complete rows of one group); this bootstrap refits rows "
                                       f"({self.fit.estimator}), so only percentile intervals are given")
        if self.bs_chisq is not None:
            ok = np.isfinite(self.bs_chisq)
            out["bollen_stine_pvalue"] = self.bollen_stine_pvalue
            out["bollen_stine"] = {
                "chisq": self.fit.fit["chisq"],
                "replicates": self.replicates,
                "converged": int(ok.sum()),
                "failed": int((~ok).sum()),
                "larger": int(np.sum(self.bs_chisq[ok] > self.fit.fit["chisq"])),
                "resampling": "rows of X S^-1/2 Sigma^1/2 (lavaan's bollen.stine); replicate b uses "
                              "default_rng(SeedSequence(seed, spawn_key=(1, b - 1)))",
            }
        else:
            out["bollen_stine_pvalue"] = None
        return out

    def _resampling(self) -> str:
        seeds = "replicate b uses numpy default_rng(SeedSequence(seed, spawn_key=(0, b - 1)))"
        if self.path == "rows":
            return ("nonparametric: rows of the data with replacement, each replicate refitted with the fit's "
                    f"own estimator options (missing values included); {seeds}")
        design = self.design or {}
        if not (design.get("cluster") or design.get("sampling_weights")):
            return f"nonparametric: rows of the complete data with replacement; {seeds}"
        units = (f"whole clusters of {design['cluster']!r} ({design['n_clusters']})" if design.get("cluster")
                 else "rows of the complete data")
        kept = (f", each row keeping its sampling weight ({design['sampling_weights']!r})"
                if design.get("sampling_weights") else "")
        return (f"cluster/design bootstrap: {units} with replacement{kept}; a replicate's moments are "
                f"weighted by draws x weight; BCa's jackknife leaves one cluster (row) out; {seeds}")

    def draws(self) -> pd.DataFrame:
        """One row per replicate: status, then est.<parameter> and std_all.<parameter>."""
        names = _row_names(self.rows)
        status = np.array(["ok", "full_optimizer", "failed"])[self.status]
        out = pd.DataFrame({"replicate": np.arange(1, len(self.status) + 1), "status": status})
        est = pd.DataFrame(self.est, columns=[f"est.{n}" for n in names])
        std = pd.DataFrame(self.std_all, columns=[f"std_all.{n}" for n in names])
        return pd.concat([out, est, std], axis=1)

    def jackknife_draws(self) -> pd.DataFrame:
        """One row per leave-one-out fit (the BCa acceleration's): left_out (the row, or cluster, left
        out, from 1), status, then est.<parameter>; no rows when BCa was not asked for."""
        names = _row_names(self.rows)
        if self.jackknife is None:
            return pd.DataFrame(columns=["left_out", "status", *(f"est.{n}" for n in names)])
        status = np.array(["ok", "full_optimizer", "failed"])[self.jackknife_status]
        out = pd.DataFrame({"left_out": np.arange(1, len(status) + 1), "status": status})
        return pd.concat([out, pd.DataFrame(self.jackknife, columns=[f"est.{n}" for n in names])], axis=1)


def _row_names(rows: pd.DataFrame) -> list[str]:
    return [l if o == ":=" else f"{l}{o}{r}" for l, o, r in zip(rows["lhs"], rows["op"], rows["rhs"])]


# ------------------------------------------------------------------------ the run
@dataclass
class _Job:
    """Everything a worker needs (inherited by fork, pickled by spawn)."""
    engine: BatchedML
    theta0: np.ndarray
    hessian0: np.ndarray
    n: int
    data: dict            # stream -> (centered data n x p, mean p, vech outer products n x q)
    seed: int
    units: np.ndarray | None = None     # cluster index (0..C-1) of each row: whole clusters resampled
    weights: np.ndarray | None = None   # sampling weight of each row (normalised to sum to n)

    @property
    def n_units(self) -> int:
        return self.n if self.units is None else int(self.units.max()) + 1

    def row_weights(self, unit_counts: np.ndarray) -> np.ndarray:
        """Each row's weight in the replicates (R x n) from how often its unit was drawn: the
        count times the sampling weight, rescaled to sum to n (a design replicate)."""
        counts = unit_counts if self.units is None else unit_counts[:, self.units]
        if self.weights is None and self.units is None:
            return counts                       # rows with replacement: the counts sum to n
        eff = counts * (1.0 if self.weights is None else self.weights[None, :])
        return eff * (self.n / eff.sum(axis=1, keepdims=True))


@dataclass
class _RowsJob:
    """The general path: each replicate's rows refitted by sem.fit with the same options."""
    parsed: ParsedModel
    data: pd.DataFrame
    options: dict
    nrows: int
    seed: int
    keys: list            # (lhs, op, rhs) of the full-sample table: a replicate must have the same rows


_JOB: _Job | _RowsJob | None = None


def _one_blas_thread():
    """One BLAS thread while fitting: the parallelism is the processes, and a multithreaded
    BLAS may split a sum differently and change the last digit (same numbers on any machine
    load and any number of workers)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:   # pragma: no cover
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(1)


def _init_worker(job: _Job) -> None:
    global _JOB
    _JOB = job
    _one_blas_thread()    # for the life of the worker process


def _run_chunk(kind: str, start: int, stop: int) -> dict:
    job = _JOB
    ids = np.arange(start, stop)
    if isinstance(job, _RowsJob):
        return _refit_rows(job, ids)
    n = job.n
    if kind == JACKKNIFE and (job.units is not None or job.weights is not None):
        # leave one unit (cluster, or row) out, with the design's weights
        keep = np.ones((len(ids), job.n_units))
        keep[np.arange(len(ids)), ids] = 0.0
        cov, mean = _moments(job.row_weights(keep), *job.data[ORDINARY])
        nobs = n
    elif kind == JACKKNIFE:
        xc, xbar, _ = job.data[ORDINARY]
        d = xc[ids]
        # leave row i out: mean xbar - d_i/(n-1), covariance (D'D - n/(n-1) d_i d_i')/(n-1)
        full = xc.T @ xc
        cov = (full[None] - (n / (n - 1)) * d[:, :, None] * d[:, None, :]) / (n - 1)
        mean = xbar[None] - d / (n - 1)
        nobs = n - 1
    else:
        units = job.n_units
        counts = np.empty((len(ids), units))
        for k, b in enumerate(ids):
            rng = np.random.default_rng(np.random.SeedSequence(job.seed, spawn_key=(STREAM[kind], int(b))))
            counts[k] = np.bincount(rng.integers(0, units, size=units), minlength=units)
        cov, mean = _moments(job.row_weights(counts), *job.data[kind])
        nobs = n
    res = refit(job.engine, job.theta0, cov, mean, nobs, hessian0=job.hessian0)
    out = {"theta": res.theta, "fmin": res.fmin, "status": res.status}
    if kind == ORDINARY:
        ok = res.status != FAILED
        values = np.full((len(ids), len(job.engine.model.table)), np.nan)
        var = np.full((len(ids), job.engine.nv), np.nan)
        if ok.any():
            values[ok] = job.engine.row_values(res.theta[ok], cov[ok], mean[ok])
            var[ok] = job.engine.variances(res.theta[ok], cov[ok], mean[ok])
        out["values"], out["variances"] = values, var
    return out


def _refit_rows(job: _RowsJob, ids) -> dict:
    """Replicates by sem.fit on resampled rows (FIML, WLSMV, groups...): slower, any option set.
    Rows are drawn from the rows handed in (lavaan resamples its data the same way)."""
    import warnings as _warnings

    values, std, status = [], [], []
    for b in ids:
        rng = np.random.default_rng(np.random.SeedSequence(job.seed, spawn_key=(STREAM[ORDINARY], int(b))))
        rows = job.data.iloc[rng.integers(0, job.nrows, size=job.nrows)].reset_index(drop=True)
        try:
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore")
                res = fit(job.parsed, rows, **job.options)
            # a replicate whose table differs (an ordered item missing a category in the resampled rows
            # has fewer thresholds) cannot be compared row by row: failed, as lavaan's bootstrap errors there
            ok = (res.converged and list(zip(res.params["lhs"], res.params["op"], res.params["rhs"])) == job.keys
                  and np.isfinite(res.params["est"].to_numpy(dtype=float)).all())
        except (ConfigError, ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
            res, ok = None, False
            _ = exc
        if ok:
            values.append(res.params["est"].to_numpy(dtype=float))
            std.append(res.params["std_all"].to_numpy(dtype=float))
            status.append(FAST)
        else:
            values.append(None)
            std.append(None)
            status.append(FAILED)
    width = len(job.keys)
    fill = np.full(width, np.nan)
    return {"values": np.array([fill if v is None else v for v in values]),
            "std": np.array([fill if v is None else v for v in std]),
            "status": np.array(status), "theta": None, "fmin": None}


def _moments(counts, xc, xbar, outer):
    """Covariance (divisor N) and mean of resampled rows from their counts (or design weights
    summing to n: any centre `xbar` gives the exact moments)."""
    n, p = xc.shape
    shift = counts @ xc / n                              # replicate mean - xbar
    second = counts @ outer / n                          # vech of the mean of centered outer products
    iu = np.triu_indices(p)
    cov = np.empty((len(counts), p, p))
    cov[:, iu[0], iu[1]] = second
    cov[:, iu[1], iu[0]] = second
    cov -= shift[:, :, None] * shift[:, None, :]
    return cov, xbar[None] + shift


def _outer(xc):
    iu = np.triu_indices(xc.shape[1])
    return xc[:, iu[0]] * xc[:, iu[1]]


def _sym_sqrt(a):
    """lavaan's lav_matrix_symmetric_sqrt: eigenvalues below zero set to zero."""
    val, vec = np.linalg.eigh(a)
    return (vec * np.sqrt(np.clip(val, 0, None))) @ vec.T


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # pragma: no cover (macOS, Windows)
        return os.cpu_count() or 1


def _run(job: _Job, chunks: list[tuple[str, int, int]], workers: int, progress: bool) -> list[dict]:
    from tqdm import tqdm

    total = sum(stop - start for _, start, stop in chunks)
    out: list[dict | None] = [None] * len(chunks)
    with tqdm(total=total, desc="bootstrap", unit="fit", file=sys.stderr, disable=not progress,
              leave=False) as bar:
        if workers <= 1 or len(chunks) == 1:
            global _JOB
            previous, _JOB = _JOB, job
            try:
                for i, c in enumerate(chunks):
                    out[i] = _run_chunk(*c)
                    bar.update(c[2] - c[1])
            finally:
                _JOB = previous
        else:
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=mp.get_context(method),
                                     initializer=_init_worker, initargs=(job,)) as pool:
                futures = {pool.submit(_run_chunk, *c): i for i, c in enumerate(chunks)}
                for fut in as_completed(futures):
                    i = futures[fut]
                    out[i] = fut.result()
                    bar.update(chunks[i][2] - chunks[i][1])
    return out


def bootstrap(model: str | ParsedModel, data: pd.DataFrame, *, replicates: int = DEFAULT_REPLICATES,
              seed: int, level: float = 0.95, bca: bool = True, bollen_stine: bool = True,
              workers: int | None = None, progress: bool = False, source=None,
              sampling_weights: str | None = None, cluster: str | None = None, **options) -> BootstrapResult:
    """Fit the model and bootstrap it; see the module docstring. `options` are sem.fit's
    estimator options (estimator, missing, ordered, group, std_lv...): ML and MLR on the complete
    rows of one group take the batched moment path (MLR's estimates are ML's, and bootstrap SEs
    replace the sandwich); any other option set refits every replicate by sem.fit, without the
    jackknife (BCa) and the Bollen-Stine test, which need the moment path.

    With a survey design (moment path) the full-sample fit is the weighted / cluster-robust one, and
    every replicate resamples whole clusters (rows when there are none) with replacement, each row
    keeping its sampling weight (a cluster bootstrap; the BCa jackknife leaves one cluster out).
    """
    parsed = model if isinstance(model, ParsedModel) else parse_model(model)
    roles = var_names([dict(lhs=f.lhs, op=f.op, rhs=f.rhs) for f in parsed.formulas])
    opts = resolve(options.get("estimator"), options.get("missing"), options.get("ordered"), observed=roles.ov,
                   ov_x=roles.ov_x, group=options.get("group"), group_equal=options.get("group_equal", ()),
                   group_partial=options.get("group_partial", ()), std_lv=options.get("std_lv", False))
    moments_path = (opts.objective == "ml" and opts.missing == "listwise" and opts.group is None
                    and not opts.std_lv)
    with _one_blas_thread():      # small matrices: threads cost more than they give, and move digits
        if not moments_path:
            if sampling_weights or cluster:
                raise ConfigError("the bootstrap with a survey design resamples clusters for ML or MLR on the "
                                  "complete rows of one group", key="bootstrap")
            return _bootstrap_rows(parsed, data, options, replicates=replicates, seed=seed, level=level,
                                   workers=workers, progress=progress, source=source, bca_requested=bool(bca))
        return _bootstrap(parsed, data, replicates=replicates, seed=seed, level=level, bca=bca,
                          bollen_stine=bollen_stine, workers=workers, progress=progress, source=source,
                          sampling_weights=sampling_weights, cluster=cluster,
                          estimator=None if (sampling_weights or cluster) and opts.estimator == "ML"
                          else opts.estimator)


def _check_run(replicates, seed, level) -> None:
    if isinstance(replicates, bool) or not isinstance(replicates, (int, np.integer)) or replicates < 2:
        raise ConfigError(f"bootstrap replicates must be an integer of at least 2, not {replicates!r}",
                          key="bootstrap")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"bootstrap seed must be a non-negative integer, not {seed!r}", key="seed")
    if not 0 < level < 1:
        raise ConfigError(f"confidence level must be between 0 and 1, not {level!r}", key="level")


def _bootstrap_rows(parsed, data, options, *, replicates, seed, level, workers, progress, source,
                    bca_requested=False):
    """The general path: the full-sample fit with the options, then every replicate's rows refitted as
    lavaan's bootstrap refits them: se = "none", test = "none", started at the full-sample estimates
    (the same estimates; the SEs, test, fit measures and modification indices no replicate needs are
    not computed)."""
    _check_run(replicates, seed, level)
    base = fit(parsed, data, source=source, **options)
    if not base.converged:
        raise ConfigError("the model did not converge on the full sample, so it cannot be bootstrapped",
                          key="bootstrap")
    if base.groups and "group_label" not in options:
        options = {**options, "group_label": list(base.groups)}   # the same group order in every replicate
    keys = list(zip(base.params["lhs"], base.params["op"], base.params["rhs"]))
    options = {**options, "se": "none", "test": "none", "start": base}
    rows = data.reset_index(drop=True)
    rows.attrs = {}      # pandas deep-copies attrs (value labels) on every operation of every replicate
    job = _RowsJob(parsed, rows, dict(options), len(data), int(seed), keys)
    chunks = [(ORDINARY, s, min(s + CHUNK // 5, replicates)) for s in range(0, replicates, CHUNK // 5)]
    workers = default_workers() if workers is None else max(1, int(workers))
    results = _run(job, chunks, workers, progress)
    values = np.concatenate([r["values"] for r in results])
    std = np.concatenate([r["std"] for r in results])
    status = np.concatenate([r["status"] for r in results])
    table = base.partable
    op = table["op"].to_numpy()
    par = table["par"].to_numpy()
    if values.shape[1] != len(table):          # every replicate failed
        values = np.full((len(status), len(table)), np.nan)
        std = values.copy()
    var_rows = np.flatnonzero((op == "~~") & (table["lhs"].to_numpy() == table["rhs"].to_numpy()))
    improper = int(np.sum((status != FAILED) & np.any(values[:, var_rows] < 0, axis=1)))
    kind = np.where(op == ":=", "defined", np.where(par >= 0, "free", "fixed"))
    rows = table[["lhs", "op", "rhs", "label"]].assign(kind=kind).reset_index(drop=True)
    return BootstrapResult(base, int(replicates), int(seed), float(level), rows, values, std, status,
                           improper, None, None, None, None, path="rows", bca_requested=bca_requested)


def _bootstrap(parsed, data, *, replicates, seed, level, bca, bollen_stine, workers, progress, source,
               sampling_weights=None, cluster=None, estimator="ML"):
    _check_run(replicates, seed, level)
    base = fit(parsed, data, source=source, estimator=estimator, sampling_weights=sampling_weights,
               cluster=cluster)
    if not base.converged:
        raise ConfigError("the model did not converge on the full sample, so it cannot be bootstrapped",
                          key="bootstrap")
    # with clusters lavaan's fit has a mean structure: the replicates use the same table
    table, names = build_partable(parsed, meanstructure=True if cluster else None)
    ms = bool((table["op"] == "~1").any())
    complete = select_complete(data, names.ov, source=source)
    design = design_rows(data.loc[complete.data.index], sampling_weights, cluster, source=source)
    w = None if design.weights is None else normalise([design.weights])[0]
    units = None if design.cluster is None else np.unique(design.cluster, return_inverse=True)[1].ravel()
    stats = (sample_stats(complete.data, names.ov) if w is None else
             weighted_stats(complete.data.to_numpy(dtype=float), w, names.ov))
    sem_model = SemModel(table, names, ms)
    sem_model.set_exogenous(stats)
    engine = BatchedML(sem_model)
    theta0 = sem_model.theta_from_rows(base.partable["est"].to_numpy(dtype=float))
    hessian0 = start_hessian(engine, theta0, stats.cov[0], stats.mean[0])

    X = complete.data.to_numpy(dtype=float)
    n = len(X)
    xbar = stats.mean[0]
    xc = X - xbar
    streams = {ORDINARY: (xc, xbar, _outer(xc))}
    if bollen_stine:
        # lavaan: X <- scale(X, scale = FALSE) %*% S^-1/2 %*% Sigma^1/2 (+ mu when meanstructure)
        zc = xc @ _sym_sqrt(np.linalg.inv(stats.cov[0])) @ _sym_sqrt(base.implied_cov.to_numpy())
        zc = zc - (zc.mean(axis=0) if w is None else w @ zc / n)
        zbar = base.implied_mean.to_numpy(dtype=float) if ms else np.zeros(len(xbar))
        streams[BOLLEN_STINE] = (zc, zbar, _outer(zc))
    job = _Job(engine, theta0, hessian0, n, streams, int(seed), units, w)
    chunks = [(ORDINARY, s, min(s + CHUNK, replicates)) for s in range(0, replicates, CHUNK)]
    if bollen_stine:
        chunks += [(BOLLEN_STINE, s, min(s + CHUNK, replicates)) for s in range(0, replicates, CHUNK)]
    if bca:
        chunks += [(JACKKNIFE, s, min(s + CHUNK, job.n_units)) for s in range(0, job.n_units, CHUNK)]
    workers = default_workers() if workers is None else max(1, int(workers))
    results = _run(job, chunks, workers, progress)

    def collect(kind, key):
        parts = [r[key] for c, r in zip(chunks, results) if c[0] == kind]
        return np.concatenate(parts) if parts else None

    defs = Definitions(table)
    par = table["par"].to_numpy()
    op = table["op"].to_numpy()
    def_rows = np.flatnonzero(op == ":=")
    values = collect(ORDINARY, "values")
    theta = collect(ORDINARY, "theta")
    if len(def_rows):
        values[:, def_rows] = defs.at_theta(theta.T).T
    std = BatchStandardizer(table, names.ov, names.lv).std_all(values, collect(ORDINARY, "variances"))
    status = collect(ORDINARY, "status")
    var_rows = np.flatnonzero((op == "~~") & (table["lhs"].to_numpy() == table["rhs"].to_numpy()))
    improper = int(np.sum((status != FAILED) & np.any(values[:, var_rows] < 0, axis=1)))

    jack = jack_status = None
    if bca:
        jt = collect(JACKKNIFE, "theta")
        jack_status = collect(JACKKNIFE, "status")
        jack = np.full((job.n_units, len(table)), np.nan)
        free = np.flatnonzero(par >= 0)
        jack[:, free] = jt[:, par[free]]
        if len(def_rows):
            jack[:, def_rows] = defs.at_theta(jt.T).T
    bs = bs_status = None
    if bollen_stine:
        bs_status = collect(BOLLEN_STINE, "status")
        bs = 2.0 * n * collect(BOLLEN_STINE, "fmin")
    kind = np.where(op == ":=", "defined", np.where(par >= 0, "free", "fixed"))
    rows = table[["lhs", "op", "rhs", "label"]].assign(kind=kind).reset_index(drop=True)
    return BootstrapResult(base, int(replicates), int(seed), float(level), rows, values, std, status,
                           improper, jack, jack_status, bs, bs_status, design=base.design)


# ------------------------------------------------------------------- summaries
def _summarise(b: BootstrapResult) -> pd.DataFrame:
    """Per row: bootstrap se, percentile and BCa CIs of est, percentile CI of std_all."""
    params = b.fit.params
    est0 = params["est"].to_numpy(dtype=float)
    std0 = params["std_all"].to_numpy(dtype=float)
    ok = b.status != FAILED
    kinds = b.rows["kind"].to_numpy()
    nrow = len(kinds)
    se = np.zeros(nrow)
    lo, hi = est0.copy(), est0.copy()
    lo_bca, hi_bca = est0.copy(), est0.copy()
    slo, shi = np.full(nrow, np.nan), np.full(nrow, np.nan)
    for r in range(nrow):
        t = b.est[ok, r]
        s = b.std_all[ok, r]
        if np.isfinite(s).any() and np.nanvar(s) > 0:
            slo[r], shi[r] = bootci.percentile_ci(s, b.level)
        elif np.isfinite(std0[r]):
            slo[r] = shi[r] = std0[r]
        if kinds[r] == "fixed":
            continue
        se[r] = bootci.bootstrap_se(t, ddof=1 if kinds[r] == "defined" else 0)
        lo[r], hi[r] = bootci.percentile_ci(t, b.level)
        if b.jackknife is not None:
            a = bootci.acceleration(bootci.jackknife_influence(b.jackknife[b.jackknife_status != FAILED, r]))
            lo_bca[r], hi_bca[r] = bootci.bca_ci(t, est0[r], a, b.level)
        else:
            lo_bca[r] = hi_bca[r] = np.nan
    return pd.DataFrame({"se": se, "ci_lower": lo, "ci_upper": hi, "ci_lower_bca": lo_bca,
                         "ci_upper_bca": hi_bca, "std_all_ci_lower": slo, "std_all_ci_upper": shi})


def with_bootstrap(result: SemFit, boot: BootstrapResult) -> SemFit:
    """The fit with bootstrap SEs (z and p from them, as lavaan prints them), percentile CIs
    in ci_lower/ci_upper, BCa and std_all CIs beside them, and the `bootstrap` block."""
    params = result.params.copy()
    summ = boot.summary
    se = summ["se"].to_numpy()
    est = params["est"].to_numpy(dtype=float)
    tiny = se < np.sqrt(np.finfo(float).eps)
    se = np.where(tiny, 0.0, se)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(tiny | ~np.isfinite(se), np.nan, est / se)
    params["se"] = se
    params["z"] = z
    params["pvalue"] = 2 * (1 - special.ndtr(np.abs(z)))
    for col in ("ci_lower", "ci_upper", "ci_lower_bca", "ci_upper_bca", "std_all_ci_lower", "std_all_ci_upper"):
        params[col] = summ[col].to_numpy()
    return dataclasses.replace(result, params=params, options={**result.options, "se": "bootstrap"},
                               bootstrap=boot.block())
