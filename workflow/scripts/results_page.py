"""Adapter: the run's results -> reports/index.html, the results-first page (alianza.tables.results_page)."""
import re
from pathlib import Path

from alianza.atomic import write_text
from alianza.codebook import load_codebook
from alianza.i18n import hypothesis_names, t
from alianza.tables.catalog import (OutputOptions, data_quality_table, load_json, load_table_inputs, sample_part,
                                    sample_tables)
from alianza.tables.results_page import PageInputs, figure_caption, results_page, table_links
from alianza.workflow import run_step


def step():
    inp, par = snakemake.input, snakemake.params
    opts = OutputOptions.from_config(par.config)
    codebook = load_codebook(inp.codebook)
    tables_in = load_table_inputs(inp, par, par.sample)
    summaries = [load_json(p) for p in inp.summaries]
    tables = sample_tables(tables_in, codebook, opts)
    where = {tb.name: f"tables/{par.sample}" for tb in tables}
    links = [(f"{t('table', opts.lang)} 1", t("title.sample_description", opts.lang),
              {f: f"tables/sample_description.{f}" for f in dict.fromkeys(["html", *opts.formats])})]
    links += table_links(tables, opts.formats, where) + table_links([data_quality_table(summaries, opts)], [], {})
    links.append((t("page.all_tables", opts.lang), "", {f: f"tables/{par.sample}/tables.{f}"
                                                        for f in ("html", "docx", "tex")}))
    figures = [p.removeprefix("reports/") for p in inp.figures]
    svg = Path(inp.diagram).read_text(encoding="utf-8") if "diagram" in inp.keys() else None
    if svg is not None:
        svg = re.sub(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", svg)  # inline: the <svg> element only
    page = PageInputs(
        lang=opts.lang, samples=summaries, wave_names=opts.wave_names([s["wave"] for s in summaries]),
        models=tables_in.models, model_labels=opts.model_labels, cutoffs=opts.fit_cutoffs,
        hypotheses=sample_part(load_json(inp.hypotheses), "hypotheses", par.sample) if "hypotheses" in inp.keys()
        else None,
        validity=tables_in.validity, invariance=tables_in.invariance,
        power=load_json(inp.power) if "power" in inp.keys() else None, tables=links,
        figures=[(figure_caption(f, codebook, opts.lang), f) for f in figures], path_diagram_svg=svg,
        sample=par.sample, codebook=codebook, hypothesis_names=hypothesis_names(par.config))
    write_text(snakemake.output[0], results_page(page))


run_step(snakemake.log[0], step)
