# Settings and helpers of outputs.smk (kept apart from the rules, as common.smk is): which
# samples, formats and tables, report categories, the inputs of a sample's table set, and
# output_targets() for rule all.
from alianza.errors import AlianzaError, ConfigError
from alianza.i18n import t as _t
from alianza.tables.catalog import OutputOptions
from alianza.workflow import load_model_files

OUTPUT = config.get("output") or {}
try:
    OUTPUT_OPTIONS = OutputOptions.from_config(config)
except ConfigError as exc:
    fail(exc)
OUTPUT_SAMPLES = list(OUTPUT.get("samples", ["pooled"]))
for _s in OUTPUT_SAMPLES:
    if _s not in SAMPLES:
        fail(ConfigError(f"sample {_s!r} is not one of {', '.join(SAMPLES)}", key="output.samples"))
TABLE_FORMATS = list(dict.fromkeys([*OUTPUT_OPTIONS.formats, "html"]))
LANG = OUTPUT_OPTIONS.lang
MEASUREMENT_MODEL = config["validity"]["model"]
# the structural model drawn as the path diagram; none in a study without one (a CFA only)
PATH_MODEL = OUTPUT.get("path_model", "five_stage" if "five_stage" in MODELS else None)
if PATH_MODEL is not None and PATH_MODEL not in MODELS:
    fail(ConfigError(f"model {PATH_MODEL!r} is not a key of models", key="output.path_model"))
if PATH_MODEL is not None:
    try:
        if not any(f.op == "~" for f in load_model_files(MODELS[PATH_MODEL]["files"])[1].formulas):
            fail(ConfigError(f"model {PATH_MODEL!r} has no regressions to draw: name a structural model, or "
                             "null for no path diagram", key="output.path_model"))
    except AlianzaError as exc:
        fail(exc)
INVARIANCE_TABLE_GROUPS = list((config.get("invariance") or {}).get("groups", []))
# Results of the structural step (workflow/rules/structural.smk: one JSON for all samples, each
# sample's part read by alianza.tables.catalog.sample_part): input key of the table set -> (path,
# tables made from it). A table joins the set as soon as some rule included before this file writes
# its input; until then the set goes without it.
STRUCTURAL_RESULTS = {
    "comparison": ("reports/tables/model_comparison.json", ["model_comparison"]),
    "hypotheses": ("reports/tables/hypotheses.json", ["hypotheses"]),
    "indirect": ("reports/tables/indirect_effects.json", ["indirect_effects"]),
}
# output patterns of the rules defined so far, wildcard constraints stripped ('{sample,a|b}' -> '{sample}')
_WRITTEN = {re.sub(r"\{(\w+),[^{}]*\}", r"{\1}", str(f)) for r in workflow.rules for f in r.output}
# ... and that the run asks for (structural.smk: no indirect effects without bootstrapped models)
STRUCTURAL_INPUTS = {k: v[0] for k, v in STRUCTURAL_RESULTS.items()
                     if v[0] in _WRITTEN and v[0] in STRUCTURAL_OUTPUTS}
# The tables of one sample that this file writes, in manuscript order (alianza.tables.catalog.SAMPLE_TABLES).
SAMPLE_TABLE_NAMES = ["item_descriptives", "measurement_model", "reliability", "discriminant", "discriminant_pairs",
                      "efa_common_method", "cfa_loadings", "fit_indices"] + [
    name for k in STRUCTURAL_INPUTS for name in STRUCTURAL_RESULTS[k][1]
]
# Direct, indirect and total effects of the path model with bootstrap percentile and BCa intervals
# (the effects job of outputs.smk), from the path model's bootstrap (structural.smk's bootstrap_model,
# which refits every replicate with the run's estimator options); none where the bootstrap is refused.
_EST = config["estimation"]
EFFECTS = PATH_MODEL is not None and bootstrap_refusal(_EST, DESIGN) is None
if EFFECTS:
    SAMPLE_TABLE_NAMES.insert(SAMPLE_TABLE_NAMES.index("indirect_effects") if "indirect_effects" in SAMPLE_TABLE_NAMES
                              else len(SAMPLE_TABLE_NAMES), "effects")
# AMOS-style indices (χ²/df, GFI, AGFI) in the fit table: config output.amos_indices, complete-data ML/MLR
AMOS = (bool(OUTPUT.get("amos_indices", False)) and _EST.get("estimator", "ML") in ("ML", "MLR")
        and _EST.get("missing", "listwise") == "listwise" and _EST.get("ordered", "none") in ("none", None, []))
CONSTRUCTS = CODEBOOK.constructs
REPORT_CATEGORY = {k: _t(f"report.{k}", LANG) for k in ("data", "scales", "models", "hypotheses", "provenance")}
TABLE_CATEGORY = {
    "item_descriptives": "scales", "reliability": "scales", "discriminant": "scales", "cfa_loadings": "scales",
    "measurement_model": "scales", "discriminant_pairs": "scales", "efa_common_method": "scales",
    "fit_indices": "models", "model_comparison": "models", "hypotheses": "hypotheses",
    "indirect_effects": "hypotheses", "invariance": "scales", "effects": "hypotheses",
}


def _table_outputs(name, pattern, category, caption, subcategory=None, labels=None):
    """{name_fmt: path} for every format; the .html is flagged for the report."""
    out = {}
    for fmt in TABLE_FORMATS:
        path = pattern.format(name=name, fmt=fmt)
        if fmt == "html":
            path = report(path, caption=caption, category=REPORT_CATEGORY[category], subcategory=subcategory,
                          labels=labels)
        out[f"{name}_{fmt}"] = path
    return out


def _sample_table_outputs():
    out = {}
    for name in SAMPLE_TABLE_NAMES:
        out.update(_table_outputs(name, "reports/tables/{{sample}}/{name}.{fmt}", TABLE_CATEGORY[name],
                                  f"../report/{name}.rst", subcategory="{sample}",
                                  labels={"table": name, "sample": "{sample}"}))
    out["set_docx"] = "reports/tables/{sample}/tables.docx"
    out["set_tex"] = "reports/tables/{sample}/tables.tex"
    out["set_html"] = report("reports/tables/{sample}/tables.html", caption="../report/table_set.rst",
                             category=REPORT_CATEGORY["models"], subcategory="{sample}",
                             labels={"table": "tables (all)", "sample": "{sample}"})
    return out


def table_set_inputs(wildcards):
    """What a sample's table set reads: validity, every model, and the invariance results (pooled only)."""
    inputs = {
        "validity": f"reports/validity/{wildcards.sample}.json",
        "measurement": f"reports/models/{wildcards.sample}/{MEASUREMENT_MODEL}.json",
        "models": [f"reports/models/{wildcards.sample}/{m}.json" for m in MODELS],
        "invariance": [f"reports/invariance/{g}.json" for g in invariance_groups(wildcards)],
        "waves": [f"data/processed/{w}.parquet" for w in WAVES],  # Table 1 opens the combined set
        **{k: pattern.format(sample=wildcards.sample) for k, pattern in STRUCTURAL_INPUTS.items()},
        **({"effects": f"reports/effects/{wildcards.sample}/{PATH_MODEL}.json"} if EFFECTS else {}),
        **({"amos": f"reports/amos/{wildcards.sample}.json"} if AMOS else {}),
        "codebook": config["codebook"],
        "provenance": "reports/provenance.json",
    }
    return inputs


def invariance_groups(wildcards):
    # invariance is tested on the pooled sample (workflow/rules/invariance.smk)
    return INVARIANCE_TABLE_GROUPS if wildcards.sample == "pooled" else []


def output_targets():
    """Everything this file (and report.smk) makes, for rule all."""
    out = expand("reports/tables/sample_description.{fmt}", fmt=TABLE_FORMATS)
    out += expand("reports/tables/data_quality.{fmt}", fmt=DATA_QUALITY_FORMATS)
    out += expand("reports/tables/{sample}/{name}.{fmt}", sample=OUTPUT_SAMPLES, name=SAMPLE_TABLE_NAMES,
                  fmt=TABLE_FORMATS)
    out += expand("reports/tables/{sample}/tables.{ext}", sample=OUTPUT_SAMPLES, ext=["docx", "html", "tex"])
    if "pooled" in OUTPUT_SAMPLES:
        out += expand("reports/tables/pooled/invariance_{group}.{fmt}", group=INVARIANCE_TABLE_GROUPS,
                      fmt=TABLE_FORMATS)
    out += expand("reports/figures/{sample}/path_diagram.{ext}", sample=OUTPUT_SAMPLES if PATH_MODEL else [],
                  ext=["png", "svg"])
    out += expand("reports/figures/{sample}/likert_{construct}.{ext}", sample=OUTPUT_SAMPLES,
                  construct=CONSTRUCTS, ext=["png", "svg"])
    out += ["reports/provenance.html", "reports/index.html"]
    return out


# What reports/index.html (report.smk) reads: a sample's table inputs, the waves' summaries, every table
# and figure it links (so it comes after them), the path diagram it shows, the power study.
PAGE_SAMPLE = OUTPUT_SAMPLES[0] if OUTPUT_SAMPLES else "pooled"


def results_page_inputs(wildcards):
    from types import SimpleNamespace

    inputs = table_set_inputs(SimpleNamespace(sample=PAGE_SAMPLE))
    inputs["summaries"] = expand("data/processed/{wave}.summary.json", wave=WAVES)
    inputs["tables"] = [p for p in output_targets() if p.startswith("reports/tables/") and p.endswith(".html")]
    inputs["figures"] = [p for p in output_targets() if p.startswith("reports/figures/") and p.endswith(".png")]
    if PATH_MODEL:             # a study with only a measurement model has no path diagram
        inputs["diagram"] = f"reports/figures/{PAGE_SAMPLE}/path_diagram.svg"
    if "reports/power/power.json" in POWER_OUTPUTS:
        inputs["power"] = "reports/power/power.json"
        inputs["figures"] = inputs["figures"] + ["reports/figures/power_curve.png"]
    return inputs


# The plain data_quality.csv/.md come from ingest.smk; this table adds the other formats.
DATA_QUALITY_FORMATS = [f for f in TABLE_FORMATS if f not in ("csv", "md")]
