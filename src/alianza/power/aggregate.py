"""Chunks of replicate records -> the power table of a study.

Per sample size and reported parameter, over the converged replicates (improper solutions
included, and counted):
  power       share with p < alpha (lavaan's two-sided z-test, delta method for `:=`)
  ci_power    `:=` effects: share whose Monte Carlo CI at level 1 - alpha excludes zero
  bias        mean estimate - true value;  rel_bias = bias / true value (None when true is 0)
  coverage    share of 95% Wald CIs (est +- 1.96 se, lavaan's ci.lower/ci.upper) covering the truth
  se_ratio    mean SE / standard deviation of the estimates (1 when SEs are right)
Records are sorted by (n, replicate) before any sum, so the numbers are identical however
the replicates were chunked.
"""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from . import minimum_n
from .replicate import pvalues
from .study import FORMAT

Z95 = 1.959963984540054
TARGET = 0.80


def merge_chunks(chunks: list[dict]) -> dict:
    """One chunk dict from several of the same study; every (n, rep) exactly once."""
    if not chunks:
        raise ConfigError("no power chunks to aggregate")
    first = chunks[0]
    for c in chunks:
        if c.get("format") != FORMAT:
            raise ConfigError(f"not a power chunk (format {c.get('format')!r})")
        for key in ("settings", "parameters", "truth"):
            if c[key] != first[key]:
                raise ConfigError(f"power chunks come from different studies ({key} differ)", key=key)
    records = sorted((r for c in chunks for r in c["records"]), key=lambda r: (r["n"], r["rep"]))
    settings = first["settings"]
    seen = [(r["n"], r["rep"]) for r in records]
    expected = [(n, rep) for n in sorted(settings["n"]) for rep in range(settings["reps"])]
    if seen != expected:
        missing = sorted(set(expected) - set(seen))
        dup = len(seen) - len(set(seen))
        raise ConfigError(f"power chunks do not cover the study exactly once ({len(missing)} replicates "
                          f"missing, {dup} duplicated)")
    return {**first, "records": records}


def _arr(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], float)


def aggregate(chunks: list[dict] | dict) -> dict:
    """The study's results: per n the metrics of every parameter, and the min n for 80% power."""
    study = merge_chunks(chunks if isinstance(chunks, list) else [chunks])
    settings, keys = study["settings"], study["parameters"]
    alpha = settings["alpha"]
    true = _arr(study["truth"]["values"])
    defined = np.array([k["op"] == ":=" for k in keys])
    results = []
    counts: dict[int, dict] = {}
    for n in sorted(settings["n"]):
        recs = [r for r in study["records"] if r["n"] == n]
        ok = [r for r in recs if r["converged"]]
        est = np.array([_arr(r["est"]) for r in ok]).reshape(len(ok), len(keys))
        se = np.array([_arr(r["se"]) for r in ok]).reshape(len(ok), len(keys))
        lo = np.array([_arr(r["mc_lower"]) for r in ok]).reshape(len(ok), len(keys))
        hi = np.array([_arr(r["mc_upper"]) for r in ok]).reshape(len(ok), len(keys))
        sig = pvalues(est, se) < alpha
        ci_excl = (lo > 0) | (hi < 0)
        covered = np.abs(est - true) <= Z95 * se
        counts[n] = {"k": len(ok), "sig": sig.sum(axis=0), "ci": ci_excl.sum(axis=0)}
        params = []
        for j, key in enumerate(keys):
            row = dict(key)
            row["true"] = _num(true[j])
            if len(ok):
                mean_est = est[:, j].mean()
                sd = est[:, j].std(ddof=1) if len(ok) > 1 else np.nan
                bias = mean_est - true[j]
                row.update(
                    mean_est=_num(mean_est),
                    power=_num(sig[:, j].mean()),
                    ci_power=_num(ci_excl[:, j].mean()) if defined[j] and settings["mc_draws"] else None,
                    bias=_num(bias),
                    rel_bias=_num(bias / true[j]) if abs(true[j]) > 1e-8 else None,
                    coverage=_num(covered[:, j].mean()),
                    se_ratio=_num(se[:, j].mean() / sd) if sd > 0 else None,
                    mean_se=_num(se[:, j].mean()),
                    sd_est=_num(sd),
                )
            else:
                row.update(mean_est=None, power=None, ci_power=None, bias=None, rel_bias=None,
                           coverage=None, se_ratio=None, mean_se=None, sd_est=None)
            params.append(row)
        improper = sum(r["improper"] for r in ok)
        results.append({
            "n": n, "reps": len(recs), "converged": len(ok), "improper": improper,
            "nonconverged_share": _num(1 - len(ok) / len(recs)),
            "improper_share": _num(improper / len(recs)),
            "mean_n_used": _num(np.mean([r["n_used"] for r in recs])),
            "parameters": params,
        })
    grid = sorted(settings["n"])
    min_n, min_n_ci = {}, {}
    for j in study["hypotheses"]:
        label = keys[j]["label"]
        trials = [counts[n]["k"] for n in grid]
        min_n[label] = {**_describe(keys[j]), "test": "z",
                        **minimum_n.min_n(grid, [counts[n]["sig"][j] if counts[n]["k"] else 0 for n in grid],
                                          trials, TARGET)}
        if keys[j]["op"] == ":=" and settings["mc_draws"]:
            min_n_ci[label] = {**_describe(keys[j]), "test": "monte_carlo_ci",
                               **minimum_n.min_n(grid, [counts[n]["ci"][j] if counts[n]["k"] else 0
                                                        for n in grid], trials, TARGET)}
    return {
        "method": "Monte Carlo power analysis (alianza.power)",
        **{k: settings[k] for k in ("seed", "estimator", "alpha", "reps", "likert", "missing_rate",
                                    "mc_draws", "model", "population")},
        # clustered sample (older chunk files have no design: an unclustered study)
        "clusters": settings.get("clusters"), "icc": settings.get("icc", 0.0),
        "data": "likert" if settings["likert"] else "continuous",
        "n": grid,
        "truth": {k: study["truth"][k] for k in ("moments", "fmin", "df", "rmsea")},
        "target_power": TARGET,
        "min_n_method": "binomial probit regression of power on sqrt(n), solved for the target; "
                        "linear interpolation when it cannot be fitted; only inside the n grid",
        "results": results,
        "min_n_80": min_n,
        "min_n_80_ci": min_n_ci,
    }


def _describe(key: dict) -> dict:
    return {"parameter": f"{key['lhs']} {key['op']} {key['rhs']}" if key["op"] != ":=" else key["rhs"]}


def _num(x):
    x = float(x)
    return x if np.isfinite(x) else None
