"""Tables of the structural results: hypotheses, indirect effects, model comparison, invariance.

They read the JSON written by alianza.hypotheses / alianza.sem.inference.bootstrap / alianza.comparison
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
from .apa import STATISTICS, ApaTable, Column, fmt_stat, missing, stat_column
from .models import model_label
from ..invariance import index_names

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


def readable_parameter(parameter: str, params) -> str:
    """'E2 ~ E1' -> 'E1 → E2'; 'h1*h2' (labelled paths of `params`) -> 'E1 → E2 → E3'; else as given."""
    parts = str(parameter).split(" ~ ")
    if len(parts) == 2:
        return f"{parts[1].strip()} {ARROW} {parts[0].strip()}"
    return chain_path(parameter, path_labels(params)) or str(parameter)


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


def ci_method_key(text) -> str:
    """'bootstrap percentil' / 'bootstrap percentile' / 'perc' -> 'perc'; BCa -> 'bca'; Wald -> 'wald';
    '' when unknown. The results record the method in the language of the run; tables re-word it."""
    s = str(text or "").lower()
    if "bca" in s:
        return "bca"
    if "perc" in s:
        return "perc"
    if "wald" in s or "delta" in s:
        return "wald"
    return ""


def _ci_method(recs, lang) -> str:
    key = ci_method_key(next((r.get("ci_method") for r in recs if r.get("ci_method")), ""))
    return f" ({t(f'ci.{key}', lang)})" if key else ""


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
            "est": first(rec, "est"), "se": first(rec, "se"), "z": first(rec, "z"),
            "pvalue": first(rec, "pvalue"), "ci_lower": first(rec, "ci_lower"), "ci_upper": first(rec, "ci_upper"),
            "std_all": first(rec, "std_all"), "r2": first(rec, "r2_outcome"),
            "supported": _supported(first(rec, "supported", "decision")),
        })
    body = pd.DataFrame(rows)
    level = _level(doc, recs)
    # a product of paths (H6) is small: its table shows every estimate with the decimals of indirect
    # effects, so that H6 reads the same here and in the indirect-effects table
    defined = any(r.get("op") == ":=" or "*" in str(r.get("path", "")) for r in recs)
    d = STATISTICS["indirect"][0] if defined else decimals
    columns = [
        Column("hypothesis", t("col.hypothesis", lang), kind="text"),
        Column("path", t("col.path", lang), kind="text"),
        Column("est", "<i>B</i>", decimals=d),
        Column("se", _se(lang), decimals=d),
        Column("std_all", "β", kind="bounded", decimals=d),
        Column("pvalue", "<i>p</i>", kind="p"),
        Column(("ci_lower", "ci_upper"), t("col.ci", lang, level=level), kind="ci", decimals=d,
               csv_header=["ci_lower", "ci_upper"]),
    ]
    if len(body) and body["r2"].notna().any():
        columns.append(stat_column("r2", "<i>R</i>²", "r2"))
    columns.append(Column("supported", t("col.supported", lang), kind="bool", align="c"))
    n = doc.get("n") if isinstance(doc, dict) else None
    note = t("note.hypotheses", lang, n=n if n is not None else "—", level=level)
    note = note[:-1] + _ci_method(recs, lang) + "." if _ci_method(recs, lang) else note
    boot = ci_method_key(next((r.get("ci_method") for r in recs if r.get("ci_method")), "")) in ("perc", "bca")
    note += " " + t("note.hypotheses_test_boot" if boot else "note.hypotheses_test_wald", lang)
    if "r2" in [c.key for c in columns]:
        note += " " + t("note.r2_outcome", lang)
    leg = legend(codebook, " ".join(body["path"]) if len(body) else "", lang)
    if leg:
        note += " " + leg + "."
    return ApaTable(name="hypotheses", title=t("title.hypotheses", lang), columns=columns, body=body, lang=lang,
                    notes=[note], decimals=decimals, p_decimals=p_decimals)


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
            **{k: first(rec, k) for k in ("est", "se", "pvalue", "ci_lower", "ci_upper", "std_all", "ci_lower_bca",
                                          "ci_upper_bca")},
        })
    body = pd.DataFrame(rows, columns=["effect", "path", "est", "se", "pvalue", "ci_lower", "ci_upper", "std_all",
                                       "ci_lower_bca", "ci_upper_bca"])
    level = _level(doc, recs)
    d3 = max(decimals, 3)  # products of paths are small: one more decimal
    bca = bool(len(body)) and body["ci_lower_bca"].notna().any()
    columns = [
        Column("effect", t("col.effect", lang), kind="text"),
        Column("path", t("col.path", lang), kind="text"),
        Column("est", "<i>B</i>", decimals=d3),
        Column("se", _se(lang), decimals=d3),
    ]
    if len(body) and body["std_all"].notna().any():
        columns.append(Column("std_all", "β", kind="bounded", decimals=d3))
    ci = t("col.ci", lang, level=level)
    if bca:  # both bootstrap intervals, under one spanner (as in the effects table)
        columns += [Column(("ci_lower", "ci_upper"), t("ci.perc_short", lang).capitalize(), kind="ci", decimals=d3,
                           spanner=ci, csv_header=["ci_lower", "ci_upper"]),
                    Column(("ci_lower_bca", "ci_upper_bca"), "BCa", kind="ci", decimals=d3, spanner=ci,
                           csv_header=["ci_lower_bca", "ci_upper_bca"])]
    else:
        columns.append(Column(("ci_lower", "ci_upper"), ci, kind="ci", decimals=d3, csv_header=["ci_lower", "ci_upper"]))
    d = doc if isinstance(doc, dict) else {}
    key = ci_method_key(d.get("ci_type") or next((r.get("ci_method") for r in recs if r.get("ci_method")), "perc"))
    boot = d.get("bootstrap") if isinstance(d.get("bootstrap"), dict) else {}
    if key == "wald":
        note = t("note.indirect_effects_wald", lang, n=d.get("n", "—"), level=level)
    else:
        note = t("note.indirect_effects", lang, n=d.get("n", "—"), level=level,
                 n_boot=d.get("n_boot", boot.get("n_boot", boot.get("R", "—"))),
                 seed=d.get("seed", boot.get("seed", "—")),
                 ci_type=t("ci.perc_bca_short" if bca else f"ci.{key or 'perc'}_short", lang))
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
        note = f"{note} {robust.correction_note([doc.get('estimator')], lang, scaled_indices=k['cfi'].endswith('_scaled'), scaling_factor=False)}".strip()
    note = f"{note} {robust.difference_note(recs, lang)}".strip()
    raw = body.drop(columns=["label", "against_label"])
    return ApaTable(name="model_comparison", title=t("title.model_comparison", lang), columns=columns, body=body,
                    lang=lang, notes=[note], decimals=decimals, p_decimals=p_decimals, raw=raw,
                    landscape=len(columns) > 8)


INVARIANCE_STEPS = ("configural", "metric", "scalar", "strict")


def invariance(doc: dict, codebook, lang: str, *, decimals: int = 3, p_decimals: int = 3,
               value_labels: dict | None = None) -> ApaTable:
    """reports/invariance/<group>.json: fit of every step, its change against the previous step, decision.
    `value_labels`: display names of the groups (the waves' labels when the group is the wave)."""
    group = doc.get("group", "")
    comps = {c["model"]: c for c in doc.get("comparisons", [])}
    freed: dict[str, list[str]] = {}
    for f in doc.get("freed", []):
        freed.setdefault(f["step"], []).append(f["parameter"])
    rows = []
    k = index_names(doc)
    for step, m in doc.get("models", {}).items():
        fit = m.get("fit", {})
        c = comps.get(step)
        untested = bool(c) and c.get("decision") == "not tested"
        # a step that adds no constraint has no difference to show: its zero Δs would read as "no change"
        shown = c if c and not untested else {}
        label = t(f"inv.{step}", lang) if step in INVARIANCE_STEPS else step
        if freed.get(step):
            label += f" ({t('partial', lang).lower()})"
        rows.append({
            "step": step, "label": label,
            **{c: fit.get(c) for c in (k["chisq"], k["df"], k["cfi"], k["rmsea"], "srmr")},
            **{key: shown.get(key) for key in ("chisq_diff", "df_diff", "pvalue", "delta_cfi", "delta_rmsea",
                                               "delta_srmr")},
            "decision": (t("inv.not_tested" if untested else
                           "inv.held" if c.get("pass") else "inv.not_held", lang)) if c else "",
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
    gname = group_name(codebook, group, lang)
    groups = doc.get("groups") or {}
    listed = ", ".join(f"{(value_labels or {}).get(g) or group_value(codebook, group, g, lang)} (<i>n</i> = {n})"
                       for g, n in groups.items())
    rules = (doc.get("rules") or {}).get("rules", doc.get("rules") or {})
    note = t("note.invariance", lang, criteria=invariance_criteria(rules, lang))
    if listed:
        note = f"{gname}: {listed}. " + note
    for step, names in freed.items():
        note += f" {t(f'inv.{step}', lang) if step in INVARIANCE_STEPS else step}: {', '.join(names)}."
    for extra in doc.get("notes", []) or []:
        note += " " + invariance_note(extra, codebook, lang)
    estimator = doc.get("estimator") or next((m.get("estimator") for m in doc.get("models", {}).values()
                                              if m.get("estimator")), None)
    note = f"{note} {robust.correction_note([estimator], lang, scaled_indices=k['cfi'].endswith('_scaled'), scaling_factor=False)}".strip()
    note = f"{note} {robust.difference_note(doc.get('comparisons', []), lang)}".strip()
    raw = body.drop(columns=["label"])
    title = t("title.invariance", lang, group=gname.lower() if lang == "es" else gname)
    return ApaTable(name=f"invariance_{group}", title=title,
                    columns=columns, body=body, lang=lang, notes=[note], decimals=decimals, p_decimals=p_decimals,
                    raw=raw, landscape=True)


# (symbol, comparison) of each rule of alianza.invariance (config invariance.rules)
_RULE_SYMBOLS = {"delta_cfi": ("ΔCFI", "≥"), "delta_rmsea": ("ΔRMSEA", "≤"), "delta_srmr": ("ΔSRMR", "≤"),
                 "chisq_alpha": ("<i>p</i>(Δχ²)", "≥"), "chisq_p_min": ("<i>p</i>(Δχ²)", "≥")}


def invariance_criteria(rules: dict, lang: str) -> str:
    """'metric: ΔCFI ≥ −.010, ΔRMSEA ≤ .015 and ΔSRMR ≤ .030; scalar and strict: ...' -- every rule
    the decisions used, steps with the same rule listed together."""
    if not isinstance(rules, dict):
        return ""
    joiner = f" {t('or' if rules.get('combine') == 'any' else 'and', lang)} "
    by_rule: dict[str, list[str]] = {}
    for step in INVARIANCE_STEPS[1:]:
        rule = rules.get(step)
        if not isinstance(rule, dict):
            continue
        parts = [f"{sym} {op} {fmt_stat(key if key != 'chisq_alpha' else 'p', rule[key])}"
                 for key, (sym, op) in _RULE_SYMBOLS.items() if rule.get(key) is not None]
        if parts:
            text = ", ".join(parts[:-1]) + joiner + parts[-1] if len(parts) > 1 else parts[0]
            by_rule.setdefault(text, []).append(t(f"inv.{step}_short", lang))
    return "; ".join(f"{(' ' + t('and', lang) + ' ').join(steps)}: {text}"
                     for text, steps in by_rule.items())


# The free-text notes of alianza.invariance (English) and their catalogue entries: the table re-words them.
_NOTE_PATTERNS = (
    (r"groups (?P<groups>.+) of '(?P<group>\w+)' \(N < (?P<min>\d+)\) merged into '(?P<other>.+)' \(N = (?P<n>\d+)\)",
     "inv.note_merged"),
    (r"groups (?P<groups>.+) of '(?P<group>\w+)' \(N = (?P<n>\d+) together, below min_group_n = (?P<min>\d+)\) "
     r"left out", "inv.note_left_out"),
    (r"groups (?P<groups>.+) of '(?P<group>\w+)' are smaller than min_group_n = (?P<min>\d+) and were left out",
     "inv.note_skipped"),
    (r"(?P<step>\w+) invariance is not supported(?P<freed> even after freeing parameters)?; later steps are "
     r"reported but rest on a failed \w+ step", "inv.note_failed"),
    (r"the (?P<step>\w+) model did not converge", "inv.note_not_converged"),
    (r"latent means are not compared: scalar invariance \(full or partial\) does not hold", "inv.note_no_means"),
    (r"(?P<step>\w+) adds no equality constraint to (?P<prev>\w+)(?P<why> \(ordered items under the delta "
     r"parameterization [^)]*\))?: the step is not tested", "inv.note_untested"),
)


def invariance_note(text: str, codebook, lang: str) -> str:
    """One note of an invariance result in `lang`, group codes as their labels; a note of unknown
    shape is kept as written."""
    for pattern, key in _NOTE_PATTERNS:
        m = re.fullmatch(pattern, str(text).strip().rstrip("."))
        if not m:
            continue
        f = m.groupdict()
        if "groups" in f:
            g = f["group"]
            f["groups"] = ", ".join(group_value(codebook, g, v.split(" (")[0], lang) for v in f["groups"].split(", "))
            f["group"] = group_name(codebook, g, lang)
        for level in ("step", "prev"):
            if level in f:
                f[level] = t(f"inv.{f[level]}_short", lang) if f[level] in INVARIANCE_STEPS else f[level]
        if "step" in f:
            f["freed"] = t("inv.note_even_freed", lang) if f.get("freed") else ""
            f["why"] = t("inv.note_untested_delta", lang) if f.get("why") else ""
        out = t(key, lang, **f)
        return out[0].upper() + out[1:]
    return str(text).rstrip(".") + "."


def group_name(codebook, group: str, lang: str) -> str:
    try:
        return codebook.label(group, lang)
    except (KeyError, AttributeError):
        return group


def group_value(codebook, group: str, value, lang: str) -> str:
    """Code -> category label for a coded context variable ('2' -> 'Servicios'); anything else as is."""
    try:
        var = codebook.variable(group)
        code = int(float(value))
        if code in var.code_labels:
            return var.code_labels[code][lang]
    except (KeyError, AttributeError, ValueError, TypeError):
        pass
    return str(value)

