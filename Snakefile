# alianza: survey waves -> validated data -> scale validation -> SEM -> tables.
# Everything the workflow does lives in workflow/rules; what it does it to lives in config/.
configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/validity.smk"
include: "workflow/rules/provenance.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
