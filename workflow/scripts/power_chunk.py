"""Adapter: one chunk of the power study's replicates -> JSON records."""

from alianza.atomic import write_json
from alianza.power import PowerSettings, PowerStudy, chunk_tasks, load_population_moments
from alianza.workflow import model_text, run_step


def step():
    cfg = snakemake.params.power
    settings = PowerSettings(
        n=cfg["n"], reps=cfg["reps"], seed=cfg.get("seed", 1), estimator=cfg.get("estimator", "ML"),
        missing=cfg.get("missing", "listwise"),
        likert=cfg.get("data", "likert") == "likert", missing_rate=cfg.get("missing_rate", 0.0),
        alpha=cfg.get("alpha", 0.05), mc_draws=cfg.get("mc_draws", 2000),
        model=cfg["model"], population=cfg["population"],
        clusters=cfg.get("clusters"), icc=cfg.get("icc", 0.0),     # a clustered wave (cluster-robust fits)
    )
    moments = load_population_moments(snakemake.input.population, snakemake.input.codebook)
    study = PowerStudy.build(model_text(snakemake.input.model), moments, settings)
    chunk = int(snakemake.wildcards.chunk)
    chunk_result = study.run(chunk_tasks(settings, int(cfg.get("chunks", 4)), chunk))
    write_json(snakemake.output[0], chunk_result, indent=None)


run_step(snakemake.log[0], step)
