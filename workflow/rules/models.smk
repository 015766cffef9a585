# Fit every configured model on every sample; collect the fit indices in one table.


# One job per sample fits all its models: a job's start-up (Python, pandas, the engine) costs more
# than a fit, and a sample's models share its data; a new wave still reruns only its sample and pooled.
rule fit_model:
    input:
        data=sample_data,
        models=[f for m in MODELS.values() for f in m["files"]],
    output:
        json=[f"reports/models/{{sample}}/{m}.json" for m in MODELS],
        summary=[f"reports/models/{{sample}}/{m}.txt" for m in MODELS],
    params:
        models={m: v["files"] for m, v in MODELS.items()},
        estimation=config["estimation"],
        design=DESIGN,
    conda:
        "../envs/alianza.yaml"
    benchmark:
        "benchmarks/fit_model/{sample}.tsv",
    log:
        "logs/fit/{sample}.log",
    script:
        "../scripts/fit_model.py"


rule fit_indices_table:
    input:
        expand("reports/models/{sample}/{model}.json", sample=SAMPLES, model=MODELS),
    output:
        csv="reports/tables/fit_indices.csv",
        md="reports/tables/fit_indices.md",
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/fit_indices_table/fit_indices_table.tsv",
    log:
        "logs/fit_indices_table.log",
    run:
        in_process("fit_indices_table.py", input, output, params, wildcards, log)
