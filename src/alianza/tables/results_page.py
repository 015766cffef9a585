"""reports/index.html: one self-contained page that opens on the results, in the configured language.

Study and sample, the fit of every model against the cut-offs, improper solutions, the hypotheses
with their decisions, the path diagram (inline), every validity criterion that is not met, the
invariance level reached by each grouping, the sample size each hypothesis needs for 80% power, and
links to every table and figure. It reads the pipeline's result files as they are; the Snakemake
report (reports/report.html) stays for provenance. No scripts, no external resources: it opens
from a disk, a zip or an e-mail attachment the same way.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

from ..i18n import t
from . import robust
from .apa import fmt_apart, fmt_int, fmt_stat, missing, plain
from .models import DEFAULT_CUTOFFS, model_label
from .structural import ARROW, INVARIANCE_STEPS, readable_parameter
from .writers import html_text

OK, FAIL = "\u2713", "\u2717"
# direction of each fit cut-off: at least (CFI, TLI) or at most (RMSEA, SRMR)
_AT_LEAST = {"cfi": True, "tli": True, "rmsea": False, "srmr": False}

STYLE = """
body { font-family: "Segoe UI", "DejaVu Sans", Arial, sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
header { background: #16324f; color: #fff; padding: 1.2em 2em; }
header h1 { margin: 0 0 .2em 0; font-size: 1.6em; }
header p { margin: .1em 0; opacity: .92; }
header a { color: #cfe3ff; } .nowrap { white-space: nowrap; }
main { max-width: 72em; margin: 0 auto; padding: 1em 2em 3em 2em; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: .8em 1.2em; margin: 1em 0; }
h2 { font-size: 1.2em; margin: .2em 0 .6em 0; color: #16324f; }
table { border-collapse: collapse; margin: .3em 0 .6em 0; }
th, td { padding: .25em .7em; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
th { background: #f1f4f8; font-weight: 600; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ok { color: #1d7a35; font-weight: 600; } .fail { color: #b3261e; font-weight: 600; }
.warn { background: #fff4e5; border-left: 4px solid #e08a00; padding: .4em .8em; margin: .4em 0; }
.good { background: #edf7ee; border-left: 4px solid #1d7a35; padding: .4em .8em; margin: .4em 0; }
.synthetic { background: #fdecea; border-left: 4px solid #b3261e; padding: .4em .8em; margin: .4em 0; }
.figure svg { max-width: 100%; height: auto; }
ul.links { columns: 2; } ul.links li { margin: .15em 0; }
footer { color: #555; font-size: .9em; margin-top: 2em; }
"""


@dataclass
class PageInputs:
    """What the page shows, all optional but the language; `links` are relative to reports/."""

    lang: str
    samples: list[dict] = field(default_factory=list)       # ingestion summaries of the waves
    wave_names: dict = field(default_factory=dict)          # wave id -> display name
    models: list[tuple[str, dict]] = field(default_factory=list)  # (model id, fitted-model JSON), one sample
    model_labels: dict = field(default_factory=dict)
    cutoffs: dict = field(default_factory=lambda: dict(DEFAULT_CUTOFFS))
    hypotheses: dict | None = None                          # one sample's part of reports/tables/hypotheses.json
    validity: dict | None = None
    invariance: dict = field(default_factory=dict)          # group -> reports/invariance/<group>.json
    power: dict | None = None
    tables: list[tuple[str, str, dict]] = field(default_factory=list)  # (label, title, {format: link})
    figures: list[tuple[str, str]] = field(default_factory=list)       # (caption, link)
    path_diagram_svg: str | None = None
    sample: str = "pooled"
    codebook: object = None
    hypothesis_names: dict = field(default_factory=dict)    # parameter label -> hypothesis (power study)


def _e(text) -> str:
    return html.escape(str(text))


def _mark(ok: bool | None) -> str:
    if ok is None:
        return ""
    return f'<span class="ok">{OK}</span>' if ok else f'<span class="fail">{FAIL}</span>'


def _construct(codebook, code: str, lang: str) -> str:
    if codebook is not None and code in getattr(codebook, "constructs", []):
        return f"{codebook.construct_label(code, lang)} ({code})"
    return code


def improper_notices(model: dict, lang: str) -> list[str]:
    """Negative variances (Heywood cases), standardized loadings beyond 1, non-convergence."""
    out = []
    if model.get("converged") is False:
        out.append(t("page.not_converged", lang))
    for p in model.get("parameters") or []:
        if p.get("op") == "~~" and p.get("lhs") == p.get("rhs") and not missing(p.get("est")) and p["est"] < 0:
            out.append(t("page.negative_variance", lang, var=p["lhs"], v=fmt_stat("est", p["est"])))
        elif p.get("op") == "=~" and not missing(p.get("std_all")) and abs(p["std_all"]) > 1:
            out.append(t("page.loading_above_one", lang, item=p["rhs"], v=fmt_stat("est", p["std_all"])))
    return out


def _study(inp: PageInputs) -> str:
    lang = inp.lang
    waves = [s for s in inp.samples]
    rows_in = sum(s.get("rows_in", 0) for s in waves)
    kept = sum(s.get("rows_kept", 0) for s in waves)
    parts = [f"<h2>{t('page.sample', lang)}</h2>"]
    if waves and all("synthetic" in str(s.get("wave", "")).lower() for s in waves):
        parts.append(f'<p class="synthetic">{html_text(t("note.synthetic", lang))}</p>')
    head = (f"<tr><th>{t('col.wave', lang)}</th><th>{t('col.rows_in', lang)}</th>"
            f"<th>{t('col.rows_quarantined', lang)}</th><th>{t('col.rows_kept', lang)}</th></tr>")
    body = "".join(f"<tr><td>{_e(inp.wave_names.get(s['wave'], s['wave']))}</td>"
                   f"<td class=n>{fmt_int(s.get('rows_in'))}</td><td class=n>{fmt_int(s.get('rows_quarantined'))}</td>"
                   f"<td class=n>{fmt_int(s.get('rows_kept'))}</td></tr>" for s in waves)
    if len(waves) > 1:
        body += (f"<tr><th>{t('total', lang)}</th><td class=n>{fmt_int(rows_in)}</td>"
                 f"<td class=n>{fmt_int(rows_in - kept)}</td><td class=n>{fmt_int(kept)}</td></tr>")
    if waves:
        parts.append(f"<table>{head}{body}</table>")
    model = inp.models[0][1] if inp.models else None
    if model and model.get("n") is not None:
        parts.append("<p>" + t("page.n_models", lang, n=fmt_int(model["n"]), rows=fmt_int(model.get("n_input") or
                                                                                       model["n"]),
                                  missing=t(f"page.missing_{model.get('missing', 'listwise')}", lang),
                                  estimator=_e(model.get("estimator", "ML"))) + "</p>")
    return "<section id=sample>" + "".join(parts) + "</section>"


def _fit(inp: PageInputs) -> str:
    lang = inp.lang
    if not inp.models:
        return ""
    cut = inp.cutoffs
    heads = [t("col.model", lang), "χ²", "<i>gl</i>" if lang == "es" else "<i>df</i>", "<i>p</i>", "CFI", "TLI",
             "RMSEA", "SRMR", t("page.meets", lang)]
    rows, notices, estimators, scaled_indices = [], [], [], False
    for name, res in inp.models:
        fit = res.get("fit") or {}
        # under MLR/WLSMV the scaled χ² and the robust (else scaled) indices, as every table shows them
        k = {**robust.shown_names(fit), "srmr": "srmr"}
        scaled_indices |= robust.is_scaled(fit) and k["cfi"].endswith("_scaled")
        estimators.append(res.get("estimator"))
        checks = {key: (fit[k[key]] >= v if _AT_LEAST[key] else fit[k[key]] <= v) for key, v in cut.items()
                  if key in _AT_LEAST and not missing(fit.get(k[key]))}
        cells = [_e(model_label(name, inp.model_labels, lang)), fmt_stat("chisq", fit.get(k["chisq"])),
                 fmt_int(fit.get(k["df"]), thousands=False), fmt_stat("p", fit.get(k["pvalue"]))]
        cells += [f"{fmt_stat(key, fit.get(k[key]))} {_mark(checks.get(key))}" for key in ("cfi", "tli", "rmsea", "srmr")]
        met = all(checks.values()) if checks else None
        cells.append(_mark(met))
        rows.append("<tr>" + "".join(f"<td{' class=n' if j else ''}>{c}</td>" for j, c in enumerate(cells)) + "</tr>")
        for text in improper_notices(res, lang):
            notices.append(f'<p class="warn">{_e(model_label(name, inp.model_labels, lang))}: {html_text(text)}</p>')
    crit = ", ".join(t(f"cut.{k}", lang, v=fmt_stat(k, v)) for k, v in cut.items() if f"cut.{k}" in _CUTS)
    return ("<section id=fit>" + f"<h2>{t('page.fit', lang)}</h2><table><tr>"
            + "".join(f"<th>{h}</th>" for h in heads) + "</tr>" + "".join(rows) + "</table>"
            + f"<p>{t('page.fit_criteria', lang, criteria=_e(crit))} "
            + html_text(robust.correction_note(estimators, lang, scaled_indices=scaled_indices, scaling_factor=False)) + "</p>"
            + "".join(notices) + "</section>")


_CUTS = {"cut.cfi", "cut.tli", "cut.rmsea", "cut.srmr"}


def _hypotheses(inp: PageInputs) -> str:
    lang, doc = inp.lang, inp.hypotheses
    if not doc or not doc.get("hypotheses"):
        return ""
    rows = []
    for h in doc["hypotheses"]:
        statement = str(h.get(f"statement_{lang}") or h.get("statement") or h.get("path", "")).replace("->", ARROW)
        ci = ""
        if not missing(h.get("ci_lower")):
            d = "indirect" if h.get("op") == ":=" or "*" in str(h.get("path", "")) else "est"
            ci = f"[{fmt_stat(d, h['ci_lower'])}, {fmt_stat(d, h['ci_upper'])}]"
        beta = fmt_stat("indirect_beta" if "*" in str(h.get("path", "")) else "beta", h.get("beta", h.get("std_all")))
        ok = h.get("supported")
        decision = t("page.supported" if ok else "page.not_supported", lang)
        rows.append(f"<tr><td><b>{_e(h.get('hypothesis', ''))}</b></td><td>{_e(statement)}</td><td class=n>{beta}</td>"
                    f"<td class=n>{ci}</td><td class=nowrap>{_mark(bool(ok))} {decision}</td></tr>")
    level = round(100 * next((h.get("ci_level") for h in doc["hypotheses"] if h.get("ci_level")), 0.95))
    heads = [t("col.hypothesis", lang), t("page.statement", lang), "β", t("col.ci", lang, level=level),
             t("col.decision", lang)]
    return ("<section id=hypotheses>" + f"<h2>{t('page.hypotheses', lang)}</h2><table><tr>"
            + "".join(f"<th>{h}</th>" for h in heads) + "</tr>" + "".join(rows) + "</table>"
            + (f'<div class="figure">{inp.path_diagram_svg}</div>' if inp.path_diagram_svg else "") + "</section>")


def validity_flags(validity: dict, codebook, lang: str) -> list[str]:
    """One sentence per validity criterion that is not met (markup), from the report's own flags."""
    thr = validity.get("thresholds", {})
    out = []
    for c, con in (validity.get("constructs") or {}).items():
        flags = con.get("flags") or {}
        for stat, key in (("alpha", "alpha_min"), ("omega", "omega_min"), ("cr", "cr_min"), ("ave", "ave_min")):
            if flags.get(f"{stat}_ok") is False:
                out.append(t("page.flag_below", lang, stat=t(f"page.stat_{stat}", lang),
                             construct=_construct(codebook, c, lang), v=fmt_apart(stat, con.get(stat), thr.get(key)),
                             min=fmt_stat(stat, thr.get(key))))
        low = flags.get("low_loading_items") or []
        if low:
            loads = {it["item"]: it.get("loading_std") for it in con.get("items", [])}
            items = ", ".join(f"{i} (λ = {fmt_stat('loading', loads.get(i))})" for i in low)
            out.append(t("page.flag_loadings", lang, construct=_construct(codebook, c, lang), items=items,
                         min=fmt_stat("loading", thr.get("loading_min"))))
    for p in validity.get("discriminant") or []:
        if p.get("fornell_larcker_ok") is False:
            out.append(t("page.flag_fornell", lang, a=p["factor_a"], b=p["factor_b"],
                         r=fmt_stat("r", p.get("latent_cor"))))
        if p.get("htmt_ok") is False:
            out.append(t("page.flag_htmt", lang, a=p["factor_a"], b=p["factor_b"], v=fmt_stat("htmt", p.get("htmt")),
                         max=fmt_stat("htmt", thr.get("htmt_max"))))
    harman = ((validity.get("cmv") or {}).get("harman") or {})
    if harman.get("cmv_suspected"):
        out.append(t("page.flag_harman", lang, v=fmt_stat("variance_share", harman.get("share"))))
    return out


def _validity(inp: PageInputs) -> str:
    lang, v = inp.lang, inp.validity
    if not v:
        return ""
    flags = validity_flags(v, inp.codebook, lang)
    body = ("<ul>" + "".join(f'<li class="warn">{html_text(f)}</li>' for f in flags) + "</ul>" if flags
            else f'<p class="good">{t("page.validity_ok", lang)}</p>')
    intro = f"<p>{t('page.validity_intro', lang, k=len(flags))}</p>" if flags else ""
    return f"<section id=validity><h2>{t('page.validity', lang)}</h2>{intro}{body}</section>"


def _invariance(inp: PageInputs) -> str:
    lang = inp.lang
    if not inp.invariance:
        return ""
    rows = []
    for group, doc in inp.invariance.items():
        try:
            name = inp.codebook.label(group, lang) if inp.codebook is not None else group
        except (KeyError, AttributeError):
            name = group
        level = doc.get("supported")
        shown = t(f"inv.{level}", lang) if level in INVARIANCE_STEPS else t("page.none", lang)
        ngroups = len(doc.get("groups") or {})
        rows.append(f"<tr><td>{_e(name)}</td><td class=n>{ngroups}</td><td>{_mark(level in ('scalar', 'strict'))} "
                    f"{_e(shown)}</td></tr>")
    heads = [t("page.grouping", lang), t("page.groups", lang), t("page.level_reached", lang)]
    return ("<section id=invariance>" + f"<h2>{t('page.invariance', lang)}</h2><table><tr>"
            + "".join(f"<th>{h}</th>" for h in heads) + "</tr>" + "".join(rows) + "</table>"
            + f"<p>{t('page.invariance_note', lang)}</p></section>")


def _power(inp: PageInputs) -> str:
    lang, res = inp.lang, inp.power
    if not res or not res.get("min_n_80"):
        return ""
    grid = res.get("n") or []
    rows = []
    for label, info in res["min_n_80"].items():
        status = info.get("status")
        if info.get("n") is not None:
            n = fmt_int(info["n"])
        elif status == "below_grid":
            n = f"&lt; {fmt_int(min(grid))}" if grid else "—"
        else:
            n = f"&gt; {fmt_int(max(grid))}" if grid else "—"
        params = (res.get("results") or [{}])[0].get("parameters") or []
        param = readable_parameter(str(info.get("parameter", "")), params)
        rows.append(f"<tr><td>{_e(inp.hypothesis_names.get(label, label))}</td><td>{_e(param)}</td>"
                    f"<td class=n>{n}</td></tr>")
    heads = [t("col.hypothesis", lang), t("col.path", lang), t("page.min_n", lang, v=round(100 * res.get("target_power", .8)))]
    return ("<section id=power>" + f"<h2>{t('page.power', lang)}</h2>"
            + f"<p>{t('page.power_intro', lang, reps=res.get('reps'), grid=', '.join(map(str, grid)))}</p><table><tr>"
            + "".join(f"<th>{h}</th>" for h in heads) + "</tr>" + "".join(rows) + "</table></section>")


def _links(inp: PageInputs) -> str:
    lang = inp.lang
    items = []
    for label, title, links in inp.tables:
        fmts = " · ".join(f'<a href="{_e(href)}">{_e(fmt.upper())}</a>' for fmt, href in links.items())
        title = f" {_e(plain(title))}" if title else ""
        items.append(f"<li><b>{_e(plain(label))}.</b>{title} — {fmts}</li>")
    figs = "".join(f'<li><a href="{_e(href)}">{_e(caption)}</a></li>' for caption, href in inp.figures)
    return (f"<section id=files><h2>{t('page.files', lang)}</h2><h3>{t('page.tables', lang)}</h3>"
            f"<ul class=links>{''.join(items)}</ul><h3>{t('page.figures', lang)}</h3><ul class=links>{figs}</ul>"
            f"<p>{t('page.provenance', lang)}</p></section>")


def table_links(tables, formats, where: dict[str, str]) -> list[tuple[str, str, dict]]:
    """(label, title, {format: link}) of each table; `where`: table name -> folder relative to reports/
    ('tables/pooled'), default 'tables'."""
    fmts = list(dict.fromkeys(["html", *formats]))
    return [(tb.label, tb.title, {f: f"{where.get(tb.name, 'tables')}/{tb.name}.{f}" for f in fmts}) for tb in tables]


def figure_caption(link: str, codebook, lang: str) -> str:
    """'figures/pooled/likert_E1.png' -> 'Distribución de respuestas: Diagnóstico ... (E1)'."""
    stem = link.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem == "path_diagram":
        return t("page.fig_path", lang)
    if stem == "power_curve":
        return t("page.fig_power", lang)
    if stem.startswith("likert_"):
        return f"{t('fig.likert_title', lang)}: {_construct(codebook, stem.removeprefix('likert_'), lang)}"
    return stem


def results_page(inp: PageInputs) -> str:
    """The whole page (HTML5, inline CSS, the path diagram inline as SVG)."""
    lang = inp.lang
    n_waves = len(inp.samples)
    one = "_one" if n_waves == 1 else ""   # "1 ola", and no "all waves pooled" of a single wave
    sub = t(f"page.subtitle{one}", lang, waves=n_waves,
            firms=fmt_int(sum(s.get("rows_kept", 0) for s in inp.samples)),
            sample=_e(inp.wave_names.get(inp.sample, t(f"page.pooled{one}", lang) if inp.sample == "pooled"
                                         else inp.sample)))
    nav = " · ".join(f'<a href="#{k}">{t(f"page.{k}", lang)}</a>' for k in
                     ("sample", "fit", "hypotheses", "validity", "invariance", "power", "files"))
    body = "".join([_study(inp), _fit(inp), _hypotheses(inp), _validity(inp), _invariance(inp), _power(inp),
                    _links(inp)])
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{t('page.title', lang)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<header><h1>{t('page.title', lang)}</h1><p>{t('page.study', lang)}</p><p>{sub}</p>"
            f"<p>{nav}</p></header>\n<main>\n{body}\n<footer>{t('page.footer', lang)}</footer>\n</main>\n</body>\n</html>\n")
