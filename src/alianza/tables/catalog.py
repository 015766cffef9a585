"""Which manuscript tables exist, from which results, in which order; and writing a whole set.

Used by the pipeline's adapters (workflow/scripts/manuscript_tables.py, ...) and by
`alianza tables`. The set of one sample is numbered in the order of SAMPLE_TABLES after
the sample description (Table 1); tables whose results are absent are left out and the
numbering closes up.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..atomic import write_text
from ..errors import ConfigError, InputError
from . import effects as effects_table
from . import flags, measurement, models, sample, structural, validity_tables
from ..i18n import t
from ..workflow import wave_labels
from .amos import add_amos_columns
from .apa import ApaTable
from .models import DEFAULT_CUTOFFS
from .notes import sample_of, with_sample_size
from .writers import FORMATS, html_document, latex_document, write_table

# The order of the tables of one sample in the manuscript (Table 2, 3, ...; Table 1 describes the sample).
SAMPLE_TABLES = (
    "item_descriptives", "measurement_model", "reliability", "discriminant", "discriminant_pairs",
    "efa_common_method", "cfa_loadings", "fit_indices", "model_comparison", "hypotheses", "effects",
    "indirect_effects", "invariance",
)
# What each table reads (keys of TableInputs).
NEEDS = {
    "item_descriptives": "validity", "reliability": "validity", "discriminant": "validity",
    "measurement_model": "validity", "discriminant_pairs": "validity", "efa_common_method": "validity",
    "cfa_loadings": "measurement", "fit_indices": "models", "model_comparison": "comparison",
    "hypotheses": "hypotheses", "effects": "effects", "indirect_effects": "indirect", "invariance": "invariance",
}


@dataclass
class OutputOptions:
    """config `language` and `output:` (formats, decimals, cut-offs, model labels)."""

    lang: str = "es"
    formats: tuple = ("tex", "docx", "md", "csv")
    decimals: int = 2
    p_decimals: int = 3
    fit_cutoffs: dict = field(default_factory=lambda: dict(DEFAULT_CUTOFFS))
    model_labels: dict = field(default_factory=dict)
    wave_labels: dict = field(default_factory=dict)  # config waves.labels

    def wave_names(self, waves) -> dict[str, str]:
        """wave id -> display name in the table language (config waves.labels, else the wave id)."""
        return {w: names[self.lang] for w, names in wave_labels({"labels": self.wave_labels}, waves).items()}

    @classmethod
    def from_config(cls, config: dict, lang: str | None = None) -> "OutputOptions":
        out = config.get("output") or {}
        formats = tuple(out.get("formats", cls.formats))
        bad = [f for f in formats if f not in FORMATS]
        if bad:
            raise ConfigError(f"unknown table format {bad[0]!r}; use {', '.join(FORMATS)}", key="output.formats")
        return cls(lang=lang or config.get("language", "es"), formats=formats,
                   decimals=int(out.get("decimals", 2)), p_decimals=int(out.get("p_decimals", 3)),
                   fit_cutoffs=dict(out.get("fit_cutoffs") or DEFAULT_CUTOFFS),
                   model_labels=dict(out.get("model_labels") or {}),
                   wave_labels=dict((config.get("waves") or {}).get("labels") or {}))


@dataclass
class TableInputs:
    """Loaded results of one sample. `models` keeps the config order of the models."""

    validity: dict | None = None
    measurement: dict | None = None
    models: list[tuple[str, dict]] = field(default_factory=list)
    comparison: dict | None = None
    hypotheses: dict | list | None = None
    indirect: dict | list | None = None
    invariance: dict[str, dict] = field(default_factory=dict)
    effects: dict | None = None  # alianza.effects report of the path model
    amos: dict | None = None  # model id -> {chisq_df, gfi, agfi} (config output.amos_indices)
    structural_model: str | None = None  # whose path labels spell out indirect effects (config output.path_model)
    design_config: dict | None = None    # config `design:` (weights, cluster, strata)

    def design(self) -> dict | None:
        """The survey design the fits used (a model JSON's `design`: columns, number of clusters),
        with the config's strata; None without one."""
        docs = [self.measurement, *(doc for _, doc in self.models)]
        fitted = next((doc["design"] for doc in docs if doc and doc.get("design")), None)
        strata = (self.design_config or {}).get("strata")
        if not fitted and not strata:
            return None
        return {**(fitted or {}), **({"strata": strata} if strata else {})}

    def structural_params(self) -> list[dict] | None:
        models = dict(self.models)
        name = self.structural_model
        if name is None and isinstance(self.hypotheses, dict):
            name = self.hypotheses.get("model")
        return models[name]["parameters"] if name in models else None


def load_table_inputs(inputs, params, sample: str) -> "TableInputs":
    """TableInputs of one sample from a Snakemake rule's named input files and params
    (workflow/rules/outputs_common.smk): validity, measurement, models, invariance, and the
    structural step's comparison/hypotheses/indirect reports when the workflow has them."""
    return TableInputs(
        validity=load_json(inputs.validity),
        measurement=load_json(inputs.measurement),
        models=[(m, load_json(p)) for m, p in zip(params.models, inputs.models)],
        invariance={g: load_json(p) for g, p in zip(params.groups, inputs.invariance)},
        **{k: sample_part(load_json(getattr(inputs, k)), k, sample)
           for k in ("comparison", "hypotheses", "indirect") if k in inputs.keys()},
        structural_model=params.config.get("output", {}).get("path_model"),
        effects=load_json(inputs.effects) if "effects" in inputs.keys() else None,
        amos=load_json(inputs.amos) if "amos" in inputs.keys() else None,
        design_config=params.config.get("design"),
    )


def load_json(path) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise InputError("result file not found (run the pipeline first)", file=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (line {exc.lineno})", file=path) from None


def provenance_line(record: dict, path="reports/provenance.json", lang: str = "en") -> str:
    """One line naming the provenance record: version, seed, checksums of the raw inputs."""
    alianza = (record.get("packages") or {}).get("alianza") or "?"
    seed = (record.get("seeds") or {}).get("seed", (record.get("config") or {}).get("seed"))
    raw = [(Path(p).name, v.get("sha256", "")[:12]) for p, v in (record.get("inputs") or {}).items()
           if str(p).startswith("data/")]
    data = "; ".join(f"{name} sha256 {h}" for name, h in raw)
    return t("prov.line", lang, version=alianza, seed=seed, created=record.get("created", "?"),
             inputs=data or t("prov.see_record", lang), path=path)


def sample_part(doc: dict | None, kind: str, sample: str) -> dict | None:
    """One sample's share of the structural step's reports (all samples in one JSON, under "samples"):

    - hypotheses (alianza.hypotheses.hypotheses_report): {"n", "model", "hypotheses": [records]};
    - indirect (effects_report): {"n", "n_boot", "seed", "effects": [records]} (model-prefixed names
      when several models carry effects);
    - comparison (alianza.comparison.comparison_report): {"n", "table": [records]}.
    A document without "samples" is taken to be one sample's already; a sample it lacks gives None."""
    part = _sample_part(doc, kind, sample)
    if part is not None and doc.get("notices"):  # {es, en}: what the engine left out (alianza.engine_limits)
        part = {**part, "notices": doc["notices"]}
    return part


def _sample_part(doc: dict | None, kind: str, sample: str) -> dict | None:
    if doc is None:
        return None
    if "samples" not in doc:
        return doc
    part = doc["samples"].get(sample)
    if not part:
        return None
    if kind == "hypotheses":
        models = list((part.get("models") or {}))
        return {"n": part.get("n"), "model": models[0] if len(models) == 1 else None,
                "hypotheses": part.get("hypotheses", [])}
    if kind == "indirect":
        effects, first = [], None
        for model, m in part.items():
            first = first or m
            for rec in m.get("effects", []):
                name = rec.get("effect", "")
                effects.append({**rec, "effect": name if len(part) == 1 else f"{name} ({model})"})
        if first is None:
            return None
        return {"n": first.get("n"), "n_boot": first.get("n_boot"), "seed": first.get("seed"), "effects": effects}
    if kind == "comparison":
        estimators = {m.get("estimator") for m in (part.get("models") or {}).values()}
        return {"n": part.get("n"), "table": part.get("comparison", []),
                "estimator": estimators.pop() if len(estimators) == 1 else None}
    raise ValueError(f"unknown structural result {kind!r}")


def available_tables(inputs: TableInputs) -> list[str]:
    out = []
    for name in SAMPLE_TABLES:
        need = getattr(inputs, NEEDS[name])
        if need:
            out.append(name)
    return out


def sample_tables(inputs: TableInputs, codebook, opts: OutputOptions, *, first_number: int = 2,
                  provenance: str | None = None) -> list[ApaTable]:
    """Every table the inputs allow, numbered from `first_number` in manuscript order."""
    lang, d, pd_ = opts.lang, opts.decimals, opts.p_decimals
    tables: list[ApaTable] = []
    made: list[str] = []        # the name behind each table (invariance: one per grouping variable)
    for name in available_tables(inputs):
        if name == "item_descriptives":
            tables.append(measurement.item_descriptives(inputs.validity, codebook, lang, decimals=d))
        elif name == "reliability":
            tables.append(measurement.reliability(inputs.validity, codebook, lang, decimals=d))
        elif name == "discriminant":
            tables.append(measurement.discriminant(inputs.validity, codebook, lang, decimals=d))
        elif name == "measurement_model":
            tables.append(validity_tables.measurement_model(inputs.validity, codebook, lang))
        elif name == "discriminant_pairs":
            tables.append(validity_tables.discriminant_pairs(inputs.validity, codebook, lang))
        elif name == "efa_common_method":
            tables.append(validity_tables.efa_common_method(inputs.validity, lang))
        elif name == "cfa_loadings":
            tables.append(measurement.cfa_loadings(inputs.measurement, codebook, lang, decimals=d, p_decimals=pd_))
        elif name == "fit_indices":
            tables.append(models.fit_indices(inputs.models, lang, labels=opts.model_labels,
                                             cutoffs=opts.fit_cutoffs, decimals=d, p_decimals=pd_))
            if inputs.amos:
                add_amos_columns(tables[-1], inputs.amos, lang)
        elif name == "model_comparison":
            tables.append(structural.model_comparison(inputs.comparison, lang, labels=opts.model_labels,
                                                      decimals=d, p_decimals=pd_))
        elif name == "hypotheses":
            tables.append(structural.hypotheses(inputs.hypotheses, codebook, lang, decimals=d, p_decimals=pd_,
                                                params=inputs.structural_params()))
        elif name == "effects":
            tables.append(effects_table.effects(inputs.effects, codebook, lang))
        elif name == "indirect_effects":
            tables.append(structural.indirect_effects(inputs.indirect, codebook, lang, decimals=d,
                                                      params=inputs.structural_params()))
        elif name == "invariance":
            for group, doc in inputs.invariance.items():
                names = opts.wave_names(list((doc.get("groups") or {}))) if group == "wave" else None
                if doc.get("models"):
                    tables.append(structural.invariance(doc, codebook, lang, p_decimals=pd_, value_labels=names))
                else:  # fewer than two usable groups: a table that says so
                    tables.append(flags.invariance_untested(doc, codebook, lang, value_labels=names))
        made += [name] * (len(tables) - len(made))
    add_design_notes(tables, made, inputs.design(), lang)
    for k, tb in enumerate(tables):
        flags.annotate(tb, inputs, lang)
        tb.number = first_number + k
        tb.provenance = provenance
        if tb.notes and tb.name != "item_descriptives":  # item statistics use every answer given (N of Table 1)
            from_validity = NEEDS.get(tb.name) == "validity"
            n, n_rows, how = sample_of(None if from_validity else inputs.measurement, inputs.validity)
            tb.notes[0] = with_sample_size(tb.notes[0], n, n_rows, how, lang)
    return tables


# tables whose numbers come from the fits: with a survey design they are weighted / cluster-robust
DESIGN_TABLES = ("cfa_loadings", "fit_indices", "model_comparison", "hypotheses", "indirect_effects", "invariance")


def add_design_notes(tables: list[ApaTable], names: list[str], design: dict | None, lang: str) -> None:
    """Append the design's sentences (sem.data.design.design_notes) to the general note of every table
    made from the fits; the indirect effects also say the bootstrap resampled whole clusters."""
    from ..sem.data.design import design_notes

    if not design:
        return
    for table, name in zip(tables, names):
        if name not in DESIGN_TABLES:
            continue
        text = design_notes(design, lang, bootstrap=name == "indirect_effects")
        if table.notes:
            table.notes[0] = f"{table.notes[0]} {text}"
        else:
            table.notes.append(text)


def table_paths(outdir, name: str, formats) -> dict[str, Path]:
    return {fmt: Path(outdir) / f"{name}.{fmt}" for fmt in formats}


def write_combined(tables: list[ApaTable], docx_path, html_path, tex_path=None) -> None:
    """The whole set in one Word document (a page each), one HTML page and a compilable LaTeX article."""
    from .word import write_docx

    write_docx(tables, docx_path)
    write_text(html_path, html_document(tables, title=str(tables[0].label)))
    if tex_path is not None:
        write_text(tex_path, latex_document(tables))


def write_set(tables: list[ApaTable], outdir, formats, *, combined: bool = True) -> list[Path]:
    """Each table in every format (plus .html for the report), and the whole set as tables.docx/.html/.tex."""
    written = []
    fmts = tuple(dict.fromkeys((*formats, "html")))
    for tb in tables:
        paths = table_paths(outdir, tb.name, fmts)
        write_table(tb, paths)
        written += paths.values()
    if combined and tables:
        combined_paths = [Path(outdir) / f"tables.{ext}" for ext in ("docx", "html", "tex")]
        write_combined(tables, *combined_paths)
        written += combined_paths
    return written


def sample_description_table(frames: dict, codebook, opts: OutputOptions, provenance: str | None = None,
                             design: dict | None = None) -> ApaTable:
    tb = sample.sample_description(frames, codebook, opts.lang, decimals=opts.decimals,
                                   wave_names=opts.wave_names(list(frames)))
    if design and design.get("weights"):
        add_weighted_estimates(tb, frames, codebook, design["weights"], opts.lang, opts.decimals)
    tb.number, tb.provenance = 1, provenance
    return tb


def add_weighted_estimates(tb: ApaTable, frames: dict, codebook, weights: str, lang: str, decimals: int) -> None:
    """Beside every unweighted count (%) or M (SD) of the sample description, in brackets, the
    estimate weighted by the sampling weights (statsmodels' DescrStatsW); beside the number of
    firms, the sum of the weights (the firms the sample stands for). The raw table gets them too."""
    from ..i18n import t
    from ..survey_design import weighted_percent, weighted_stats
    from .apa import fmt_num

    groups = dict(frames)
    if len(frames) > 1:
        groups[t("total", lang)] = pd.concat(list(frames.values()), ignore_index=True)
    labels = list(groups)
    raw = tb.raw.reset_index(drop=True)
    raw["weighted"] = float("nan")
    raw["weighted_sd"] = float("nan")
    for i in range(len(tb.body)):
        for k, g in enumerate(labels):
            r = i * len(labels) + k
            rec, df = raw.loc[r], groups[g]
            w = df[weights] if weights in df.columns else pd.Series(float("nan"), index=df.index)
            if rec["variable"] == "n":
                est, sd = weighted_stats(pd.Series(1.0, index=df.index), w)[2], float("nan")
                text = fmt_num(est, 0)
            elif rec["percent"] is not None and pd.notna(rec["percent"]):
                var = codebook.variable(rec["variable"])
                code = next((c for c, lab in var.code_labels.items() if lab[lang] == rec["category"]), None)
                est, sd = weighted_percent(df[var.name], w, code), float("nan")
                text = fmt_num(est, 1)
            else:
                est, sd, _ = weighted_stats(df[rec["variable"]], w)
                text = f"{fmt_num(est, decimals)} ({fmt_num(sd, decimals)})"
            raw.loc[r, ["weighted", "weighted_sd"]] = est, sd
            tb.body.loc[tb.body.index[i], g] = f"{tb.body.loc[tb.body.index[i], g]} [{text}]"
    tb.raw = raw
    tb.notes[0] = f"{tb.notes[0]} {t('note.design_weighted_sample', lang, weights=weights)}"


def data_quality_table(summaries: list[dict], opts: OutputOptions, provenance: str | None = None) -> ApaTable:
    tb = sample.data_quality(summaries, opts.lang, wave_names=opts.wave_names([s["wave"] for s in summaries]))
    tb.number, tb.provenance = "S1", provenance  # supplementary material, not a manuscript table
    return tb
