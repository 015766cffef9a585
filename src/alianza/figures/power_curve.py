"""The power curve of a Monte Carlo power study (reports/power/power.json), in Spanish or English.

Power against n for each hypothesis (z-test; dashed: the Monte Carlo CI of `:=` effects),
with 95% Monte Carlo error bars, the fitted probit curve and the target line. Series are
named by hypothesis and path ('H1: E1 → E2'; 'H6: E1 → … → CO, efecto indirecto'), not by
lavaan syntax.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from ..i18n import t
from ..power import minimum_n
from ..tables.apa import fmt_bounded, fmt_stat
from ..tables.structural import readable_parameter


def series_label(label: str, parameter: str, params: list[dict], lang: str) -> str:
    """'H1: E1 → E2' for a regression 'E2 ~ E1'; 'H6: E1 → E2 → … → CO (indirect effect)' for a
    product of labelled paths; the hypothesis id with the parameter text otherwise."""
    route = readable_parameter(parameter, params)
    if "*" not in parameter and " ~ " not in parameter:
        return f"{label}: {route}"
    if "*" in parameter and route != parameter:
        return f"{label}: {route} ({t('fig.indirect', lang)})"
    return f"{label}: {route}"


def _mathtext(text: str) -> str:
    """Catalogue markup -> matplotlib: <i>n</i> -> $n$ (italic statistical symbols)."""
    return re.sub(r"<i>(.*?)</i>", r"$\1$", text)


def power_curve(results: dict, paths, lang: str = "en", names: dict | None = None) -> None:
    """`names`: parameter label -> hypothesis name ('h1' -> 'H1', alianza.i18n.hypothesis_names)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    grid = np.array(results["n"], float)
    fine = np.linspace(grid.min(), grid.max(), 200)
    params = results["results"][0]["parameters"] if results["results"] else []
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=150)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    series = []
    for label, info in results["min_n_80"].items():
        shown = (names or {}).get(label, label)
        name = series_label(shown, info["parameter"], params, lang)
        series.append((label, "power", "-", "o", name))
        if label in results.get("min_n_80_ci", {}):
            series.append((label, "ci_power", "--", "s", f"{shown} ({t('fig.power_mc_ci', lang)})"))
    color_of = {}
    for label, key, style, marker, name in series:
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
        ax.plot(fine if curve is not None else grid, curve if curve is not None else power, style, color=color,
                lw=1.3)
    target = results["target_power"]
    ax.axhline(target, color="0.3", ls=":", lw=1.2)
    ax.text(1.0, target - 0.015, t("fig.power_target", lang, v=round(100 * target)) + " ",
            transform=ax.get_yaxis_transform(), color="0.3", fontsize=9, ha="right", va="top")
    ax.set_xlabel(_mathtext(t("fig.power_x", lang)))
    ax.set_ylabel(_mathtext(t("fig.power_y", lang, alpha=fmt_bounded(results["alpha"], 2))))
    ax.set_ylim(-0.02, 1.04)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_stat("r", v)))  # power: no leading zero (APA)
    ax.set_xticks(grid)
    ax.grid(alpha=0.3)
    data = t(f"fig.power_data_{results['data']}", lang)
    ax.set_title(t("fig.power_title", lang, reps=results["reps"], data=data, estimator=results["estimator"]),
                 fontsize=10)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    for path in paths:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # stable ids in the SVG; written to a temporary file and renamed (alianza.atomic)
        with matplotlib.rc_context({"svg.hashsalt": "alianza-power"}), atomic_path(path) as tmp:
            fig.savefig(tmp, bbox_inches="tight", metadata=_metadata(path))
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
