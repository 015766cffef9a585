"""What a researcher watches during `make run`: a progress bar, one line per finished stage, and at the
end a short summary of the results and their flags in the configured language, and where to look.

Snakemake runs as a child process; everything it prints (job detail, rule names, reasons) goes to a
log file (logs/run.log), which the console names. Its progress lines ("12 of 44 steps (27%) done"),
job statistics and "Finished jobid: 7 (Rule: fit_model)" lines drive the display. On a terminal the
bar redraws in place; piped (CI, `make run | tee`) it prints one line per finished stage only.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .i18n import hypothesis_names, t, t_or
from .startup import pipeline_environment

_STATS_ROW = re.compile(r"^([A-Za-z_][\w]*)\s+(\d+)$")
_FINISHED = re.compile(r"Finished job(?:id)?:?\s*\d+.*?\(Rule: (\w+)\)")
_PROGRESS = re.compile(r"(\d+) of (\d+) steps \((\d+)%\) done")
_ERROR = re.compile(r"^Error in rule (\w+):")
_LOG = re.compile(r"^\s*log: (.+?) \(check log file")
BAR = 28


@dataclass
class Progress:
    """The run as parsed so far: jobs per rule, finished per rule, steps done, failed rules."""

    planned: dict[str, int] = field(default_factory=dict)
    finished: dict[str, int] = field(default_factory=dict)
    done: int = 0
    total: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (rule, its log)
    nothing_to_do: bool = False
    _in_stats: bool = False

    def feed(self, line: str) -> list[str]:
        """Parse one line of Snakemake's output; returns the rules whose last job just finished."""
        line = line.rstrip("\n")
        stripped = line.strip()
        if stripped.startswith("Job stats:"):
            self._in_stats, self.planned = True, {}
            return []
        if self._in_stats:
            m = _STATS_ROW.match(stripped)
            if m and m.group(1) not in ("job", "total"):
                self.planned[m.group(1)] = int(m.group(2))
            elif m and m.group(1) == "total":
                self.total = int(m.group(2))
                self._in_stats = False
            return []
        if "Nothing to be done" in line:
            self.nothing_to_do = True
        m = _PROGRESS.search(line)
        if m:
            self.done, self.total = int(m.group(1)), int(m.group(2))
            return []
        m = _FINISHED.search(line)
        if m:
            rule = m.group(1)
            self.finished[rule] = self.finished.get(rule, 0) + 1
            if rule != "all" and self.finished[rule] == self.planned.get(rule, 1):
                return [rule]
            return []
        m = _ERROR.match(stripped)
        if m:
            self.failed.append((m.group(1), ""))
            return []
        m = _LOG.match(line)
        if m and self.failed and not self.failed[-1][1]:
            self.failed[-1] = (self.failed[-1][0], m.group(1))
        return []


def stage_label(rule: str, lang: str) -> str:
    return t_or(f"stage.{rule}", lang, rule.replace("_", " "))


def bar(done: int, total: int) -> str:
    filled = round(BAR * done / total) if total else 0
    pct = round(100 * done / total) if total else 0
    return f"[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} ({pct}%)"


def run_snakemake(args: list[str], log_path, lang: str, out=None) -> tuple[int, Progress]:
    """Run `snakemake *args`, its output into `log_path`; show progress and stage lines on `out`."""
    out = out or sys.stdout
    tty = hasattr(out, "isatty") and out.isatty()
    log_path = Path(log_path)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    prog = Progress()
    out.write(t("console.start", lang, log=log_path) + "\n")
    out.flush()
    with open(log_path, "w", encoding="utf-8") as log, subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
            env=pipeline_environment(os.environ)) as proc:
        for line in proc.stdout:
            log.write(line)
            for rule in prog.feed(line):
                n = prog.planned.get(rule, 1)
                text = f"  \u2713 {stage_label(rule, lang)}" + (f" ({n})" if n > 1 else "")
                out.write(("\r\x1b[K" if tty else "") + text + "\n")
            if tty and prog.total:
                out.write("\r\x1b[K  " + bar(prog.done, prog.total))
            out.flush()
        code = proc.wait()
    if tty:
        out.write("\r\x1b[K")
    if prog.nothing_to_do:
        out.write(t("console.nothing", lang) + "\n")
    for rule, rule_log in prog.failed:
        out.write(t("console.failed", lang, stage=stage_label(rule, lang), log=rule_log or log_path) + "\n")
    if code and not prog.failed:
        out.write(t("console.failed_run", lang, log=log_path) + "\n")
    out.flush()
    return code, prog


def _load(path):
    import json

    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def summary_lines(root, config: dict, lang: str) -> list[str]:
    """A few lines on what was found: sample, fit, hypotheses, validity, invariance, power; where to look.
    Reads the result files of the first output sample; a part whose results are absent is left out."""
    from .tables.apa import fmt_int, fmt_stat
    from .tables.models import DEFAULT_CUTOFFS, model_label
    from .tables.robust import shown_names
    from .tables.results_page import improper_notices, validity_flags

    root = Path(root)
    out_cfg = config.get("output") or {}
    sample = (out_cfg.get("samples") or ["pooled"])[0]
    cut = dict(out_cfg.get("fit_cutoffs") or DEFAULT_CUTOFFS)
    lines = [t("console.summary", lang)]
    summaries = [s for p in sorted((root / "data" / "processed").glob("*.summary.json")) if (s := _load(p))]
    if summaries:
        lines.append(t("console.sample_one" if len(summaries) == 1 else "console.sample", lang, waves=len(summaries),
                       rows=fmt_int(sum(s.get("rows_in", 0) for s in summaries)),
                       kept=fmt_int(sum(s.get("rows_kept", 0) for s in summaries))))
    for name in config.get("models") or {}:
        res = _load(root / "reports" / "models" / sample / f"{name}.json")
        if not res:
            continue
        fit = res.get("fit") or {}
        # the measures the tables show: robust (else scaled) CFI and RMSEA under MLR/WLSMV
        k = {**shown_names(fit), "srmr": "srmr"}
        checks = [(fit[k[c]] >= v) if c in ("cfi", "tli") else (fit[k[c]] <= v) for c, v in cut.items()
                  if c in k and fit.get(k[c]) is not None]
        mark = "\u2713" if checks and all(checks) else "\u2717"
        lines.append(t("console.fit", lang, model=model_label(name, out_cfg.get("model_labels"), lang), mark=mark,
                       cfi=fmt_stat("cfi", fit.get(k["cfi"])), rmsea=fmt_stat("rmsea", fit.get(k["rmsea"])),
                       srmr=fmt_stat("srmr", fit.get("srmr")), n=res.get("n")))
        lines += [f"    ! {x}" for x in improper_notices(res, lang)]
    hyp = _load(root / "reports" / "tables" / "hypotheses.json")
    part = ((hyp or {}).get("samples") or {}).get(sample) or {}
    recs = part.get("hypotheses") or []
    if recs:
        yes = [r["hypothesis"] for r in recs if r.get("supported")]
        no = [r["hypothesis"] for r in recs if not r.get("supported")]
        lines.append(t("console.hypotheses", lang, k=len(yes), n=len(recs),
                       detail=", ".join([f"{h} \u2713" for h in yes] + [f"{h} \u2717" for h in no])))
    from .codebook import load_codebook
    from .errors import AlianzaError

    try:
        codebook = load_codebook(root / config.get("codebook", "config/codebook.yaml"))
    except (AlianzaError, OSError):  # the summary names constructs and groups by code then
        codebook = None
    validity = _load(root / "reports" / "validity" / f"{sample}.json")
    if validity:
        flags = validity_flags(validity, codebook, lang)
        lines.append(t("console.validity", lang, k=len(flags)) if flags else t("console.validity_ok", lang))
    inv = [(g, d) for g in (config.get("invariance") or {}).get("groups", [])
           if (d := _load(root / "reports" / "invariance" / f"{g}.json"))]
    if inv:
        def name(g):
            try:
                return codebook.label(g, lang)
            except (KeyError, AttributeError):
                return g
        def reached(d):          # a grouping with fewer than two usable groups was not tested at all
            if not d.get("models"):
                return t("inv.not_tested", lang)
            return t_or("inv." + str(d.get("supported")) + "_short", lang, t("page.none", lang))

        levels = "; ".join(f"{name(g)}: {reached(d)}" for g, d in inv)
        lines.append(t("console.invariance", lang, levels=levels))
    power = _load(root / "reports" / "power" / "power.json")
    if power and power.get("min_n_80"):
        grid = power.get("n") or [0]
        parts = []
        names = hypothesis_names(config)
        for label, info in power["min_n_80"].items():
            label = names.get(label, label)
            n = info.get("n")
            parts.append(f"{label} {n}" if n is not None else
                         f"{label} {'<' if info.get('status') == 'below_grid' else '>'} "
                         f"{min(grid) if info.get('status') == 'below_grid' else max(grid)}")
        lines.append(t("console.power", lang, detail=", ".join(parts)))
    lines.append(t("console.where", lang, sample=sample))
    return lines
