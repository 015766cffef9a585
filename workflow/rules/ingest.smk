# Raw wave -> validated tidy data + quarantine; then the pooled sample and the data-quality table.


rule ingest:
    input:
        raw=wave_file,
        codebook=config["codebook"],
        columns=wave_columns,
    output:
        data="data/processed/{wave}.parquet",
        quarantine="data/processed/{wave}.quarantine.csv",
        summary="data/processed/{wave}.summary.json",
    # every sample but the waves' own waits for both waves (pool): first in the run
    priority: 20
    params:
        ingest=config.get("ingest", {}),
        label=lambda wildcards: WAVE_LABELS[wildcards.wave],
    conda:
        "../envs/alianza.yaml"
    benchmark:
        "benchmarks/ingest/{wave}.tsv",
    log:
        "logs/ingest/{wave}.log",
    script:
        "../scripts/ingest.py"


rule pool:
    input:
        expand("data/processed/{wave}.parquet", wave=WAVES),
    output:
        "data/processed/pooled.parquet",
    priority: 20
    params:
        labels=WAVE_LABELS,
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/pool/pool.tsv",
    log:
        "logs/pool.log",
    run:
        in_process("pool.py", input, output, params, wildcards, log)


rule data_quality_table:
    input:
        expand("data/processed/{wave}.summary.json", wave=WAVES),
    output:
        csv="reports/tables/data_quality.csv",
        md="reports/tables/data_quality.md",
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/data_quality_table/data_quality_table.tsv",
    log:
        "logs/data_quality_table.log",
    run:
        in_process("data_quality_table.py", input, output, params, wildcards, log)
