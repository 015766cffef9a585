"""Monte Carlo power analysis for planning a survey wave.

    from alianza.power import PowerSettings, PowerStudy, aggregate, load_population_moments
    moments = load_population_moments("config/population.yaml", "config/codebook.yaml")
    study = PowerStudy.build(model_text, moments, PowerSettings(n=[100, 200], reps=200, seed=1))
    results = aggregate(study.run())

Modules: moments (the population: y* moments, Likert thresholds, exact code moments),
generate (per-replicate seeds and data), replicate (fast ML refits, true values in the
analysis model's scaling), study (settings, chunks of replicates), aggregate (power, bias,
coverage, SE ratio), minimum_n (n for 80% power), report (tables, figure).
"""
from .aggregate import aggregate, merge_chunks
from .moments import PopulationMoments, load_population_moments
from .study import PowerSettings, PowerStudy, all_tasks, chunk_tasks

__all__ = ["PowerSettings", "PowerStudy", "PopulationMoments", "aggregate", "merge_chunks",
           "load_population_moments", "all_tasks", "chunk_tasks"]
