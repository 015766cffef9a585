"""Adapter: every fitted model and invariance result -> the list of improper solutions (JSON, text for
the console) and the report's front page with a warning when there are any."""
from pathlib import Path

from alianza.atomic import write_json, write_text
from alianza.tables.catalog import load_json
from alianza.tables.flags import improper_listing, improper_problems, report_intro, step_problems, text
from alianza.workflow import run_step


def step():
    lang = snakemake.params.lang
    models = {f"{Path(p).parent.name}/{Path(p).stem}": load_json(p) for p in snakemake.input.models}
    invariance = {Path(p).stem: load_json(p) for p in snakemake.input.invariance}
    lines = improper_listing(models, invariance, lang)
    record = {"models": {k: [p.to_dict() for p in improper_problems(d)] for k, d in models.items()},
              "invariance": {g: {s: [p.to_dict() for p in step_problems(m)] for s, m in (d.get("models") or {}).items()}
                             for g, d in invariance.items()},
              "lines": lines}
    write_json(snakemake.output.json, record)
    write_text(snakemake.output.txt, "".join(f"{x}\n" for x in [text("console_header", lang), *lines]) if lines else "")
    template = Path(snakemake.input.template).read_text(encoding="utf-8")
    write_text(snakemake.output.intro, report_intro(template, lines, lang))


run_step(snakemake.log[0], step)
