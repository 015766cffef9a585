"""Adapter: the fit (or bootstrap) JSON of every sample -> the hypothesis table (CSV, MD, JSON)."""

from alianza.atomic import write_frame, write_json, write_text
from alianza.hypotheses import hypotheses_report, markdown, sample_and_model
from alianza.tables.catalog import load_json
from alianza.workflow import run_step


def step():
    results = {sample_and_model(p): load_json(p) for p in snakemake.input}
    table, report = hypotheses_report(results, snakemake.params.hypotheses, language=snakemake.params.language,
                                      ci=snakemake.params.ci)
    report["notices"] = list(snakemake.params.notices)  # {es, en}: what the engine left out (engine_limits)
    write_frame(snakemake.output.csv, table)
    shown = table.drop(columns=["statement", "model", "ci_level", "significant", "sign_as_expected"])
    write_text(snakemake.output.md, markdown(shown))
    write_json(snakemake.output.json, report, allow_nan=False, default=str)


run_step(snakemake.log[0], step)
