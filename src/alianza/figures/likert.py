"""Diverging stacked bars of the answers to each construct's Likert items (processed data).

Disagreement extends to the left of zero and agreement to the right, with the neutral
category split across zero (Heiberger & Robbins, 2014), so that items can be compared at
a glance. Percentages are of the answers given (missing left out). Item wording comes
from the codebook in the chosen language. Reverse-keyed items are shown as answered
(processed data carry them recoded; the recoding is undone here so that the bar labels
match the negative wording) and marked.
"""
from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..atomic import atomic_path  # noqa: E402
from ..i18n import t  # noqa: E402

# ColorBrewer RdBu with a grey middle: diverging, colour-blind safe, readable in greyscale.
PALETTES = {
    5: ["#ca0020", "#f4a582", "#d9d9d9", "#92c5de", "#0571b0"],
    4: ["#ca0020", "#f4a582", "#92c5de", "#0571b0"],
    7: ["#b2182b", "#ef8a62", "#fddbc7", "#d9d9d9", "#d1e5f0", "#67a9cf", "#2166ac"],
}
DARK = {"#ca0020", "#0571b0", "#b2182b", "#2166ac"}


def response_shares(data: pd.DataFrame, items: list[str], codes: list[int]) -> pd.DataFrame:
    """Percentage of each answer code per item (rows: items; columns: codes), of the answers given."""
    out = {}
    for item in items:
        x = pd.to_numeric(data[item], errors="coerce").dropna()
        counts = x.value_counts()
        n = len(x)
        out[item] = [100.0 * counts.get(c, 0) / n if n else 0.0 for c in codes]
    return pd.DataFrame.from_dict(out, orient="index", columns=codes)


def likert_figure(data: pd.DataFrame, codebook, construct: str, lang: str, paths) -> pd.DataFrame:
    """Draw one construct's items to every path (.png 300 dpi, .svg); returns the percentages drawn."""
    items = codebook.items(construct)
    var = codebook.variable(items[0])
    codes = sorted(var.code_labels)
    shares = response_shares(data, items, codes)
    for item in items:
        if codebook.variable(item).reverse:  # back to the answer given: code c was recoded from min+max-c
            shares.loc[item] = shares.loc[item].to_numpy()[::-1]
    colors = PALETTES.get(len(codes)) or [plt.get_cmap("RdBu")(v) for v in np.linspace(0.1, 0.9, len(codes))]
    k = len(codes)
    mid = k // 2  # index of the neutral code when k is odd

    labels = []
    for item in items:
        v = codebook.variable(item)
        text = v.label[lang] + (" " + t("reverse_mark", lang) if v.reverse else "")
        labels.append("\n".join(textwrap.wrap(f"{item}. {text}", 52)))
    n_lines = sum(label.count("\n") + 1 for label in labels)
    height = 1.25 + 0.2 * n_lines + 0.25 * len(items)

    plt.rcParams["svg.fonttype"] = "none"
    fig, ax = plt.subplots(figsize=(7.5, height))
    y = np.arange(len(items))[::-1]  # first item at the top
    left_total = shares.iloc[:, :mid].sum(axis=1) + (shares.iloc[:, mid] / 2 if k % 2 else 0)
    start = -left_total.to_numpy()
    for j, code in enumerate(codes):
        width = shares[code].to_numpy()
        ax.barh(y, width, left=start, height=0.62, color=colors[j], edgecolor="white", linewidth=0.6,
                label=var.code_labels[code][lang])
        for yi, s, w in zip(y, start, width):
            if w >= 6:
                ax.text(s + w / 2, yi, f"{w:.0f}", ha="center", va="center", fontsize=7.5,
                        color="white" if colors[j] in DARK else "black")
        start = start + width
    ax.axvline(0, color="black", linewidth=0.8, zorder=0)  # behind the bars: the neutral share straddles it
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    step = 20 if max(100 - left_total.min(), left_total.max()) <= 80 else 25
    lim = step * np.ceil(max(100 - left_total.min(), left_total.max(), 40) / step)
    ax.set_xlim(-lim, lim)
    ticks = np.arange(-lim, lim + 1, step)
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{abs(v):.0f}" for v in ticks], fontsize=8)
    ax.set_xlabel(t("fig.percent", lang) + " (%)", fontsize=8.5)
    ax.set_title(f"{codebook.construct_label(construct, lang)} ({construct})", fontsize=10)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    fig.tight_layout()
    handles, names = ax.get_legend_handles_labels()
    names = ["\n".join(textwrap.wrap(n, 16)) for n in names]
    axes_h = ax.get_position().height * height
    ax.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, -0.62 / axes_h), ncol=k, fontsize=7.5,
              frameon=False, handlelength=1.2, columnspacing=1.2)
    if any(codebook.variable(i).reverse for i in items):
        # under the legend, flush with the figure's left edge
        ax.annotate(t("fig.likert_note", lang, mark=t("reverse_mark", lang)), xy=(0.01, -1.05 / axes_h),
                    xycoords=("figure fraction", "axes fraction"), fontsize=7.5, ha="left", va="top",
                    color="#222222")
    for path in paths:
        meta = {"Date": None} if str(path).endswith(".svg") else {}
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=300, facecolor="white", bbox_inches="tight", metadata=meta)
    plt.close(fig)
    return shares
