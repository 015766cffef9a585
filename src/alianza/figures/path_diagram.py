"""Path diagram of a structural model from its parameter table (standardized estimates, stars).

Only the structural part is drawn: constructs as ellipses labelled with their names in
the chosen language, regressions among them as arrows carrying the standardized
coefficient (std_all) and its significance stars, R² under each endogenous construct.
Indicators are left out (the CFA loadings table has them). The layout is layered by
the longest path from the exogenous constructs; a pure chain (one construct per layer,
as the five-stage model) zigzags over two rows so that long names fit a page width.
Paths that skip a layer bend around the constructs in between.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Ellipse, FancyArrowPatch  # noqa: E402

from ..atomic import atomic_path  # noqa: E402
from ..i18n import t  # noqa: E402
from ..tables.apa import fmt_bounded, fmt_p_text, fmt_stat, split_markup, stars  # noqa: E402
from ..tables.robust import correction_note, is_scaled, shown_names  # noqa: E402
from ..tables.structural import chain_path, path_labels  # noqa: E402

NODE_W, NODE_H = 1.75, 0.82  # inches
FONT = 8.5


@dataclass
class Edge:
    source: str
    target: str
    beta: float | None
    pvalue: float | None
    label: str = ""


def structural_graph(model: dict) -> tuple[list[str], list[Edge], dict[str, float]]:
    """(constructs in layer order, regressions among them, R² of the endogenous ones) from a model JSON."""
    latent = list(model.get("latent") or [])
    params = model["parameters"]
    edges = [
        Edge(p["rhs"], p["lhs"], p.get("std_all"), p.get("pvalue"), p.get("label") or "")
        for p in params
        if p["op"] == "~" and (not latent or (p["lhs"] in latent and p["rhs"] in latent))
    ]
    nodes = list(latent) if latent else sorted({e.source for e in edges} | {e.target for e in edges})
    r2 = {k: v for k, v in (model.get("r2") or {}).items() if k in nodes and any(e.target == k for e in edges)}
    return nodes, edges, r2


def layers(nodes: list[str], edges: list[Edge]) -> dict[str, int]:
    """Longest-path layer of every node (exogenous = 0); a cycle keeps what it has reached."""
    level = {n: 0 for n in nodes}
    for _ in range(len(nodes)):
        changed = False
        for e in edges:
            if e.source in level and e.target in level and level[e.target] < level[e.source] + 1:
                level[e.target] = level[e.source] + 1
                changed = True
        if not changed:
            break
    return level


def _is_chain(nodes: list[str], edges: list[Edge]) -> bool:
    level = layers(nodes, edges)
    return len(nodes) > 2 and sorted(level.values()) == list(range(len(nodes)))


def layout(nodes: list[str], edges: list[Edge]) -> dict[str, tuple[float, float]]:
    """Centre of every node, in inches."""
    level = layers(nodes, edges)
    if len(nodes) > 3 and _is_chain(nodes, edges) and not any(
        abs(level[e.target] - level[e.source]) > 1 for e in edges
    ):
        # a chain: zigzag over two rows; neighbours overlap horizontally but not vertically
        dx, dy = NODE_W * 0.8, NODE_H * 2.1
        return {n: (level[n] * dx, 0.0 if level[n] % 2 == 0 else -dy) for n in nodes}
    indeg = {n: sum(e.target == n for e in edges) for n in nodes}
    outdeg = {n: sum(e.source == n for e in edges) for n in nodes}
    hubs = [n for n in nodes if indeg[n] >= 3 and outdeg[n] == 0]
    if len(hubs) == 1:
        rest = [n for n in nodes if n != hubs[0]]
        inner = [e for e in edges if e.target != hubs[0]]
        if len(rest) > 2 and _is_chain(rest, inner):
            # a chain whose stages all feed one outcome (partial mediation): the chain on an arch,
            # the outcome under its middle, so every direct path is a straight spoke
            order = sorted(rest, key=lambda n: layers(rest, inner)[n])
            k = len(order)
            rx, ry = NODE_W * 0.62 * (k - 1), NODE_H * 2.6
            pos = {n: (rx * math.cos(math.pi * (1 - i / (k - 1))), ry * math.sin(math.pi * i / (k - 1)))
                   for i, n in enumerate(order)}
            pos[hubs[0]] = (0.0, -NODE_H * 1.4)
            return pos
    by_level: dict[int, list[str]] = {}
    for n in nodes:
        by_level.setdefault(level[n], []).append(n)
    dx, dy = NODE_W + 1.1, NODE_H + 0.45
    pos = {}
    for lev, members in by_level.items():
        for i, n in enumerate(members):
            pos[n] = (lev * dx, -(i - (len(members) - 1) / 2) * dy)
    return pos


def _boundary(center, toward, w=NODE_W, h=NODE_H) -> tuple[float, float]:
    """Point where the segment center -> toward leaves the ellipse."""
    (x0, y0), (x1, y1) = center, toward
    dx, dy = x1 - x0, y1 - y0
    if dx == 0 and dy == 0:
        return center
    k = 1.0 / math.sqrt((dx / (w / 2)) ** 2 + (dy / (h / 2)) ** 2)
    return x0 + k * dx, y0 + k * dy


def node_label(construct: str, codebook, lang: str, width: int = 20) -> str:
    if codebook is None or construct not in codebook.constructs:
        return construct
    name = codebook.construct_label(construct, lang)
    return "\n".join(textwrap.wrap(name, width, break_long_words=False)) + f"\n({construct})"


def path_diagram(model: dict, codebook, lang: str, paths, *, decimals: int = 2) -> dict:
    """Draw the diagram to every path in `paths` (.png at 300 dpi, .svg with text kept as text).

    Returns what was drawn, for tests and captions: {"nodes": {id: label}, "positions": {id: (x, y)},
    "edges": [(source, target, text, (label x, label y))], "r2": {id: R²}} (inches).
    """
    nodes, edges, r2 = structural_graph(model)
    if not edges:
        raise ValueError("the model has no regressions among constructs to draw")
    pos = layout(nodes, edges)
    level = layers(nodes, edges)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    margin_x, margin_top = NODE_W / 2 + 0.25, NODE_H / 2 + 0.45
    width = max(xs) - min(xs) + 2 * margin_x
    note_lines = figure_note(model, lang, width, decimals)
    line_h = (FONT - 1) * 1.3 / 72  # inches: one data unit is one inch
    # below the lowest nodes: their R² labels, then the note, however many lines it wraps to
    margin_bottom = NODE_H / 2 + 0.45 + len(note_lines) * line_h + 0.12
    height = max(ys) - min(ys) + margin_top + margin_bottom

    plt.rcParams["svg.fonttype"] = "none"  # SVG keeps real text (searchable, editable, testable)
    fig = plt.figure(figsize=(width, height), dpi=300)  # text is measured at the resolution it is saved at
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(min(xs) - margin_x, max(xs) + margin_x)
    ax.set_ylim(min(ys) - margin_bottom, max(ys) + margin_top)
    ax.set_aspect("equal")
    ax.axis("off")

    labels = {}
    for n in nodes:
        x, y = pos[n]
        ax.add_patch(Ellipse((x, y), NODE_W, NODE_H, facecolor="white", edgecolor="black", linewidth=1.1, zorder=2))
        labels[n] = node_label(n, codebook, lang)
        ax.text(x, y, labels[n], ha="center", va="center", fontsize=FONT, zorder=3, linespacing=1.15)
        if n in r2:
            # R² above or below the ellipse, on the side away from the construct's neighbours
            nb = [pos[e.source if e.target == n else e.target] for e in edges if n in (e.source, e.target)]
            up = y - sum(p[1] for p in nb) / len(nb) > 1e-9
            ty = y + (NODE_H / 2 + 0.14) * (1 if up else -1)
            draw_markup(ax, x, ty, t("fig.r2", lang, v=fmt_bounded(r2[n], decimals)), ha="center",
                        va="bottom" if up else "top", fontsize=FONT - 0.5, color="#333333")

    drawn = []
    for e in edges:
        (x0, y0), (x1, y1) = pos[e.source], pos[e.target]
        rad = 0.0
        if _crosses_node(pos, e):
            # bend around a construct that sits on the straight line
            rad = -0.3 if (level[e.source] % 2 == 0) else 0.3
        start = _boundary((x0, y0), (x1, y1))
        end = _boundary((x1, y1), (x0, y0))
        arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11, linewidth=1.0, color="black",
                                connectionstyle=f"arc3,rad={rad}", shrinkA=1, shrinkB=1, zorder=1)
        ax.add_patch(arrow)
        text = (fmt_bounded(e.beta, decimals) + stars(e.pvalue)) if e.beta is not None else ""
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        if rad:
            # the midpoint of matplotlib's arc3 curve: half the control-point offset
            dx, dy = end[0] - start[0], end[1] - start[1]
            mx, my = mx + rad * dy / 2, my - rad * dx / 2
        ax.text(mx, my, text, ha="center", va="center", fontsize=FONT, zorder=4,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
        drawn.append((e.source, e.target, text, (mx, my)))

    for k, line in enumerate(note_lines):  # top to bottom, so that the SVG reads in order
        draw_markup(ax, min(xs) - margin_x + 0.1, min(ys) - margin_bottom + 0.08 + (len(note_lines) - 1 - k) * line_h,
                    line, ha="left", va="bottom", fontsize=FONT - 1, color="#222222")
    for path in paths:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=300, facecolor="white", metadata=_metadata(path, lang))
    plt.close(fig)
    return {"nodes": labels, "positions": pos, "edges": drawn, "r2": r2}


def figure_note(model: dict, lang: str, width: float, decimals: int) -> list[str]:
    """The note under the diagram, wrapped to its width: what the coefficients are, the fit line (the
    estimator's statistics and correction), the indirect effects, the significance stars."""
    notes = [t("fig.path_note", lang)]
    fit_text = fit_line(model.get("fit") or {}, lang, model.get("estimator"))
    if fit_text:
        notes.append(fit_text)
    labels_of = path_labels(model["parameters"])
    for p in model["parameters"]:
        if p["op"] == ":=" and p.get("std_all") is not None:
            chain = chain_path(p["rhs"], labels_of)
            what = t("fig.indirect_named", lang, name=p["lhs"], route=chain) if chain else p["lhs"]
            notes.append(f"{what}: β = {fmt_bounded(p['std_all'], decimals)}{stars(p.get('pvalue'))}.")
    return textwrap.wrap(" ".join(notes), int(width * 15)) + [t("note.p_stars", lang)]


def draw_markup(ax, x: float, y: float, text: str, *, ha: str = "left", **kw) -> None:
    """Text with <i>...</i> runs (statistical symbols in italics, APA 7) as consecutive text objects, so
    that the SVG keeps whole words as text (mathtext would break it into single glyphs)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    runs = [r for r in split_markup(text) if r.text]
    artists = [ax.text(x, y, r.text, ha="left", fontstyle="italic" if r.italic else "normal", **kw) for r in runs]
    # widths in inches (one data unit is one inch); trailing spaces count, so measure with a guard glyph
    widths = []
    for a, r in zip(artists, runs):
        probe = ax.text(0, 0, r.text + "|", fontstyle=a.get_fontstyle(), fontsize=a.get_fontsize())
        guard = ax.text(0, 0, "|", fontsize=a.get_fontsize())
        widths.append((probe.get_window_extent(renderer).width - guard.get_window_extent(renderer).width) / fig.dpi)
        probe.remove()
        guard.remove()
    start = x - {"left": 0.0, "center": sum(widths) / 2, "right": sum(widths)}[ha]
    for a, w in zip(artists, widths):
        a.set_x(start)
        start += w


def fit_line(fit: dict, lang: str, estimator: str | None = None) -> str:
    """'Model fit: χ²(247) = 234.52, <i>p</i> = .712; CFI = 1.000; ...; SRMR = .031.' (markup: <i>)

    Under MLR/WLSMV the measures the tables show (the scaled χ², robust or scaled indices:
    tables/robust.py), followed by the note naming the correction."""
    k = shown_names(fit)
    if fit.get(k["chisq"]) is None or fit.get(k["df"]) is None:
        return ""
    parts = [f"χ²({int(round(fit[k['df']]))}) = {fmt_stat('chisq', fit[k['chisq']])}, <i>p</i> "
             f"{fmt_p_text(fit.get(k['pvalue']))}"]
    for key in ("cfi", "tli"):
        if fit.get(k[key]) is not None:
            parts.append(f"{key.upper()} = {fmt_stat(key, fit[k[key]])}")
    if fit.get(k["rmsea"]) is not None:
        lo, hi = fit.get(k["rmsea_ci_lower"]), fit.get(k["rmsea_ci_upper"])
        ci = f" [{fmt_stat('rmsea', lo)}, {fmt_stat('rmsea', hi)}]" if lo is not None and hi is not None else ""
        parts.append(f"RMSEA = {fmt_stat('rmsea', fit[k['rmsea']])}{ci}")
    if fit.get("srmr") is not None:
        parts.append(f"SRMR = {fmt_stat('srmr', fit['srmr'])}")
    # no-break spaces keep 'CFI = .990' on one line when the note wraps
    line = t("fig.fit", lang, fit="; ".join(p.replace(" = ", "\u00a0=\u00a0") for p in parts))
    if is_scaled(fit) and estimator:
        line += " " + correction_note([estimator], lang, scaled_indices=k["cfi"].endswith("_scaled"),
                                      scaling_factor=False)
    return line.strip()


def _crosses_node(pos, e: Edge) -> bool:
    """Does the straight segment source -> target pass through another construct's ellipse?"""
    (x0, y0), (x1, y1) = pos[e.source], pos[e.target]
    for n, (x, y) in pos.items():
        if n in (e.source, e.target):
            continue
        for k in range(1, 20):
            px, py = x0 + (x1 - x0) * k / 20, y0 + (y1 - y0) * k / 20
            if ((px - x) / (NODE_W / 2)) ** 2 + ((py - y) / (NODE_H / 2)) ** 2 < 1:
                return True
    return False


def _metadata(path, lang) -> dict:
    # no dates: the same model gives byte-identical SVGs (reproducible outputs)
    if str(path).endswith(".svg"):
        return {"Date": None, "Title": "path diagram", "Language": lang}
    if str(path).endswith(".png"):
        return {"Software": "alianza (matplotlib)"}
    return {}
