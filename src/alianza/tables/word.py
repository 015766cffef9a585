"""ApaTable -> Word (.docx) in APA 7 style, with python-docx.

APA 7 (7.8-7.21): the table number in bold ("Table 1"/"Tabla 1"), the title in italics
on the next line, horizontal rules only (top, below the column heads, under each
spanner, bottom), a note below starting with the italic word "Note."/"Nota.", Times
New Roman 12 pt, 1-inch margins. The table body is single-spaced, which APA allows
for tables; number, title and note are double-spaced like the rest of a manuscript.
Column widths are set explicitly (not left to autofit) so Word and LibreOffice lay
the table out the same way; a table too wide for a portrait page gets a landscape
section of its own.
"""
from __future__ import annotations

from datetime import datetime, timezone

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt

from ..atomic import atomic_path
from .apa import DASH, ApaTable, note_paragraphs, plain, split_markup, text_width, wrap_words

FONT = "Times New Roman"
FONT_SIZE = 12  # the one size of every table (APA 7, 7.8); a table too wide wraps its cells instead
RULE = 8  # border width in eighths of a point: 1 pt
THIN_RULE = 4
PAGE = {"portrait": (8.5, 11.0), "landscape": (11.0, 8.5)}
MARGIN = 1.0
CELL_PAD = 0.22  # inches: left + right cell margins (Word's default 0.08 in each side) and some air
INDENT = 0.2  # inches: rows under a group heading
NUMERIC = ("int", "num", "bounded", "p", "pct")  # right-aligned: decimal points line up
LANG_TAG = {"es": "es-MX", "en": "en-US"}
# tcPr children that must come after tcBorders (ECMA-376 sequence)
_AFTER_BORDERS = ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


def _set_cell_borders(cell, **edges: int) -> None:
    tcPr = cell._tc.get_or_add_tcPr()
    borders = tcPr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        after = next((tcPr.find(qn(tag)) for tag in _AFTER_BORDERS if tcPr.find(qn(tag)) is not None), None)
        if after is not None:
            after.addprevious(borders)
        else:
            tcPr.append(borders)
    for edge in ("top", "bottom"):  # schema order inside tcBorders: top, ..., bottom
        if edge not in edges:
            continue
        el = borders.find(qn(f"w:{edge}"))
        if el is None:
            el = OxmlElement(f"w:{edge}")
            if edge == "top":
                borders.insert(0, el)
            else:
                borders.append(el)
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(edges[edge]))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")


def _row_flag(row, tag: str) -> None:
    trPr = row._tr.get_or_add_trPr()
    el = OxmlElement(tag)
    el.set(qn("w:val"), "true")
    trPr.append(el)


def _add_runs(paragraph, text: str, *, italic: bool = False, bold: bool = False, size: int | None = None) -> None:
    for chunk, it, sub, b, sup in split_markup(text):
        run = paragraph.add_run(chunk)
        if size and size != FONT_SIZE:
            run.font.size = Pt(size)
        run.italic = italic or it
        run.bold = bold or b or None
        if sub:
            run.font.subscript = True
        if sup:
            run.font.superscript = True


def _format_paragraph(paragraph, *, align=None, double: bool = False) -> None:
    pf = paragraph.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.DOUBLE if double else WD_LINE_SPACING.SINGLE
    if align is not None:
        paragraph.alignment = align


def _set_cell_text(cell, text: str, align, *, italic: bool = False, indent: float = 0.0,
                   right_indent: float = 0.0, size: int | None = None) -> None:
    paragraph = cell.paragraphs[0]
    _add_runs(paragraph, text, italic=italic, size=size)
    if size and size != FONT_SIZE:
        # the paragraph mark sets the height of an empty cell: give it the table's size too
        ppr = paragraph._p.get_or_add_pPr()
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            ppr.append(rpr)  # rPr is the last child of pPr (ECMA-376)
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(int(size * 2)))
        rpr.append(sz)
    _format_paragraph(paragraph, align=align)
    if indent:
        paragraph.paragraph_format.left_indent = Inches(indent)
    if right_indent:
        paragraph.paragraph_format.right_indent = Inches(right_indent)


def number_block_indent(cells: list[str], width: float, scale: float = 1.0) -> float:
    """Right indent that centres a column's right-aligned numbers under its heading.

    Right alignment lines the numbers up on the decimal point (every cell of a column has
    the same number of decimals); the indent moves the block to the middle of the column.
    Tab stops would align exactly but wrap the cell when an estimate is off; this cannot."""
    widest = max((text_width(c) for c in cells if c != DASH), default=0.0) * scale
    return max(0.0, (width - CELL_PAD - widest) / 2 - 0.02)


def _setup_styles(doc, lang: str) -> None:
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(FONT_SIZE)
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), LANG_TAG.get(lang, "en-US"))  # spell-checking in the table's language
    pf = style.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def _orient(section, landscape: bool) -> None:
    w, h = PAGE["landscape" if landscape else "portrait"]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Inches(w), Inches(h)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(MARGIN))


def column_widths(table: ApaTable, available: float, scale: float = 1.0) -> list[float]:
    """Inches per column: the widest cell (headers may wrap at spaces), fixed widths for wrapped text.

    `scale` is the body font size against 12 pt."""
    body = [cells for kind, cells in table.rows() if kind == "row"]
    widths = []
    for j, col in enumerate(table.columns):
        if col.width:
            widths.append(col.width)
            continue
        cells = [row[j] for row in body]
        head_words = max((text_width(w) for w in wrap_words(plain(col.header), 0.0)), default=0.0)
        widest = max([text_width(c) for c in cells] + [head_words])
        # text a little wider than estimated: a wrapped construct name looks worse than a spare millimetre
        widths.append(widest * scale * (1.08 if col.kind == "text" else 1.0) + CELL_PAD
                      + (INDENT if j == 0 and table.grouped else 0.0))
    # spanner headings must fit over their columns
    start = 0
    for text, span in table.spanner_row():
        need = text_width(text) * scale + CELL_PAD
        have = sum(widths[start:start + span])
        if text and need > have:
            for k in range(start, start + span):
                widths[k] += (need - have) / span
        start += span
    total = sum(widths)
    if total < available:
        # room to spare: let wrapped text run longer (up to its longest cell) instead of wrapping
        for j, col in enumerate(table.columns):
            if col.width and total < available:
                longest = max([text_width(row[j]) for row in body] + [0.0]) * scale + CELL_PAD + 0.05
                grow = min(max(0.0, longest - widths[j]), available - total)
                widths[j] += grow
                total += grow
    if total > available:
        # shrink the wrapped-text columns first, then everything proportionally
        flexible = [j for j, c in enumerate(table.columns) if c.width]
        excess = total - available
        room = sum(widths[j] - 1.2 for j in flexible if widths[j] > 1.2)
        if room > 0:
            for j in flexible:
                if widths[j] > 1.2:
                    widths[j] -= excess * (widths[j] - 1.2) / room if excess < room else widths[j] - 1.2
        total = sum(widths)
        if total > available:
            # then text columns down to their longest word (they wrap at spaces; a number must not wrap)
            floor = {j: max([text_width(w) for row in body for w in wrap_words(plain(row[j]), 0.0)]
                            + [text_width(w) for w in wrap_words(plain(col.header), 0.0)] + [0.0]) * scale
                     + CELL_PAD for j, col in enumerate(table.columns) if col.kind == "text" and not col.width}
            room = sum(max(0.0, widths[j] - f) for j, f in floor.items())
            if room > 0:
                cut = min(1.0, (total - available) / room)
                for j, f in floor.items():
                    widths[j] -= cut * max(0.0, widths[j] - f)
            total = sum(widths)
        if total > available:
            widths = [w * available / total for w in widths]
    return widths


def word_layout(table: ApaTable) -> tuple[bool, int, list[float]]:
    """(landscape, body font size, column widths): portrait when the table fits; else a landscape
    page, whose columns shrink (cells wrap) when even that is too narrow. Always 12 pt: one font
    size throughout the document."""
    def natural(scale):
        w = column_widths(table, float("inf"), scale)
        flexible = sum(1.2 for c in table.columns if c.width)  # wrapped text may shrink to 1.2 in
        return sum(x for x, c in zip(w, table.columns) if not c.width) + flexible

    portrait = PAGE["portrait"][0] - 2 * MARGIN
    landscape = PAGE["landscape"][0] - 2 * MARGIN
    if not table.landscape and natural(1.0) <= portrait:
        return False, FONT_SIZE, column_widths(table, portrait)
    return True, FONT_SIZE, column_widths(table, landscape)


def _add_table(doc, table: ApaTable, widths: list[float], size: int) -> None:
    label = doc.add_paragraph()
    _add_runs(label, table.label, bold=True)
    _format_paragraph(label, double=True)
    title = doc.add_paragraph()
    _add_runs(title, table.title, italic=True)
    _format_paragraph(title, double=True)

    ncol = len(table.columns)
    rows = table.rows()
    n_head = 2 if table.has_spanners else 1
    grid = doc.add_table(rows=n_head + len(rows), cols=ncol)
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    grid.autofit = False
    for j, w in enumerate(widths):
        grid.columns[j].width = Inches(w)
        for cell in grid.columns[j].cells:
            cell.width = Inches(w)

    def head_align(col):
        return WD_ALIGN_PARAGRAPH.LEFT if col.alignment == "l" else WD_ALIGN_PARAGRAPH.CENTER

    def body_align(col):
        if col.kind in NUMERIC:
            return WD_ALIGN_PARAGRAPH.RIGHT
        return WD_ALIGN_PARAGRAPH.LEFT if col.alignment == "l" else WD_ALIGN_PARAGRAPH.CENTER

    # column heads
    if table.has_spanners:
        start = 0
        for text, span in table.spanner_row():
            cell = grid.cell(0, start)
            if span > 1:
                cell = cell.merge(grid.cell(0, start + span - 1))
            _set_cell_text(cell, text, WD_ALIGN_PARAGRAPH.CENTER, size=size)
            if text:
                _set_cell_borders(cell, bottom=THIN_RULE)
            start += span
    head = grid.rows[n_head - 1]
    for j, col in enumerate(table.columns):
        # zero-width spaces let Word break long ids (wave names) after their underscores
        _set_cell_text(head.cells[j], col.header.replace("_", "_\u200b"), head_align(col), size=size)
    for r in range(n_head):
        _row_flag(grid.rows[r], "w:tblHeader")  # repeat the heads on every page
        for cell in grid.rows[r].cells:
            cell.vertical_alignment = WD_ALIGN_VERTICAL.BOTTOM  # one-line heads sit on the rule under them
    for cell in grid.rows[0].cells:
        _set_cell_borders(cell, top=RULE)
    for cell in head.cells:
        _set_cell_borders(cell, bottom=RULE)

    # body
    body_cells = [cells for kind, cells in rows if kind == "row"]
    pads = [number_block_indent([r[j] for r in body_cells], widths[j], size / FONT_SIZE) if col.kind in NUMERIC else 0.0
            for j, col in enumerate(table.columns)]
    in_group = iter(table.in_group())
    for i, (kind, value) in enumerate(rows):
        row = grid.rows[n_head + i]
        _row_flag(row, "w:cantSplit")
        if kind == "group":
            cell = row.cells[0].merge(row.cells[ncol - 1]) if ncol > 1 else row.cells[0]
            _set_cell_text(cell, value, WD_ALIGN_PARAGRAPH.LEFT, italic=True, size=size)
        else:
            indent = INDENT if next(in_group) else 0.0
            for j, (col, text) in enumerate(zip(table.columns, value)):
                _set_cell_text(row.cells[j], text, body_align(col), indent=indent if j == 0 else 0.0,
                               right_indent=pads[j], size=size)
    for cell in grid.rows[len(grid.rows) - 1].cells:
        _set_cell_borders(cell, bottom=RULE)

    for text in note_paragraphs(table):
        p = doc.add_paragraph()
        _add_runs(p, text)
        _format_paragraph(p, double=True)


def document_title(tables: list[ApaTable]) -> str:
    """'Reliability and ...' for one table; 'Tables 1–9' ('Tablas 1–9') for a set."""
    from ..i18n import t

    if len(tables) == 1:
        return plain(tables[0].title)
    return f"{t('tables', tables[0].lang)} {tables[0].number}\u2013{tables[-1].number}"


def write_docx(tables: list[ApaTable], path, *, title: str | None = None) -> None:
    """One document with each table on its own page (landscape pages where a table needs them).

    Document properties come from the run, not python-docx's template (created 2013): `title`
    (default: the table's title, or "Tables 1-9" for a set), created and modified now."""
    if not tables:
        raise ValueError("no tables to write")
    doc = Document()
    _setup_styles(doc, tables[0].lang)
    for k, table in enumerate(tables):
        landscape, size, widths = word_layout(table)
        section = doc.sections[0] if k == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
        _orient(section, landscape)
        _add_table(doc, table, widths, size)
    props = doc.core_properties
    props.title = core_property(title or document_title(tables))
    props.created = props.modified = datetime.now(timezone.utc).replace(microsecond=0)
    props.last_modified_by = "alianza"
    props.revision = 1
    props.author = "alianza"
    props.language = LANG_TAG.get(tables[0].lang, "en-US")
    if tables[0].provenance:
        props.comments = core_property(tables[0].provenance)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))


CORE_LIMIT = 255  # Word's core properties hold at most 255 characters (python-docx refuses more)


def core_property(text: str) -> str:
    """A core-property value within Word's limit. A provenance line (catalog.provenance_line, in either
    language) keeps its version, seed, date and the path of the full record, and counts its inputs
    instead of listing them."""
    if len(text) <= CORE_LIMIT:
        return text
    for marker, counted in (("; inputs: ", "inputs"), ("; datos: ", "archivos de datos")):
        head, sep, rest = text.partition(marker)
        if sep:
            listed, _, record = rest.rpartition("; ")
            text = f"{head}; {listed.count('; ') + 1} {counted}; {record}"
            break
    return text if len(text) <= CORE_LIMIT else text[:CORE_LIMIT - 1] + "…"