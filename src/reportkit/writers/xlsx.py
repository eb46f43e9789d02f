"""Excel (.xlsx): the three tables in the official layout (what a person edits, and what
:mod:`reportkit.readers.xlsx` reads back), the long-form sheet 单元格明细 (every cell's value, bounds,
provenance and rule: the reader gives an untouched derived cell its provenance back from it), the
sheet 各部分正文 (each section's state and text) and a hidden ``reportkit`` sheet with the metadata."""

from __future__ import annotations

from pathlib import Path

from ..layout import full_grid
from ..paths import atomic_output
from ..model import SECTION_STATUS_WORDS
from ..readers.xlsx import CELLS_SHEET, CELLS_HEAD, SECTION_CONTINUED, SECTIONS_SHEET, XLSX_SCHEMA, XLSX_TOP
from ..format import TABLE_IDS, spec
from ..reconstruct import rule_text as _rule_text
from .document import PROVENANCE, XLSX_FONT, _Doc, _bounds_text, _cell_note, _provenance_records, as_loaded
from ..text import display_width, safe_cell_text, xml_safe


_XLSX_CHUNK = 32000     # Excel holds at most 32,767 characters in a cell

# The sheet 各部分正文: the text column's width (Excel units, about one Latin character; a Chinese
# character takes two) and how a long section is cut into rows. No spreadsheet grows a row past 409 pt
# or splits one over printed pages, so a section taller than that is written over consecutive rows.
# Line height and wrap width are what LibreOffice draws with its CJK fallback for 宋体 11 pt (about
# 16 pt a line, ~55 Chinese characters in the column), rounded to the safe side: the estimate may
# leave blank space below a row's text, never cut it.
_TEXT_COL_WIDTH = 100
_WRAP_WIDTH = 90        # display width per wrapped line (under the column's ~96 + word-wrap slack)
_LINE_PT = 16.5
_ROW_LINES = 22         # 22 × 16.5 = 363 pt: under the 409 pt limit with room for the estimate's error
_SENTENCE_END = "。；！？;!?"


def _xlsx_put(ws, row, col, value, font=None, fill=None, align=None, border=None):
    c = ws.cell(row=row, column=col)
    if isinstance(value, str):
        c.value = safe_cell_text(value)
        c.data_type = "s"       # never "f": a string stays a string, whatever it starts with
    else:
        c.value = value
    if font is not None:
        c.font = font
    if fill is not None:
        c.fill = fill
    if align is not None:
        c.alignment = align
    if border is not None:
        c.border = border
    return c


def _fit_columns(ws, widths: dict[int, float], cap: int = 48):
    from openpyxl.utils import get_column_letter
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(6, min(cap, w + 2))


def _fit_rows(ws, cells):
    """Row heights for wrapped labels: neither Excel nor LibreOffice grows a row for wrapped text in a
    merged or pre-sized cell, so a two-line label would be drawn over the row below."""
    import math
    from openpyxl.utils import get_column_letter
    lines: dict[int, int] = {}
    for g in cells:
        if g.key is not None or g.rowspan > 1 or not g.text:
            continue
        width = sum(ws.column_dimensions[get_column_letter(1 + g.col + k)].width or 8.43 for k in range(g.colspan))
        n = math.ceil(display_width(g.text) / max(1.0, width - 1))
        lines[XLSX_TOP + g.row] = max(lines.get(XLSX_TOP + g.row, 1), n)
    for r, n in lines.items():
        if n > 1:
            ws.row_dimensions[r].height = 15 * n


def _wrapped_lines(line: str) -> int:
    """Lines a line of text (no newline) takes wrapped in the text column: an empty one still one."""
    return max(1, -(-display_width(line) // _WRAP_WIDTH))


def _cut_line(line: str, room: int) -> list[str]:
    """A paragraph too tall for one row, cut into pieces of at most ``room`` display width, each
    after its last sentence end (。；！？) when there is one in the second half, else at the width.
    One pass over the line (a hostile report may hold megabytes without a newline)."""
    pieces, start, end = [], 0, len(line)
    if 2 * end <= room or display_width(line) <= room:
        return [line]
    while True:
        k, w = start, 0
        while k < end:
            # Whole runs at a time (a character is at most 2 wide), one by one only at the very end.
            step = (room - w) // 2
            if step:
                w += display_width(line[k:k + step])
                k = min(end, k + step)
            elif w + display_width(line[k]) <= room:
                w += display_width(line[k])
                k += 1
            else:
                break
        if k >= end:
            return pieces + [line[start:]]
        stop = max(line.rfind(ch, start, k) for ch in _SENTENCE_END) + 1
        if stop > start + (k - start) // 2:
            k = stop
        pieces.append(line[start:k])
        start = k


def section_rows(text: str) -> list[tuple[str, int]]:
    """A section's text cut into rows, each short enough to print whole: cut between lines (a long
    paragraph between sentences); every newline kept in the row it ends, so the rows joined give the
    text back character for character. Each row with its estimated number of printed lines."""
    if not text:
        return [("", 1)]
    lines = text.split("\n")
    pieces: list[tuple[str, int]] = []          # (text with its newline, wrapped lines)
    for i, line in enumerate(lines):
        end = "\n" if i < len(lines) - 1 else ""
        if not line and not end:
            continue                            # the text ends with a newline: nothing after it
        # A row ending with a newline shows an empty line below its text: room is kept for it.
        parts = _cut_line(line, (_ROW_LINES - 1) * _WRAP_WIDTH)
        pieces += [(p, _wrapped_lines(p)) for p in parts[:-1]]
        pieces.append((parts[-1] + end, _wrapped_lines(parts[-1])))
    rows: list[tuple[str, int]] = []
    chunk, n = [], 0
    for piece, k in pieces:
        if chunk and n + k + 1 > _ROW_LINES:
            rows.append(("".join(chunk), n + chunk[-1].endswith("\n")))
            chunk, n = [], 0
        chunk.append(piece)
        n += k
    rows.append(("".join(chunk), n + chunk[-1].endswith("\n")))
    return rows


def _print_setup(ws, title_rows: str | None = None, landscape: bool = True):
    """A4, one page wide (as many pages tall as it takes), the heading rows on every printed page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows


# The long row labels of table 三 (上栏 "三、本年度办理结果" spans three columns; its sub-rows sit in the
# second and third): wrapped within these widths (Excel units, about one Latin character) instead of
# running into each other.
_LABEL_COL_WIDTH = {"requests": {1: 14, 2: 14, 3: 40}, "appeals": {}, "proactive": {1: 30}}

# English glosses for the headings whose values are reportkit's own words (comments, not cells).
_CELLS_GLOSS = {"来源": "provenance: " + " / ".join(PROVENANCE), "行代码": "row id", "列代码": "column id",
                "规则代码": "rule id: the identity or prose rule that gave the value (read back by reportkit)"}
_STATUS_GLOSS = "status: " + " / ".join(f"{zh} = {en}" for en, zh in SECTION_STATUS_WORDS.items())


def _write_xlsx(doc: _Doc, out: Path):
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    wb = Workbook()
    wb.remove(wb.active)
    body = Font(name=XLSX_FONT, size=11)
    bold = Font(name=XLSX_FONT, size=11, bold=True)
    title_font = Font(name=XLSX_FONT, size=14, bold=True)
    italic = Font(name=XLSX_FONT, size=11, italic=True, color="1F4E8C")
    grey = Font(name=XLSX_FONT, size=11, color="808080")
    thin = Side(style="thin", color="666666")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    # A long section's text starts at the top of its row (centred, its first lines would be cut off).
    top_left, top = Alignment(horizontal="left", vertical="top", wrap_text=True), Alignment(vertical="top")
    top_center = Alignment(horizontal="center", vertical="top")
    fills = {k: PatternFill("solid", fgColor=v[2]) for k, v in PROVENANCE.items() if v[2]}
    header_fill = PatternFill("solid", fgColor="F3F3F3")

    for tid in TABLE_IDS:
        t = spec().table(tid, doc.version)
        ws = wb.create_sheet(t.name)
        sec = spec().section_for_table(tid)
        _xlsx_put(ws, 1, 1, f"{t.name}　{sec.title}", font=title_font)
        fg = full_grid(t)
        cells, n_rows = fg.cells, fg.n_rows
        widths: dict[int, float] = {}
        for g in cells:
            r, c = XLSX_TOP + g.row, 1 + g.col
            if g.rowspan > 1 or g.colspan > 1:
                ws.merge_cells(start_row=r, start_column=c, end_row=r + g.rowspan - 1, end_column=c + g.colspan - 1)
                for dr in range(g.rowspan):
                    for dc in range(g.colspan):
                        ws.cell(row=r + dr, column=c + dc).border = box
            if g.key is None:
                _xlsx_put(ws, r, c, g.text, font=bold if g.header else body,
                          fill=header_fill if g.header else None, align=center if g.header else left, border=box)
                if g.colspan == 1 and c not in _LABEL_COL_WIDTH.get(tid, {}):
                    widths[c] = max(widths.get(c, 0), min(display_width(g.text), 12 if g.header else 30))
                continue
            e = doc.cells.get((tid, *g.key))
            prov = e.provenance if e is not None else "unknown"
            if e is None or e.value is None:
                b = _bounds_text(e) if e is not None else ""
                cell = _xlsx_put(ws, r, c, "？" + (f"（{b}）" if b else ""), font=grey, align=center, border=box)
            else:
                cell = _xlsx_put(ws, r, c, e.value, font=italic if prov == "inferred" else body, align=center,
                                 border=box)
            if prov in fills:
                cell.fill = fills[prov]
            if e is not None and prov != "stated-table":
                cell.comment = Comment(safe_cell_text(_cell_note(e, t, doc.version)), "reportkit", width=320, height=120)
            widths[c] = max(widths.get(c, 0), 6)
        # Legend under the table (load_xlsx reads only the grid above it).
        row = XLSX_TOP + n_rows + 1
        _xlsx_put(ws, row, 1, "图例", font=bold)
        for i, (prov, (zh, _en, fill)) in enumerate(PROVENANCE.items()):
            c = _xlsx_put(ws, row + 1 + i, 1, zh + ("：显示“？”，括号内为可能范围" if prov == "unknown" else ""), font=body)
            if fill:
                c.fill = fills[prov]
        widths.update(_LABEL_COL_WIDTH.get(tid, {}))
        _fit_columns(ws, widths, cap=40)
        _fit_rows(ws, cells)
        heading_rows = max((g.row + g.rowspan for g in cells if g.header and g.colspan < fg.n_cols), default=0)
        _print_setup(ws, f"{XLSX_TOP}:{XLSX_TOP + heading_rows - 1}" if heading_rows else None)

    # Long form: one row per cell.
    ws = wb.create_sheet(CELLS_SHEET)
    head = CELLS_HEAD
    names = {tid: spec().table(tid, doc.version).name for tid in TABLE_IDS}
    for j, h in enumerate(head, 1):
        c = _xlsx_put(ws, 1, j, h, font=bold, fill=header_fill)
        if h in _CELLS_GLOSS:
            c.comment = Comment(_CELLS_GLOSS[h], "reportkit", width=320, height=80)
    widths = {j: display_width(h) for j, h in enumerate(head, 1)}
    for i, rec in enumerate(_provenance_records(doc), 2):
        ev = " / ".join(str(x.get("text", "")) for x in rec["evidence"])
        uses = "; ".join("/".join(map(str, u)) for u in rec["uses"])
        vals = [names[rec["table"]], rec["row"], rec["column"], rec["value"], rec["low"], rec["high"],
                PROVENANCE.get(rec["provenance"], (rec["provenance"],))[0], _rule_text(rec["rule"], doc.version),
                ev[:_XLSX_CHUNK], uses[:_XLSX_CHUNK], rec["row_id"], rec["column_id"], rec["rule"]]
        for j, v in enumerate(vals, 1):
            c = _xlsx_put(ws, i, j, v, font=body)
            if j == 7 and rec["provenance"] in fills:
                c.fill = fills[rec["provenance"]]
            widths[j] = max(widths[j], display_width(v if v is not None else ""))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(head))}{len(doc.cells) + 1}"
    _fit_columns(ws, widths, cap=40)
    # The ids the reader needs, folded away (the "+" above the columns shows them): not for reading.
    ids = get_column_letter(head.index("行代码") + 1), get_column_letter(len(head))
    ws.column_dimensions.group(*ids, hidden=True, outline_level=1)
    _print_setup(ws, "1:1")

    # Prose: one row per section; a long section continues on rows marked （续）, each short enough to
    # print whole (the reader joins them back).
    ws = wb.create_sheet(SECTIONS_SHEET)
    for j, h in enumerate(["序号", "标题", "状态", "正文"], 1):
        c = _xlsx_put(ws, 1, j, h, font=bold, fill=header_fill)
        if h == "状态":
            c.comment = Comment(_STATUS_GLOSS, "reportkit", width=320, height=80)
    r = 2
    for sec in doc.sections:
        text = as_loaded(sec.text)          # as it loads back: export → load → export writes the same
        for k, (part, lines) in enumerate(section_rows(text)):
            if k == 0:
                _xlsx_put(ws, r, 1, sec.number, font=body, align=top_center)
                _xlsx_put(ws, r, 2, sec.title, font=body, align=top_left)
                _xlsx_put(ws, r, 3, SECTION_STATUS_WORDS.get(sec.status, sec.status), font=body, align=top)
            else:
                _xlsx_put(ws, r, 2, SECTION_CONTINUED, font=grey, align=top_left)
            _xlsx_put(ws, r, 4, part, font=body, align=top_left)
            # Tall enough for the wrapped text (neither Excel nor LibreOffice grows a row on opening).
            if lines > 1:
                ws.row_dimensions[r].height = _LINE_PT * lines
            r += 1
    _fit_columns(ws, {1: 6, 2: 40, 3: 8, 4: _TEXT_COL_WIDTH - 2}, cap=_TEXT_COL_WIDTH)
    _print_setup(ws, "1:1")

    # Legend sheet for readers, and the hidden metadata load_xlsx needs.
    ws = wb.create_sheet("说明")
    lines = [("reportkit 导出：重建后的政府信息公开工作年度报告表格", title_font),
             (f"来源：{Path(doc.source).name}", body), (f"格式版本：{doc.version}", body), ("", body),
             ("颜色与标记", bold)]
    for i, (text, font) in enumerate(lines, 1):
        _xlsx_put(ws, i, 1, text, font=font)
    for i, (prov, (zh, _en, fill)) in enumerate(PROVENANCE.items(), len(lines) + 1):
        c = _xlsx_put(ws, i, 1, zh + ("：单元格显示“？”，括号内为可能范围" if prov == "unknown" else ""),
                      font=body)
        if fill:
            c.fill = fills[prov]
    sheets = [("", body), ("工作表", bold),
              ("、".join(names.values()) + "：官方格式的统计表。可直接修改数值后用 reportkit 重新载入：未改动的推算值"
               "仍为推算值，改动过的按所填数值读取（视为报告表格所载），并在载入结果中注明", body),
              (f"{CELLS_SHEET}：每个单元格的数值、可能范围、来源与依据", body),
              (f"{SECTIONS_SHEET}：六个部分的状态（{'、'.join(SECTION_STATUS_WORDS.values())}）与正文", body)]
    for i, (text, font) in enumerate(sheets, len(lines) + len(PROVENANCE) + 1):
        _xlsx_put(ws, i, 1, text, font=font, align=left)
        if display_width(text) > 66:
            ws.row_dimensions[i].height = 15 * -(-display_width(text) // 66)
    _fit_columns(ws, {1: 70}, cap=90)
    ws = wb.create_sheet("reportkit")
    meta = [("schema", XLSX_SCHEMA), ("source", doc.source), ("title", doc.title or ""),
            ("agency", doc.agency or ""), ("year", doc.year if doc.year is not None else ""),
            ("format", doc.version), ("report_format", doc.report_format or ""), ("grid_top_row", XLSX_TOP)]
    intro = as_loaded(doc.intro)        # as it loads back, as the sections' text
    intro_parts = [intro[k:k + _XLSX_CHUNK] for k in range(0, len(intro), _XLSX_CHUNK)] or [""]
    meta += [("intro", p) for p in intro_parts]
    for i, (k, v) in enumerate(meta, 1):
        _xlsx_put(ws, i, 1, k, font=body)
        _xlsx_put(ws, i, 2, v, font=body)
    ws.sheet_state = "hidden"
    wb.properties.title = xml_safe(doc.title or "政府信息公开工作年度报告")
    wb.properties.language = "zh-CN"
    with atomic_output(out) as tmp:     # never a truncated previous file
        wb.save(str(tmp))
