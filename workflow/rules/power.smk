# Monte Carlo power for planning the next wave: the replicates of config `power` split into
# `chunks` independent jobs (any executor runs them: local cores, or a cluster through
# `--workflow-profile workflow/profiles/slurm`), then one job aggregates them into the
# power table and the power curve. `snakemake power` runs this part alone.
from alianza.errors import ConfigError

POWER = config.get("power") or {}
if POWER:
    # the power study fits its replicates the way the analysis does unless power names its own estimator
    POWER = {**POWER, "estimator": POWER.get("estimator") or config["estimation"]["estimator"],
             "missing": POWER.get("missing") or config["estimation"]["missing"]}
POWER_CHUNKS = list(range(int(POWER.get("chunks", 4)))) if POWER else []
if POWER and POWER.get("model") not in MODELS:
    fail(ConfigError(f"model {POWER.get('model')!r} is not a key of models", key="power.model"))


# what `rule all` asks for (common.smk's all_outputs adds it)
POWER_OUTPUTS = (
    [
        "reports/power/power.json",
        "reports/tables/power.csv",
        "reports/tables/power.md",
        "reports/figures/power_curve.png",
        "reports/figures/power_curve.svg",
    ]
    if POWER
    else []
)


rule power_chunk:
    input:
        model=lambda wc: MODELS[POWER["model"]]["files"],
        population=POWER.get("population", []),
        codebook=config["codebook"],
    output:
        "reports/power/chunks/chunk{chunk}.json",
    params:
        power=POWER,
    wildcard_constraints:
        chunk=r"\d+",
    conda:
        "../envs/alianza.yaml"
    benchmark:
        "benchmarks/power_chunk/{chunk}.tsv",
    log:
        "logs/power/chunk{chunk}.log",
    script:
        "../scripts/power_chunk.py"


rule power:
    input:
        expand("reports/power/chunks/chunk{chunk}.json", chunk=POWER_CHUNKS),
    output:
        json="reports/power/power.json",
        csv="reports/tables/power.csv",
        md="reports/tables/power.md",
        png="reports/figures/power_curve.png",
        svg="reports/figures/power_curve.svg",
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/power/power.tsv",
    log:
        "logs/power/power.log",
    run:
        in_process("power_aggregate.py", input, output, params, wildcards, log)
