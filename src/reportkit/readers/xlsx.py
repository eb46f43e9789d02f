"""The xlsx reader: a workbook written by :func:`reportkit.export` (``fmt="xlsx"``) read back from its
official-layout sheets, checked against :func:`reportkit.layout.full_grid` (rows moved or deleted are
refused, not misread)."""

from __future__ import annotations

import math

from ..errors import ReportError, StructuredDataError, TooLargeError
from ..format import TABLE_IDS, VERSIONS, label_key, spec
from ..layout import full_grid
from ..model import PROVENANCE_WORDS, SECTION_STATUS_WORDS
from ..text import unsafe_cell_text
from .. import rx

MAX_DIGITS = 15         # as in tables.py: a longer digit run is not a cell value

XLSX_SCHEMA = "reportkit/xlsx-1"
XLSX_TOP = 3            # the official grid starts at this row of each table's sheet (title in row 1)

_NUMBER = rx.lazy(r"[+-]?\d+(?:\.\d+)?")

# The sheets an analyst reads, named in Chinese; workbooks written before used the English names.
CELLS_SHEET, SECTIONS_SHEET = "单元格明细", "各部分正文"
_OLD_NAMES = {CELLS_SHEET: "cells", SECTIONS_SHEET: "sections"}
# The long cells sheet: Chinese headings over the machine-readable fields (the last three are ids).
CELLS_HEAD = ["表", "行", "列", "数值", "下限", "上限", "来源", "依据的勾稽关系或表述", "证据（原文）", "推算所用单元格",
              "行代码", "列代码", "规则代码"]
# 各部分正文: a long section goes on over further rows, 序号 blank and this in 标题; their texts joined
# without a separator are the section's text (each row keeps its own newlines).
SECTION_CONTINUED = "（续）"
_STATUS = {**{w: k for k, w in SECTION_STATUS_WORDS.items()}, **{k: k for k in SECTION_STATUS_WORDS}}
_PROVENANCE = {**{w: k for k, w in PROVENANCE_WORDS.items()}, **{k: k for k in PROVENANCE_WORDS}}


SHEETS_ROOM = 2 * 1024 * 1024
"""Room for the fixed sheets of an export (tables, cells, notes) beside the report's own text."""
MAX_UNCOMPRESSED = 10 * 1024 * 1024 + SHEETS_ROOM
"""Largest sum of a workbook's unpacked members with the default size limit (the loader's byte limit
plus :data:`SHEETS_ROOM`): an exported report unpacks to well under 1 MB, and a 2 MB zip bomb to
gigabytes (the size limit only sees the packed file). openpyxl parses every sheet that declares no
size to find it, at about 1.5 MB of dense XML a second, so this bound is also a bound on time."""
MAX_RATIO = 200
"""Largest unpacked/packed ratio of a member over 1 MB (XML compresses about 10×; bombs 1000×)."""
MAX_MEMBERS = 1000


def check_zip(path, source: str, max_unpacked: int = MAX_UNCOMPRESSED) -> None:
    """Refuse a workbook whose members would unpack to more than ``max_unpacked`` bytes, or one
    member that expands like a bomb, before any library opens it."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as e:
        raise StructuredDataError(f"cannot read the file ({e.strerror})", source) from None
    if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # Excel stores a password-protected .xlsx (and an old .xls) as an OLE2 compound file.
        raise StructuredDataError("this is an encrypted workbook or an old .xls, which reportkit does not read: "
                                  "save it without a password as .xlsx (另存为 .xlsx)", source)
    import zipfile      # with shutil, bz2 and lzma: only when a workbook is read
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise StructuredDataError(f"not a readable .xlsx workbook ({type(e).__name__}: {e})", source) from None
    if len(infos) > MAX_MEMBERS:
        raise TooLargeError(f"the workbook holds {len(infos):,} parts (at most {MAX_MEMBERS:,})", source)
    total = sum(i.file_size for i in infos)
    if total > max_unpacked:
        raise TooLargeError(f"the workbook unpacks to {total:,} bytes (at most {max_unpacked:,}; set "
                            "REPORTKIT_MAX_BYTES to raise it)", source)
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(1, i.compress_size):
            raise TooLargeError(f"the part {i.filename!r} unpacks {i.file_size // max(1, i.compress_size):,} times "
                                f"its packed size (a zip bomb; at most {MAX_RATIO})", source, i.filename)


def read_xlsx(path, source: str | None = None, max_chars: int = 10 * 1024 * 1024) -> dict:
    """The authored form (see :func:`reportkit.layout.render_text`) of a workbook written by
    :func:`reportkit.export` (``fmt="xlsx"``), plus ``notes`` and ``report_format``. The official-layout
    sheets are what counts (a person may have corrected a number there); a cell holding anything but a
    number ("？", a blank, text) reads as NA, never as 0. Raises ReportError for other workbooks, and
    for any failure of the libraries beneath (broken or encrypted XML, bad compression), naming the
    sheet; the text assembled from the sheets is held to ``max_chars``."""
    source = source or str(path)
    check_zip(path, source, max_chars + SHEETS_ROOM)
    where = ["workbook"]
    try:
        return _read(path, source, max_chars, where)
    except ReportError:
        raise
    except Exception as e:     # noqa: BLE001 - lxml/expat, zlib, openpyxl: one line naming the place
        msg = " ".join(str(e).split())[:200] or "no detail"
        raise StructuredDataError(f"not a readable .xlsx workbook ({type(e).__name__}: {msg})", source,
                                  where[0]) from None


def _read(path, source: str, max_chars: int, where: list) -> dict:
    # openpyxl is imported here, not with reportkit: most runs never read a workbook.
    from openpyxl import load_workbook
    # Read-only: rows are streamed, not every cell built as an object.
    wb = load_workbook(str(path), data_only=True, read_only=True)
    try:
        return _read_book(wb, source, max_chars, where)
    finally:
        wb.close()


def _read_book(wb, source: str, max_chars: int, where: list) -> dict:
    from openpyxl.utils import get_column_letter
    if "reportkit" not in wb.sheetnames:
        raise StructuredDataError("not a workbook written by reportkit export (it has no 'reportkit' sheet)",
                                  source, "sheets")
    budget = [max_chars]

    def take(text: str, place: str) -> str:
        budget[0] -= len(text)
        if budget[0] < 0:
            raise TooLargeError(f"the workbook's text is over the limit of {max_chars:,} characters", source, place)
        return text

    meta: dict[str, object] = {}
    intro = []
    where[0] = "reportkit"
    sections_sheet, cells_sheet = _sheet(wb, SECTIONS_SHEET), _sheet(wb, CELLS_SHEET)
    for name in ("reportkit", sections_sheet, cells_sheet):
        if name in wb.sheetnames:
            # Read every row there is, not the rows the sheet's <dimension> claims (it may lie).
            wb[name].reset_dimensions()
    for k, v in wb["reportkit"].iter_rows(min_col=1, max_col=2, values_only=True):
        if k == "intro":
            intro.append(take(unsafe_cell_text(str(v or "")), "reportkit"))
        elif isinstance(k, str) and k:
            meta[k] = take(unsafe_cell_text(v), "reportkit") if isinstance(v, str) else v
    if meta.get("schema") != XLSX_SCHEMA:
        raise StructuredDataError(f"unknown workbook schema {_short(meta.get('schema'))} (expected {XLSX_SCHEMA})",
                                  source, "reportkit!B1")
    version = str(meta.get("format") or "2021")
    if version not in VERSIONS:
        raise StructuredDataError(f"unknown format version {_short(version)}", source, "reportkit")
    top = meta.get("grid_top_row") or XLSX_TOP
    if isinstance(top, str) and top.isascii() and top.isdigit() and len(top) < 4:
        top = int(top)
    if isinstance(top, float) and top.is_integer():
        top = int(top)
    if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= 100:
        raise StructuredDataError(f"grid_top_row {_short(top)} is not a row number (1–100)", source, "reportkit")
    cells: dict[str, dict[tuple[str, str], object]] = {tid: {} for tid in TABLE_IDS}
    notes = []
    for tid in TABLE_IDS:
        t = spec().table(tid, version)
        sheet = t.name
        where[0] = sheet
        if sheet not in wb.sheetnames:
            raise StructuredDataError(f"the sheet {sheet!r} is missing", source, sheet)
        grid = full_grid(t).cells
        last_row = top + max(g.row for g in grid)
        last_col = 1 + max(g.col for g in grid)
        rows = list(wb[sheet].iter_rows(min_row=top, max_row=last_row, min_col=1, max_col=last_col,
                                        values_only=True))
        for g in grid:
            r = rows[g.row] if g.row < len(rows) else ()
            v = r[g.col] if g.col < len(r) else None
            coordinate = f"{get_column_letter(1 + g.col)}{top + g.row}"
            if g.key is None:
                # The row labels pin the layout: a sheet whose rows moved is refused, not misread.
                if not g.header and g.text and label_key(_text(v)) != label_key(g.text):
                    raise StructuredDataError(
                        f"expected the label {g.text!r} here, found {_short(v)}: rows were moved or "
                        "deleted, so the numbers cannot be placed", source, f"{sheet}!{coordinate}")
                continue
            value = None
            if isinstance(v, bool) or v is None:
                pass
            elif isinstance(v, int):
                value = v if abs(v) < 10 ** MAX_DIGITS else None
            elif isinstance(v, float):
                value = v if math.isfinite(v) and abs(v) < 10 ** MAX_DIGITS else None
            elif isinstance(v, str):
                s = unsafe_cell_text(v).strip()
                if _NUMBER.fullmatch(s) and sum(ch.isdigit() for ch in s) <= MAX_DIGITS:
                    value = float(s) if "." in s else int(s)
                elif s and not s.startswith("？"):
                    notes.append({"kind": "non_numeric_cell", "message": f"{sheet}!{coordinate}: {_short(s)} "
                                  "is not a number; read as unknown"})
            cells[tid][g.key] = value
    # Each section's text is collected as a list of rows and joined once (+= on a long text is quadratic).
    secs: dict[int, list] = {}
    if sections_sheet in wb.sheetnames:
        where[0] = sections_sheet
        n = None
        for row in wb[sections_sheet].iter_rows(min_row=2, max_col=4, values_only=True):
            if not row:
                continue
            if _int_in(row[0], 1, 6):
                n = int(row[0])
            # A continuation row belongs to the section above (workbooks written before repeated the
            # 序号 instead, which reads the same way).
            elif not (n is not None and _text(row[0]).strip() == "" and len(row) > 1
                      and _text(row[1]).strip() == SECTION_CONTINUED):
                n = None
                continue
            text = take(unsafe_cell_text(_text(row[3])), sections_sheet) if len(row) > 3 else ""
            if n in secs:
                secs[n][1].append(text)
            else:
                status = _text(row[2]) if len(row) > 2 else ""
                secs[n] = [_STATUS.get(status.strip(), "present"), [text]]
    year = meta.get("year")
    data: dict = {"title": _text(meta.get("title")) or None, "agency": _text(meta.get("agency")) or None,
                  "year": int(year) if _int_in(year, 1900, 2999) else None,
                  "format": version, "intro": "".join(intro), "sections": {}, "tables": {}, "omit_sections": [],
                  "notes": notes, "report_format": _text(meta.get("report_format")) or None,
                  "reconstruction": {"cells": _provenance(wb, cells_sheet, version, where)}}
    for sec in spec().sections:
        status, parts = secs.get(sec.number, ["missing", []])
        text = "".join(parts)
        # As in the structured export: the table only where the source's section held something, so
        # an empty section reads back empty and a missing one missing (the values inferred from the
        # prose are inferred again from it).
        has_table = sec.table is not None and status == "present"
        if status == "missing":
            data["omit_sections"].append(sec.number)
            continue
        data["sections"][sec.number] = text
        if has_table:
            data["tables"][sec.table] = cells[sec.table]
    return data


def _sheet(wb, name: str) -> str:
    return name if name in wb.sheetnames or _OLD_NAMES[name] not in wb.sheetnames else _OLD_NAMES[name]


def _provenance(wb, sheet: str, version: str, where: list) -> list[dict]:
    """What the export recorded for each cell (value, provenance, rule), in the shape the structured
    export writes under ``reconstruction.cells``: the loader gives a cell the analyst left untouched
    its exported provenance back. Rows that do not parse are skipped (the tables stand on their own)."""
    if sheet not in wb.sheetnames:
        return []
    where[0] = sheet
    names = {spec().table(tid, version).name: tid for tid in TABLE_IDS}
    limit = sum(len(spec().table(tid, version).cells) for tid in TABLE_IDS)
    out = []
    rows = wb[sheet].iter_rows(min_row=2, max_col=len(CELLS_HEAD), values_only=True)
    for k, row in enumerate(rows):
        if k >= limit:          # one row per cell of the format: more is not an export's sheet
            break
        row = tuple(row) + (None,) * (len(CELLS_HEAD) - len(row))
        tid, prov = names.get(row[0]), _PROVENANCE.get(_text(row[6]).strip())
        value = row[3]
        if tid is None or prov is None or isinstance(value, bool) or not isinstance(value, (int, float, type(None))):
            continue
        rule = row[12] if isinstance(row[12], str) and len(row[12]) < 200 else None
        if isinstance(row[10], str) and isinstance(row[11], str):
            out.append({"table": tid, "row_id": row[10], "column_id": row[11], "value": value,
                        "provenance": prov, "rule": rule})
    return out


def _text(v) -> str:
    """A cell as text: nothing for an empty cell, a whole float without its ``.0``."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def _short(v) -> str:
    s = repr(v)
    return s[:60] + ("…" if len(s) > 60 else "")


def _int_in(v, lo: int, hi: int) -> bool:
    """``v`` is a whole number (int, integral float or digit string) between lo and hi."""
    if isinstance(v, bool):
        return False
    if isinstance(v, str):
        v = v.strip()
        if not (v.isascii() and v.isdigit() and len(v) < 6):
            return False
        v = int(v)
    if isinstance(v, float):
        if not (math.isfinite(v) and v.is_integer()):
            return False
    return isinstance(v, (int, float)) and lo <= v <= hi
