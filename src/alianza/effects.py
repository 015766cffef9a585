"""Direct, specific indirect, total indirect and total effects of a structural model, with bootstrap
percentile and BCa intervals.

The effects are worked out from the regressions among the latent variables of the parameter table
(lavaan's `~` rows): for every final outcome (a construct that predicts nothing) and every construct
with a path to it, the direct path, each route through mediators (the product of its paths), their
sum (total indirect effect) and direct + indirect (total effect) -- what lavaan users write by hand
with `:=`. Each effect is a function of the path coefficients, so its bootstrap distribution is that
function of the bootstrap draws of the paths (the same replicates as every other bootstrap result of
the run), its BCa acceleration that function of the jackknife (leave-one-out) estimates; intervals
and standard errors are computed as alianza.sem.inference.bootci does for lavaan's parameters. Standardized
effects are the same functions of the standardized paths (std_all).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError
from .sem.inference import bootci

KINDS = ("direct", "indirect", "total_indirect", "total")
COLUMNS = ["source", "target", "kind", "route", "est", "std_all", "se", "ci_lower", "ci_upper", "ci_lower_bca",
           "ci_upper_bca", "std_all_ci_lower", "std_all_ci_upper"]


@dataclass(frozen=True)
class Effect:
    source: str
    target: str
    kind: str                                   # one of KINDS
    routes: tuple[tuple[str, ...], ...]         # node sequences source ... target

    @property
    def route(self) -> str:
        """'E1 -> E2 -> CO' for a direct or specific indirect effect; '' for a sum of routes."""
        return " -> ".join(self.routes[0]) if self.kind in ("direct", "indirect") else ""


def structural_paths(params: pd.DataFrame) -> list[tuple[str, str]]:
    """(predictor, outcome) of every regression among latent variables, in table order."""
    latent = set(params.loc[params["op"] == "=~", "lhs"])
    reg = params[(params["op"] == "~") & params["lhs"].isin(latent) & params["rhs"].isin(latent)]
    return list(dict.fromkeys(zip(reg["rhs"], reg["lhs"])))


def _routes(paths: list[tuple[str, str]], source: str, target: str) -> list[tuple[str, ...]]:
    """Every directed route source -> ... -> target (a node is never visited twice)."""
    succ: dict[str, list[str]] = {}
    for a, b in paths:
        succ.setdefault(a, []).append(b)
    out: list[tuple[str, ...]] = []

    def walk(node, trail):
        for nxt in succ.get(node, []):
            if nxt in trail:
                continue
            if nxt == target:
                out.append((*trail, nxt))
            else:
                walk(nxt, (*trail, nxt))
    walk(source, (source,))
    return out


def decompose(paths: list[tuple[str, str]]) -> list[Effect]:
    """The effects on every final outcome, source by source in path order: direct, each specific
    indirect, total indirect (when more than one indirect route), total (when more than one route)."""
    nodes = list(dict.fromkeys(n for p in paths for n in p))
    predictors = {a for a, _ in paths}
    outcomes = [n for n in nodes if n not in predictors and any(b == n for _, b in paths)]
    effects: list[Effect] = []
    for target in outcomes:
        for source in nodes:
            if source == target:
                continue
            routes = _routes(paths, source, target)
            if not routes:
                continue
            direct = [r for r in routes if len(r) == 2]
            indirect = [r for r in routes if len(r) > 2]
            effects += [Effect(source, target, "direct", (r,)) for r in direct]
            effects += [Effect(source, target, "indirect", (r,)) for r in indirect]
            if len(indirect) > 1:
                effects.append(Effect(source, target, "total_indirect", tuple(indirect)))
            if len(routes) > 1:  # with one route the total is that route's effect
                effects.append(Effect(source, target, "total", tuple(routes)))
    return effects


def effect_values(effect: Effect, coef: dict[tuple[str, str], np.ndarray]) -> np.ndarray:
    """Sum over the effect's routes of the product of their path coefficients (arrays: one value per
    replicate, or scalars)."""
    total = 0.0
    for route in effect.routes:
        prod = 1.0
        for a, b in zip(route[:-1], route[1:]):
            prod = prod * coef[(a, b)]
        total = total + prod
    return np.asarray(total, float)


def _coef(rows: pd.DataFrame, values: np.ndarray, paths) -> dict[tuple[str, str], np.ndarray]:
    """(predictor, outcome) -> column of `values` (replicates x rows, or one row) of that regression."""
    index = {(r, l): k for k, (l, o, r) in enumerate(zip(rows["lhs"], rows["op"], rows["rhs"])) if o == "~"}
    values = np.atleast_2d(values)
    return {p: values[:, index[p]] for p in paths}


def effects_table(rows: pd.DataFrame, est0: np.ndarray, std0: np.ndarray, draws: np.ndarray,
                  std_draws: np.ndarray, *, jackknife: np.ndarray | None = None, level: float = 0.95) -> pd.DataFrame:
    """One row per effect (COLUMNS). rows: lhs/op/rhs of the parameters; est0/std0: the estimates;
    draws/std_draws: replicates x parameters (NaN rows: failed replicates); jackknife: n x parameters
    leave-one-out estimates (BCa), or None (BCa columns NaN)."""
    paths = structural_paths(rows)
    effects = decompose(paths)
    c0, cs0 = _coef(rows, est0, paths), _coef(rows, std0, paths)
    cb, cbs = _coef(rows, draws, paths), _coef(rows, std_draws, paths)
    ok = np.all([np.isfinite(v) for v in cb.values()], axis=0) if paths else np.zeros(0, bool)
    cb, cbs = {k: v[ok] for k, v in cb.items()}, {k: v[ok] for k, v in cbs.items()}
    cj = _coef(rows, jackknife, paths) if jackknife is not None else None
    out = []
    for e in effects:
        t0, s0 = float(effect_values(e, c0)[0]), float(effect_values(e, cs0)[0])
        t, s = effect_values(e, cb), effect_values(e, cbs)
        lo, hi = bootci.percentile_ci(t, level)
        slo, shi = bootci.percentile_ci(s, level)
        blo = bhi = float("nan")
        if cj is not None:
            accel = bootci.acceleration(bootci.jackknife_influence(effect_values(e, cj)))
            blo, bhi = bootci.bca_ci(t, t0, accel, level)
        out.append({"source": e.source, "target": e.target, "kind": e.kind, "route": e.route, "est": t0,
                    "std_all": s0, "se": bootci.bootstrap_se(t, ddof=1), "ci_lower": lo, "ci_upper": hi,
                    "ci_lower_bca": blo, "ci_upper_bca": bhi, "std_all_ci_lower": slo, "std_all_ci_upper": shi})
    return pd.DataFrame(out, columns=COLUMNS)


def effects_report(fit: dict, draws: pd.DataFrame, jackknife: pd.DataFrame | None, *, model: str,
                   sample: str, source=None) -> dict:
    """The JSON of reports/effects/<sample>/<model>.json from what the model's bootstrap wrote
    (reports/bootstrap/<sample>/<model>.*): the fit with its `bootstrap` block (SemFit.to_dict), the
    replicates' draws (BootstrapResult.draws) and the leave-one-out fits (BootstrapResult.jackknife_draws;
    none or empty: no BCa). Nothing is refitted: the effects are functions of those draws. `source`: the
    draws' file, named when they do not belong to the fit (written by another run)."""
    params = pd.DataFrame(fit["parameters"])
    block = fit["bootstrap"]
    est_cols = [c for c in draws.columns if c.startswith("est.")]
    std_cols = [c for c in draws.columns if c.startswith("std_all.")]
    if len(est_cols) != len(params) or len(std_cols) != len(params):
        raise InputError(f"the bootstrap draws have {len(est_cols)} parameters, the fit {len(params)}: "
                         "they were written by another run; remove them to rerun the bootstrap", file=source)
    ok = (draws["status"] != "failed").to_numpy()[:, None]
    est = np.where(ok, draws[est_cols].to_numpy(float), np.nan)
    std = np.where(ok, draws[std_cols].to_numpy(float), np.nan)
    jack = None
    if jackknife is not None and len(jackknife):
        jack = np.where((jackknife["status"] != "failed").to_numpy()[:, None],
                        jackknife[[c for c in jackknife.columns if c.startswith("est.")]].to_numpy(float), np.nan)
    table = effects_table(params, params["est"].to_numpy(float), params["std_all"].to_numpy(float), est, std,
                          jackknife=jack, level=block["ci_level"])
    return {"sample": sample, "model": model, "estimator": fit.get("estimator"), "missing": fit.get("missing"),
            "n": int(fit["n"]), "n_input": int(fit["n_input"]), "level": block["ci_level"],
            "n_boot": block["replicates"], "converged": block["converged"], "seed": block["seed"],
            "bca_not_computed": block.get("bca_not_computed"),
            "effects": table.replace({np.nan: None}).to_dict(orient="records")}
