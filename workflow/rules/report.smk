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
# for the first of output.samples; it links every table and figure, so it comes after them.
PAGE_SAMPLE = OUTPUT_SAMPLES[0] if OUTPUT_SAMPLES else "pooled"


def results_page_inputs(wildcards):
    from types import SimpleNamespace

    inputs = table_set_inputs(SimpleNamespace(sample=PAGE_SAMPLE))
    inputs["summaries"] = expand("data/processed/{wave}.summary.json", wave=WAVES)
    inputs["tables"] = [p for p in output_targets() if p.startswith("reports/tables/") and p.endswith(".html")]
    inputs["figures"] = [p for p in output_targets() if p.startswith("reports/figures/") and p.endswith(".png")]
    inputs["diagram"] = f"reports/figures/{PAGE_SAMPLE}/path_diagram.svg"
    if "reports/power/power.json" in POWER_OUTPUTS:
        inputs["power"] = "reports/power/power.json"
        inputs["figures"] = inputs["figures"] + ["reports/figures/power_curve.png"]
    return inputs


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
