"""A power study's results as tables (CSV, Markdown) and the power-curve figure."""
from __future__ import annotations

import pandas as pd

from ..atomic import write_frame, write_text

TABLE_COLUMNS = ["n", "lhs", "op", "rhs", "label", "true", "mean_est", "bias", "rel_bias", "se_ratio",
                 "coverage", "power", "ci_power", "reps", "converged", "improper"]


def power_table(results: dict) -> pd.DataFrame:
    """Long table: one row per sample size and reported parameter."""
    rows = []
    for block in results["results"]:
        for p in block["parameters"]:
            rows.append({"n": block["n"], **p, "reps": block["reps"], "converged": block["converged"],
                         "improper": block["improper"]})
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def hypotheses_table(results: dict) -> pd.DataFrame:
    """Wide table of the hypotheses: true value, power at each n, the n for 80% power."""
    rows = []
    by_n = {b["n"]: {(p["label"], p["lhs"], p["op"], p["rhs"]): p for p in b["parameters"]}
            for b in results["results"]}
    for label, info in results["min_n_80"].items():
        entry = {"hypothesis": label, "parameter": info["parameter"]}
        first = None
        for n, params in by_n.items():
            p = next(v for (lab, *_), v in params.items() if lab == label)
            first = first or p
            entry[f"power n={n}"] = p["power"]
        entry["true"] = first["true"] if first else None
        entry["min n (80%)"] = _min_n_text(info)
        ci = results.get("min_n_80_ci", {}).get(label)
        entry["min n (80%, MC CI)"] = _min_n_text(ci) if ci else ""
        rows.append(entry)
    table = pd.DataFrame(rows)
    if len(table):
        cols = ["hypothesis", "parameter", "true"] + [c for c in table.columns if c.startswith("power n=")]
        table = table[cols + ["min n (80%)", "min n (80%, MC CI)"]]
    return table


def _min_n_text(info: dict) -> str:
    if info["n"] is not None:
        return str(info["n"])
    return {"below_grid": "< smallest n", "above_grid": "> largest n"}.get(info["status"], "n/a")


def markdown(results: dict) -> str:
    """The hypotheses table with a caption saying how it was made."""
    hyp = hypotheses_table(results)
    lines = [
        f"Monte Carlo power ({results['reps']} replicates per n, {results['data']} data, "
        f"estimator {results['estimator']}, alpha = {results['alpha']}, seed {results['seed']}"
        + (f", {results['missing_rate']:.0%} MCAR missing cells" if results["missing_rate"] else "")
        + (f", {results['clusters']} clusters with ICC {results['icc']:g}, cluster-robust SEs"
           if results.get("clusters") else "") + ").",
        "",
    ]
    if len(hyp):
        lines.append(hyp.to_markdown(index=False, floatfmt=".3f"))
    else:
        lines.append("(the model has no labelled parameters or `:=` effects: see power.csv)")
    conv = ", ".join(f"n={b['n']}: {b['converged']}/{b['reps']} converged, {b['improper']} improper"
                     for b in results["results"])
    lines += [
        "",
        f"Power: share of converged replicates with p < {results['alpha']} (z-test; delta method for "
        ":= effects); MC CI: share whose Monte Carlo confidence interval excludes zero. "
        f"Minimum n: {results['min_n_method']} ('< smallest n': 80% already at the smallest n tried; "
        "'> largest n': add larger n). True values: the analysis model fitted to the "
        f"{results['truth']['moments']} (population RMSEA {results['truth']['rmsea']:.3f}).",
        f"Replicates: {conv}.",
    ]
    return "\n".join(lines) + "\n"


def write_tables(results: dict, csv_path, md_path) -> None:
    write_frame(csv_path, power_table(results))
    write_text(md_path, markdown(results))


def power_figure(results: dict, paths, lang: str = "en", names: dict | None = None) -> None:
    """The power curve (alianza.figures.power_curve), labelled in `lang`, hypotheses by `names`."""
    from ..figures.power_curve import power_curve

    power_curve(results, paths, lang, names)
