"""A Monte Carlo power study: settings, replicates in chunks, chunk records.

A chunk is any set of replicate indices at any sample sizes; its records carry the
study's settings, parameter keys and true values, so chunks computed by separate jobs
(Snakemake on a cluster) are checked for coming from the same study before they are
aggregated. Replicate r at sample size n always sees the same data (generate.py), so the
aggregate does not depend on how the replicates were split.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from ..errors import ConfigError
from .generate import MONTE_CARLO, DataGenerator, cluster_ids, replicate_streams
from .moments import PopulationMoments
from .replicate import AnalysisModel, FastML, failed, fit_with_sem, moments_stats, true_values

FORMAT = "alianza-power-chunk/1"
BATCH = 25          # replicates fitted at once (the numbers do not depend on it)


@dataclass
class PowerSettings:
    """Everything that defines a study's numbers (what chunks must agree on)."""
    n: list[int]
    reps: int
    seed: int
    estimator: str = "ML"
    missing: str = "listwise"    # or "fiml": passed to alianza.sem.fit
    likert: bool = False
    missing_rate: float = 0.0
    alpha: float = 0.05
    mc_draws: int = 2000
    model: str = ""          # description of where the model / population came from
    population: str = ""
    clusters: int | None = None  # clustered sample: this many clusters (e.g. municipalities) per replicate
    icc: float = 0.0             # intra-class correlation of every variable within a cluster

    def __post_init__(self):
        self.n = [int(v) for v in self.n]
        if not self.n or any(v < 2 for v in self.n) or len(set(self.n)) != len(self.n):
            raise ConfigError("sample sizes must be distinct integers >= 2", key="n")
        if int(self.reps) < 1:
            raise ConfigError("reps must be at least 1", key="reps")
        if not 0 < self.alpha < 1:
            raise ConfigError("alpha must be in (0, 1)", key="alpha")
        if not 0 <= self.missing_rate < 1:
            raise ConfigError("missing rate must be in [0, 1)", key="missing_rate")
        if not 0 <= self.icc < 1:
            raise ConfigError("the intra-class correlation must be in [0, 1)", key="icc")
        if self.clusters is not None:
            self.clusters = int(self.clusters)
            if self.clusters < 2 or any(self.clusters > v for v in self.n):
                raise ConfigError(f"{self.clusters} clusters need 2 or more, and no more than the smallest "
                                  f"sample size ({min(self.n)})", key="clusters")
        elif self.icc:
            raise ConfigError("an intra-class correlation needs a number of clusters (--clusters)", key="icc")
        self.reps = int(self.reps)
        self.estimator = str(self.estimator).upper()
        self.missing = str(self.missing).lower()


@dataclass
class PowerStudy:
    settings: PowerSettings
    analysis: AnalysisModel
    moments: PopulationMoments           # of the analysis model's observed variables
    truth: object = field(init=False)

    def __post_init__(self):
        s = self.settings
        self.moments = self.moments.subset(self.analysis.observed)
        if s.likert and not self.moments.likert_available:
            raise ConfigError("Likert data need a population with thresholds (population.yaml)",
                              file=self.moments.source, key="likert")
        self.truth = true_values(self.analysis, self.moments, likert=s.likert, estimator=s.estimator)
        self.generator = DataGenerator(self.moments, likert=s.likert, missing_rate=s.missing_rate,
                                       clusters=s.clusters, icc=s.icc)
        self._fast = None
        # clustered samples are fitted with cluster-robust SEs (sem.fit's cluster=), not the fast path
        if s.estimator == "ML" and s.missing == "listwise" and s.clusters is None:
            self._fast = FastML(self.analysis, self.truth.theta, self.truth.stats, alpha=s.alpha,
                                mc_draws=s.mc_draws)

    @classmethod
    def build(cls, model_text: str, moments: PopulationMoments, settings: PowerSettings) -> "PowerStudy":
        return cls(settings, AnalysisModel.from_text(model_text), moments)

    def fit_replicate(self, n: int, rep: int):
        return self.fit_replicates([(n, rep)])[0]

    def fit_replicates(self, tasks) -> list:
        """Fit replicates `tasks` ((n, rep) pairs). On the ML fast path they are fitted as one batch
        (FastML.fit_batch); a replicate's numbers never depend on the batch it is in."""
        s = self.settings
        out: list = [None] * len(tasks)
        batch, rngs, where = [], [], []
        for i, (n, rep) in enumerate(tasks):
            streams = replicate_streams(s.seed, n, rep)
            x = self.generator.draw(n, streams)
            if self._fast is None:
                out[i] = fit_with_sem(self.analysis, x, s.estimator, missing=s.missing, alpha=s.alpha,
                                      mc_draws=s.mc_draws, mc_rng=streams[MONTE_CARLO],
                                      cluster=None if s.clusters is None else cluster_ids(n, s.clusters))
                continue
            stats = moments_stats(x, self.analysis.observed)    # ML, listwise deletion: sample moments
            if stats is None:
                out[i] = failed(self.analysis, int((~np.isnan(x).any(axis=1)).sum()))
                continue
            batch.append(stats)
            rngs.append(streams[MONTE_CARLO])
            where.append(i)
        if batch:
            for i, r in zip(where, self._fast.fit_batch(batch, rngs)):
                out[i] = r
        return out

    def run(self, tasks=None, *, progress: bool = False, jobs: int = 1) -> dict:
        """Fit the replicates `tasks` ((n, rep) pairs; default: the whole study) -> a chunk dict.

        jobs > 1 spreads the replicates over that many processes; the records are the same.
        """
        tasks = all_tasks(self.settings) if tasks is None else [(int(n), int(r)) for n, r in tasks]
        bar = None
        if progress:
            from tqdm import tqdm
            bar = tqdm(total=len(tasks), unit="rep", desc="power", leave=False, disable=None)
        if jobs > 1 and len(tasks) > 1:
            records = self._run_parallel(tasks, jobs, bar)
        else:
            records = []
            with _one_blas_thread():
                for i in range(0, len(tasks), BATCH):
                    part = self._records(tasks[i:i + BATCH])
                    records += part
                    if bar is not None:
                        bar.update(len(part))
        if bar is not None:
            bar.close()
        records.sort(key=lambda r: (r["n"], r["rep"]))
        return {"format": FORMAT, "settings": asdict(self.settings), "parameters": self.analysis.keys(),
                "hypotheses": self.analysis.hypotheses(),
                "truth": {"values": _floats(self.truth.values), "fmin": self.truth.fmin,
                          "df": self.truth.df, "rmsea": self.truth.rmsea, "moments": self.truth.moments},
                "records": records}

    def _records(self, tasks) -> list[dict]:
        return [{"n": int(n), "rep": int(rep), "converged": bool(r.converged),
                 "improper": bool(r.improper), "n_used": int(r.n_used),
                 "est": _floats(r.est), "se": _floats(r.se),
                 "mc_lower": _floats(r.mc_lower), "mc_upper": _floats(r.mc_upper)}
                for (n, rep), r in zip(tasks, self.fit_replicates(tasks))]

    def _run_parallel(self, tasks, jobs, bar) -> list[dict]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        size = max(1, min(BATCH, len(tasks) // (4 * jobs)))
        pieces = [tasks[i:i + size] for i in range(0, len(tasks), size)]
        records = []
        # fork where available: workers inherit the built study instead of unpickling it
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            futures = [pool.submit(_run_piece, self, piece) for piece in pieces]
            for fut in as_completed(futures):
                part = fut.result()
                records += part
                if bar is not None:
                    bar.update(len(part))
        return records


def _run_piece(study: PowerStudy, tasks) -> list[dict]:
    with _one_blas_thread():
        return study._records(tasks)


class _one_blas_thread:
    """Small matrices: BLAS threads only contend (10x slower on a busy 2-core machine);
    replicates are parallel at the process level instead."""

    def __enter__(self):
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:        # optional: without it BLAS keeps its default threads
            self._limit = None
            return self
        self._limit = threadpool_limits(limits=1, user_api="blas")
        return self

    def __exit__(self, *exc):
        if self._limit is not None:
            self._limit.restore_original_limits()
        return False


def all_tasks(settings: PowerSettings) -> list[tuple[int, int]]:
    return [(n, r) for n in settings.n for r in range(settings.reps)]


def chunk_tasks(settings: PowerSettings, chunks: int, chunk: int) -> list[tuple[int, int]]:
    """Chunk `chunk` of `chunks`: a contiguous block of replicate indices at every n."""
    if not 0 <= chunk < chunks:
        raise ConfigError(f"chunk {chunk} is not in 0..{chunks - 1}", key="chunk")
    bounds = np.linspace(0, settings.reps, chunks + 1).round().astype(int)
    return [(n, r) for n in settings.n for r in range(bounds[chunk], bounds[chunk + 1])]


def _floats(a) -> list:
    """JSON-ready floats (exact: json writes repr), NaN as None."""
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, float)]
