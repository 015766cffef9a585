"""Tables of the structural results: hypotheses, indirect effects, model comparison, invariance.

They read the JSON written by alianza.hypotheses / alianza.sem.bootstrap / alianza.comparison
and alianza.invariance as it is, with lavaan's column names (est, se, z, pvalue, ci_lower,
ci_upper, std_all) and fit-measure names; nothing is recomputed. The readers accept a list of
records or a mapping holding one (under "hypotheses", "effects", "comparisons", ...), and
paths given either as text ("E1 -> E2") or as lhs/op/rhs.
"""
from __future__ import annotations

import re

import pandas as pd

from ..i18n import t
from . import robust
from .apa import ApaTable, Column, fmt_bounded, missing
from .models import model_label

ARROW = "\u2192"


RECORD_KEYS = ("hypotheses", "effects", "indirect", "defined", "comparisons", "comparison", "table", "rows",
               "results", "tests")


def records(doc, *keys: str) -> list[dict]:
    """The list of records in `doc`: doc itself when a list, else the first of `keys` present."""
    if isinstance(doc, list):
        return doc
    for k in keys + RECORD_KEYS:
        v = doc.get(k)
        if isinstance(v, list):
            return v
        if isinstance(v, dict) and v and all(isinstance(x, dict) for x in v.values()):  # {name: record}
            return [{"name": name, **rec} for name, rec in v.items()]
    raise KeyError(f"no list of records under any of {', '.join(keys + RECORD_KEYS)}")


def first(rec: dict, *keys, default=None):
    for k in keys:
        if k in rec and not missing(rec[k]):
            return rec[k]
    return default


def path_text(rec: dict) -> str:
    """'E1 → E2' from a 'path' string ('E1 -> E2', 'E1->E2->CO') or from lhs ~ rhs."""
    p = first(rec, "path", "effect_path")
    if isinstance(p, list):
        return f" {ARROW} ".join(map(str, p))
    if isinstance(p, str) and p:
        return re.sub(r"\s*-+>\s*", f" {ARROW} ", p)
    lhs, op, rhs = rec.get("lhs"), rec.get("op"), rec.get("rhs")
    if op == "~":
        return f"{rhs} {ARROW} {lhs}"
    if lhs and rhs:
        return f"{lhs} {op} {rhs}"
    return str(first(rec, "label", "name", default=""))


def path_labels(params) -> dict[str, tuple[str, str]]:
    """Label -> (predictor, outcome) of the labelled regressions of a parameter table (records)."""
    return {p["label"]: (p["rhs"], p["lhs"]) for p in params or [] if p.get("op") == "~" and p.get("label")}


def chain_path(expr: str, labels: dict[str, tuple[str, str]]) -> str:
    """'h1*h2*h3' whose labelled paths join up -> 'E1 → E2 → E3 → E4'; '' when they do not."""
    parts = [x.strip() for x in str(expr).split("*")]
    if len(parts) < 2 or any(x not in labels for x in parts):
        return ""
    nodes = [labels[parts[0]][0]]
    for x in parts:
        if labels[x][0] != nodes[-1]:
            return ""
        nodes.append(labels[x][1])
    return f" {ARROW} ".join(nodes)


def defined_path(rec: dict, labels: dict[str, tuple[str, str]]) -> str:
    """The chain of a defined effect, given as op ':=' with rhs, or as a path/definition 'h1*h2*...'."""
    for expr in (rec.get("rhs") if rec.get("op") == ":=" else None, rec.get("definition"), rec.get("path")):
        if isinstance(expr, str) and "*" in expr and "->" not in expr:
            chain = chain_path(expr, labels)
            if chain:
                return chain
    return ""


def legend(codebook, text: str, lang: str) -> str:
    """'E1 = Diagnóstico y decisión de aliarse; ...' for the construct codes that occur in `text`."""
    if codebook is None:
        return ""
    used = [c for c in codebook.constructs if re.search(rf"\b{re.escape(c)}\b", text)]
    name = (lambda c: codebook.construct_label(c, lang).lower()) if lang == "es" else codebook.construct_label
    return "; ".join(f"{c} = {name(c) if lang == 'es' else name(c, lang)}" for c in used)


def _se(lang: str) -> str:
    return "<i>EE</i>" if lang == "es" else "<i>SE</i>"


def _level(doc, recs=(), default=0.95) -> int:
    lv = doc.get("level") if isinstance(doc, dict) else None
    lv = lv or next((r.get("ci_level") for r in recs if r.get("ci_level")), None) or default
    return round(100 * lv)


def _supported(value) -> bool | None:
    if isinstance(value, str):
        return value.lower() in ("supported", "yes", "true", "sí", "si", "apoyada")
    return None if missing(value) else bool(value)


def _ci_method(recs, lang) -> str:
    method = next((r.get("ci_method") for r in recs if r.get("ci_method")), "")
    return f" ({method})" if method else ""


def hypotheses(doc, codebook, lang: str, *, decimals: int = 2, p_decimals: int = 3, params=None) -> ApaTable:
    """Hypothesis, path, B, SE, beta, p, CI, supported.

    Reads alianza.hypotheses' records (B, beta, path 'E1 -> E2', supported) or parameter-table
    records (est, std_all, lhs/op/rhs). `params`: the model's parameter table, to spell out the
    chain of a defined effect ('h1*h2*...' -> 'E1 → E2 → ...')."""
    recs = records(doc, "hypotheses")
    labels = path_labels(params)
    labels.update(path_labels(recs))
    for r in recs:  # alianza.hypotheses gives 'parameter' (the label) and 'path' ('E1 -> E2')
        m = re.fullmatch(r"\s*(\S+)\s*-+>\s*(\S+)\s*", str(r.get("path", "")))
        if r.get("parameter") and m:
            labels.setdefault(r["parameter"], (m.group(1), m.group(2)))
    rows = []
    for rec in recs:
        rows.append({
            "hypothesis": str(first(rec, "hypothesis", "id", "name", "label", default="")),
            "path": defined_path(rec, labels) or path_text(rec),
            "est": first(rec, "est", "B"), "se": first(rec, "se"), "z": first(rec, "z"),
            "pvalue": first(rec, "pvalue"), "ci_lower": first(rec, "ci_lower"), "ci_upper": first(rec, "ci_upper"),
            "std_all": first(rec, "std_all", "beta"),
            "supported": _supported(first(rec, "supported", "decision")),
        })
    body = pd.DataFrame(rows)
    level = _level(doc, recs)
    columns = [
        Column("hypothesis", t("col.hypothesis", lang), kind="text"),
        Column("path", t("col.path", lang), kind="text"),
        Column("est", "<i>B</i>", decimals=decimals),
        Column("se", _se(lang)),
        Column("std_all", "β", kind="bounded", stars_from="pvalue"),
        Column("pvalue", "<i>p</i>", kind="p"),
        Column(("ci_lower", "ci_upper"), t("col.ci", lang, level=level), kind="ci",
               csv_header=["ci_lower", "ci_upper"]),
        Column("supported", t("col.supported", lang), kind="bool", align="c"),
    ]
    n = doc.get("n") if isinstance(doc, dict) else None
    note = t("note.hypotheses", lang, n=n if n is not None else "—", level=level)
    note = note[:-1] + _ci_method(recs, lang) + "." if _ci_method(recs, lang) else note
    leg = legend(codebook, " ".join(body["path"]) if len(body) else "", lang)
    if leg:
        note += " " + leg + "."
    return ApaTable(name="hypotheses", title=t("title.hypotheses", lang), columns=columns, body=body, lang=lang,
                    notes=[note, t("note.p_stars", lang)], decimals=decimals, p_decimals=p_decimals)


def indirect_effects(doc, codebook, lang: str, *, decimals: int = 2, params=None) -> ApaTable:
    """Effect, path, B, (bootstrap) SE, beta, CI. Reads alianza.hypotheses.effects_table records
    (effect, definition, est, std_all, se, ci_lower, ci_upper, ci_level, ci_method) or records
    with a 'path'; `params` spells out the chain of 'h1*h2*...'."""
    recs = records(doc, "effects", "indirect", "defined")
    labels = path_labels(params)
    rows = []
    for rec in recs:
        path = defined_path(rec, labels)
        if not path:
            path = path_text(rec) if first(rec, "path") else str(first(rec, "definition", "expr", "rhs", default=""))
            path = path.replace("*", " × ")
        rows.append({
            "effect": str(first(rec, "effect", "name", "label", "lhs", default="")), "path": path,
            **{k: first(rec, k) for k in ("est", "se", "pvalue", "ci_lower", "ci_upper", "std_all")},
        })
    body = pd.DataFrame(rows)
    level = _level(doc, recs)
    d3 = max(decimals, 3)  # products of paths are small: one more decimal
    columns = [
        Column("effect", t("col.effect", lang), kind="text"),
        Column("path", t("col.path", lang), kind="text"),
        Column("est", "<i>B</i>", decimals=d3),
        Column("se", _se(lang), decimals=d3),
    ]
    if len(body) and body["std_all"].notna().any():
        columns.append(Column("std_all", "β", kind="bounded", decimals=d3))
    columns.append(Column(("ci_lower", "ci_upper"), t("col.ci", lang, level=level), kind="ci", decimals=d3,
                          csv_header=["ci_lower", "ci_upper"]))
    d = doc if isinstance(doc, dict) else {}
    method = str(d.get("ci_type") or next((r.get("ci_method") for r in recs if r.get("ci_method")), "percentile"))
    key = method.lower().replace("bootstrap", "").strip()
    names = {"es": {"percentile": "percentil", "percentil": "percentil", "bca": "BCa", "bc": "BC"},
             "en": {"percentile": "percentile", "percentil": "percentile", "bca": "BCa"}}
    boot = d.get("bootstrap") if isinstance(d.get("bootstrap"), dict) else {}
    if key == "wald":
        note = t("note.indirect_effects_wald", lang, n=d.get("n", "—"), level=level)
    else:
        note = t("note.indirect_effects", lang, n=d.get("n", "—"), level=level,
                 n_boot=d.get("n_boot", boot.get("n_boot", boot.get("R", "—"))),
                 seed=d.get("seed", boot.get("seed", "—")), ci_type=names.get(lang, {}).get(key, method))
    leg = legend(codebook, " ".join(body["path"]) if len(body) else "", lang)
    if leg:
        note += " " + leg + "."
    return ApaTable(name="indirect_effects", title=t("title.indirect_effects", lang), columns=columns, body=body,
                    lang=lang, notes=[note], decimals=decimals)


def model_comparison(doc, lang: str, *, labels: dict | None = None, decimals: int = 2,
                     p_decimals: int = 3) -> ApaTable:
    """Alternative models side by side: fit, differences in AIC/BIC, and the nested difference test.

    Reads alianza.comparison.comparison_table records (model, chisq, df, cfi, rmsea, delta_aic,
    delta_bic, compared_with, chisq_diff, df_diff, pvalue_diff) or comparison records (model,
    against, chisq_diff, df_diff, pvalue, delta_cfi, ...); columns with no value are left out."""
    rows = []
    recs = records(doc, "comparisons", "comparison", "table")
    # under MLR/WLSMV the scaled chi-square and robust indices, under lavaan's names (tables.robust)
    k = next((robust.shown_names(r) for r in recs if robust.is_scaled(r)), robust.shown_names(None))
    for rec in recs:
        model = str(first(rec, "model", "name", default=""))
        against = first(rec, "compared_with", "against", "reference", "baseline")
        rows.append({
            "model": model, "label": model_label(model, labels, lang),
            "against": against, "against_label": f"vs. {model_label(str(against), labels, lang)}" if against else None,
            **{c: first(rec, c) for c in (k["chisq"], k["df"], k["cfi"], k["rmsea"], "srmr", "aic", "bic")},
            "delta_aic": first(rec, "delta_aic", "aic_diff"), "delta_bic": first(rec, "delta_bic", "bic_diff"),
            "chisq_diff": first(rec, "chisq_diff", "delta_chisq"), "df_diff": first(rec, "df_diff", "delta_df"),
            "pvalue": first(rec, "pvalue_diff", "pvalue", "p") if against else None,
            "delta_cfi": first(rec, "delta_cfi", "cfi_diff"),
        })
    body = pd.DataFrame(rows)
    gl = "<i>gl</i>" if lang == "es" else "<i>df</i>"
    candidates = [
        Column("label", t("col.model", lang), kind="text", width=1.9),
        Column(k["chisq"], "χ²"),
        Column(k["df"], gl, kind="int", thousands=False),
        Column(k["cfi"], "CFI", kind="bounded", decimals=3),
        Column(k["rmsea"], "RMSEA", kind="bounded", decimals=3),
        Column("delta_aic", "ΔAIC"),
        Column("delta_bic", "ΔBIC"),
        Column("against_label", t("col.comparison", lang), kind="text"),
        Column("chisq_diff", "Δχ²"),
        Column("df_diff", f"Δ{gl}", kind="int", thousands=False),
        Column("pvalue", "<i>p</i>", kind="p"),
        Column("delta_cfi", "ΔCFI", kind="bounded", decimals=3),
    ]
    columns = [c for c in candidates if c.key == "label" or (c.key in body and body[c.key].notna().any())]
    n = doc.get("n") if isinstance(doc, dict) else None
    note = t("note.model_comparison", lang, n=n if n is not None else "—")
    if isinstance(doc, dict):
        note = f"{note} {robust.correction_note([doc.get('estimator')], lang)}".strip()
    raw = body.drop(columns=["label", "against_label"])
    return ApaTable(name="model_comparison", title=t("title.model_comparison", lang), columns=columns, body=body,
                    lang=lang, notes=[note], decimals=decimals, p_decimals=p_decimals, raw=raw,
                    landscape=len(columns) > 8)


INVARIANCE_STEPS = ("configural", "metric", "scalar", "strict")


def invariance(doc: dict, codebook, lang: str, *, decimals: int = 3, p_decimals: int = 3) -> ApaTable:
    """reports/invariance/<group>.json: fit of every step, its change against the previous step, decision."""
    group = doc.get("group", "")
    comps = {c["model"]: c for c in doc.get("comparisons", [])}
    freed: dict[str, list[str]] = {}
    for f in doc.get("freed", []):
        freed.setdefault(f["step"], []).append(f["parameter"])
    rows = []
    fits = [m.get("fit", {}) for m in doc.get("models", {}).values()]
    k = next((robust.shown_names(f) for f in fits if robust.is_scaled(f)), robust.shown_names(None))
    for step, m in doc.get("models", {}).items():
        fit = m.get("fit", {})
        c = comps.get(step)
        label = t(f"inv.{step}", lang) if step in INVARIANCE_STEPS else step
        if freed.get(step):
            label += f" ({t('partial', lang).lower()})"
        rows.append({
            "step": step, "label": label,
            **{c: fit.get(c) for c in (k["chisq"], k["df"], k["cfi"], k["rmsea"], "srmr")},
            "chisq_diff": c.get("chisq_diff") if c else None, "df_diff": c.get("df_diff") if c else None,
            "pvalue": c.get("pvalue") if c else None, "delta_cfi": c.get("delta_cfi") if c else None,
            "delta_rmsea": c.get("delta_rmsea") if c else None, "delta_srmr": c.get("delta_srmr") if c else None,
            "decision": (t("inv.held" if c.get("pass") else "inv.not_held", lang)) if c else "",
            "freed": ", ".join(freed.get(step, [])),
        })
    body = pd.DataFrame(rows)
    gl = "<i>gl</i>" if lang == "es" else "<i>df</i>"
    columns = [
        Column("label", t("col.level", lang), kind="text"),
        Column(k["chisq"], "χ²", decimals=2),
        Column(k["df"], gl, kind="int", thousands=False),
        Column(k["cfi"], "CFI", kind="bounded"),
        Column(k["rmsea"], "RMSEA", kind="bounded"),
        Column("srmr", "SRMR", kind="bounded"),
        Column("chisq_diff", "Δχ²", decimals=2),
        Column("df_diff", f"Δ{gl}", kind="int", thousands=False),
        Column("pvalue", "<i>p</i>", kind="p"),
        Column("delta_cfi", "ΔCFI", kind="bounded"),
        Column("delta_rmsea", "ΔRMSEA", kind="bounded"),
        Column("delta_srmr", "ΔSRMR", kind="bounded"),
        Column("decision", t("col.decision", lang), kind="text"),
    ]
    group_name = _group_name(codebook, group, lang)
    groups = doc.get("groups") or {}
    listed = ", ".join(f"{_group_value(codebook, group, g, lang)} (<i>n</i> = {n})" for g, n in groups.items())
    rules = (doc.get("rules") or {}).get("rules", doc.get("rules") or {})
    metric = rules.get("metric", {}) if isinstance(rules, dict) else {}
    note = t("note.invariance", lang, dcfi=fmt_bounded(metric.get("delta_cfi", -0.01), 3),
             drmsea=fmt_bounded(metric.get("delta_rmsea", 0.015), 3))
    if listed:
        note = f"{group_name}: {listed}. " + note
    for step, names in freed.items():
        note += f" {t(f'inv.{step}', lang) if step in INVARIANCE_STEPS else step}: {', '.join(names)}."
    for extra in doc.get("notes", []) or []:
        note += f" {extra}"
    note = f"{note} {robust.correction_note([doc.get('estimator')], lang)}".strip()
    raw = body.drop(columns=["label"])
    title = t("title.invariance", lang, group=group_name.lower() if lang == "es" else group_name)
    return ApaTable(name=f"invariance_{group}", title=title,
                    columns=columns, body=body, lang=lang, notes=[note], decimals=decimals, p_decimals=p_decimals,
                    raw=raw, landscape=True)


def _group_name(codebook, group: str, lang: str) -> str:
    try:
        return codebook.label(group, lang)
    except (KeyError, AttributeError):
        return group


def _group_value(codebook, group: str, value, lang: str) -> str:
    """Code -> category label for a coded context variable ('2' -> 'Servicios'); anything else as is."""
    try:
        var = codebook.variable(group)
        code = int(float(value))
        if code in var.code_labels:
            return var.code_labels[code][lang]
    except (KeyError, AttributeError, ValueError, TypeError):
        pass
    return str(value)

