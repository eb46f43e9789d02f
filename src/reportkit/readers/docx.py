"""Word (.docx) files to report text and table grids.

The body is read in order: each paragraph a line (a manual line break starts a new one), each table a
grid from its real cells: ``w:gridSpan`` gives a cell's columns, ``w:vMerge`` the cells merged below it
(written once, like a rowspan), ``w:gridBefore`` the columns a row skips. Automatic numbering (a heading
typed as 总体情况 and numbered 一、 by Word, ``w:numPr`` on the paragraph or its style) is written out as
Word shows it, so sections and rows are found by their numbers as in any other copy. A table holding other tables
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
import re

from ..errors import ReportError, TooLargeError
from .grid import GridCell, ReadDoc, TextBuilder, join_pieces

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def qn(tag: str) -> str:
    """``w:p`` → Clark notation, as ``docx.oxml.ns.qn`` gives it: spelled out so that importing this module
    does not import python-docx (and lxml) before a Word file is read."""
    return _W + tag.split(":", 1)[1]


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
_NUM_PR, _NUM_ID, _ILVL, _P_PR, _P_STYLE = qn("w:numPr"), qn("w:numId"), qn("w:ilvl"), qn("w:pPr"), qn("w:pStyle")
_CN = "〇一二三四五六七八九"


def _chinese(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 105 (numbered lists stay far below 100)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _CN[tens]) + "十" if tens else "") + (_CN[ones] if ones else "")


def _roman(n: int) -> str:
    out = ""
    for v, r in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                 (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out, n = out + r, n - v
    return out


def _format(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseCounting"):
        return _chinese(n)
    if fmt in ("ideographDigital", "taiwaneseDigital"):
        return "".join(_CN[int(d)] for d in str(n))
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 0 < n <= 20 else str(n)
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalFullWidth":
        return str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    return str(n)


class _Numbering:
    """Word's automatic numbering: the text (一、 （二） 3.) each numbered paragraph shows, counted in
    document order as Word counts it."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}   # abstractNumId → ilvl → (fmt, text, start)
        self.num: dict[str, tuple[str, dict[int, int]]] = {}          # numId → (abstractNumId, start overrides)
        self.style: dict[str, tuple[str | None, str | None, str | None]] = {}   # styleId → numId, ilvl, basedOn
        self.default_style: str | None = None
        self.counts: dict[str, dict[int, int]] = {}
        numbering = _numbering_element(document)
        if numbering is not None:
            for an in numbering.iterchildren(qn("w:abstractNum")):
                lv = {}
                for lvl in an.iterchildren(qn("w:lvl")):
                    fmt = lvl.find(qn("w:numFmt"))
                    text = lvl.find(qn("w:lvlText"))
                    start = lvl.find(qn("w:start"))
                    legal = lvl.find(qn("w:isLgl")) is not None
                    lv[_int_val(lvl.get(qn("w:ilvl")), 0)] = (
                        "decimal" if legal else (fmt.get(_VAL) if fmt is not None else "decimal"),
                        text.get(_VAL) or "" if text is not None else "", _int_val(start.get(_VAL) if start is not None else None, 1))
                self.levels[an.get(qn("w:abstractNumId"))] = lv
            for num in numbering.iterchildren(qn("w:num")):
                an = num.find(qn("w:abstractNumId"))
                overrides = {}
                for o in num.iterchildren(qn("w:lvlOverride")):
                    so = o.find(qn("w:startOverride"))
                    if so is not None:
                        overrides[_int_val(o.get(qn("w:ilvl")), 0)] = _int_val(so.get(_VAL), 1)
                if an is not None:
                    self.num[num.get(qn("w:numId"))] = (an.get(_VAL), overrides)
        for st in document.styles.element.iterchildren(qn("w:style")):
            sid = st.get(qn("w:styleId"))
            if st.get(qn("w:type")) == "paragraph" and st.get(qn("w:default")) in ("1", "true"):
                self.default_style = sid
            ppr = st.find(_P_PR)
            npr = ppr.find(_NUM_PR) if ppr is not None else None
            based = st.find(qn("w:basedOn"))
            self.style[sid] = (_val(npr, _NUM_ID), _val(npr, _ILVL), based.get(_VAL) if based is not None else None)

    def label(self, p) -> str:
        if not self.num:
            return ""
        ppr = p.find(_P_PR)
        npr = ppr.find(_NUM_PR) if ppr is not None else None
        num_id, ilvl = _val(npr, _NUM_ID), _val(npr, _ILVL)
        sid = _val(ppr, _P_STYLE) or self.default_style
        for _ in range(10):                     # the style chain, for what the paragraph does not set
            if num_id is not None or sid is None:
                break
            s_num, s_ilvl, sid_next = self.style.get(sid, (None, None, None))
            num_id = num_id or s_num
            ilvl = ilvl if ilvl is not None else s_ilvl
            sid = sid_next
        if num_id is None or num_id not in self.num:
            return ""
        abstract, overrides = self.num[num_id]
        levels = self.levels.get(abstract, {})
        level = _int_val(ilvl, 0)
        if level not in levels:
            return ""
        counts = self.counts.setdefault(num_id if overrides else abstract, {})
        start = lambda k: overrides.get(k, levels.get(k, ("", "", 1))[2])
        counts[level] = counts.get(level, start(level) - 1) + 1
        for deeper in [k for k in counts if k > level]:
            del counts[deeper]
        fmt, text, _ = levels[level]
        if fmt in ("bullet", "none"):
            return ""

        def place(m):
            k = int(m.group(1)) - 1
            lf = levels.get(k, ("decimal", "", 1))[0]
            return _format(counts.get(k, start(k)), "decimal" if lf in ("bullet", "none") else lf)
        return re.sub(r"%([1-9])", place, text)


def _val(el, tag) -> str | None:
    if el is None:
        return None
    child = el.find(tag)
    return child.get(_VAL) if child is not None else None


def _int_val(v, default: int) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def _numbering_element(document):
    """The document's w:numbering element, or None when it has no numbering part."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    try:
        return document.part.part_related_by(RELATIONSHIP_TYPE.NUMBERING).element
    except KeyError:
        return None


def read_docx(data: bytes, source: str) -> ReadDoc:
    """Text, table grids and pictures of a .docx file's bytes. Raises ReportError for a file that is not
    a readable Word document or is over the limits."""
    import zipfile

    import docx
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
    try:
        _blocks(body, out, _Numbering(document))
    except (AttributeError, KeyError, TypeError, ValueError, IndexError) as e:   # malformed parts
        raise ReportError(f"the document's body cannot be read ({type(e).__name__}: {str(e)[:200]})",
                          source, "word/document.xml") from None
    return out.doc()


def _blocks(parent, out: TextBuilder, num: _Numbering) -> None:
    for child in parent.iterchildren():
        tag = child.tag
        if tag == _P:
            _paragraph(child, out, num)
        elif tag == _TBL:
            _table(child, out, num)
        elif tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                _blocks(content, out, num)
        elif tag == _CUSTOM_XML:
            _blocks(child, out, num)


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


def _paragraph_text(p, pictures: list[str], num: _Numbering) -> str:
    pieces: list[str] = []
    _runs(p, pieces, pictures)
    text = "".join(pieces)
    return num.label(p) + text if text.strip() else text


def _paragraph(p, out: TextBuilder, num: _Numbering) -> None:
    pictures: list[str] = []
    text = _paragraph_text(p, pictures, num)
    for kind in pictures:
        out.asset(kind, "word/document.xml")
    for line in text.split("\n"):
        if line.strip():
            out.line(line.strip())


def _cell_text(tc, num: _Numbering) -> str:
    lines: list[str] = []
    pictures: list[str] = []

    def walk(el):
        for child in el.iterchildren():
            if child.tag == _P:
                lines.extend(_paragraph_text(child, pictures, num).split("\n"))
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


def _table(tbl, out: TextBuilder, num: _Numbering) -> None:
    if any(True for _ in tbl.iterdescendants(_TBL)):
        # A layout table: its cells are body text, the tables inside them the real ones.
        for tr in _rows(tbl):
            for tc in _row_cells(tr):
                _blocks(tc, out, num)
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
                cell = GridCell(_cell_text(tc, num), r, col, 1, span)
                cells.append(cell)
                if state == "restart":
                    below[col] = cell
            col += span
        above = below
    out.table(cells)
