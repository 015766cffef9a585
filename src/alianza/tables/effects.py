"""The effects table: direct, specific indirect, total indirect and total effects of the path model on
its final outcome(s), with bootstrap percentile and BCa intervals (reports/effects/<sample>/<model>.json,
alianza.effects). Indirect effects are labelled as such, with their route."""
from __future__ import annotations

import pandas as pd

from ..i18n import t
from .apa import GROUP, STATISTICS, ApaTable, Column, stat_column
from .structural import ARROW, legend


def _label(rec: dict, lang: str) -> str:
    route = str(rec.get("route") or "").replace(" -> ", f" {ARROW} ")
    if rec["kind"] == "indirect":
        return f"{t('eff.indirect', lang)}: {route}"
    return t(f"eff.{rec['kind']}", lang)


def effects(doc: dict, codebook, lang: str) -> ApaTable:
    recs = doc.get("effects") or []
    rows = [{GROUP: f"{r['source']} {ARROW} {r['target']}", "label": _label(r, lang), **r} for r in recs]
    body = pd.DataFrame(rows, columns=[GROUP, "label", "source", "target", "kind", "route", "est", "std_all", "se",
                                       "ci_lower", "ci_upper", "ci_lower_bca", "ci_upper_bca"])
    level = round(100 * doc.get("level", 0.95))
    d = STATISTICS["indirect"][0]  # products of paths: the decimals of indirect effects throughout
    ci = t("col.ci", lang, level=level)
    columns = [
        Column("label", t("col.effect", lang), kind="text", width=3.3),
        Column("est", "<i>B</i>", decimals=d),
        Column("se", "<i>EE</i>" if lang == "es" else "<i>SE</i>", decimals=d),
        stat_column("std_all", "β", "indirect_beta"),
        Column(("ci_lower", "ci_upper"), t("ci.perc_short", lang).capitalize(), kind="ci", decimals=d,
               spanner=ci, csv_header=["ci_lower", "ci_upper"]),
    ]
    bca = any(r.get("ci_lower_bca") is not None for r in recs)
    if bca:   # BCa needs the leave-one-out fits, which bootstrap.ci without "bca" does not make
        columns.append(Column(("ci_lower_bca", "ci_upper_bca"), "BCa", kind="ci", decimals=d, spanner=ci,
                              csv_header=["ci_lower_bca", "ci_upper_bca"]))
    estimator = doc.get("estimator") or "ML"
    if doc.get("missing") == "fiml":
        estimator += " (FIML)"
    note = t("note.effects", lang, n=doc.get("n", "—"), n_boot=doc.get("n_boot", "—"), seed=doc.get("seed", "—"),
             level=level, estimator=estimator,
             intervals=t("eff.intervals_bca" if bca else "eff.intervals_perc_rows" if doc.get("bca_not_computed")
                         else "eff.intervals_perc", lang))
    leg = legend(codebook, " ".join(f"{r['source']} {r['target']} {r.get('route') or ''}" for r in recs), lang)
    if leg:
        note += " " + leg + "."
    return ApaTable(name="effects", title=t("title.effects", lang), columns=columns, body=body, lang=lang,
                    notes=[note], raw=body.drop(columns=[GROUP, "label"]), landscape=True)
