"""One replicate data set of a power study: its own seeds, its data, its missing cells.

Every replicate draws from seeds keyed by (seed, n, replicate index) through numpy's
SeedSequence spawn keys, never from a stream shared with other replicates: replicate 17
at n = 150 is the same data set whether it runs alone, in a chunk of ten, or on another
machine of a cluster, so any chunking of a study gives identical results.
"""
from __future__ import annotations

import numpy as np

from .moments import PopulationMoments

# the independent streams of one replicate (spawned children keep their index: adding the
# cluster stream left the first three, and every earlier study's numbers, unchanged)
DATA, MISSING, MONTE_CARLO, CLUSTERS = 0, 1, 2, 3


def replicate_streams(seed: int, n: int, rep: int) -> list[np.random.Generator]:
    """Generators for the data, the missing cells, the Monte Carlo CI and the cluster effects of
    replicate `rep` at `n`."""
    root = np.random.SeedSequence(int(seed), spawn_key=(int(n), int(rep)))
    return [np.random.default_rng(s) for s in root.spawn(4)]


def cluster_ids(n: int, clusters: int) -> np.ndarray:
    """n rows in `clusters` clusters of sizes differing by at most one (rows in cluster order)."""
    return np.repeat(np.arange(clusters), np.diff(np.linspace(0, n, clusters + 1).round().astype(int)))


class DataGenerator:
    """Draws replicate data sets (rows x observed variables) from population moments."""

    def __init__(self, moments: PopulationMoments, *, likert: bool = False, missing_rate: float = 0.0,
                 clusters: int | None = None, icc: float = 0.0):
        if not 0 <= missing_rate < 1:
            raise ValueError("missing_rate must be in [0, 1)")
        if not 0 <= icc < 1:
            raise ValueError("icc must be in [0, 1)")
        self.moments = moments
        self.likert = likert
        self.missing_rate = float(missing_rate)
        self.clusters = None if clusters is None else int(clusters)
        self.icc = float(icc)
        self.chol = np.linalg.cholesky(moments.cov)
        if likert:
            self.cuts = [np.asarray(moments.thresholds[v], float) for v in moments.observed]
            self.codes = [np.asarray(moments.codes[v], float) for v in moments.observed]

    def draw(self, n: int, streams: list[np.random.Generator]) -> np.ndarray:
        """n rows: y* ~ N(mean, cov), cut at the thresholds for Likert data; NaN for MCAR cells.

        With clusters, y* = mean + sqrt(icc) b_c + sqrt(1 - icc) w_i with b_c (one per cluster) and
        w_i both N(0, cov): every row still has the population's covariance, and every variable the
        intra-class correlation `icc` (the same structure within and between clusters)."""
        z = streams[DATA].standard_normal((n, len(self.moments.observed)))
        if self.clusters is not None:
            b = streams[CLUSTERS].standard_normal((self.clusters, z.shape[1]))
            z = np.sqrt(self.icc) * b[cluster_ids(n, self.clusters)] + np.sqrt(1 - self.icc) * z
        x = self.moments.mean + z @ self.chol.T
        if self.likert:
            for j, (cuts, codes) in enumerate(zip(self.cuts, self.codes)):
                x[:, j] = codes[np.searchsorted(cuts, x[:, j], side="right")]
        if self.missing_rate > 0:
            # MCAR: every cell missing with the same probability, independently of everything
            x[streams[MISSING].random(x.shape) < self.missing_rate] = np.nan
        return x
