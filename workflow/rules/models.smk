# Fit every configured model on every sample; collect the fit indices in one table.


rule fit_model:
    input:
        data=sample_data,
        model=model_files,
    output:
        json="reports/models/{sample}/{model}.json",
        summary="reports/models/{sample}/{model}.txt",
    params:
        estimation=config["estimation"],
    conda:
        "../envs/alianza.yaml"
    benchmark:
        "benchmarks/fit_model/{sample}_{model}.tsv",
    log:
        "logs/fit/{sample}/{model}.log",
    script:
        "../scripts/fit_model.py"


rule fit_indices_table:
    input:
        expand("reports/models/{sample}/{model}.json", sample=SAMPLES, model=MODELS),
    output:
        csv="reports/tables/fit_indices.csv",
        md="reports/tables/fit_indices.md",
    conda:
        "../envs/alianza.yaml"
    benchmark:
        "benchmarks/fit_indices_table/fit_indices_table.tsv",
    log:
        "logs/fit_indices_table.log",
    script:
        "../scripts/fit_indices_table.py"
