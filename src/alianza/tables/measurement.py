"""Tables of the measurement model: item descriptives, reliability, discriminant validity, CFA loadings.

Inputs are the scale-validation report (reports/validity/<sample>.json, alianza.validity)
and a fitted model's JSON (parameter table with lavaan's names); nothing is recomputed.
"""
from __future__ import annotations

import pandas as pd

from ..i18n import t
from .apa import DASH, GROUP, ApaTable, Column, fmt_bounded, fmt_num, fmt_p_text, fmt_stat, missing


def construct_name(codebook, construct: str, lang: str) -> str:
    """'Diagnóstico y decisión de aliarse (E1)'; a factor the codebook does not know keeps its id."""
    if codebook is not None and construct in codebook.constructs:
        return f"{codebook.construct_label(construct, lang)} ({construct})"
    return construct


def _threshold(x: float) -> str:
    return fmt_bounded(x, 2)


def item_descriptives(validity: dict, codebook, lang: str, *, decimals: int = 2) -> ApaTable:
    """One row per item under its construct: wording, M, SD, skewness, kurtosis, r_it, alpha if deleted."""
    rows = []
    for f, con in validity["constructs"].items():
        for it in con["items"]:
            item = it["item"]
            try:
                var = codebook.variable(item)
                wording = var.label[lang] + (" " + t("reverse_mark", lang) if var.reverse else "")
            except KeyError:
                wording = item
            rows.append({GROUP: construct_name(codebook, f, lang), "construct": f, "item": item, "wording": wording,
                         **{k: it.get(k) for k in ("n", "mean", "sd", "skew", "kurtosis", "r_drop", "alpha_drop")}})
    body = pd.DataFrame(rows)
    columns = [
        Column("item", t("col.item", lang), kind="text"),
        Column("wording", t("col.wording", lang), kind="text", width=3.3),
        Column("mean", "<i>M</i>"),
        Column("sd", "<i>DE</i>" if lang == "es" else "<i>SD</i>"),
        Column("skew", t("col.skew", lang)),
        Column("kurtosis", t("col.kurtosis", lang)),
        Column("r_drop", t("col.r_drop", lang), kind="bounded"),
        Column("alpha_drop", t("col.alpha_drop", lang), kind="bounded"),
    ]
    n = validity.get("n_rows")
    ns = body["n"].dropna()
    n_text = str(n)
    if len(ns) and (ns.min() != ns.max() or ns.max() != n):
        n_text += f" (<i>n</i> = {int(ns.min())}–{int(ns.max())})"
    lo, hi, lo_label, hi_label = _scale_ends(codebook, body["item"].tolist(), lang)
    notes = [t("note.item_descriptives", lang, n=n_text, lo=lo, hi=hi, lo_label=lo_label, hi_label=hi_label)]
    raw = body.drop(columns=[GROUP])
    return ApaTable(name="item_descriptives", title=t("title.item_descriptives", lang), columns=columns, body=body,
                    lang=lang, notes=notes, decimals=decimals, raw=raw, landscape=True)


def _scale_ends(codebook, items, lang):
    try:
        var = codebook.variable(items[0])
        codes = sorted(var.code_labels)
        return codes[0], codes[-1], var.code_labels[codes[0]][lang].lower(), var.code_labels[codes[-1]][lang].lower()
    except (KeyError, IndexError, AttributeError):
        return "", "", "", ""


def reliability(validity: dict, codebook, lang: str, *, decimals: int = 2) -> ApaTable:
    """Construct, k, alpha [CI], omega, CR, AVE (semTools definitions, computed by alianza.validity)."""
    rows = []
    for f, con in validity["constructs"].items():
        ci = con.get("alpha_ci") or [None, None]
        rows.append({"construct": f, "name": construct_name(codebook, f, lang), "k": con["n_items"],
                     "alpha": con["alpha"], "alpha_ci_lower": ci[0], "alpha_ci_upper": ci[1],
                     "omega": con["omega"], "cr": con["cr"], "ave": con["ave"]})
    body = pd.DataFrame(rows)
    level = round(100 * validity.get("level", 0.95))
    columns = [
        Column("name", t("col.construct", lang), kind="text"),
        Column("k", t("col.k", lang), kind="int"),
        Column("alpha", "α", kind="bounded"),
        Column(("alpha_ci_lower", "alpha_ci_upper"), t("col.ci", lang, level=level) + " α", kind="ci",
               leading_zero=False, csv_header=["alpha_ci_lower", "alpha_ci_upper"]),
        Column("omega", "ω", kind="bounded"),
        Column("cr", "CR", kind="bounded"),
        Column("ave", "AVE", kind="bounded"),
    ]
    thr = validity.get("thresholds", {})
    notes = [t("note.reliability", lang, n=validity.get("n_complete"), level=level,
               alpha_min=_threshold(thr.get("alpha_min", 0.70)), ave_min=_threshold(thr.get("ave_min", 0.50)))]
    raw = body.drop(columns=["name"])
    return ApaTable(name="reliability", title=t("title.reliability", lang), columns=columns, body=body, lang=lang,
                    notes=notes, decimals=decimals, raw=raw)


def discriminant(validity: dict, codebook, lang: str, *, decimals: int = 2) -> ApaTable:
    """Fornell-Larcker matrix (sqrt AVE on the diagonal, latent correlations below) with HTMT above.

    HTMT can exceed 1, so APA keeps its leading zero while the correlations and
    sqrt(AVE) below and on the diagonal drop it.
    """
    fl = validity["fornell_larcker"]
    htmt = validity["htmt"]
    names = list(validity["constructs"])
    rows = []
    for i, a in enumerate(names):
        row = {"name": f"{i + 1}. {construct_name(codebook, a, lang)}"}
        for j, b in enumerate(names):
            if i == j:
                v = fl[a][a]
                row[f"c{j}"] = DASH if missing(v) else f"<b>{fmt_bounded(v, decimals)}</b>"
            elif j < i:
                row[f"c{j}"] = fmt_bounded(fl[a][b], decimals)
            else:
                row[f"c{j}"] = fmt_num(htmt[a][b], decimals)
        rows.append(row)
    body = pd.DataFrame(rows)
    columns = [Column("name", t("col.construct", lang), kind="text")]
    columns += [Column(f"c{j}", str(j + 1), kind="text", align="r") for j in range(len(names))]
    thr = validity.get("thresholds", {})
    note = t("note.discriminant", lang, n=validity.get("n_complete"), htmt_max=fmt_num(thr.get("htmt_max", 0.85), 2))
    pairs = validity.get("discriminant") or []
    uppers = [p["htmt_ci_upper"] for p in pairs if not missing(p.get("htmt_ci_upper"))]
    if uppers and validity.get("n_boot"):
        note += t("note.discriminant_ci", lang, level=round(100 * validity.get("level", 0.95)),
                  n_boot=validity["n_boot"], upper=fmt_num(max(uppers), decimals))
    raw_rows = []
    for p in pairs:
        a, b = p["factor_a"], p["factor_b"]
        raw_rows.append({"construct_a": a, "construct_b": b, "latent_cor": p.get("latent_cor"),
                         "htmt": p.get("htmt"), "htmt2": p.get("htmt2"), "htmt_ci_lower": p.get("htmt_ci_lower"),
                         "htmt_ci_upper": p.get("htmt_ci_upper"), "sqrt_ave_a": fl[a][a], "sqrt_ave_b": fl[b][b],
                         "fornell_larcker_ok": p.get("fornell_larcker_ok"), "htmt_ok": p.get("htmt_ok")})
    raw = pd.DataFrame(raw_rows) if raw_rows else None
    return ApaTable(name="discriminant", title=t("title.discriminant", lang), columns=columns, body=body,
                    lang=lang, notes=[note], decimals=decimals, raw=raw, landscape=len(names) > 5)


def cfa_loadings(model: dict, codebook, lang: str, *, decimals: int = 2, p_decimals: int = 3) -> ApaTable:
    """Loadings (=~ rows of the parameter table): B, SE, z, p and the standardized loading, by construct."""
    params = pd.DataFrame(model["parameters"])
    load = params[params["op"] == "=~"].copy()
    load[GROUP] = [construct_name(codebook, f, lang) for f in load["lhs"]]
    raw = load[["lhs", "rhs", "est", "se", "z", "pvalue", "std_all"]]
    raw = raw.rename(columns={"lhs": "construct", "rhs": "item"})
    fixed = load["se"].fillna(0).eq(0) & load["z"].isna()
    for col in ("se", "z", "pvalue"):
        load.loc[fixed, col] = float("nan")  # a fixed loading has no sampling error: em dash, not 0.00
    body = load[[GROUP, "lhs", "rhs", "est", "se", "z", "pvalue", "std_all"]].reset_index(drop=True)
    se = "<i>EE</i>" if lang == "es" else "<i>SE</i>"
    columns = [
        Column("rhs", t("col.item", lang), kind="text"),
        Column("est", "<i>B</i>"),
        Column("se", se),
        Column("z", "<i>z</i>"),
        Column("pvalue", "<i>p</i>", kind="p"),
        Column("std_all", "β", kind="bounded"),
    ]
    fit = model.get("fit", {})
    note = t("note.cfa_loadings", lang, n=model.get("n"), estimator=model.get("estimator", "ML"),
             df=_int(fit.get("df")), chisq=fmt_stat("chisq", fit.get("chisq")),
             p=fmt_p_text(fit.get("pvalue"), p_decimals), cfi=fmt_stat("cfi", fit.get("cfi")),
             rmsea=fmt_stat("rmsea", fit.get("rmsea")), srmr=fmt_stat("srmr", fit.get("srmr")))
    return ApaTable(name="cfa_loadings", title=t("title.cfa_loadings", lang), columns=columns, body=body,
                    lang=lang, notes=[note], decimals=decimals, p_decimals=p_decimals, raw=raw)


def _int(x) -> str:
    return DASH if missing(x) else str(int(round(float(x))))
