# Validate config and codebook before any work starts, and work out the waves and samples.
import re
from pathlib import Path

from snakemake.utils import min_version, validate

from alianza.errors import AlianzaError
from alianza.schemas import validate_config
from alianza.sem.data.design import check_design_config
from alianza.workflow import (
    discover_waves,
    fail,
    load_codebook_or_fail,
    remove_stale_outputs,
    run_adapter,
    unread_files,
    warn_unread,
    wave_column_map,
    wave_labels,
)

min_version("9.0")

try:
    validate_config(config)  # one line naming the key at fault
except AlianzaError as exc:
    fail(exc)
validate(config, schema="../schemas/config.schema.yaml")  # fills the schema's defaults

CODEBOOK = load_codebook_or_fail(config["codebook"])
try:
    check_design_config(config["design"], {v.name: v.type for v in CODEBOOK.context})
except AlianzaError as exc:
    fail(exc)
DESIGN = config["design"]  # the schema fills {} when there is none
try:
    WAVES = discover_waves(config["waves"])
except AlianzaError as exc:
    fail(exc)
WAVE_LABELS = wave_labels(config["waves"], WAVES)  # {wave: {es, en}} display names for tables
UNREAD = unread_files(config["waves"], WAVES)  # e.g. a wave in a format not listed: never skipped silently
warn_unread(UNREAD)

SAMPLES = (list(WAVES) if config["samples"].get("per_wave", True) else []) + (
    ["pooled"] if config["samples"].get("pooled", True) else []
)
MODELS = config["models"]


onstart:
    # outputs of a wave removed from data/raw (or of samples switched off) leave reports/
    remove_stale_outputs(WAVES, SAMPLES)


# Cheap steps (tables, figures, pages, pooling) are `run:` jobs that run their workflow/scripts adapter
# inside this process, which has numpy, pandas and scipy imported already: a process of its own would
# cost more than the step. The default profile runs them on threads (force-use-threads; without it
# Snakemake spawns a whole Snakemake per `run:` job) and one at a time (resource in_process=1).
# They are local rules: on a cluster they run in the Snakemake process too. Fits, the bootstrap,
# validity, invariance and the power replicates keep their `script:` processes and run in parallel.
SCRIPTS = Path(str(workflow.current_basedir)).parent / "scripts"


def in_process(script, input, output, params, wildcards, log):
    run_adapter(SCRIPTS / script, input=input, output=output, params=params, wildcards=wildcards, log=log,
                config=config, threads=1)


def wave_file(wildcards):
    return WAVES[wildcards.wave]


def wave_columns(wildcards):
    """data/raw/<wave>.columns.yaml when it exists: a change reruns that wave only."""
    return wave_column_map(WAVES[wildcards.wave])


def model_files(wildcards):
    return MODELS[wildcards.model]["files"]


def sample_data(wildcards):
    return f"data/processed/{wildcards.sample}.parquet"


def all_outputs():
    out = expand("data/processed/{wave}.summary.json", wave=WAVES)
    out += ["reports/tables/data_quality.csv", "reports/tables/data_quality.md"]
    out += expand("reports/models/{sample}/{model}.json", sample=SAMPLES, model=MODELS)
    out += ["reports/tables/fit_indices.csv", "reports/tables/fit_indices.md"]
    out += expand("reports/validity/{sample}.json", sample=SAMPLES)
    out += ["reports/tables/reliability.csv", "reports/tables/reliability.md"]
    inv_groups = config.get("invariance", {}).get("groups", [])
    out += expand("reports/invariance/{group}.json", group=inv_groups)
    out += expand("reports/tables/invariance_{group}.{ext}", group=inv_groups, ext=["csv", "md"])
    out += POWER_OUTPUTS  # workflow/rules/power.smk
    out += STRUCTURAL_OUTPUTS  # workflow/rules/structural.smk: bootstrap, hypotheses, comparison
    out += output_targets()  # workflow/rules/outputs_common.smk: manuscript tables, figures
    out += ["reports/provenance.json", "reports/improper_solutions.txt"]
    return out


wildcard_constraints:
    wave="|".join(map(re.escape, WAVES)) or "NO_WAVE",
    sample="|".join(map(re.escape, SAMPLES)) or "NO_SAMPLE",
    model="|".join(map(re.escape, MODELS)),
