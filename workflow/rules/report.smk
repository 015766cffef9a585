# The HTML report: `snakemake --report reports/report.html` after a run. Results flagged with
# report(...) in outputs.smk appear under the categories data quality, scales, models and
# hypotheses with the captions of workflow/report/; provenance gets a page of its own.
from alianza.i18n import t as _report_t


report: "../report/workflow.rst"


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
    log:
        "logs/outputs/results_page.log",
    script:
        "../scripts/results_page.py"
