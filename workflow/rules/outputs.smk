# Manuscript outputs (APA 7, config `language`): Table 1 (sample by wave), the supplementary
# data-quality table, each sample's table set (reports/tables/<sample>/), the path diagram and
# the Likert response bars (reports/figures/<sample>/). Every table is also written as .html,
# which is what the HTML report shows (report.smk defines the report itself).


include: "outputs_common.smk"


rule sample_description_table:
    input:
        data=expand("data/processed/{wave}.parquet", wave=WAVES),
        codebook=config["codebook"],
        provenance="reports/provenance.json",
    output:
        **_table_outputs("sample_description", "reports/tables/{name}.{fmt}", "data",
                         "../report/sample_description.rst", labels={"table": "sample_description"}),
    params:
        waves=list(WAVES),
        config=config,
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/sample_description_table/sample_description_table.tsv",
    log:
        "logs/outputs/sample_description.log",
    run:
        in_process("sample_description_table.py", input, output, params, wildcards, log)


rule data_quality_apa_table:
    input:
        expand("data/processed/{wave}.summary.json", wave=WAVES),
    output:
        **{f"data_quality_{fmt}": (report(f"reports/tables/data_quality.{fmt}", caption="../report/data_quality.rst",
                                          category=REPORT_CATEGORY["data"], labels={"table": "data_quality"})
                                   if fmt == "html" else f"reports/tables/data_quality.{fmt}")
           for fmt in DATA_QUALITY_FORMATS},
    params:
        config=config,
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/data_quality_apa_table/data_quality_apa_table.tsv",
    log:
        "logs/outputs/data_quality.log",
    run:
        in_process("data_quality_apa_table.py", input, output, params, wildcards, log)


rule manuscript_tables:
    input:
        unpack(table_set_inputs),
    output:
        **_sample_table_outputs(),
    params:
        models=list(MODELS),
        groups=invariance_groups,
        waves=list(WAVES),
        config=config,
    wildcard_constraints:
        sample="|".join(map(re.escape, OUTPUT_SAMPLES)) or "NO_SAMPLE",
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/manuscript_tables/{sample}.tsv",
    log:
        "logs/outputs/tables_{sample}.log",
    run:
        in_process("manuscript_tables.py", input, output, params, wildcards, log)


rule invariance_apa_table:
    input:
        unpack(table_set_inputs),
    output:
        **_table_outputs("invariance", "reports/tables/{{sample}}/{name}_{{group}}.{fmt}", "scales",
                         "../report/invariance.rst", subcategory="{sample}",
                         labels={"table": "invariance ({group})", "sample": "{sample}"}),
    params:
        models=list(MODELS),
        groups=invariance_groups,
        config=config,
    wildcard_constraints:
        sample="pooled",
        group="|".join(map(re.escape, INVARIANCE_TABLE_GROUPS)) or "NO_GROUP",
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/invariance_apa_table/{sample}_{group}.tsv",
    log:
        "logs/outputs/invariance_{sample}_{group}.log",
    run:
        in_process("invariance_apa_table.py", input, output, params, wildcards, log)


rule effects:
    # direct, indirect and total effects are functions of the path model's bootstrap draws: read from what
    # bootstrap_model wrote (the same replicates as every other bootstrap result), never refitted
    input:
        fit="reports/bootstrap/{sample}/{model}.json",
        draws="reports/bootstrap/{sample}/{model}.draws.parquet",
        jackknife="reports/bootstrap/{sample}/{model}.jackknife.parquet",
    output:
        "reports/effects/{sample}/{model}.json",
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/effects/{sample}_{model}.tsv",
    log:
        "logs/effects/{sample}/{model}.log",
    run:
        in_process("effects_table.py", input, output, params, wildcards, log)


rule amos_indices:
    input:
        data=sample_data,
        models=[f for m in MODELS.values() for f in m["files"]],
    output:
        "reports/amos/{sample}.json",
    params:
        models={m: v["files"] for m, v in MODELS.items()},
        estimation=config["estimation"],
    conda:
        "../envs/alianza.yaml"
    benchmark:
        "benchmarks/amos_indices/{sample}.tsv",
    log:
        "logs/amos/{sample}.log",
    script:
        "../scripts/amos_indices_table.py"


rule path_diagram:
    input:
        model=f"reports/models/{{sample}}/{PATH_MODEL}.json",
        codebook=config["codebook"],
    output:
        png=report("reports/figures/{sample}/path_diagram.png", caption="../report/path_diagram.rst",
                   category=REPORT_CATEGORY["hypotheses"], subcategory="{sample}",
                   labels={"figure": "path diagram", "sample": "{sample}"}),
        svg="reports/figures/{sample}/path_diagram.svg",
    params:
        config=config,
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/path_diagram/{sample}.tsv",
    log:
        "logs/outputs/path_diagram_{sample}.log",
    run:
        in_process("path_diagram.py", input, output, params, wildcards, log)


rule likert_figures:
    input:
        data=sample_data,
        codebook=config["codebook"],
    output:
        **{
            f"{c}_{ext}": (report(f"reports/figures/{{sample}}/likert_{c}.png", caption="../report/likert.rst",
                                  category=REPORT_CATEGORY["data"], subcategory="{sample}",
                                  labels={"figure": f"responses {c}", "sample": "{sample}"})
                           if ext == "png" else f"reports/figures/{{sample}}/likert_{c}.{ext}")
            for c in CONSTRUCTS
            for ext in ("png", "svg")
        },
    params:
        constructs=CONSTRUCTS,
        config=config,
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/likert_figures/{sample}.tsv",
    log:
        "logs/outputs/likert_{sample}.log",
    run:
        in_process("likert_figures.py", input, output, params, wildcards, log)
