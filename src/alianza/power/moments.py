"""The population a power study draws from, as moments of the observed variables.

A population is the covariance and means of the continuous responses y* of every
observed variable, plus (for a Likert population) each item's thresholds and codes:
  - from config/population.yaml (alianza's standardized population model; y* has unit
    variance; reverse-keyed items are answered on -y* and recoded by ingestion, which is
    the same as cutting y* at the mirrored thresholds, so the simulated data are already
    in the construct's direction, as data/processed/ holds them);
  - from a lavaan-syntax population model with every loading and regression given a value
    (as lavaan's simulateData takes one: unspecified (residual) variances 1, covariances
    and intercepts 0), continuous only.

`code_moments` gives the exact means and covariances of the discretized (Likert) codes,
which is what ML on the codes estimates: the "true values" of a Likert study.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import special

from ..errors import ConfigError
from ..sem.spec.partable import build_partable
from ..sem.matrices.ram import RAMBlock
from ..sem.spec.syntax import parse_model

_MODEL_OPS = ("=~", "~", "~~", "~1")


@dataclass(frozen=True)
class PopulationMoments:
    observed: list[str]
    cov: np.ndarray                  # covariance of y*
    mean: np.ndarray                 # means of y*
    thresholds: dict | None = None   # variable -> increasing cut points on y* (construct direction)
    codes: dict | None = None        # variable -> the scale's codes, one more than thresholds
    source: str = "population"

    @property
    def likert_available(self) -> bool:
        return self.thresholds is not None and all(v in self.thresholds for v in self.observed)

    def subset(self, names) -> "PopulationMoments":
        """The moments of `names` (the analysis model's observed variables), in that order."""
        missing = [v for v in names if v not in self.observed]
        if missing:
            raise ConfigError(f"model variable(s) not in the population model: {', '.join(missing)}",
                              file=self.source)
        idx = [self.observed.index(v) for v in names]
        keep = lambda d: None if d is None else {v: d[v] for v in names if v in d}  # noqa: E731
        return replace(self, observed=list(names), cov=self.cov[np.ix_(idx, idx)],
                       mean=self.mean[idx], thresholds=keep(self.thresholds), codes=keep(self.codes))

    def code_moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Exact (mean, covariance) of the Likert codes x_j = codes_j[#(tau_jk <= y*_j)].

        x_j = c_0 + sum_k d_jk 1{y*_j >= tau_jk} with d_jk the steps between codes, so
        cov(x_i, x_j) = sum_kl d_ik d_jl [P(y*_i >= a_k, y*_j >= b_l) - P(y*_i >= a_k) P(y*_j >= b_l)],
        and the bracket is Plackett's (1954) integral of the bivariate normal density,
        int_0^rho phi2(a, b; r) dr (standardized a, b), by 48-point Gauss-Legendre.
        """
        if not self.likert_available:
            raise ConfigError("the population has no thresholds for these variables (Likert data need "
                              "a population.yaml with thresholds)", file=self.source)
        sd = np.sqrt(np.diag(self.cov))
        rho = self.cov / np.outer(sd, sd)
        std_tau = [(np.asarray(self.thresholds[v], float) - m) / s
                   for v, m, s in zip(self.observed, self.mean, sd)]
        steps = [np.diff(np.asarray(self.codes[v], float)) for v in self.observed]
        p = len(self.observed)
        mean = np.array([self.codes[v][0] + steps[j] @ special.ndtr(-std_tau[j])
                         for j, v in enumerate(self.observed)])
        cov = np.zeros((p, p))
        for i in range(p):
            up_i = special.ndtr(-std_tau[i])
            # variance: P(y >= max(a_k, a_l)) - P(y >= a_k) P(y >= a_l)
            joint = special.ndtr(-np.maximum.outer(std_tau[i], std_tau[i]))
            cov[i, i] = steps[i] @ (joint - np.outer(up_i, up_i)) @ steps[i]
            for j in range(i):
                cov[i, j] = cov[j, i] = steps[i] @ _plackett(std_tau[i], std_tau[j], rho[i, j]) @ steps[j]
        return mean, cov


_GL_X, _GL_W = np.polynomial.legendre.leggauss(48)


def _plackett(a: np.ndarray, b: np.ndarray, rho: float) -> np.ndarray:
    """Phi2(-a_k, -b_l; rho) - Phi(-a_k) Phi(-b_l) for every pair (k, l): int_0^rho phi2(a, b; r) dr."""
    if rho == 0:
        return np.zeros((len(a), len(b)))
    r = 0.5 * rho * (_GL_X + 1.0)                      # nodes on [0, rho]
    w = 0.5 * rho * _GL_W
    A, B = a[:, None, None], b[None, :, None]
    one = 1.0 - r ** 2
    dens = np.exp(-(A ** 2 - 2 * r * A * B + B ** 2) / (2 * one)) / (2 * np.pi * np.sqrt(one))
    return dens @ w


# --------------------------------------------------------------------------- loading

def from_population(pop) -> PopulationMoments:
    """alianza's population.yaml (a loaded alianza.population.Population)."""
    from ..population import implied_item_correlation

    cb = pop.codebook
    corr = implied_item_correlation(pop)
    observed = list(corr.index)
    thresholds, codes = {}, {}
    for var in cb.item_variables():
        tau = pop.thresholds(var.name)
        # answered on -y* and recoded c_max + c_min - x: the same as cutting y* at -tau, mirrored
        thresholds[var.name] = -tau[::-1] if var.reverse else tau
        codes[var.name] = np.asarray(sorted(var.codes), float)
    return PopulationMoments(observed, corr.to_numpy(), np.zeros(len(observed)), thresholds, codes,
                             source=pop.source)


def from_lavaan(text: str, source="population model") -> PopulationMoments:
    """A lavaan-syntax population model with values for every loading and regression."""
    parsed = parse_model(text)
    table, names = build_partable(parsed, meanstructure=True, fixed_x=False)
    values = np.zeros(len(table))
    ops, lhs, rhs = (table[c].to_numpy() for c in ("op", "lhs", "rhs"))
    given = {}
    for f in parsed.formulas:
        if f.fixed and f.fixed[0] is not None:
            given[(f.lhs, f.op, f.rhs)] = float(f.fixed[0])
            if f.op == "~~":
                given[(f.rhs, f.op, f.lhs)] = float(f.fixed[0])
    for r in range(len(table)):
        key = (lhs[r], ops[r], rhs[r])
        if key in given:
            values[r] = given[key]
        elif ops[r] in ("=~", "~"):
            raise ConfigError(f"population model: give a value for {lhs[r]} {ops[r]} {rhs[r]} "
                              f"(e.g. 0.7*{rhs[r]})", file=source, key=f"{lhs[r]}{ops[r]}{rhs[r]}")
        elif ops[r] == "~~" and lhs[r] == rhs[r]:
            values[r] = 1.0      # simulateData's default (residual) variance
    rows = np.flatnonzero(np.isin(ops, _MODEL_OPS))
    block = RAMBlock(names.ov, names.lv)
    kind, ii, jj = block.cells(lhs[rows], ops[rows], rhs[rows])
    imp = block.implied(kind, ii, jj, values[rows])
    if np.linalg.eigvalsh(imp.sigma).min() <= 0:
        raise ConfigError("population model implies a covariance matrix that is not positive definite",
                          file=source)
    return PopulationMoments(list(names.ov), imp.sigma, imp.mu, source=str(source))


def load_population_moments(path, codebook=None) -> PopulationMoments:
    """population.yaml (needs the codebook) or a lavaan-syntax population model (.lav)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("no such population file", file=path)
    if path.suffix.lower() in (".lav", ".txt", ".model"):
        from ..yamlfiles import read_text

        return from_lavaan(read_text(path), source=str(path))
    from ..codebook import load_codebook
    from ..population import load_population

    if codebook is None or isinstance(codebook, (str, Path)):
        codebook = load_codebook(codebook or "config/codebook.yaml")
    return from_population(load_population(path, codebook))
