"""ApaTable -> LaTeX (booktabs), Markdown, HTML and CSV. Word lives in alianza.tables.word.

LaTeX goes through pandas' Styler.to_latex (booktabs rules) and needs only
\\usepackage{booktabs} in a plain article; \\caption/\\label let the author's class
(article, apa7, ...) number and style the table.
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from ..atomic import atomic_path
from ..i18n import t
from .apa import DASH, MINUS, ApaTable, note_paragraphs, plain, split_markup, text_width, wrap_words

FORMATS = ("tex", "docx", "md", "csv", "html")
# APA 7 captions with the caption package: "Table 1" in bold on its own line, the title in italics
# below it, flush left, above the table (the caption is written before the tabular).
LATEX_CAPTION = ("\\usepackage[labelfont=bf,textfont=it,labelsep=newline,singlelinecheck=false,"
                 "justification=raggedright,position=top,skip=6pt]{caption}")

# Characters pdflatex's default (OT1/T1 + utf8) set-up cannot print as text, or prints wrongly
# ('<' and '>' come out as inverted punctuation in OT1).
_LATEX_CHARS = {
    MINUS: "$-$", DASH: "---", "\u2013": "--", "\u2265": "$\\geq$", "\u2264": "$\\leq$",
    "α": "$\\alpha$", "β": "$\\beta$", "ω": "$\\omega$", "χ": "$\\chi$", "Δ": "$\\Delta$", "λ": "$\\lambda$",
    "²": "$^{2}$", "<": "$<$", ">": "$>$", "→": "$\\rightarrow$", "×": "$\\times$", "±": "$\\pm$",
    "√": "$\\surd$", "·": "$\\cdot$", "\u00a0": "~",
}
_LATEX_SPECIAL = {
    "\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#", "_": "\\_",
    "{": "\\{", "}": "\\}", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}",
}


def latex_text(text: str) -> str:
    """Markup text -> LaTeX: specials escaped, symbols in math mode, <i>/<sub> as \\textit/\\textsubscript."""
    out = []
    for chunk, italic, sub, bold, sup in split_markup(text):
        s = "".join(_LATEX_SPECIAL.get(ch, _LATEX_CHARS.get(ch, ch)) for ch in chunk)
        s = s.replace("$$", "")  # adjacent math symbols (e.g. 'χ²') merge into one math group
        if bold:
            s = f"\\textbf{{{s}}}"
        if italic:
            s = f"\\textit{{{s}}}"
        if sub:
            s = f"\\textsubscript{{{s}}}"
        if sup:
            s = f"\\textsuperscript{{{s}}}"
        out.append(s)
    return "".join(out)


def markdown_text(text: str, *, cell: bool = False) -> str:
    out = []
    for chunk, italic, sub, bold, sup in split_markup(text):
        s = chunk.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")
        if cell:
            s = s.replace("|", "\\|")
        if bold:
            s = f"**{s}**"
        if italic:
            s = f"*{s}*"
        if sub:
            s = f"<sub>{s}</sub>"
        if sup:
            s = f"<sup>{s}</sup>"
        out.append(s)
    return "".join(out)


def html_text(text: str) -> str:
    out = []
    for chunk, italic, sub, bold, sup in split_markup(text):
        s = html.escape(chunk)
        if bold:
            s = f"<b>{s}</b>"
        if italic:
            s = f"<i>{s}</i>"
        if sub:
            s = f"<sub>{s}</sub>"
        if sup:
            s = f"<sup>{s}</sup>"
        out.append(s)
    return "".join(out)


# ------------------------------------------------------------------ LaTeX
# Text block of a plain 11 pt article (360 x 592 pt), portrait and landscape, in inches, less room for
# caption and note.
LATEX_PAGES = {"portrait": (4.6, 7.4), "landscape": (7.6, 4.2)}  # widths with ~7 % to spare for estimate error
# (size command, point size, \\tabcolsep in points): the largest that fits is used
LATEX_SIZES = (("", 10.0, 6.0), ("\\small", 9.0, 5.0), ("\\footnotesize", 8.0, 4.0))


def _natural_widths(table: ApaTable) -> tuple[list[float], list[float]]:
    """Inches at 12 pt per column: (width wanted, widest cell). A wrapped-text column (Column.width)
    wants its nominal width; others their widest cell or the header's longest word (headers wrap)."""
    body = [cells for kind, cells in table.rows() if kind == "row"]
    want, widest = [], []
    for j, c in enumerate(table.columns):
        cells = [row[j] for row in body]
        longest_word = max((text_width(w) for w in wrap_words(plain(c.header), 0.0)), default=0.0)
        w = max([text_width(x) for x in cells] + [longest_word, 0.25])
        widest.append(w)
        want.append(min(c.width, w) if c.width else w)
    return want, widest


class LatexLayout(NamedTuple):
    size: str
    tabcolsep: float
    widths: list[float]  # inches at the chosen size
    scale: float  # chosen size against 12 pt
    landscape: bool
    long: bool  # taller than a page: longtable
    fits: bool


def latex_layout(table: ApaTable) -> LatexLayout:
    """Portrait before landscape, the largest font size first; wrapped-text columns take the width left."""
    want, widest = _natural_widths(table)
    text_cols = [j for j, c in enumerate(table.columns) if c.width]
    body = [cells for kind, cells in table.rows() if kind == "row"]
    n_groups = sum(1 for kind, _ in table.rows() if kind == "group")
    last = None
    for orient in ("portrait", "landscape"):
        page_w, page_h = LATEX_PAGES[orient]
        for cmd, pt, sep in LATEX_SIZES:
            f = pt / 9.6  # Computer Modern at `pt` against Times 12 pt, roughly (CM sets wider)
            pad = 2 * sep / 72 * len(want)
            widths = [w * f for w in want]
            others = sum(w for j, w in enumerate(widths) if j not in text_cols) + pad
            fits = others + sum(widths[j] for j in text_cols) <= page_w
            if not fits and text_cols:
                avail = page_w - others
                nominal = sum(widths[j] for j in text_cols)
                if avail >= 0.85 * nominal:  # squeeze the wrapped text by at most 15 %
                    for j in text_cols:
                        widths[j] = avail * widths[j] / nominal
                    fits = True
            elif fits and text_cols:
                # give the wrapped text the room left (no wider than its longest cell)
                spare = page_w - others - sum(widths[j] for j in text_cols)
                for j in text_cols:
                    widths[j] = min(widest[j] * f, widths[j] + spare / len(text_cols))
            lines = 0
            for cells in body:
                lines += max([1] + [int(text_width(cells[j]) * f / max(widths[j], 0.1)) + 1 for j in text_cols])
            height = (lines + n_groups + 3) * pt * 1.2 / 72
            last = LatexLayout(cmd, sep, widths, f, orient == "landscape", height > page_h, fits)
            if fits:
                return last
    return last


def _latex_header(col, width: float) -> str:
    """Column heading wrapped onto lines no wider than `width` (inches at 12 pt), centred over numbers (APA)."""
    align = "l" if col.alignment == "l" else "c"
    lines = wrap_words(col.header, max(width, 0.25)) if plain(col.header) else [""]
    # '\\ {}' and not '\\ ': a line starting with '[' would be read as the optional argument of \\
    text = latex_text(lines[0]) if len(lines) == 1 else (
        f"\\begin{{tabular}}[b]{{@{{}}{align}@{{}}}}" + " \\\\ {}".join(latex_text(x) for x in lines) + "\\end{tabular}"
    )
    return text if align == "l" else f"\\multicolumn{{1}}{{c}}{{{text}}}"


def to_latex(table: ApaTable) -> str:
    """A booktabs table sized to a plain article: a float, or a longtable when taller than a page,
    on a landscape page (pdflscape) when wider than a portrait text block."""
    ncol = len(table.columns)
    lay = latex_layout(table)
    markers = {}
    rows = []
    indent = iter(table.in_group())
    for kind, value in table.rows():
        if kind == "group":
            marker = f"GROUPROW{len(markers)}X"
            markers[marker] = value
            rows.append([marker] + [""] * (ncol - 1))
        else:
            # ragged right in wrapped columns; such rows end in \tabularnewline, since \raggedright
            # redefines \\ (and a \par before the cell's end would add an empty line)
            cells = [f"\\raggedright {latex_text(v)}" if c.width else latex_text(v)
                     for c, v in zip(table.columns, value)]
            if next(indent):
                cells[0] = "\\hspace{1em}" + cells[0]
            if cells[0].startswith("["):  # after the previous row's \\ a '[' would be its optional argument
                cells[0] = "{}" + cells[0]
            rows.append(cells)
    headers = [_latex_header(c, w / lay.scale) for c, w in zip(table.columns, lay.widths)]
    if table.has_spanners:
        columns = pd.MultiIndex.from_tuples(
            [(latex_text(c.spanner or "") or " " * i, h) for i, (c, h) in enumerate(zip(table.columns, headers))]
        )
    else:
        columns = pd.Index(headers)
    spec = "@{}" + "".join(
        (f"p{{{w:.2f}in}}" if c.width else c.alignment) for c, w in zip(table.columns, lay.widths)
    ) + "@{}"
    frame = pd.DataFrame(rows, columns=columns)
    styler = frame.style.hide(axis="index")
    if lay.long:
        tabular = styler.to_latex(hrules=True, column_format=spec, multicol_align="c", environment="longtable",
                                  caption=latex_text(table.title), label=f"tab:{table.name}")
        tabular = tabular.replace("Continued on next page", latex_text(t("continued", table.lang)))
    else:
        tabular = styler.to_latex(hrules=True, column_format=spec, multicol_align="c")
    out = []
    for line in tabular.splitlines():
        m = re.match(r"^(GROUPROW\d+X)\s*(?:&\s*)*\\\\$", line.strip())
        if m:
            out.append(f"\\multicolumn{{{ncol}}}{{@{{}}l}}{{\\textit{{{latex_text(markers[m.group(1)])}}}}} \\\\")
            continue
        out.append(line)
        if table.has_spanners and line == "\\toprule":
            out.append("SPANNERS")
    if table.has_spanners:
        # booktabs rule under each spanner heading; Styler writes the spanner row right after \toprule
        rules, start = [], 1
        for text, width in table.spanner_row():
            if text:
                rules.append(f"\\cmidrule(lr){{{start}-{start + width - 1}}}")
            start += width
        out = [x for k, x in enumerate(out) if x != "SPANNERS"] if not rules else out
        for k in [k for k, x in enumerate(out) if x == "SPANNERS"]:
            out[k], out[k + 1] = out[k + 1], " ".join(rules)
    out = [re.sub(r" \\\\$", r" \\tabularnewline", x) if "\\raggedright" in x else x for x in out]
    tabular = "\n".join(out)
    notes = "\n".join(f"{latex_text(p)}\\par" for p in note_paragraphs(table))
    packages = ["booktabs"] + (["longtable"] if lay.long else []) + (["pdflscape"] if lay.landscape else [])
    head = f"% {plain(table.label)}. {plain(table.title)}\n"
    if table.provenance:
        head += f"% {table.provenance}\n"
    head += "% Needs " + ", ".join(f"\\usepackage{{{p}}}" for p in packages) + "; APA captions: " + LATEX_CAPTION + ".\n"
    if not lay.fits:
        head += "% Wider than a landscape text block even in \\footnotesize: check the layout.\n"
    setup = (lay.size + "\n" if lay.size else "") + (
        f"\\setlength{{\\tabcolsep}}{{{lay.tabcolsep:g}pt}}\n" if lay.tabcolsep != 6.0 else "")
    note_block = ("\\par\\smallskip\n{\\small\n" + notes + "\n}\n") if notes else ""
    if lay.long:
        body = "{" + setup + tabular + "\n" + note_block + "}\n"
    else:
        body = (
            "\\begin{table}[htbp]\n" + setup
            + f"\\caption{{{latex_text(table.title)}}}\n"
            + f"\\label{{tab:{table.name}}}\n"
            + tabular + "\n" + note_block
            + "\\end{table}\n"
        )
    if lay.landscape:
        body = "\\begin{landscape}\n" + body + "\\end{landscape}\n"
    return head + body


def latex_document(tables: list[ApaTable]) -> str:
    """A compilable article holding the tables, one per page (for checking them, and for a PDF)."""
    body = "\n\\clearpage\n".join(to_latex(tb) for tb in tables)
    # the caption word in the tables' language without babel (not every TeX installation has Spanish)
    name = f"\\renewcommand{{\\tablename}}{{{t('table', tables[0].lang)}}}\n" if tables else ""
    return (
        "\\documentclass[11pt]{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[utf8]{inputenc}\n"
        "\\usepackage{booktabs}\n\\usepackage{longtable}\n\\usepackage{pdflscape}\n" + LATEX_CAPTION + "\n" + name
        + "\\begin{document}\n" + body + "\\end{document}\n"
    )


# ------------------------------------------------------------------ Markdown
def to_markdown(table: ApaTable) -> str:
    headers = []
    for c in table.columns:
        h = f"{c.spanner} {c.header}" if c.spanner else c.header
        headers.append(markdown_text(h, cell=True))
    lines = [f"**{plain(table.label)}**", "", f"*{markdown_text(table.title)}*", ""]
    if table.provenance:
        lines = [f"<!-- {table.provenance} -->", ""] + lines
    lines.append("| " + " | ".join(headers) + " |")
    align = {"l": ":---", "r": "---:", "c": ":---:"}
    lines.append("|" + "|".join(align.get(c.alignment, "---") for c in table.columns) + "|")
    ncol = len(table.columns)
    for kind, value in table.rows():
        if kind == "group":
            lines.append("| *" + markdown_text(value, cell=True) + "* |" + " |" * (ncol - 1))
        else:
            lines.append("| " + " | ".join(markdown_text(v, cell=True) for v in value) + " |")
    paragraphs = note_paragraphs(table)
    if paragraphs:
        lines.append("")
        for p in paragraphs:
            lines += [markdown_text(p), ""]
        lines.pop()
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ HTML
HTML_STYLE = """
body { font-family: "Times New Roman", Times, serif; font-size: 12pt; margin: 1.5em; color: #000; }
p.apa-label { font-weight: bold; margin: 0 0 .4em 0; }
p.apa-title { font-style: italic; margin: 0 0 .8em 0; }
table.apa { border-collapse: collapse; margin-bottom: .6em; }
table.apa th, table.apa td { padding: .15em .7em; vertical-align: top; }
table.apa th { font-weight: normal; vertical-align: bottom; }
table.apa td.indent { padding-left: 1.7em; }
table.apa thead tr:first-child th { border-top: 1.5px solid #000; }
table.apa thead tr:last-child th { border-bottom: 1px solid #000; }
table.apa th.spanner { border-bottom: 1px solid #000; }
table.apa tbody tr:last-child td { border-bottom: 1.5px solid #000; }
table.apa td.group { font-style: italic; padding-top: .5em; }
.l { text-align: left; } .r { text-align: right; } .c { text-align: center; }
p.apa-note { margin: .3em 0; max-width: 60em; }
"""


def to_html_fragment(table: ApaTable) -> str:
    ncol = len(table.columns)
    out = [f'<p class="apa-label">{html_text(table.label)}</p>', f'<p class="apa-title">{html_text(table.title)}</p>']
    out.append('<table class="apa">\n<thead>')
    if table.has_spanners:
        cells = []
        for text, width in table.spanner_row():
            cls = ' class="spanner c"' if text else ""
            cells.append(f'<th colspan="{width}"{cls}>{html_text(text)}</th>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append(
        "<tr>" + "".join(f'<th class="{"l" if c.alignment == "l" else "c"}">{html_text(c.header)}</th>'
                         for c in table.columns) + "</tr>"
    )
    out.append("</thead>\n<tbody>")
    indent = iter(table.in_group())
    for kind, value in table.rows():
        if kind == "group":
            out.append(f'<tr><td class="group l" colspan="{ncol}">{html_text(value)}</td></tr>')
        else:
            first = " indent" if next(indent) else ""
            out.append("<tr>" + "".join(f'<td class="{c.alignment}{first if j == 0 else ""}">{html_text(v)}</td>'
                                        for j, (c, v) in enumerate(zip(table.columns, value))) + "</tr>")
    out.append("</tbody>\n</table>")
    for p in note_paragraphs(table):
        out.append(f'<p class="apa-note">{html_text(p)}</p>')
    return "\n".join(out)


def html_document(tables: list[ApaTable], title: str | None = None, extra: str = "") -> str:
    lang = tables[0].lang if tables else "en"
    title = title or (plain(tables[0].title) if tables else "")
    prov = "".join(f"<!-- {html.escape(tb.provenance)} -->\n" for tb in tables[:1] if tb.provenance)
    body = "\n<hr>\n".join(to_html_fragment(tb) for tb in tables)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n{prov}'
        f"<title>{html.escape(title)}</title>\n<style>{HTML_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n{extra}</body>\n</html>\n"
    )


# ------------------------------------------------------------------ CSV and all formats
def to_csv(table: ApaTable, path) -> None:
    # Full precision, point decimal, UTF-8 with BOM so that Excel opens accents correctly.
    table.csv_frame().to_csv(path, index=False, encoding="utf-8-sig")


def write_table(table: ApaTable, outputs: dict[str, str | Path]) -> None:
    """Write `table` to every format in `outputs` (format -> path)."""
    unknown = sorted(set(outputs) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown table format(s): {', '.join(unknown)}")
    for fmt, path in outputs.items():
        if fmt == "docx":
            from .word import write_docx

            write_docx([table], path)
            continue
        with atomic_path(path) as tmp:  # never a truncated table after a failed run
            if fmt == "tex":
                tmp.write_text(to_latex(table), encoding="utf-8")
            elif fmt == "md":
                tmp.write_text(to_markdown(table), encoding="utf-8")
            elif fmt == "html":
                tmp.write_text(html_document([table]), encoding="utf-8")
            elif fmt == "csv":
                to_csv(table, tmp)
