"""Monte Carlo power: seconds per replicate (simulate one data set, fit, keep estimates and SEs).

alianza (`alianza.power`, one process and two) against the plain loops a methodologist
would write: lavaan's `simulateData()` + `sem()` + `parameterEstimates()` in an R loop, and
numpy draws + `semopy.Model.fit()` + `inspect()` in a Python loop.
"""
from __future__ import annotations

import time

import numpy as np

from common import ROOT, config_model, fmt, ratio, run_r

TITLE = "Monte Carlo power: seconds per replicate"

CFA_POPULATION = """
F1 =~ 0.8*y1 + 0.7*y2 + 0.6*y3
F2 =~ 0.7*y4 + 0.6*y5 + 0.75*y6
F1 ~~ 1*F1
F2 ~~ 1*F2
F1 ~~ 0.4*F2
y1 ~~ 0.36*y1
y2 ~~ 0.51*y2
y3 ~~ 0.64*y3
y4 ~~ 0.51*y4
y5 ~~ 0.64*y5
y6 ~~ 0.4375*y6
"""
CFA_MODEL = "F1 =~ y1 + y2 + y3\nF2 =~ y4 + y5 + y6\n"

R_TEMPLATE = r"""
suppressPackageStartupMessages(library(lavaan))
pop <- paste(readLines("{pop}"), collapse = "\n")
model <- paste(readLines("{model}"), collapse = "\n")
once <- function(i) {{
  d <- simulateData(pop, sample.nobs = {n}, seed = i)
  f <- sem(model, data = d)
  parameterEstimates(f)
}}
once(0)
t <- sapply(1:{timed}, function(r) system.time(for (i in 1:{loop}) once(i))[["elapsed"]] / {loop})
cat(median(t))
"""


def five_stage_population() -> str:
    """The population of config/population.yaml in lavaan syntax (for simulateData)."""
    from alianza.codebook import load_codebook
    from alianza.population import latent_residual_variances, load_population

    pop = load_population(ROOT / "config" / "population.yaml", load_codebook(ROOT / "config" / "codebook.yaml"))
    cb = pop.codebook
    lines = []
    for c in cb.constructs:
        lines.append(f"{c} =~ " + " + ".join(f"{pop.loading(i)}*{i}" for i in cb.items(c)))
    for (a, b), beta in pop.betas.items():
        lines.append(f"{b} ~ {beta}*{a}")
    for c, psi in latent_residual_variances(pop).items():
        lines.append(f"{c} ~~ {psi!r}*{c}")
    for i in cb.items():
        lines.append(f"{i} ~~ {1 - pop.loading(i) ** 2!r}*{i}")
    return "\n".join(lines) + "\n"


def cases():
    return [
        ("Two-factor CFA (6 ind., N=200)", CFA_POPULATION, CFA_MODEL, 200, 400, 50),
        ("Five-stage SEM with H6 (24 ind., N=200)", five_stage_population(), config_model("five_stage"),
         200, 100, 10),
    ]


def time_alianza(pop, model, n, loop, reps, jobs):
    from alianza.power import PowerSettings, PowerStudy
    from alianza.power.moments import from_lavaan

    study = PowerStudy.build(model, from_lavaan(pop), PowerSettings(n=[n], reps=loop, seed=1))
    study.run([(n, 0)])            # warm-up: imports, first calls
    times = []
    for r in range(reps):
        t0 = time.perf_counter()
        study.run([(n, i) for i in range(loop)], jobs=jobs)
        times.append((time.perf_counter() - t0) / loop)
    return float(np.median(times))


def time_semopy(pop, model, n, loop, reps):
    import pandas as pd
    import semopy
    from threadpoolctl import threadpool_limits

    from alianza.power.moments import from_lavaan

    moments = from_lavaan(pop)
    chol = np.linalg.cholesky(moments.cov)
    desc = "\n".join(l for l in model.splitlines() if ":=" not in l)   # semopy has no `:=`
    rng = np.random.default_rng(1)

    def once():
        x = rng.standard_normal((n, len(moments.observed))) @ chol.T
        m = semopy.Model(desc)
        m.fit(pd.DataFrame(x, columns=moments.observed))
        m.inspect()

    times = []
    with threadpool_limits(limits=1, user_api="blas"):      # the same BLAS setting as alianza
        once()
        for _ in range(reps):
            t0 = time.perf_counter()
            for _ in range(loop):
                once()
            times.append((time.perf_counter() - t0) / loop)
    return float(np.median(times))


def time_lavaan(pop, model, n, loop, reps, tmpdir):
    pop_path, model_path = tmpdir / "pop.lav", tmpdir / "model.lav"
    pop_path.write_text(pop)
    model_path.write_text(model)
    out = run_r(R_TEMPLATE.format(pop=pop_path, model=model_path, n=n, loop=loop, timed=reps))
    return float(out.split()[-1]) if out else None


def run(reps: int, tmpdir) -> list[str]:
    lines = [
        "Median seconds per replicate: draw a data set from the population model, fit the analysis",
        "model by ML, keep estimates and standard errors. alianza also evaluates the `:=` effect",
        "(delta method and a 2000-draw Monte Carlo CI); lavaan loop: `simulateData()` + `sem()` +",
        "`parameterEstimates()`; semopy loop: numpy draws + `Model.fit()` + `inspect()` (no `:=`).",
        "alianza fits the replicates of a chunk as one batch from the true values to the exact optimum",
        "(the one optimiser's Newton phase, sem/estimation/scoring.py, on the shared derivative engine,",
        "sem/matrices/derivatives.py: src/alianza/power/replicate.py).",
        "Ratio > 1: alianza is faster. The machine has 2 cores.",
        "",
        "| case | alianza 1 process (s) | alianza 2 processes (s) | semopy loop (s) | lavaan loop (s) "
        "| lavaan / alianza (1) | lavaan / alianza (2) | semopy / alianza (1) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, pop, model, n, loop, slow_loop in cases():
        print(f"  {name}", flush=True)
        one = time_alianza(pop, model, n, loop, reps, jobs=1)
        two = time_alianza(pop, model, n, loop, reps, jobs=2)
        semo = time_semopy(pop, model, n, slow_loop, reps)
        lav = time_lavaan(pop, model, n, slow_loop, reps, tmpdir)
        lines.append(f"| {name} | {fmt(one, 4)} | {fmt(two, 4)} | {fmt(semo, 4)} | {fmt(lav, 4)} | "
                     f"{fmt(ratio(lav, one), 1)} | {fmt(ratio(lav, two), 1)} | {fmt(ratio(semo, one), 1)} |")
    return lines
