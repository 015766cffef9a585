# Measurement invariance of the measurement model on the pooled sample, across each
# grouping column of config `invariance.groups` (waves, sectors, ...): JSON and a table each.
from alianza.errors import ConfigError

INVARIANCE = config.get("invariance") or {}
INVARIANCE_GROUPS = INVARIANCE.get("groups", [])
if INVARIANCE and INVARIANCE.get("model") not in MODELS:
    fail(ConfigError(f"model {INVARIANCE.get('model')!r} is not a key of models", key="invariance.model"))


rule invariance:
    input:
        data="data/processed/pooled.parquet",
        model=lambda wc: MODELS[INVARIANCE["model"]]["files"],
    output:
        json="reports/invariance/{group}.json",
        csv="reports/tables/invariance_{group}.csv",
        md="reports/tables/invariance_{group}.md",
    params:
        invariance=INVARIANCE,
        estimation=config["estimation"],
        design=DESIGN,
    # the longest jobs of a run (score tests of every constraint): started first, they are off the critical path
    priority: 10
    wildcard_constraints:
        group="|".join(map(re.escape, INVARIANCE_GROUPS)) or "NO_GROUP",
    conda:
        "../envs/alianza.yaml"
    benchmark:
        "benchmarks/invariance/{group}.tsv",
    log:
        "logs/invariance/{group}.log",
    script:
        "../scripts/invariance.py"
