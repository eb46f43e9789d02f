"""Word (.docx): the official grid from :mod:`reportkit.layout` with merged headers, provenance as colour
and shading, drafts highlighted; A4 with the margins of 党政机关公文格式 (GB/T 9704), column headings
repeated on every page, zh-CN as the language of the document, its styles and its theme.

The body is built by appending to the ``w:body`` element with ``w:sectPr`` set aside: python-docx's
``add_paragraph``/``add_table`` look for ``w:sectPr`` among all the body's children on every insert,
which makes a long report quadratic."""

from __future__ import annotations

from pathlib import Path

from ..layout import full_grid
from ..paths import atomic_output
from ..format import Table, spec
from .document import DOCX_BODY_FONT, DOCX_HEADING_FONT, DOCX_LATIN_FONT, PROVENANCE, _Doc, _SECTION_NOTE, _TABLE_SECTION_NOTE, _bounds_text, _draft_label, _draft_pieces, _draft_sections, _paragraphs, _source_notes
from ..text import num_text, safe_cell_text, xml_safe


def _set_fonts(rpr, east_asia: str, latin: str = DOCX_LATIN_FONT, lang: bool = False):
    """Set w:rFonts (ascii, hAnsi, eastAsia) on a w:rPr, dropping the theme attributes that would
    override them: python-docx's ``font.name`` writes ascii/hAnsi only, and the default template's
    ``w:eastAsiaTheme`` wins over an explicit ``w:eastAsia``. ``lang`` also sets w:lang eastAsia=zh-CN."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    if lang:
        el = rpr.find(qn("w:lang"))
        if el is None:
            el = OxmlElement("w:lang")
            rpr.append(el)
        el.set(qn("w:eastAsia"), "zh-CN")
        el.set(qn("w:val"), "zh-CN")


def _docx_styles(d):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor
    styles_el = d.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    if rpr_default is not None:
        from docx.oxml import OxmlElement
        rpr = rpr_default.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            rpr_default.append(rpr)
        _set_fonts(rpr, DOCX_BODY_FONT, lang=True)
    normal = d.styles["Normal"]
    normal.font.size = Pt(12)
    _set_fonts(normal.element.get_or_add_rPr(), DOCX_BODY_FONT)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 13)):
        st = d.styles[name]
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(st.element.get_or_add_rPr(), DOCX_HEADING_FONT)
    _set_fonts(d.styles["Table Grid"].element.get_or_add_rPr(), DOCX_BODY_FONT)


def _run(p, text, *, bold=False, italic=False, color=None, size=None, highlight=False, font=DOCX_BODY_FONT):
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Pt, RGBColor
    r = p.add_run(xml_safe(text))
    r.bold = bold or None
    r.italic = italic or None
    if color:
        r.font.color.rgb = RGBColor.from_string(color)
    if size:
        r.font.size = Pt(size)
    if highlight:
        r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    _set_fonts(r._r.get_or_add_rPr(), font)
    return r


def _set_theme_language(d):
    """``w:themeFontLang`` in settings.xml picks the theme's font script; python-docx's template says
    ja-JP, so theme fonts (and the language Word shows) would be Japanese."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    settings = d.settings.element
    el = settings.find(qn("w:themeFontLang"))
    if el is None:
        el = OxmlElement("w:themeFontLang")
        settings.append(el)
    el.set(qn("w:val"), "zh-CN")
    el.set(qn("w:eastAsia"), "zh-CN")


class _Body:
    """Paragraphs and tables appended to the document body in constant time each."""

    def __init__(self, d):
        self.d = d
        self.el = d.element.body
        self.sect_pr = self.el.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sectPr")
        if self.sect_pr is not None:
            self.el.remove(self.sect_pr)
        self._style_ids = {}

    def style_id(self, name):
        if name not in self._style_ids:
            self._style_ids[name] = self.d.styles[name].style_id
        return self._style_ids[name]

    def paragraph(self, style=None):
        from docx.oxml import OxmlElement
        from docx.text.paragraph import Paragraph
        p = OxmlElement("w:p")
        self.el.append(p)
        para = Paragraph(p, self.d._body)
        if style:
            p.get_or_add_pPr().style = self.style_id(style)
        return para

    def table(self, rows, cols, width):
        from docx.oxml.table import CT_Tbl
        from docx.table import Table as DocxTable
        tbl = CT_Tbl.new_tbl(rows, cols, width)
        self.el.append(tbl)
        return DocxTable(tbl, self.d._body)

    def close(self):
        if self.sect_pr is not None:
            self.el.append(self.sect_pr)


def _mark_row(tr, *, header=False):
    """A row that never breaks across pages; a header row is repeated at the top of every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    trpr = tr.get_or_add_trPr()
    for tag, on in (("w:cantSplit", True), ("w:tblHeader", header)):
        if on and trpr.find(qn(tag)) is None:
            trpr.append(OxmlElement(tag))


def _heading_rows(fg) -> int:
    """The column-heading band at the top of a grid: leading rows made only of header cells. A block
    title spanning the whole table (table 二) is not a column heading."""
    covered: dict[int, list] = {}
    for g in fg.cells:
        for dr in range(g.rowspan):
            covered.setdefault(g.row + dr, []).append(g)
    n = 0
    for r in range(fg.n_rows):
        row = covered.get(r, [])
        if not row or not all(g.header and g.key is None for g in row) or any(g.colspan == fg.n_cols for g in row):
            break
        n += 1
    return n


# The type area of 党政机关公文格式 (GB/T 9704-2012) on A4: 156 mm × 225 mm.
_PAGE_CM = (21.0, 29.7)
_MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
_TEXT_WIDTH_CM = _PAGE_CM[0] - _MARGINS_CM["left"] - _MARGINS_CM["right"]


def _shade(cell, fill: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


_DOCX_WIDTHS_CM = {"proactive": None, "requests": [1.5, 1.5, 4.2], "appeals": None}


def _docx_table(d, body: _Body, doc: _Doc, t: Table, keep_together: bool = False):
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm
    from docx.table import _Cell as _DocxCell
    fg = full_grid(t)
    cells, n_rows, n_cols = fg.cells, fg.n_rows, fg.n_cols
    table = body.table(n_rows, n_cols, Cm(_TEXT_WIDTH_CM))
    table.style = d.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    total = _TEXT_WIDTH_CM
    lead = _DOCX_WIDTHS_CM.get(t.id)
    if lead:
        rest = (total - sum(lead)) / (n_cols - len(lead))
        widths = lead + [rest] * (n_cols - len(lead))
    elif t.id == "proactive":
        widths = [5.0] + [(total - 5.0) / (n_cols - 1)] * (n_cols - 1)
    else:
        widths = [total / n_cols] * n_cols
    # LibreOffice lays out by the grid (w:gridCol), Word by the cells (w:tcW): set both.
    for i, col in enumerate(table.columns):
        col.width = Cm(widths[i])
    # Cell objects straight from the XML, taken once: table.cell() re-walks the whole table per call.
    grid = [[_DocxCell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    for row in grid:
        for i, c in enumerate(row):
            c.width = Cm(widths[i])
    heading_rows = _heading_rows(fg)
    for i, tr in enumerate(table._tbl.tr_lst):
        _mark_row(tr, header=i < heading_rows)
    size = 7.5 if n_cols > 12 else 9
    for g in cells:
        cell = grid[g.row][g.col]
        if g.rowspan > 1 or g.colspan > 1:
            cell = cell.merge(grid[g.row + g.rowspan - 1][g.col + g.colspan - 1])
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = cell.paragraphs[0]
        if g.key is None:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if g.header or t.id == "appeals" else WD_ALIGN_PARAGRAPH.LEFT
            _run(p, safe_cell_text(g.text), bold=g.header, size=size)
            continue
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        e = doc.cells.get((t.id, *g.key))
        prov = e.provenance if e is not None else "unknown"
        if e is None or e.value is None:
            b = _bounds_text(e) if e is not None else ""
            _run(p, "？" + (f"（{b}）" if b else ""), color="808080", size=size)
        else:
            _run(p, num_text(e.value), italic=prov == "inferred",
                 color={"inferred": "1F4E8C", "stated-prose": "2E6B1F"}.get(prov), size=size)
        fill = PROVENANCE.get(prov, (None, None, None))[2]
        if fill:
            _shade(cell, fill)
    if keep_together:
        # Word keeps a table on one page when every paragraph but the last row's keeps with the next.
        for tr in table._tbl.tr_lst[:-1]:
            for p in tr.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
                p.get_or_add_pPr().keepNext_val = True


def _docx_paragraph(body: _Body, text):
    from docx.shared import Pt
    p = body.paragraph()
    p.paragraph_format.first_line_indent = Pt(24)      # two characters at 12 pt, as official documents
    _run(p, text)
    return p


def _write_docx(doc: _Doc, out: Path, draft=None):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm
    d = Document()
    _docx_styles(d)
    _set_theme_language(d)
    for s in d.sections:
        s.page_width, s.page_height = Cm(_PAGE_CM[0]), Cm(_PAGE_CM[1])
        s.top_margin, s.bottom_margin = Cm(_MARGINS_CM["top"]), Cm(_MARGINS_CM["bottom"])
        s.left_margin, s.right_margin = Cm(_MARGINS_CM["left"]), Cm(_MARGINS_CM["right"])
    body = _Body(d)
    d.core_properties.title = xml_safe(doc.title or "政府信息公开工作年度报告")
    d.core_properties.language = "zh-CN"
    d.core_properties.comments = "由 reportkit 导出，来源：" + xml_safe(Path(doc.source).name)
    h = body.paragraph("Title")
    h.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(h, doc.title or "政府信息公开工作年度报告", bold=True, font=DOCX_HEADING_FONT)
    legend = body.paragraph()
    _run(legend, "图例：", bold=True, size=9)
    _run(legend, "数字＝报告表格所载；", size=9)
    _run(legend, "绿色底＝报告正文所述；", size=9, color="2E6B1F")
    _run(legend, "蓝色斜体＝根据勾稽关系推算；", size=9, italic=True, color="1F4E8C")
    _run(legend, "？＝未知（括号内为可能范围）。", size=9, color="808080")
    for para in _paragraphs(doc.intro):
        _docx_paragraph(body, para)
    drafts = _draft_sections(draft)
    for sec in doc.sections:
        h = body.paragraph("Heading 1")
        _run(h, sec.title, bold=True, font=DOCX_HEADING_FONT)
        if sec.status in _SECTION_NOTE and not sec.text:
            notes = _TABLE_SECTION_NOTE if spec().section(sec.number).table else _SECTION_NOTE
            p = body.paragraph()
            _run(p, notes[sec.status], italic=True, color="A33333")
        for para in _paragraphs(sec.text):
            _docx_paragraph(body, para)
        ds = drafts.get(sec.number)
        if ds is not None:
            p = body.paragraph()
            _run(p, _draft_label(ds), bold=True, color="8A5A00")
            for pieces in _draft_pieces(ds, doc.version):
                p = body.paragraph()
                p.paragraph_format.first_line_indent = Cm(0.85)
                for text, kind, _info in pieces:
                    _run(p, text, highlight=kind == "placeholder", bold=kind == "placeholder",
                         color="8A5A00" if kind != "placeholder" else None)
        tid = spec().section(sec.number).table
        if tid:
            t = spec().table(tid, doc.version)
            _docx_table(d, body, doc, t, keep_together=full_grid(t).n_rows <= 8)
            for note in _source_notes(doc, t):
                p = body.paragraph()
                _run(p, f"注：{note}", size=9, color="555555")
    body.close()
    with atomic_output(out) as tmp:     # never a truncated previous file
        d.save(str(tmp))
