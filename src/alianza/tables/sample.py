"""Tables about the data: sample description by wave, data quality by wave.

The sample description is the one table that counts from the processed data
(there is no earlier result to read it from): counts and percentages of the
coded context variables and the mean and SD of the numeric ones, per wave and
for all waves, labelled from the codebook in the chosen language.
"""
from __future__ import annotations

import pandas as pd

from ..i18n import t, t_or
from .apa import GROUP, ApaTable, Column, fmt_int, fmt_num


def _is_synthetic(waves) -> bool:
    return all("synthetic" in str(w).lower() for w in waves)


def sample_description(frames: dict[str, pd.DataFrame], codebook, lang: str, *, decimals: int = 2,
                       wave_names: dict | None = None) -> ApaTable:
    """frames: wave id -> processed data of that wave (codebook columns). One column per wave plus Total,
    headed by the wave's display name (`wave_names`, config waves.labels); the CSV keeps the ids."""
    waves = list(frames)
    groups = {**frames}
    if len(frames) > 1:
        groups[t("total", lang)] = pd.concat(list(frames.values()), ignore_index=True)
    labels = list(groups)
    body_rows, raw_rows = [], []

    def add(group, label, cells, raw):
        body_rows.append({GROUP: group, "label": label, **cells})
        raw_rows.extend(raw)

    sizes = {g: len(df) for g, df in groups.items()}
    add("", t("firms", lang), {g: fmt_int(sizes[g]) for g in labels},
        [{"variable": "n", "category": "", "group": g, "n": sizes[g], "percent": 100.0, "mean": None, "sd": None}
         for g in labels])
    for var in codebook.context:
        if not any(var.name in df.columns for df in groups.values()):
            continue
        heading = codebook.label(var.name, lang)
        if var.type == "categorical":
            cats = [(code, lab[lang]) for code, lab in var.code_labels.items()]
            counts = {g: pd.to_numeric(df[var.name], errors="coerce").value_counts() for g, df in groups.items()}
            n_missing = {g: int(groups[g][var.name].isna().sum()) for g in labels}
            rows = [(code, name) for code, name in cats]
            if any(n_missing.values()):
                rows.append((None, t("missing", lang)))
            for code, name in rows:
                cells, raw = {}, []
                for g in labels:
                    n = n_missing[g] if code is None else int(counts[g].get(code, 0))
                    pct = 100.0 * n / sizes[g] if sizes[g] else float("nan")
                    cells[g] = f"{fmt_int(n)} ({fmt_num(pct, 1)})"
                    raw.append({"variable": var.name, "category": name, "group": g, "n": n, "percent": pct,
                                "mean": None, "sd": None})
                add(heading, name, cells, raw)
        else:
            cells, raw = {}, []
            for g in labels:
                x = pd.to_numeric(groups[g][var.name], errors="coerce").astype(float).dropna()
                m, sd = (x.mean(), x.std(ddof=1)) if len(x) else (float("nan"), float("nan"))
                cells[g] = f"{fmt_num(m, decimals)} ({fmt_num(sd, decimals)})"
                raw.append({"variable": var.name, "category": "", "group": g, "n": len(x), "percent": None,
                            "mean": m, "sd": sd})
            add("", f"{heading}, {t('mean_sd', lang)}", cells, raw)

    body = pd.DataFrame(body_rows)
    columns = [Column("label", t("col.characteristic", lang), kind="text", width=2.6)]
    columns += [Column(g, (wave_names or {}).get(g, g), kind="text", align="r") for g in labels]
    notes = [t("note.sample_description", lang)]
    if _is_synthetic(waves):
        notes[0] += " " + t("note.synthetic", lang)
    raw = pd.DataFrame(raw_rows)
    return ApaTable(
        name="sample_description", title=t("title.sample_description", lang), columns=columns, body=body,
        lang=lang, notes=notes, decimals=decimals, raw=raw, landscape=len(labels) > 3,
    )


def data_quality(summaries: list[dict], lang: str, *, wave_names: dict | None = None) -> ApaTable:
    """Ingestion summaries (data/processed/<wave>.summary.json) -> rows received, quarantined by reason, kept.

    Waves are columns (as in the sample description) so that the table stays narrow
    however many quarantine reasons there are; reasons that never occurred are left out.
    """
    from ..quality import REASONS

    waves = [s["wave"] for s in summaries]
    reasons = list(REASONS) + sorted({k for s in summaries for k in s.get("reasons", {})} - set(REASONS))
    total_label = t("total", lang)

    def counts(key):
        vals = {s["wave"]: int(s[key] if key in s else s.get("reasons", {}).get(key, 0)) for s in summaries}
        if len(summaries) > 1:
            vals[total_label] = sum(vals.values())
        return vals

    rows = [("", "rows_in", t("col.rows_in", lang))]
    heading = t("col.rows_quarantined", lang)
    shown = [r for r in reasons if sum(s.get("reasons", {}).get(r, 0) for s in summaries) > 0]
    rows += [(heading, r, t_or(f"reason.{r}", lang, r.replace("_", " "))) for r in shown]
    rows += [(heading, "rows_quarantined", t("total", lang)), ("", "rows_kept", t("col.rows_kept", lang))]
    body = pd.DataFrame([{GROUP: g, "key": key, "label": label, **counts(key)} for g, key, label in rows])
    labels = waves + ([total_label] if len(summaries) > 1 else [])
    columns = [Column("label", "", kind="text")] + [Column(w, (wave_names or {}).get(w, w), kind="int", csv_header=w)
                                                    for w in labels]
    raw = body.drop(columns=[GROUP, "label"]).rename(columns={"key": "count"})
    return ApaTable(
        name="data_quality", title=t("title.data_quality", lang), columns=columns, body=body, lang=lang,
        notes=[t("note.data_quality", lang)], raw=raw,
    )

