"""The xlsx reader: a workbook written by :func:`reportkit.export` (``fmt="xlsx"``) read back from its
official-layout sheets, checked against :func:`reportkit.layout.full_grid` (rows moved or deleted are
refused, not misread)."""

from __future__ import annotations

import re
import zipfile

from ..errors import StructuredDataError
from ..format import TABLE_IDS, VERSIONS, label_key, spec
from ..layout import full_grid
from ..text import unsafe_cell_text

XLSX_SCHEMA = "reportkit/xlsx-1"
XLSX_TOP = 3            # the official grid starts at this row of each table's sheet (title in row 1)

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def read_xlsx(path) -> dict:
    """The authored form (see :func:`reportkit.layout.render_text`) of a workbook written by
    :func:`reportkit.export` (``fmt="xlsx"``), plus ``notes`` and ``report_format``. The official-layout
    sheets are what counts (a person may have corrected a number there); a cell holding anything but a
    number ("？", a blank, text) reads as NA, never as 0. Raises ReportError for other workbooks."""
    # openpyxl is imported here, not with reportkit: most runs never read a workbook.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    source = str(path)
    try:
        wb = load_workbook(str(path), data_only=True, read_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as e:
        raise StructuredDataError(f"not a readable .xlsx workbook ({type(e).__name__}: {e})", source) from None
    if "reportkit" not in wb.sheetnames:
        raise StructuredDataError("not a workbook written by reportkit export (it has no 'reportkit' sheet)",
                                  source, "sheets")
    meta: dict[str, object] = {}
    intro = []
    for k, v in wb["reportkit"].iter_rows(min_col=1, max_col=2, values_only=True):
        if k == "intro":
            intro.append(unsafe_cell_text(str(v or "")))
        elif k:
            meta[str(k)] = unsafe_cell_text(v) if isinstance(v, str) else v
    if meta.get("schema") != XLSX_SCHEMA:
        raise StructuredDataError(f"unknown workbook schema {meta.get('schema')!r} (expected {XLSX_SCHEMA})",
                                  source, "reportkit!B1")
    version = str(meta.get("format") or "2021")
    if version not in VERSIONS:
        raise StructuredDataError(f"unknown format version {version!r}", source, "reportkit")
    top = int(meta.get("grid_top_row") or XLSX_TOP)
    cells: dict[str, dict[tuple[str, str], object]] = {tid: {} for tid in TABLE_IDS}
    notes = []
    for tid in TABLE_IDS:
        t = spec().table(tid, version)
        sheet = t.name
        if sheet not in wb.sheetnames:
            raise StructuredDataError(f"the sheet {sheet!r} is missing", source, sheet)
        ws = wb[sheet]
        for g in full_grid(t).cells:
            coord = ws.cell(row=top + g.row, column=1 + g.col)
            if g.key is None:
                # The row labels pin the layout: a sheet whose rows moved is refused, not misread.
                if not g.header and g.text and label_key(str(coord.value or "")) != label_key(g.text):
                    raise StructuredDataError(
                        f"expected the label {g.text!r} here, found {coord.value!r}: rows were moved or "
                        "deleted, so the numbers cannot be placed", source, f"{sheet}!{coord.coordinate}")
                continue
            v = coord.value
            value = None
            if isinstance(v, bool) or v is None:
                pass
            elif isinstance(v, (int, float)):
                value = v
            elif isinstance(v, str):
                s = unsafe_cell_text(v).strip()
                if _NUMBER.fullmatch(s):
                    value = float(s) if "." in s else int(s)
                elif s and not s.startswith("？"):
                    notes.append({"kind": "non_numeric_cell", "message": f"{sheet}!{coord.coordinate}: {s!r} "
                                  "is not a number; read as unknown"})
            cells[tid][g.key] = value
    secs: dict[int, list] = {}
    if "sections" in wb.sheetnames:
        for row in wb["sections"].iter_rows(min_row=2, values_only=True):
            if not row or not isinstance(row[0], (int, float)) or not 1 <= int(row[0]) <= 6:
                continue
            n = int(row[0])
            text = unsafe_cell_text(str(row[3] or "")) if len(row) > 3 else ""
            if n in secs:
                secs[n][1] += text
            else:
                secs[n] = [str(row[2] or "present"), text]
    year = meta.get("year")
    data: dict = {"title": str(meta.get("title") or "") or None, "agency": str(meta.get("agency") or "") or None,
                  "year": int(year) if isinstance(year, (int, float)) or (isinstance(year, str) and year.isdigit()) else None,
                  "format": version, "intro": "".join(intro), "sections": {}, "tables": {}, "omit_sections": [],
                  "notes": notes, "report_format": str(meta.get("report_format") or "") or None}
    for sec in spec().sections:
        status, text = secs.get(sec.number, ["missing", ""])
        # A table with nothing known is printed only where the source printed its section, so an empty
        # section reads back empty; a missing section with no text and no table is left out.
        known = sec.table is not None and any(v is not None for v in cells[sec.table].values())
        has_table = sec.table is not None and (known or status == "present")
        if status == "missing" and not text and not has_table:
            data["omit_sections"].append(sec.number)
            continue
        data["sections"][sec.number] = text
        if has_table:
            data["tables"][sec.table] = cells[sec.table]
    return data
