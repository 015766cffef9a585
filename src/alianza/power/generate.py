"""One replicate data set of a power study: its own seeds, its data, its missing cells.

Every replicate draws from seeds keyed by (seed, n, replicate index) through numpy's
SeedSequence spawn keys, never from a stream shared with other replicates: replicate 17
at n = 150 is the same data set whether it runs alone, in a chunk of ten, or on another
machine of a cluster, so any chunking of a study gives identical results.
"""
from __future__ import annotations

import numpy as np

from .moments import PopulationMoments

# the independent streams of one replicate
DATA, MISSING, MONTE_CARLO = 0, 1, 2


def replicate_streams(seed: int, n: int, rep: int) -> list[np.random.Generator]:
    """Generators for the data, the missing cells and the Monte Carlo CI of replicate `rep` at `n`."""
    root = np.random.SeedSequence(int(seed), spawn_key=(int(n), int(rep)))
    return [np.random.default_rng(s) for s in root.spawn(3)]


class DataGenerator:
    """Draws replicate data sets (rows x observed variables) from population moments."""

    def __init__(self, moments: PopulationMoments, *, likert: bool = False, missing_rate: float = 0.0):
        if not 0 <= missing_rate < 1:
            raise ValueError("missing_rate must be in [0, 1)")
        self.moments = moments
        self.likert = likert
        self.missing_rate = float(missing_rate)
        self.chol = np.linalg.cholesky(moments.cov)
        if likert:
            self.cuts = [np.asarray(moments.thresholds[v], float) for v in moments.observed]
            self.codes = [np.asarray(moments.codes[v], float) for v in moments.observed]

    def draw(self, n: int, streams: list[np.random.Generator]) -> np.ndarray:
        """n rows: y* ~ N(mean, cov), cut at the thresholds for Likert data; NaN for MCAR cells."""
        z = streams[DATA].standard_normal((n, len(self.moments.observed)))
        x = self.moments.mean + z @ self.chol.T
        if self.likert:
            for j, (cuts, codes) in enumerate(zip(self.cuts, self.codes)):
                x[:, j] = codes[np.searchsorted(cuts, x[:, j], side="right")]
        if self.missing_rate > 0:
            # MCAR: every cell missing with the same probability, independently of everything
            x[streams[MISSING].random(x.shape) < self.missing_rate] = np.nan
        return x
