"""Word (.docx) files to report text and table grids.

The body is read in order: each paragraph a line (a manual line break starts a new one), each table a
grid from its real cells: ``w:gridSpan`` gives a cell's columns, ``w:vMerge`` the cells merged below it
(written once, like a rowspan), ``w:gridBefore`` the columns a row skips. A table holding other tables
is layout: its cells are read as body text, and the tables inside as tables (as a web page's leaf
tables). Content controls (``w:sdt``) are read through; the fallback copy of a text box
(``mc:Fallback``) is not, so nothing is read twice. Pictures and embedded objects are recorded as
assets, so a check can tell a table pasted as a picture.

The file is checked before it is parsed: a zip archive holding ``word/document.xml`` whose unpacked size
is within :data:`MAX_UNPACKED_BYTES` (:data:`MAX_DOCUMENT_XML_BYTES` for the text), with at most
:data:`MAX_TABLES` tables and :data:`MAX_CELLS` cells.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml.ns import qn

from ..errors import ReportError, TooLargeError
from .grid import GridCell, ReadDoc, TextBuilder, join_pieces

MAX_TABLES = 200
"""Tables read at most: an annual report has 3 to 10 (table 二 is often four small ones)."""
MAX_CELLS = 100_000
"""Table cells read at most, all tables together (the official tables have about 200)."""
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""Unpacked size of the archive at most: a real report is a few MB with its pictures; a zip bomb is not."""
MAX_DOCUMENT_XML_BYTES = 20 * 1024 * 1024
"""Unpacked size of the text part (word/document.xml) at most: a real report's is under 2 MB."""

_P, _TBL, _TR, _TC, _SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_SDT_CONTENT, _CUSTOM_XML = qn("w:sdtContent"), qn("w:customXml")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_PICTURES = {qn("w:drawing"): "img", qn("w:pict"): "img", qn("w:object"): "embed"}
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TC_PR, _GRID_SPAN, _V_MERGE = qn("w:tcPr"), qn("w:gridSpan"), qn("w:vMerge")
_TR_PR, _GRID_BEFORE, _VAL = qn("w:trPr"), qn("w:gridBefore"), qn("w:val")
_MAX_SPAN = 64


def read_docx(data: bytes, source: str) -> ReadDoc:
    """Text, table grids and pictures of a .docx file's bytes. Raises ReportError for a file that is not
    a readable Word document or is over the limits."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise ReportError(f"not a Word .docx file: it is not a readable zip archive ({e}); if it is an old "
                          ".doc, open it in Word or WPS and save it as .docx or PDF", source) from None
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise ReportError("a zip archive, but not a Word document (it holds no word/document.xml)", source)
    unpacked = sum(i.file_size for i in infos)
    body_size = next(i.file_size for i in infos if i.filename == "word/document.xml")
    if body_size > MAX_DOCUMENT_XML_BYTES:
        raise TooLargeError(f"the document's text part unpacks to {body_size:,} bytes, over the limit of "
                            f"{MAX_DOCUMENT_XML_BYTES:,}", source, "word/document.xml")
    if unpacked > MAX_UNPACKED_BYTES:
        raise TooLargeError(f"the document unpacks to {unpacked:,} bytes, over the limit of "
                            f"{MAX_UNPACKED_BYTES:,}", source)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:    # python-docx and lxml raise many types on damaged parts; all mean "unreadable"
        raise ReportError(f"not a readable Word document ({type(e).__name__}: {str(e)[:200]})", source) from None
    body = document.element.body
    n_tables = sum(1 for _ in body.iter(_TBL))
    if n_tables > MAX_TABLES:
        raise TooLargeError(f"the document holds {n_tables:,} tables, over the limit of {MAX_TABLES} "
                            "(an annual report has 3 to 10)", source)
    n_cells = sum(1 for _ in body.iter(_TC))
    if n_cells > MAX_CELLS:
        raise TooLargeError(f"the document's tables hold {n_cells:,} cells, over the limit of {MAX_CELLS:,}",
                            source)
    out = TextBuilder()
    _blocks(body, out)
    return out.doc()


def _blocks(parent, out: TextBuilder) -> None:
    for child in parent.iterchildren():
        tag = child.tag
        if tag == _P:
            _paragraph(child, out)
        elif tag == _TBL:
            _table(child, out)
        elif tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                _blocks(content, out)
        elif tag == _CUSTOM_XML:
            _blocks(child, out)


def _runs(el, pieces: list[str], pictures: list[str]) -> None:
    """The text of a paragraph's runs in order; a manual line break is a "\\n"."""
    for child in el.iterchildren():
        tag = child.tag
        if tag == _T:
            pieces.append(child.text or "")
        elif tag == _TAB:
            pieces.append(" ")
        elif tag in (_BR, _CR):
            pieces.append("\n")
        elif tag == _FALLBACK:
            continue
        else:
            if tag in _PICTURES:
                pictures.append(_PICTURES[tag])
            _runs(child, pieces, pictures)


def _paragraph_text(p, pictures: list[str]) -> str:
    pieces: list[str] = []
    _runs(p, pieces, pictures)
    return "".join(pieces)


def _paragraph(p, out: TextBuilder) -> None:
    pictures: list[str] = []
    text = _paragraph_text(p, pictures)
    for kind in pictures:
        out.asset(kind, "word/document.xml")
    for line in text.split("\n"):
        if line.strip():
            out.line(line.strip())


def _cell_text(tc) -> str:
    lines: list[str] = []
    pictures: list[str] = []

    def walk(el):
        for child in el.iterchildren():
            if child.tag == _P:
                lines.extend(_paragraph_text(child, pictures).split("\n"))
            elif child.tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML):
                walk(child)
    walk(tc)
    return join_pieces(lines)


def _int(el, default: int) -> int:
    try:
        return max(1, min(_MAX_SPAN, int(el.get(_VAL))))
    except (TypeError, ValueError, AttributeError):
        return default


def _row_cells(tr):
    for child in tr.iterchildren():
        if child.tag == _TC:
            yield child
        elif child.tag in (_SDT, _CUSTOM_XML):
            content = child.find(_SDT_CONTENT) if child.tag == _SDT else child
            if content is not None:
                yield from (c for c in content.iterchildren() if c.tag == _TC)


def _rows(tbl):
    for child in tbl.iterchildren():
        if child.tag == _TR:
            yield child
        elif child.tag in (_SDT, _CUSTOM_XML):
            content = child.find(_SDT_CONTENT) if child.tag == _SDT else child
            if content is not None:
                yield from (r for r in content.iterchildren() if r.tag == _TR)


def _table(tbl, out: TextBuilder) -> None:
    if any(True for _ in tbl.iterdescendants(_TBL)):
        # A layout table: its cells are body text, the tables inside them the real ones.
        for tr in _rows(tbl):
            for tc in _row_cells(tr):
                _blocks(tc, out)
        return
    cells: list[GridCell] = []
    above: dict[int, GridCell] = {}        # column → the cell a vMerge continues
    for r, tr in enumerate(_rows(tbl)):
        trpr = tr.find(_TR_PR)
        gb = trpr.find(_GRID_BEFORE) if trpr is not None else None
        col = _int(gb, 0) if gb is not None else 0
        below: dict[int, GridCell] = {}
        for tc in _row_cells(tr):
            tcpr = tc.find(_TC_PR)
            span_el = tcpr.find(_GRID_SPAN) if tcpr is not None else None
            span = _int(span_el, 1) if span_el is not None else 1
            vm = tcpr.find(_V_MERGE) if tcpr is not None else None
            state = None if vm is None else (vm.get(_VAL) or "continue")
            top = above.get(col)
            if state == "continue" and top is not None and top.colspan == span:
                top.rowspan += 1
                below[col] = top
            else:
                cell = GridCell(_cell_text(tc), r, col, 1, span)
                cells.append(cell)
                if state == "restart":
                    below[col] = cell
            col += span
        above = below
    out.table(cells)
