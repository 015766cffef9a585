# The structural model: bootstrap of the hypotheses' models on every sample, the hypothesis
# table, the defined (indirect) effects and the comparison of the alternative models.
import sys

from alianza.engine_limits import bootstrap_refusal
from alianza.errors import ConfigError

HYPOTHESES = config.get("hypotheses") or {}
COMPARISON = config.get("comparison") or {}
BOOTSTRAP = config.get("bootstrap") or {}
BOOTSTRAP_MODELS = BOOTSTRAP.get("models", [])
HYPOTHESIS_MODELS = list(dict.fromkeys(h["model"] for h in HYPOTHESES.get("tests", {}).values()))

for _key, _names in (("bootstrap.models", BOOTSTRAP_MODELS), ("hypotheses.tests.*.model", HYPOTHESIS_MODELS),
                     ("comparison.models", COMPARISON.get("models", []))):
    for _m in _names:
        if _m not in MODELS:
            fail(ConfigError(f"model {_m!r} is not a key of models", key=_key))
for _pair in COMPARISON.get("nested", []):
    for _m in _pair:
        if _m not in COMPARISON.get("models", []):
            fail(ConfigError(f"model {_m!r} of a nested pair is not in comparison.models", key="comparison.nested"))
# What the engine cannot do with this estimation is left out with a note in the tables, not a stop.
BOOTSTRAP_REFUSAL = bootstrap_refusal(config["estimation"], DESIGN) if BOOTSTRAP_MODELS else None
if BOOTSTRAP_REFUSAL:
    print(f"alianza: note: bootstrap.models left out: {BOOTSTRAP_REFUSAL['en']}", file=sys.stderr)
    BOOTSTRAP_MODELS = []


# what the hypothesis table reads: the bootstrapped fit when the model is bootstrapped
HYPOTHESIS_INPUTS = [f"reports/{'bootstrap' if m in BOOTSTRAP_MODELS else 'models'}/{s}/{m}.json"
                     for s in SAMPLES for m in HYPOTHESIS_MODELS]
# targets of this file (all_outputs() adds them)
STRUCTURAL_OUTPUTS = expand("reports/bootstrap/{sample}/{model}.json", sample=SAMPLES, model=BOOTSTRAP_MODELS)
STRUCTURAL_OUTPUTS += expand("reports/tables/hypotheses.{ext}", ext=["csv", "md", "json"]) if HYPOTHESES else []
STRUCTURAL_OUTPUTS += expand("reports/tables/indirect_effects.{ext}", ext=["csv", "md", "json"]) if BOOTSTRAP_MODELS else []
STRUCTURAL_OUTPUTS += expand("reports/tables/model_comparison.{ext}", ext=["csv", "md", "json"]) if COMPARISON else []


rule bootstrap_model:
    input:
        data=sample_data,
        model=model_files,
    output:
        json="reports/bootstrap/{sample}/{model}.json",
        summary="reports/bootstrap/{sample}/{model}.txt",
        draws="reports/bootstrap/{sample}/{model}.draws.parquet",
        jackknife="reports/bootstrap/{sample}/{model}.jackknife.parquet",
    params:
        bootstrap=BOOTSTRAP,
        level=1 - HYPOTHESES.get("alpha", 0.05),
        seed=config["seed"],
        design=DESIGN,
        estimation=config["estimation"],
    # one core: with 2 it mostly left one idle (the fit and the jackknife are serial); two jobs side by
    # side keep both busy. Same numbers with any number of workers (seeded per replicate).
    threads: 1
    priority: 5
    conda:
        "../envs/alianza.yaml"
    benchmark:
        "benchmarks/bootstrap_model/{sample}_{model}.tsv",
    log:
        "logs/bootstrap/{sample}/{model}.log",
    script:
        "../scripts/bootstrap_model.py"


rule hypotheses_table:
    input:
        HYPOTHESIS_INPUTS,
    output:
        csv="reports/tables/hypotheses.csv",
        md="reports/tables/hypotheses.md",
        json="reports/tables/hypotheses.json",
    params:
        hypotheses=HYPOTHESES,
        language=config["language"],
        ci=(BOOTSTRAP.get("ci") or ["perc"])[0],
        notices=[BOOTSTRAP_REFUSAL] if BOOTSTRAP_REFUSAL else [],
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/hypotheses_table/hypotheses_table.tsv",
    log:
        "logs/hypotheses_table.log",
    run:
        in_process("hypotheses_table.py", input, output, params, wildcards, log)


rule indirect_effects_table:
    input:
        expand("reports/bootstrap/{sample}/{model}.json", sample=SAMPLES, model=BOOTSTRAP_MODELS),
    output:
        csv="reports/tables/indirect_effects.csv",
        md="reports/tables/indirect_effects.md",
        json="reports/tables/indirect_effects.json",
    params:
        language=config["language"],
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/indirect_effects_table/indirect_effects_table.tsv",
    log:
        "logs/indirect_effects_table.log",
    run:
        in_process("indirect_effects_table.py", input, output, params, wildcards, log)


rule model_comparison_table:
    input:
        data=expand("data/processed/{sample}.parquet", sample=SAMPLES),
        models=sorted({f for m in COMPARISON.get("models", []) for f in MODELS[m]["files"]}),
    output:
        csv="reports/tables/model_comparison.csv",
        md="reports/tables/model_comparison.md",
        json="reports/tables/model_comparison.json",
    params:
        comparison=COMPARISON,
        models={m: MODELS[m]["files"] for m in COMPARISON.get("models", [])},
        estimation=config["estimation"],
        design=DESIGN,
        samples=SAMPLES,
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/model_comparison_table/model_comparison_table.tsv",
    log:
        "logs/model_comparison_table.log",
    run:
        in_process("model_comparison_table.py", input, output, params, wildcards, log)
