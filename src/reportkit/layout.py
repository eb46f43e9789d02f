"""The official table grid — positions, spans and header cells — built from the format, and the ways
a report is printed from it.

:func:`grid` is the one layout every writer uses (HTML, Word, Excel) and the xlsx reader checks a
workbook against. :func:`render_text` writes a whole report the way real pages look once copied
(the authored YAML form is read through it):

* ``pipe``     one table row per line, cells joined by `` | `` (layout A in corpus-notes.md)
* ``markdown`` rows with leading and trailing pipes (layout B)
* ``cells``    one cell per line, each ending `` |``, rows separated by a line holding ``|`` (layout C)
* ``blank``    one cell per line with blank lines between cells (layout E)
* ``html``     a real HTML table with the official merged headers (rowspan/colspan)

Input ``data``: ``{"title", "agency", "year", "intro", "sections": {1: str, …, 6: str},
"tables": {table_id: {(row_id, col_id) or "row_id/col_id": value} or [{"row", "column", "value"}]}}``.
A value of None is written as an empty cell (HTML) or left out of the row (text layouts lose it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from .format import Table, spec
from .text import html_escape, num_text

LAYOUTS = ("pipe", "markdown", "cells", "blank", "html")


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str                               # a header or label cell's text; "" for a value cell
    header: bool                            # printed as a header (th)
    key: tuple[str, str] | None = None      # (row_id, col_id) of a value cell


@dataclass(frozen=True)
class Grid:
    table: Table
    rows: tuple[tuple[GridCell, ...], ...]  # the cells each printed row starts, left to right
    n_rows: int
    n_cols: int

    @property
    def cells(self) -> tuple[GridCell, ...]:
        return tuple(c for row in self.rows for c in row)


def _header_rows(t: Table) -> list[list[tuple[str, int, int]]]:
    """(text, rowspan, colspan) of the header cells above the value columns of table 三 or 四, read
    from the columns' header paths: a label shared by neighbouring columns is one merged cell, and a
    column with fewer levels than its neighbours spans the rows it lacks."""
    paths = [tuple(p for p in (*c.path, c.label) if p) for c in t.columns]
    # A path repeats the label when the column is its own group (自然人 under 申请人情况 → 自然人, 自然人).
    paths = [tuple(p for i, p in enumerate(path) if i == 0 or p != path[i - 1]) for path in paths]
    depth = max(len(p) for p in paths)
    rows: list[list[tuple[str, int, int]]] = [[] for _ in range(depth)]
    for level in range(depth):
        i = 0
        while i < len(paths):
            path = paths[i]
            if level >= len(path):
                i += 1
                continue
            if level == len(path) - 1 and level < depth - 1:
                rows[level].append((path[level], depth - level, 1))
                i += 1
                continue
            j = i
            while j < len(paths) and len(paths[j]) > level and paths[j][:level + 1] == path[:level + 1]:
                j += 1
            rows[level].append((path[level], 1, j - i))
            i = j
    return rows


@functools.lru_cache(maxsize=None)
def grid(t: Table) -> Grid:
    """The official layout of ``t``: every printed row's cells with their spans, as the format's
    template prints it (table 二 in blocks, table 三 with its corner and nested row labels, table 四 a
    header over one row of numbers)."""
    printed: list[list[tuple[str, int, int, bool, tuple[str, str] | None]]] = []
    if t.blocks:
        for b in t.blocks:
            printed.append([(b.label, 1, len(b.columns) + 1, True, None)])
            printed.append([(t.content_header or "", 1, 1, True, None)]
                           + [(t.column(c).label, 1, 1, True, None) for c in b.columns])
            for rid in b.rows:
                printed.append([(t.row(rid).label, 1, 1, False, None)]
                               + [("", 1, 1, False, (rid, c)) for c in b.columns])
    elif len(t.data_rows) > 1:
        children: dict[str | None, list] = {}
        for r in t.rows:
            children.setdefault(r.parent, []).append(r)

        def leaves(rid):
            return sum(leaves(k.id) if k.kind == "group" else 1 for k in children.get(rid, []))

        def depth(r):
            return 0 if not r.parent else 1 + depth(t.row(r.parent))

        label_cols = 1 + max(depth(r) for r in t.rows)
        header = _header_rows(t)
        for i, cells in enumerate(header):
            lead = [(t.corner or "", len(header), label_cols, True, None)] if i == 0 else []
            printed.append(lead + [(text, rs, cs, True, None) for text, rs, cs in cells])
        pending: list = []
        for r in t.rows:
            if r.kind == "group":
                pending.append((r.label, leaves(r.id), 1, False, None))
                continue
            printed.append(pending + [(r.label, 1, label_cols - depth(r), False, None)]
                           + [("", 1, 1, False, (r.id, c.id)) for c in t.columns])
            pending = []
    else:
        printed.extend([(text, rs, cs, True, None) for text, rs, cs in cells] for cells in _header_rows(t))
        row = t.data_rows[0]
        printed.append([("", 1, 1, False, (row.id, c.id)) for c in t.columns])
    taken: set[tuple[int, int]] = set()
    rows: list[tuple[GridCell, ...]] = []
    for ri, specs in enumerate(printed):
        ci = 0
        out = []
        for text, rs, cs, header_cell, key in specs:
            while (ri, ci) in taken:
                ci += 1
            out.append(GridCell(ri, ci, rs, cs, text, header_cell, key))
            taken.update((ri + dr, ci + dc) for dr in range(rs) for dc in range(cs))
            ci += cs
        rows.append(tuple(out))
    n_cols = max(c for _, c in taken) + 1
    return Grid(t, tuple(rows), len(rows), n_cols)


def full_grid(t: Table) -> Grid:
    """:func:`grid` with every row as wide as the table (a row narrower than the table has its last
    cell widened), as Word and Excel need a full rectangle."""
    g = grid(t)
    taken = {(c.row + dr, c.col + dc) for c in g.cells for dr in range(c.rowspan) for dc in range(c.colspan)}
    rows = []
    for ri, row in enumerate(g.rows):
        width = max(c for r, c in taken if r == ri) + 1
        if width < g.n_cols and row and row[-1].rowspan == 1:
            last = row[-1]
            extra = g.n_cols - (last.col + last.colspan)
            row = row[:-1] + (GridCell(last.row, last.col, 1, last.colspan + extra, last.text, last.header, last.key),)
        rows.append(row)
    return Grid(t, tuple(rows), g.n_rows, g.n_cols)


def html_table(t: Table, cells: dict, cell_html=None) -> str:
    """The official layout as an HTML table (merged headers). ``cell_html(row_id, col_id, value)`` may
    return the inner HTML of a value cell (exports use it to show provenance); text is escaped."""
    out = ['<table class="rk-table" border="1">']
    for row in grid(t).rows:
        parts = []
        for c in row:
            tag = "th" if c.header else "td"
            span = (f' colspan="{c.colspan}"' if c.colspan > 1 else "") + (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "")
            if c.key is None:
                inner = html_escape(c.text)
            else:
                v = cells.get(c.key)
                inner = cell_html(*c.key, v) if cell_html is not None else ("" if v is None else html_escape(num_text(v)))
            parts.append(f"<{tag}{span}>{inner}</{tag}>")
        out.append("<tr>" + "".join(parts) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _cells(t: Table, given) -> dict[tuple[str, str], object]:
    out: dict[tuple[str, str], object] = {}
    if not given:
        return out
    if isinstance(given, dict):
        items = given.items()
        for k, v in items:
            if isinstance(k, tuple):
                r, c = k
            else:
                r, c = str(k).split("/", 1) if "/" in str(k) and str(k).split("/", 1)[0] in {x.id for x in t.rows} else (None, None)
                if r is None:
                    raise ValueError(f"cell key {k!r} is not 'row_id/column_id'")
            out[(r, c)] = v
        return out
    for c in given:
        row = next((r for r in t.rows if c["row"] in (r.id, r.label)), None)
        col = next((x for x in t.columns if c["column"] in (x.id, x.name, x.label)), None)
        if row is None or col is None:
            raise ValueError(f"unknown cell {c['row']!r} / {c['column']!r} in table {t.id}")
        out[(row.id, col.id)] = c.get("value")
    return out


def _fmt(v) -> str:
    return "" if v is None else num_text(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def table_rows(t: Table, cells: dict) -> list[tuple[str, list[str]]]:
    """(label, values) per printed row of a text copy, group rows on lines of their own (no values),
    in the official order: how the template reads once its merged cells are copied as text."""
    rows: list[tuple[str, list[str]]] = []
    g = grid(t)
    if t.blocks:
        for b in t.blocks:
            rows.append((b.label, []))
            rows.append((t.content_header or "", [t.column(c).label for c in b.columns]))
            for rid in b.rows:
                rows.append((t.row(rid).label, [_fmt(cells.get((rid, c))) for c in b.columns]))
        return rows
    header = [[c.text for c in row if c.key is None and c.header] for row in g.rows if all(c.key is None for c in row)]
    if len(t.data_rows) > 1:
        # The corner cell opens the first header row; the other header rows have no row label.
        rows.append((header[0][0], header[0][1:]))
        rows.extend(("", h) for h in header[1:])
        for r in t.rows:
            if r.kind == "group":
                rows.append((r.label, []))
            else:
                rows.append((r.label, [_fmt(cells.get((r.id, c.id))) for c in t.columns]))
        return rows
    rows.extend(("", h) for h in header)
    row = t.data_rows[0]
    rows.append(("", [_fmt(cells.get((row.id, c.id))) for c in t.columns]))
    return rows


def _text_table(rows, layout: str) -> str:
    lines: list[str] = []
    for label, vals in rows:
        # Text layouts drop empty cells, as real copies do; the loader then reports the row unreadable.
        cells = [x for x in ([label] if label else []) + vals if x != ""]
        if not cells:
            continue
        if layout == "pipe":
            lines.append(" | ".join(cells) + " |")
        elif layout == "markdown":
            lines.append("| " + " | ".join(cells) + " | ")
        elif layout == "cells":
            lines.extend(f"{c} |" for c in cells)
            lines.append("|")
        elif layout == "blank":
            lines.extend(cells)
        else:
            raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS}")
    sep = "\n\n" if layout == "blank" else "\n"
    return sep.join(lines)


def render_text(data: dict, layout: str = "pipe") -> str:
    """A whole report as text (or an HTML page for ``layout="html"``) from structured data."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS}")
    f = spec()
    version = str(data.get("format") or "2021")
    sections = {int(k): v for k, v in (data.get("sections") or {}).items()}
    tables = data.get("tables") or {}
    title = data.get("title") or (f"{data.get('agency', '')}{data.get('year', '')}年政府信息公开工作年度报告"
                                  if data.get("agency") else None)
    parts: list[str] = []
    if layout == "html":
        esc = html_escape
        parts.append(f"<html><head><meta charset='utf-8'><title>{esc(title or '')}</title></head><body>")
        if title:
            parts.append(f"<h1>{esc(title)}</h1>")
        for para in str(data.get("intro") or "").split("\n"):
            if para.strip():
                parts.append(f"<p>{esc(para)}</p>")
        for sec in f.sections:
            if sec.number in data.get("omit_sections", ()):
                continue
            parts.append(f"<h2>{esc(sec.title)}</h2>")
            if sec.table and sec.table in tables and tables[sec.table] is not None:
                # Right under its heading: a section heading repeated in the prose cannot carry it off.
                t = f.table(sec.table, version)
                parts.append(html_table(t, _cells(t, tables[sec.table])))
            body = sections.get(sec.number, "")
            for para in str(body).split("\n"):
                if para.strip():
                    parts.append(f"<p>{esc(para)}</p>")
        parts.append("</body></html>")
        return "\n".join(parts)
    if title:
        parts.append(title)
    if data.get("intro"):
        parts.append(str(data["intro"]))
    for sec in f.sections:
        if sec.number in data.get("omit_sections", ()):
            continue
        parts.append(sec.title)
        body = sections.get(sec.number)
        if body:
            parts.append(str(body).strip("\n"))
        if sec.table and sec.table in tables and tables[sec.table] is not None:
            t = f.table(sec.table, version)
            parts.append(_text_table(table_rows(t, _cells(t, tables[sec.table])), layout))
    return "\n".join(parts) + "\n"
