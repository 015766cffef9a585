"""Manuscript tables of the scale-validation report that a reviewer checks against criteria:
the measurement model (loadings, α, ω, CR, AVE with flags), discriminant validity by pairs
(Fornell-Larcker, HTMT and HTMT2 with bootstrap CIs), and the EFA / common-method / normality
checks (KMO, Bartlett, parallel analysis, Harman, single-factor CFA, Mardia).

They read reports/validity/<sample>.json (alianza.validity) as it is; the thresholds are the
ones the report was made with (config validity.thresholds). A value that misses its criterion
carries the superscript of a specific note (APA 7, 7.14), so nothing below a threshold passes
without a word.
"""
from __future__ import annotations

import pandas as pd

from ..i18n import t
from .apa import DASH, GROUP, ApaTable, Column, fmt_apart, fmt_int, fmt_p_text, fmt_stat, missing, stat_column
from .measurement import construct_name
from .notes import n_sentence

FLAG = "<sup>a</sup>"


def flagged(stat: str, value, ok: bool | None, threshold=None) -> str:
    """The formatted value, with the note's superscript when it misses its criterion (and the decimals
    that keep it from reading as the criterion itself: .497, not .50)."""
    if ok is False and threshold is not None:
        text = fmt_apart(stat, value, threshold)
    else:
        text = fmt_stat(stat, value)
    return text + FLAG if ok is False and text != DASH else text


def _meets(value, minimum) -> bool | None:
    """value >= minimum; None when either is missing."""
    if missing(value) or missing(minimum):
        return None
    return not float(value) < float(minimum)


def _n_note(validity: dict, lang: str) -> str:
    return n_sentence(validity.get("n_complete"), validity.get("n_rows"), "listwise", lang)


def measurement_model(validity: dict, codebook, lang: str) -> ApaTable:
    """One row per item under its construct: standardized loading; α, ω, CR and AVE of the
    construct on its first row; flags below the thresholds (loading_min, alpha_min, omega_min,
    cr_min, ave_min)."""
    thr = validity.get("thresholds", {})
    rows = []
    for f, con in validity["constructs"].items():
        for k, it in enumerate(con["items"]):
            lam = it.get("loading_std")
            row = {GROUP: construct_name(codebook, f, lang), "construct": f, "item": it["item"],
                   "loading": flagged("loading", lam, _meets(lam, thr.get("loading_min")), thr.get("loading_min")),
                   "loading_raw": lam}
            for stat, key in (("alpha", "alpha_min"), ("omega", "omega_min"), ("cr", "cr_min"), ("ave", "ave_min")):
                row[stat] = (flagged(stat, con.get(stat), _meets(con.get(stat), thr.get(key)), thr.get(key))
                             if k == 0 else "")
                row[f"{stat}_raw"] = con.get(stat) if k == 0 else None
            rows.append(row)
    body = pd.DataFrame(rows)
    columns = [Column("item", t("col.item", lang), kind="text"),
               Column("loading", "λ", kind="text", align="r"),
               Column("alpha", "α", kind="text", align="r"),
               Column("omega", "ω", kind="text", align="r"),
               Column("cr", "CR", kind="text", align="r"),
               Column("ave", "AVE", kind="text", align="r")]
    crit = {k: fmt_stat("r", thr.get(k, d)) for k, d in (("loading_min", 0.70), ("alpha_min", 0.70),
                                                         ("omega_min", 0.70), ("cr_min", 0.70), ("ave_min", 0.50))}
    notes = [_n_note(validity, lang) + " " + t("note.measurement_model", lang, **crit),
             FLAG + t("note.below_criterion", lang)]
    raw = body[["construct", "item", "loading_raw", "alpha_raw", "omega_raw", "cr_raw", "ave_raw"]].rename(
        columns=lambda c: c.removesuffix("_raw"))
    return ApaTable(name="measurement_model", title=t("title.measurement_model", lang), columns=columns, body=body,
                    lang=lang, notes=notes, raw=raw)


def discriminant_pairs(validity: dict, codebook, lang: str) -> ApaTable:
    """Per pair of constructs: latent correlation against the smaller √AVE (Fornell-Larcker), HTMT
    and HTMT2 with their bootstrap CIs, flags where a criterion fails."""
    thr = validity.get("thresholds", {})
    hi = thr.get("htmt_max", 0.85)
    fl = validity.get("fornell_larcker", {})
    ci = {k: validity.get(k) or {} for k in ("htmt_ci", "htmt2_ci")}

    def bound(kind, side, a, b):
        return ((ci[kind].get(side) or {}).get(a) or {}).get(b)

    rows = []
    for p in validity.get("discriminant") or []:
        a, b = p["factor_a"], p["factor_b"]
        sqrt_ave = min(fl.get(a, {}).get(a, float("nan")), fl.get(b, {}).get(b, float("nan")))
        row = {"pair": f"{a} – {b}", "factor_a": a, "factor_b": b, "latent_cor": p.get("latent_cor"),
               "sqrt_ave_min": sqrt_ave}
        row["r_text"] = flagged("r", p.get("latent_cor"), p.get("fornell_larcker_ok"))
        for kind, key in (("htmt", "htmt_ci"), ("htmt2", "htmt2_ci")):
            v, lo, up = p.get(kind), bound(key, "lower", a, b), bound(key, "upper", a, b)
            if missing(lo):
                lo, up = p.get(f"{kind}_ci_lower"), p.get(f"{kind}_ci_upper")
            row.update({kind: v, f"{kind}_ci_lower": lo, f"{kind}_ci_upper": up})
            text = fmt_stat("htmt", v)
            if not missing(lo):
                text += f" [{fmt_stat('htmt', lo)}, {fmt_stat('htmt', up)}]"
            ok = None if missing(v) else (float(v) < hi and (missing(up) or float(up) < 1.0))
            row[f"{kind}_text"] = text + (FLAG if ok is False else "")
        rows.append(row)
    body = pd.DataFrame(rows, columns=["pair", "factor_a", "factor_b", "latent_cor", "sqrt_ave_min", "r_text",
                                       "htmt", "htmt_ci_lower", "htmt_ci_upper", "htmt_text", "htmt2",
                                       "htmt2_ci_lower", "htmt2_ci_upper", "htmt2_text"])
    level = round(100 * (validity.get("bootstrap") or {}).get("level", validity.get("level", 0.95)))
    columns = [Column("pair", t("col.pair", lang), kind="text"),
               Column("r_text", "<i>r</i>", kind="text", align="r"),
               stat_column("sqrt_ave_min", "√AVE<sub>min</sub>", "r"),
               Column("htmt_text", f"HTMT [{t('col.ci', lang, level=level)}]", kind="text", align="r"),
               Column("htmt2_text", f"HTMT2 [{t('col.ci', lang, level=level)}]", kind="text", align="r")]
    n_boot = (validity.get("bootstrap") or {}).get("n_boot", validity.get("n_boot"))
    notes = [_n_note(validity, lang) + " " + t("note.discriminant_pairs", lang, htmt_max=fmt_stat("htmt", hi),
                                               n_boot=n_boot if n_boot else DASH, level=level)
             + " " + _legend(codebook, validity, lang),
             FLAG + t("note.below_criterion", lang)]
    raw = body.drop(columns=["pair", "r_text", "htmt_text", "htmt2_text"])
    return ApaTable(name="discriminant_pairs", title=t("title.discriminant_pairs", lang), columns=columns,
                    body=body, lang=lang, notes=notes, raw=raw)


def _legend(codebook, validity, lang) -> str:
    from .structural import legend

    text = legend(codebook, " ".join(validity["constructs"]), lang)
    return text + "." if text else ""


def _chisq_text(chisq, df, p, lang) -> str:
    return f"χ²({fmt_int(df, thousands=False)}) = {fmt_stat('chisq', chisq)}, <i>p</i> {fmt_p_text(p)}"


def efa_common_method(validity: dict, lang: str, *, measurement_fit: dict | None = None) -> ApaTable:
    """The checks before and around the CFA, one row each: result, criterion, whether it is met.

    KMO and Bartlett (factorability), parallel analysis (number of factors against the
    constructs of the model), Harman's single factor and the single-factor CFA (common-method
    variance), Mardia's multivariate skewness and kurtosis (normality, which ML assumes)."""
    thr = validity.get("thresholds", {})
    efa, cmv, mardia = validity.get("efa") or {}, validity.get("cmv") or {}, validity.get("mardia") or {}
    k = len(validity.get("constructs") or {})
    rows = []

    def add(group, test, result, criterion, ok):
        rows.append({GROUP: t(f"efa.group_{group}", lang), "test": t(f"efa.{test}", lang), "result": result,
                     "criterion": criterion, "ok": ok})

    if efa.get("kmo") is not None:
        add("factorability", "kmo", fmt_stat("kmo", efa["kmo"]), "≥ .60", efa["kmo"] >= 0.60)
    bart = efa.get("bartlett") or {}
    if bart:
        add("factorability", "bartlett", _chisq_text(bart.get("chisq"), bart.get("df"), bart.get("pvalue"), lang),
            "<i>p</i> < .05", bool(bart.get("pvalue", 1) < 0.05))
    if efa.get("n_factors_parallel") is not None:
        add("factorability", "parallel", str(efa["n_factors_parallel"]), t("efa.parallel_criterion", lang, k=k),
            efa["n_factors_parallel"] == k)
    harman = cmv.get("harman") or {}
    if harman.get("share") is not None:
        hmax = thr.get("harman_max", 0.50)
        add("cmv", "harman", fmt_stat("variance_share", harman["share"]), f"< {fmt_stat('variance_share', hmax)}",
            harman["share"] < hmax)
    single = cmv.get("single_factor") or {}
    if single.get("fit"):
        f = single["fit"]
        add("cmv", "single_factor",
            f"{_chisq_text(f.get('chisq'), f.get('df'), f.get('pvalue'), lang)}; CFI = {fmt_stat('cfi', f.get('cfi'))}; "
            f"RMSEA = {fmt_stat('rmsea', f.get('rmsea'))}", "CFI < .90",
            None if f.get("cfi") is None else f["cfi"] < 0.90)  # a poor one-factor fit is what is hoped for
        if single.get("chisq_diff") is not None:
            add("cmv", "single_factor_diff", _chisq_text(single["chisq_diff"], single.get("df_diff"),
                                                         single.get("pvalue"), lang),
                "<i>p</i> < .05", bool(single.get("single_factor_rejected")))
    if mardia:
        add("normality", "mardia_skew", _chisq_text(mardia.get("skew"), mardia.get("skew_df"), mardia.get("p_skew"),
                                                    lang), "<i>p</i> ≥ .05", mardia.get("p_skew", 0) >= 0.05)
        add("normality", "mardia_kurt", f"<i>z</i> = {fmt_stat('z', mardia.get('kurtosis'))}, <i>p</i> "
                                        f"{fmt_p_text(mardia.get('p_kurt'))}", "<i>p</i> ≥ .05",
            mardia.get("p_kurt", 0) >= 0.05)
    body = pd.DataFrame(rows, columns=[GROUP, "test", "result", "criterion", "ok"])
    columns = [Column("test", t("col.test", lang), kind="text", width=2.2),
               Column("result", t("col.result", lang), kind="text", width=2.3),
               Column("criterion", t("col.criterion", lang), kind="text", width=1.1),
               Column("ok", t("col.met", lang), kind="bool", align="c")]
    method = t(f"efa.method_{efa.get('method', 'minres')}", lang) if efa else DASH
    note = _n_note(validity, lang) + " " + t("note.efa_common_method", lang, method=method,
                                             rotation=efa.get("rotation", DASH), k=k)
    return ApaTable(name="efa_common_method", title=t("title.efa_common_method", lang), columns=columns, body=body,
                    lang=lang, notes=[note], raw=body.drop(columns=[GROUP]).assign(group=body[GROUP]))
