"""Write a report's text the way real pages look once copied: the layouts found in the wild.

Used to build realistic reports from structured data (tests, the benchmark corpus, the authored YAML
form). Every layout here is one the loader reads back to the same cells:

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

import html as _html

from .format import Table, spec

LAYOUTS = ("pipe", "markdown", "cells", "blank", "html")


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
    return "" if v is None else str(v)


def table_rows(t: Table, cells: dict) -> list[tuple[str, list[str]]]:
    """(label, values) per printed row, group rows included (no values), in the official order."""
    rows: list[tuple[str, list[str]]] = []
    if t.id == "proactive":
        for b in t.blocks:
            rows.append((b.label, []))
            rows.append(("信息内容", [t.column(c).label for c in b.columns]))
            for rid in b.rows:
                rows.append((t.row(rid).label, [_fmt(cells.get((rid, c))) for c in b.columns]))
        return rows
    if t.id == "requests":
        rows.append((t.corner or "", ["申请人情况"]))
        rows.append(("", ["自然人", "法人或其他组织", "总计"]))
        rows.append(("", [c.label for c in t.columns if c.path[1] == "法人或其他组织"]))
        for r in t.rows:
            if r.kind == "group":
                rows.append((r.label, []))
            else:
                rows.append((r.label, [_fmt(cells.get((r.id, c.id))) for c in t.columns]))
        return rows
    # appeals
    rows.append(("", ["行政复议", "行政诉讼"]))
    rows.append(("", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"]))
    rows.append(("", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2))
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


def html_table(t: Table, cells: dict, cell_html=None) -> str:
    """The official layout as an HTML table (merged headers). ``cell_html(row_id, col_id, value)`` may
    return the inner HTML of a value cell (exports use it to show provenance); text is escaped."""
    esc = _html.escape

    def val(rid, cid):
        v = cells.get((rid, cid))
        if cell_html is not None:
            return cell_html(rid, cid, v)
        return "" if v is None else esc(str(v))

    out = ['<table class="rk-table" border="1">']
    if t.id == "proactive":
        for b in t.blocks:
            n = len(b.columns)
            out.append(f'<tr><th colspan="{n + 1}">{esc(b.label)}</th></tr>')
            out.append("<tr><th>信息内容</th>" + "".join(f"<th>{esc(t.column(c).label)}</th>" for c in b.columns) + "</tr>")
            for rid in b.rows:
                out.append(f"<tr><td>{esc(t.row(rid).label)}</td>" + "".join(f"<td>{val(rid, c)}</td>" for c in b.columns) + "</tr>")
    elif t.id == "requests":
        out.append(f'<tr><th colspan="3" rowspan="3">{esc(t.corner or "")}</th><th colspan="7">申请人情况</th></tr>')
        out.append('<tr><th rowspan="2">自然人</th><th colspan="5">法人或其他组织</th><th rowspan="2">总计</th></tr>')
        out.append("<tr>" + "".join(f"<th>{esc(c.label)}</th>" for c in t.columns if c.path[1] == "法人或其他组织") + "</tr>")
        children: dict[str | None, list] = {}
        for r in t.rows:
            children.setdefault(r.parent, []).append(r)

        def leaves(rid):
            kids = children.get(rid, [])
            return sum(leaves(k.id) if k.kind == "group" else 1 for k in kids)

        pending: list[str] = []
        for r in t.rows:
            if r.kind == "group":
                pending.append(f'<td rowspan="{leaves(r.id)}">{esc(r.label)}</td>')
                continue
            depth = 0
            p = r.parent
            while p:
                depth += 1
                p = t.row(p).parent
            span = 3 - depth
            label = f'<td colspan="{span}">{esc(r.label)}</td>' if span > 1 else f"<td>{esc(r.label)}</td>"
            out.append("<tr>" + "".join(pending) + label + "".join(f"<td>{val(r.id, c.id)}</td>" for c in t.columns) + "</tr>")
            pending = []
    else:
        out.append('<tr><th colspan="5">行政复议</th><th colspan="10">行政诉讼</th></tr>')
        out.append("<tr>" + "".join(f'<th rowspan="2">{x}</th>' for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计"))
                   + '<th colspan="5">未经复议直接起诉</th><th colspan="5">复议后起诉</th></tr>')
        out.append("<tr>" + "".join(f"<th>{x}</th>" for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 2) + "</tr>")
        row = t.data_rows[0]
        out.append("<tr>" + "".join(f"<td>{val(row.id, c.id)}</td>" for c in t.columns) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


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
        esc = _html.escape
        parts.append(f"<html><head><meta charset='utf-8'><title>{esc(title or '')}</title></head><body>")
        if title:
            parts.append(f"<h1>{esc(title)}</h1>")
        if data.get("intro"):
            parts.append(f"<p>{esc(data['intro'])}</p>")
        for sec in f.sections:
            if sec.number in data.get("omit_sections", ()):
                continue
            parts.append(f"<h2>{esc(sec.title)}</h2>")
            body = sections.get(sec.number, "")
            for para in str(body).split("\n"):
                if para.strip():
                    parts.append(f"<p>{esc(para)}</p>")
            if sec.table and sec.table in tables and tables[sec.table] is not None:
                t = f.table(sec.table, version)
                parts.append(html_table(t, _cells(t, tables[sec.table])))
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


def complete_tables(seed: int = 0, version: str = "2021", zero_share: float = 0.5) -> dict:
    """A set of three tables that satisfies every identity of the format, from a seeded RNG: the
    building block of mutation tests, property tests and the synthetic benchmark corpus."""
    import random
    rng = random.Random(seed)
    f = spec()
    out: dict[str, dict] = {}
    t2 = f.table("proactive", version)
    out["proactive"] = {}
    for rid, cid in t2.cells:
        col = t2.column(cid)
        if col.decimal:
            out["proactive"][(rid, cid)] = round(rng.random() * 100, 2) if rng.random() > zero_share else 0
        elif rid == "regulations":
            out["proactive"][(rid, cid)] = 0
        else:
            out["proactive"][(rid, cid)] = 0 if rng.random() < zero_share else rng.randint(1, 400)
    t3 = f.table("requests", version)
    results = next(i for i in f.version(version).identities if i.id == "requests_results_sum").equations[0][1]
    outcome_rows = [r for r, _ in results]
    cells3: dict = {}
    applicant_cols = [c.id for c in t3.columns if c.id != "total"]
    for cid in applicant_cols:
        active = rng.random() > (zero_share if cid != "natural_person" else 0.1)
        for r in outcome_rows:
            cells3[(r, cid)] = rng.randint(0, 6) if active and rng.random() > 0.6 else 0
        total = sum(cells3[(r, cid)] for r in outcome_rows)
        cells3[("results_total", cid)] = total
        carried_out = rng.randint(0, 3) if active else 0
        cells3[("carried_out", cid)] = carried_out
        carried_in = min(total + carried_out, rng.randint(0, 3)) if active else 0
        cells3[("carried_in", cid)] = carried_in
        cells3[("new", cid)] = total + carried_out - carried_in
    for r in t3.data_rows:
        cells3[(r.id, "total")] = sum(cells3[(r.id, c)] for c in applicant_cols)
    out["requests"] = cells3
    t4 = f.table("appeals", version)
    cells4 = {}
    row = t4.data_rows[0].id
    for g in ("review", "direct_suit", "suit_after_review"):
        parts = [rng.randint(0, 3) if rng.random() > zero_share else 0 for _ in range(4)]
        for name, v in zip(("upheld", "corrected", "other", "pending"), parts):
            cells4[(row, f"{g}_{name}")] = v
        cells4[(row, f"{g}_total")] = sum(parts)
    out["appeals"] = cells4
    return out

