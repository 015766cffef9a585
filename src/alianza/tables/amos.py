"""χ²/df, GFI and AGFI added to the fit-indices table when config output.amos_indices is on
(alianza.amos; reviewers trained on AMOS ask for them). The table itself is alianza.tables.models'."""
from __future__ import annotations

from ..i18n import t
from .apa import ApaTable, stat_column


def add_amos_columns(table: ApaTable, indices: dict[str, dict], lang: str) -> ApaTable:
    """Insert χ²/df after df and GFI, AGFI after TLI; `indices`: model id -> {chisq_df, gfi, agfi}."""
    for key in ("chisq_df", "gfi", "agfi"):
        table.body[key] = [(indices.get(m) or {}).get(key) for m in table.body["model"]]
        if table.raw is not None:
            table.raw[key] = table.body[key].to_numpy()
    keys = [c.key for c in table.columns]
    gl = "<i>gl</i>" if lang == "es" else "<i>df</i>"
    at = keys.index("df") + 1 if "df" in keys else len(keys)
    table.columns.insert(at, stat_column("chisq_df", f"χ²/{gl}", "chisq_df"))
    keys = [c.key for c in table.columns]
    at = keys.index("tli") + 1 if "tli" in keys else len(keys)
    table.columns[at:at] = [stat_column("gfi", "GFI", "gfi"), stat_column("agfi", "AGFI", "agfi")]
    table.notes[0] += " " + t("note.amos", lang)
    return table
