"""The population model of the synthetic waves (config/population.yaml): load, check, and derive the truth.

The true model is standardized: latent variances 1, item variances 1, so
loadings and betas are standardized coefficients (lavaan's std.all). From it
follow the population-implied correlations of the latent variables and of the
continuous item responses, and a lavaan-style parameter table of the truth
that parameter-recovery tests compare estimates against.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook
from .errors import ConfigError
from .readers import FORMATS
from .yamlfiles import load_yaml

DEFECT_KINDS = (
    "exact_duplicates", "conflicting_duplicates", "out_of_range", "missing_codes",
    "straight_liners", "failed_attention", "partial_completes",
)


@dataclass(frozen=True)
class Population:
    data: dict
    codebook: Codebook
    source: str
    latents: tuple  # constructs in causal (topological) order
    betas: dict  # (from, to) -> beta

    @property
    def seed(self) -> int:
        return int(self.data["seed"])

    def loading(self, item: str) -> float:
        return float(self.data["loadings"][item])

    def thresholds(self, item: str) -> np.ndarray:
        th = self.data["thresholds"]
        construct = self.codebook.variable(item).construct
        return np.asarray(th.get(item, th.get(construct, th["default"])), dtype=float)

    @property
    def waves(self) -> dict:
        return self.data.get("waves", {}) or {}


def _err(msg, src, key):
    return ConfigError(msg, file=src, key=key)


def load_population(path, codebook: Codebook) -> Population:
    data = load_yaml(path)
    return make_population(data, codebook, source=str(path))


def make_population(data, codebook: Codebook, source="population") -> Population:
    """Check a population dict against the codebook; ConfigError naming the key at fault."""
    src = source
    if not isinstance(data, dict):
        raise _err("the population file must be a mapping", src, "(top level)")
    for key in ("seed", "structural", "loadings", "thresholds"):
        if key not in data:
            raise _err(f"{key!r} is a required section", src, "(top level)")
    if not isinstance(data["seed"], int) or isinstance(data["seed"], bool):
        raise _err(f"seed {data['seed']!r} is not an integer", src, "seed")

    items = codebook.items()
    loadings = data["loadings"] or {}
    for item in items:
        if item not in loadings:
            raise _err(f"no loading for codebook item {item!r}", src, "loadings")
    for item, lam in loadings.items():
        if item not in items:
            raise _err(f"{item!r} is not an item of the codebook", src, f"loadings.{item}")
        if not isinstance(lam, (int, float)) or not 0 < lam < 1:
            raise _err(f"standardized loading {lam!r} must be in (0, 1)", src, f"loadings.{item}")

    constructs = codebook.constructs
    betas = {}
    for i, p in enumerate((data["structural"] or {}).get("paths", []) or []):
        key = f"structural.paths[{i}]"
        for end in ("from", "to"):
            if p.get(end) not in constructs:
                raise _err(f"{p.get(end)!r} is not a construct of the codebook", src, f"{key}.{end}")
        if not isinstance(p.get("beta"), (int, float)) or not -1 < p["beta"] < 1:
            raise _err(f"standardized beta {p.get('beta')!r} must be in (-1, 1)", src, f"{key}.beta")
        betas[(p["from"], p["to"])] = float(p["beta"])
    order = _topological(constructs, betas, src)

    th = data["thresholds"] or {}
    if "default" not in th:
        raise _err("'default' thresholds are required", src, "thresholds")
    for key, cuts in th.items():
        if key != "default" and key not in items and key not in constructs:
            raise _err(f"{key!r} is neither a construct nor an item", src, f"thresholds.{key}")
        scale_items = items if key == "default" else (codebook.items(key) if key in constructs else [key])
        npoints = len(codebook.variable(scale_items[0]).codes)
        if (not isinstance(cuts, list) or len(cuts) != npoints - 1
                or not all(isinstance(c, (int, float)) for c in cuts) or any(np.diff(cuts) <= 0)):
            raise _err(f"need {npoints - 1} increasing thresholds for a {npoints}-point scale, got {cuts!r}",
                       src, f"thresholds.{key}")

    for name, spec in (data.get("context") or {}).items():
        check_context_spec(name, spec, codebook, src, f"context.{name}")
    if data.get("defects"):
        check_defects(data["defects"], codebook, src, "defects")
    for wname, w in (data.get("waves") or {}).items():
        check_wave(wname, w, codebook, src)

    pop = Population(data=data, codebook=codebook, source=src, latents=tuple(order), betas=betas)
    psi = latent_residual_variances(pop)
    for lat, v in psi.items():
        if v <= 0:
            raise _err(f"paths into {lat} explain all of its variance (residual variance {v:.3f})", src, "structural.paths")
    return pop


def _topological(constructs, betas, src) -> list[str]:
    parents = {c: [a for (a, b) in betas if b == c] for c in constructs}
    order, done = [], set()
    while len(order) < len(constructs):
        ready = [c for c in constructs if c not in done and all(p in done for p in parents[c])]
        if not ready:
            raise _err("the structural paths form a cycle (the simulator needs a recursive model)", src, "structural.paths")
        for c in ready:
            order.append(c)
            done.add(c)
    return order


def check_context_spec(name, spec, codebook: Codebook, src, key) -> None:
    try:
        var = codebook.variable(name)
    except KeyError:
        raise _err(f"{name!r} is not a context variable of the codebook", src, key) from None
    if not isinstance(spec, dict):
        raise _err("expected a mapping (probabilities, or lognormal for numbers)", src, key)
    if "probabilities" in spec:
        probs = spec["probabilities"]
        if not isinstance(probs, dict) or not probs:
            raise _err("probabilities must map values to probabilities", src, f"{key}.probabilities")
        for value, p in probs.items():
            if category_code(var, value) is None:
                raise _err(f"{value!r} is not a value of {name!r}", src, f"{key}.probabilities.{value}")
            if not isinstance(p, (int, float)) or p < 0:
                raise _err(f"probability {p!r} must be a number >= 0", src, f"{key}.probabilities.{value}")
        if abs(sum(probs.values()) - 1) > 1e-9:
            raise _err(f"probabilities sum to {sum(probs.values()):.6g}, not 1", src, f"{key}.probabilities")
    elif "lognormal" in spec:
        if var.type not in ("number", "integer"):
            raise _err("a log-normal needs a numeric variable", src, f"{key}.lognormal")
        ln = spec["lognormal"]
        if not isinstance(ln, dict) or set(ln) != {"meanlog", "sdlog"}:
            raise _err("lognormal needs exactly meanlog and sdlog", src, f"{key}.lognormal")
    else:
        raise _err("expected 'probabilities' or 'lognormal'", src, key)


def category_code(var, value):
    """A population file names a category by its value ('comercio'), its code, or (numbers) the number."""
    if var.coded:
        for code, lab in var.code_labels.items():
            if value == code or (isinstance(value, str) and value == lab.get("value")):
                return code
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and var.minimum <= value <= var.maximum:
        return value
    return None


def check_defects(spec, codebook: Codebook, src, key) -> None:
    if not isinstance(spec, dict):
        raise _err("defects must be a mapping", src, key)
    for kind, d in spec.items():
        k = f"{key}.{kind}"
        if kind not in DEFECT_KINDS:
            raise _err(f"unknown defect {kind!r} (known: {', '.join(DEFECT_KINDS)})", src, k)
        count = d if isinstance(d, int) else (d.get("count") if isinstance(d, dict) else None)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise _err("expected a count >= 0 (or a mapping with count)", src, k)
        if kind in ("out_of_range", "missing_codes", "straight_liners", "failed_attention") and count:
            if not isinstance(d, dict) or not d.get("values"):
                raise _err("needs a list of values", src, f"{k}.values")
        if kind == "failed_attention" and count:
            if codebook.attention is None:
                raise _err("the codebook has no attention item", src, k)
            expected = codebook.data["attention"]["expected"]
            if expected in d["values"] or any(v not in codebook.attention.codes for v in d["values"]):
                raise _err(f"values must be codes of the attention scale other than {expected}", src, f"{k}.values")
        if kind == "straight_liners" and count:
            codes = codebook.item_variables()[0].codes
            if any(v not in codes for v in d["values"]):
                raise _err(f"values must be codes of the item scale {codes}", src, f"{k}.values")
        if kind == "out_of_range" and count:
            codes = set(codebook.item_variables()[0].codes) | set(codebook.missing_codes)
            if any(not isinstance(v, int) or v in codes for v in d["values"]):
                raise _err("values must be integers outside the scale and the missing codes", src, f"{k}.values")
        if kind == "partial_completes" and count:
            share = d.get("blank_share") if isinstance(d, dict) else None
            if not isinstance(share, (int, float)) or not 0 < share <= 1:
                raise _err("blank_share must be in (0, 1]", src, f"{k}.blank_share")


def check_wave(name, w, codebook: Codebook, src) -> None:
    key = f"waves.{name}"
    if not isinstance(w, dict):
        raise _err("a wave must be a mapping", src, key)
    for field in ("file", "n", "seed", "answers"):
        if field not in w:
            raise _err(f"{field!r} is required", src, key)
    if w["answers"] not in ("codes", "labels"):
        raise _err(f"answers must be 'codes' or 'labels', not {w['answers']!r}", src, f"{key}.answers")
    if not isinstance(w["n"], int) or w["n"] < 1:
        raise _err(f"n must be a positive integer, not {w['n']!r}", src, f"{key}.n")
    if Path(w["file"]).suffix.lower() not in FORMATS:
        raise _err(f"file extension of {w['file']!r} is not one of {', '.join(FORMATS)}", src, f"{key}.file")
    if Path(w["file"]).stem != name:
        raise _err(f"the file name must be the wave id ({name}.*): ingestion takes the wave id from it", src, f"{key}.file")
    for cname, spec in (w.get("context") or {}).items():
        check_context_spec(cname, spec, codebook, src, f"{key}.context.{cname}")
    if w.get("defects"):
        check_defects(w["defects"], codebook, src, f"{key}.defects")
    for col in (w.get("headers") or {}):
        try:
            codebook.variable(col)
        except KeyError:
            raise _err(f"{col!r} is not a codebook variable", src, f"{key}.headers.{col}") from None
    if w.get("header_case", "as_is") not in ("as_is", "lower", "upper", "title"):
        raise _err("header_case must be as_is, lower, upper or title", src, f"{key}.header_case")


# ---------------------------------------------------------------- the truth
def latent_correlation(pop: Population) -> pd.DataFrame:
    """Population correlation matrix of the latent variables (all variances 1)."""
    names = list(pop.codebook.constructs)
    k = len(names)
    idx = {c: i for i, c in enumerate(names)}
    B = np.zeros((k, k))
    for (a, b), beta in pop.betas.items():
        B[idx[b], idx[a]] = beta
    psi = latent_residual_variances(pop)
    Psi = np.diag([psi[c] for c in names])
    inv = np.linalg.inv(np.eye(k) - B)
    return pd.DataFrame(inv @ Psi @ inv.T, index=names, columns=names)


def latent_residual_variances(pop: Population) -> dict[str, float]:
    """Disturbance variances that make every latent variance 1: psi_j = 1 - b' Phi_parents b."""
    phi: dict[tuple, float] = {}
    psi: dict[str, float] = {}
    done: list[str] = []
    for c in pop.latents:
        parents = [a for (a, b) in pop.betas if b == c]
        b = np.array([pop.betas[(a, c)] for a in parents])
        P = np.array([[phi.get((p, q), phi.get((q, p), 1.0 if p == q else 0.0)) for q in parents] for p in parents])
        psi[c] = 1.0 - float(b @ P @ b) if parents else 1.0
        for other in done:
            # cov(c, other) = sum_a b_a cov(a, other)
            phi[(c, other)] = float(sum(pop.betas[(a, c)] * phi.get((a, other), phi.get((other, a), 1.0 if a == other else 0.0))
                                        for a in parents))
        phi[(c, c)] = 1.0
        done.append(c)
    return psi


def loading_matrix(pop: Population) -> pd.DataFrame:
    cb = pop.codebook
    L = pd.DataFrame(0.0, index=cb.items(), columns=cb.constructs)
    for var in cb.item_variables():
        L.loc[var.name, var.construct] = pop.loading(var.name)
    return L


def implied_item_correlation(pop: Population) -> pd.DataFrame:
    """Correlations of the continuous responses y* in the construct's direction: Lambda Phi Lambda' + Theta."""
    L = loading_matrix(pop)
    phi = latent_correlation(pop).loc[L.columns, L.columns]
    sigma = L.to_numpy() @ phi.to_numpy() @ L.to_numpy().T
    np.fill_diagonal(sigma, 1.0)
    return pd.DataFrame(sigma, index=L.index, columns=L.index)


def category_probabilities(pop: Population, item: str) -> np.ndarray:
    """P(answer = each code) implied by the item's thresholds, as answered (before reverse-keying)."""
    from scipy.stats import norm

    cdf = np.concatenate([[0.0], norm.cdf(pop.thresholds(item)), [1.0]])
    return np.diff(cdf)


def true_parameters(pop: Population) -> pd.DataFrame:
    """The truth as a lavaan-style parameter table (standardized: est == std_all)."""
    cb = pop.codebook
    rows = []
    for var in cb.item_variables():
        rows.append((var.construct, "=~", var.name, pop.loading(var.name)))
    for (a, b), beta in pop.betas.items():
        rows.append((b, "~", a, beta))
    for var in cb.item_variables():
        rows.append((var.name, "~~", var.name, 1.0 - pop.loading(var.name) ** 2))
    psi = latent_residual_variances(pop)
    for c in cb.constructs:
        rows.append((c, "~~", c, psi[c]))
    df = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est"])
    df["std_all"] = df["est"]
    return df
