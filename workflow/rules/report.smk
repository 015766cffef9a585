# The HTML report: `snakemake --report reports/report.html` after a run. Results flagged with
# report(...) in outputs.smk appear under the categories data quality, scales, models and
# hypotheses with the captions of workflow/report/; provenance gets a page of its own.
from alianza.i18n import t as _report_t


# The front page: workflow/report/workflow.rst, with a warning listing the improper solutions once a
# run has written reports/report_intro.rst (rule improper_solutions); `--report` reads it after the run.
report: "../../reports/report_intro.rst" if Path("reports/report_intro.rst").is_file() else "../report/workflow.rst"


rule improper_solutions:
    input:
        models=expand("reports/models/{sample}/{model}.json", sample=SAMPLES, model=MODELS),
        invariance=expand("reports/invariance/{group}.json", group=INVARIANCE_GROUPS),
        template="workflow/report/workflow.rst",
    output:
        json="reports/improper_solutions.json",
        txt="reports/improper_solutions.txt",
        intro="reports/report_intro.rst",
    params:
        lang=config.get("language", "es"),
    conda:
        "../envs/alianza.yaml"
    benchmark:
        "benchmarks/improper_solutions/improper_solutions.tsv",
    log:
        "logs/improper_solutions.log",
    script:
        "../scripts/improper_solutions.py"


rule provenance_report:
    input:
        "reports/provenance.json",
    output:
        report(
            "reports/provenance.html",
            caption="../report/provenance.rst",
            category=_report_t("report.provenance", config.get("language", "es")),
            labels={"page": "provenance"},
        ),
    params:
        lang=config.get("language", "es"),
    conda:
        "../envs/alianza.yaml"
    benchmark:
        "benchmarks/provenance_report/provenance_report.tsv",
    log:
        "logs/outputs/provenance_report.log",
    script:
        "../scripts/provenance_report.py"


# reports/index.html: the results-first page (alianza.tables.results_page), in the configured language,
# for the first of output.samples (inputs: outputs_common.smk); it links every table and figure.
rule results_page:
    input:
        unpack(results_page_inputs),
    output:
        "reports/index.html",
    params:
        models=list(MODELS),
        groups=INVARIANCE_TABLE_GROUPS if PAGE_SAMPLE == "pooled" else [],
        waves=list(WAVES),
        sample=PAGE_SAMPLE,
        config=config,
    conda:
        "../envs/alianza.yaml"
    benchmark:
        "benchmarks/results_page/results_page.tsv",
    log:
        "logs/outputs/results_page.log",
    script:
        "../scripts/results_page.py"
