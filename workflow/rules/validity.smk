# Scale validation of the measurement model on every sample, and the reliability table.


rule validity:
    input:
        data=sample_data,
        model=lambda wc: MODELS[config["validity"]["model"]]["files"],
        codebook=config["codebook"],
    output:
        "reports/validity/{sample}.json",
    params:
        validity=config["validity"],
        seed=config["seed"],
        design=DESIGN,
    conda:
        "../envs/alianza.yaml"
    benchmark:
        "benchmarks/validity/{sample}.tsv",
    log:
        "logs/validity/{sample}.log",
    script:
        "../scripts/validity.py"


rule reliability_table:
    input:
        expand("reports/validity/{sample}.json", sample=SAMPLES),
    output:
        csv="reports/tables/reliability.csv",
        md="reports/tables/reliability.md",
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/reliability_table/reliability_table.tsv",
    log:
        "logs/reliability_table.log",
    run:
        in_process("reliability_table.py", input, output, params, wildcards, log)
