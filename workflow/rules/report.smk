# The HTML report: `snakemake --report reports/report.html` after a run. Results flagged with
# report(...) in outputs.smk appear under the categories data quality, scales, models and
# hypotheses with the captions of workflow/report/; provenance gets a page of its own.
import sys

from alianza.i18n import t as _report_t


# The front page: workflow/report/workflow.rst, with a warning listing the improper solutions once a
# run has written reports/report_intro.rst (rule improper_solutions); `--report` reads it after the run,
# and so does `--report-after-run` (`alianza run`: one Snakemake for the jobs and the report), which
# parses this file before the run writes it.
REPORT_INTRO = Path("reports/report_intro.rst").is_file() or "--report-after-run" in sys.argv
report: "../../reports/report_intro.rst" if REPORT_INTRO else "../report/workflow.rst"


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
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/improper_solutions/improper_solutions.tsv",
    log:
        "logs/improper_solutions.log",
    run:
        in_process("improper_solutions.py", input, output, params, wildcards, log)


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
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/provenance_report/provenance_report.tsv",
    log:
        "logs/outputs/provenance_report.log",
    run:
        in_process("provenance_report.py", input, output, params, wildcards, log)


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
    localrule: True
    resources:
        in_process=1,
    benchmark:
        "benchmarks/results_page/results_page.tsv",
    log:
        "logs/outputs/results_page.log",
    run:
        in_process("results_page.py", input, output, params, wildcards, log)
