# alianza: survey waves -> validated data -> scale validation -> SEM -> tables.
# Everything the workflow does lives in workflow/rules; what it does it to lives in config/.
include: "workflow/rules/encoding.smk"
configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/validity.smk"
include: "workflow/rules/invariance.smk"
include: "workflow/rules/power.smk"
include: "workflow/rules/provenance.smk"
include: "workflow/rules/structural.smk"
include: "workflow/rules/outputs.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
