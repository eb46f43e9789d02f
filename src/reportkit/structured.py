"""reportkit's structured form of a report (YAML or JSON), written and read by the same model.

Two shapes are accepted:

* the **full form** that :func:`to_dict` writes (and ``reportkit parse --json`` prints): the original
  text, every section span, every cell with its state and span, every fact. Loading it gives back the
  same report, cell for cell.
* an **authored form** for people and tests building reports by hand: ``title``/``agency``/``year``,
  ``sections`` as ``{1: "body text", …}`` and ``tables`` as ``{requests: [{row, column, value}, …]}``
  (labels or ids). reportkit writes the text (official headings, tables as pipe rows) and parses it, so
  an authored report is loaded exactly like a published one.
"""

from __future__ import annotations

import json
import math

import yaml

from .errors import StructuredDataError
from .format import TABLE_IDS, spec
from .model import Cell, Fact, Report, Section, TableIssue, TableRead

SCHEMA = "reportkit/report-1"


def to_dict(report: Report) -> dict:
    """The full structured form. Its keys are a superset of the ``reportkit parse --json`` contract."""
    tables = {}
    for tid in TABLE_IDS:
        tr = report.tables.get(tid)
        if tr is None:
            tables[tid] = None
            continue
        t = spec().table(tid, tr.version)
        cells = []
        for rid, cid in t.cells:
            c = tr.cells.get((rid, cid))
            cells.append({"row": t.row(rid).label, "column": t.column(cid).name,
                          "value": c.value if c else None, "state": c.state if c else "missing",
                          "raw": c.raw if c else None, "start": c.start if c else None,
                          "end": c.end if c else None, "note": c.note if c else None})
        tables[tid] = cells
    return {
        "schema": SCHEMA,
        "source": report.source,
        "kind": report.kind,
        "format": report.format_version,
        "title": report.title,
        "agency": report.agency,
        "year": report.year,
        "preamble": {"start": 0, "end": report.preamble_end},
        "sections": [{"number": s.number, "title": s.title, "heading": s.heading, "start": s.start,
                      "end": s.end, "body_start": s.body_start, "present": s.present,
                      "empty": s.is_empty(report.text) if s.present else True}
                     for s in report.sections],
        "tables": tables,
        "table_versions": {tid: tr.version for tid, tr in report.tables.items() if tr is not None},
        "table_found": {tid: tr.found for tid, tr in report.tables.items() if tr is not None},
        "table_issues": [vars(i) for tr in report.tables.values() if tr for i in tr.issues],
        "facts": [{"value": f.value, "unit": f.unit, "start": f.start, "end": f.end, "text": f.text,
                   "sentence": f.sentence, "sentence_start": f.sentence_start, "section": f.section,
                   "subject": f.subject} for f in report.facts],
        "notes": report.notes,
        "assets": report.assets,
        "text": report.text,
    }


def dumps(report: Report, fmt: str = "yaml") -> str:
    d = to_dict(report)
    if fmt == "json":
        return json.dumps(d, ensure_ascii=False, indent=1)
    return yaml.safe_dump(d, allow_unicode=True, sort_keys=False, width=120)


def from_structured(text: str, source: str, json_: bool = False) -> Report:
    try:
        data = json.loads(text) if json_ else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        where = None
        mark = getattr(e, "problem_mark", None)
        if mark is not None:
            where = f"line {mark.line + 1}, column {mark.column + 1}"
        elif isinstance(e, json.JSONDecodeError):
            where = f"line {e.lineno}, column {e.colno}"
        raise StructuredDataError(f"not valid {'JSON' if json_ else 'YAML'}: {getattr(e, 'problem', None) or e.msg if hasattr(e, 'msg') else e}",
                                  source, where) from None
    if not isinstance(data, dict):
        raise StructuredDataError("expected a mapping at the top (title, sections, tables …)", source, "top level")
    if "text" in data and isinstance(data.get("sections"), list):
        return from_dict(data, source)
    return from_authored(data, source)


def _find_row(t, label):
    for r in t.rows:
        if label in (r.id, r.label) or (r.variants and label in r.variants):
            return r
    from .format import label_key
    key = label_key(str(label))
    return t.row_by_key.get(key)


def _find_col(t, label):
    for c in t.columns:
        if label in (c.id, c.name, c.label):
            return c
    return None


def from_dict(d: dict, source: str) -> Report:
    """Rebuild a report from the full form (exact round trip of :func:`to_dict`)."""
    try:
        text = d["text"]
        sections = [Section(number=s["number"], title=s["title"], heading=s.get("heading"), start=s["start"],
                            end=s["end"], body_start=s.get("body_start", s["start"]), present=s["present"])
                    for s in d["sections"]]
        tables: dict[str, TableRead | None] = {}
        versions = d.get("table_versions", {})
        found = d.get("table_found", {})
        for tid in TABLE_IDS:
            cells = (d.get("tables") or {}).get(tid)
            if cells is None:
                tables[tid] = None
                continue
            version = versions.get(tid) or d.get("format") or "2021"
            t = spec().table(tid, version)
            tr = TableRead(table=tid, version=version, found=found.get(tid, True))
            for c in cells:
                row, col = _find_row(t, c["row"]), _find_col(t, c["column"])
                if row is None or col is None:
                    raise StructuredDataError(f"table {tid}: unknown cell {c['row']!r} / {c['column']!r}",
                                              source, f"tables.{tid}")
                state = c.get("state") or ("value" if c.get("value") is not None else "missing")
                tr.cells[(row.id, col.id)] = Cell(tid, row.id, col.id, _num(c.get("value"), source), state,
                                                  c.get("raw"), c.get("start"), c.get("end"), c.get("note"))
            tables[tid] = tr
        for i in d.get("table_issues", []):
            if tables.get(i["table"]) is not None:
                tables[i["table"]].issues.append(TableIssue(**i))
        facts = [Fact(**f) for f in d.get("facts", [])]
        pre = d.get("preamble", {}).get("end", sections[0].start if sections else len(text))
    except (KeyError, TypeError) as e:
        raise StructuredDataError(f"missing or malformed field {e}", source) from None
    return Report(text=text, source=d.get("source") or source, kind=d.get("kind", "structured"),
                  title=d.get("title"), agency=d.get("agency"), year=d.get("year"),
                  format_version=d.get("format"), preamble_end=pre, sections=sections, tables=tables,
                  facts=facts, notes=list(d.get("notes", [])), assets=list(d.get("assets", [])))


def _num(v, source):
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise StructuredDataError(f"cell value {v!r} is not a number", source)
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def from_authored(d: dict, source: str) -> Report:
    """Write the text of an authored report (official headings, pipe-row tables) and parse it."""
    from .render import render_text
    from .load import parse_text
    try:
        text = render_text(d, layout=d.get("layout", "pipe"))
    except (KeyError, TypeError, ValueError) as e:
        raise StructuredDataError(f"cannot build the report: {e}", source) from None
    rep = parse_text(text, source)
    rep.kind = "structured"
    return rep
