"""A power study's results as tables (CSV, Markdown) and the power-curve figure."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import minimum_n

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
    for path in (csv_path, md_path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    power_table(results).to_csv(csv_path, index=False)
    Path(md_path).write_text(markdown(results), encoding="utf-8")


def power_figure(results: dict, paths) -> None:
    """Power against n for each hypothesis (z-test; dashed: Monte Carlo CI of := effects),
    with 95% Monte Carlo error bars, the fitted probit curve, and the 80% line."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = np.array(results["n"], float)
    fine = np.linspace(grid.min(), grid.max(), 200)
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=150)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    series = []
    for label, info in results["min_n_80"].items():
        series.append((label, info, "power", "-", "o", f"{label}: {info['parameter']}"))
        if label in results.get("min_n_80_ci", {}):
            series.append((label, results["min_n_80_ci"][label], "ci_power", "--", "s",
                           f"{label} (Monte Carlo CI)"))
    color_of = {}
    for label, info, key, style, marker, name in series:
        color = color_of.setdefault(label, colors[len(color_of) % len(colors)])
        k, m = [], []
        for block in results["results"]:
            p = next(p for p in block["parameters"] if p["label"] == label)
            m.append(block["converged"])
            k.append(round((p[key] or 0.0) * block["converged"]))
        k, m = np.array(k, float), np.array(m, float)
        power = np.divide(k, m, out=np.full(len(m), np.nan), where=m > 0)
        err = 1.96 * np.sqrt(power * (1 - power) / np.maximum(m, 1))
        yerr = [np.minimum(err, power), np.minimum(err, 1 - power)]     # kept inside [0, 1]
        ax.errorbar(grid, power, yerr=yerr, fmt=marker, color=color, ms=5, capsize=2, lw=1,
                    mfc="white" if key == "ci_power" else color, label=name)
        curve = minimum_n.probit_curve(grid, k, m, fine) if len(grid) > 1 else None
        if curve is not None:
            ax.plot(fine, curve, style, color=color, lw=1.3)
        else:
            ax.plot(grid, power, style, color=color, lw=1.3)
    ax.axhline(results["target_power"], color="0.3", ls=":", lw=1.2)
    ax.text(1.0, results["target_power"] - 0.015, f"{results['target_power']:.0%} power ",
            transform=ax.get_yaxis_transform(), color="0.3", fontsize=9, ha="right", va="top")
    ax.set_xlabel("sample size n")
    ax.set_ylabel(f"power (p < {results['alpha']})")
    ax.set_ylim(-0.02, 1.04)
    ax.set_xticks(grid)
    ax.grid(alpha=0.3)
    ax.set_title(f"Monte Carlo power: {results['reps']} replicates per n, {results['data']} data, "
                 f"{results['estimator']}", fontsize=10)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    for path in paths:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with matplotlib.rc_context({"svg.hashsalt": "alianza-power"}):   # stable ids in the SVG
            fig.savefig(path, bbox_inches="tight", metadata=_metadata(path))
    plt.close(fig)


def _metadata(path) -> dict:
    """No creation dates or versions in the files: the same results give the same bytes."""
    suffix = Path(path).suffix.lower()
    if suffix == ".svg":
        return {"Date": None, "Creator": None}
    if suffix == ".png":
        return {"Software": None}
    if suffix == ".pdf":
        return {"CreationDate": None, "Producer": None, "Creator": None}
    return {}
