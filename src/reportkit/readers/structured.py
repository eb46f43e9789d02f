"""reportkit's structured form of a report (YAML or JSON), written and read by the same model.

Two shapes are accepted:

* the **full form** that :func:`to_dict` writes (and ``reportkit parse --json`` prints): the original
  text, every section span, every cell with its state and span, every fact. Loading it gives back the
  same report, cell for cell.
* an **authored form** for people and tests building reports by hand: ``title``/``agency``/``year``,
  ``sections`` as ``{1: "body text", …}`` and ``tables`` as ``{requests: [{row, column, value}, …]}``
  (labels or ids). :func:`reportkit.load.from_authored` prints it (official headings, the tables in its
  ``layout``, :mod:`reportkit.layout`) and parses the text, so an authored report is loaded exactly
  like a published one. This module reads and checks the mapping; it does not parse text.
"""

from __future__ import annotations

import functools
import json
import math

from ..errors import StructuredDataError
from ..format import TABLE_IDS, VERSIONS, label_key, spec
from ..model import CELL_STATES, PROVENANCE_WORDS, Cell, Fact, Report, Section, TableIssue, TableRead
from ..text import Folded

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
                          "end": c.end if c else None, "note": c.note if c else None,
                          "how": c.how if c else None, "rule": c.rule if c else None,
                          "rejected": c.rejected if c else None})
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
                      "empty": s.is_empty(report.text) if s.present else True,
                      # Only where set, so records written before these existed stay the same.
                      **({"numbered_as": s.numbered_as} if s.numbered_as else {}),
                      **({"truncated": True} if s.truncated else {})}
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


@functools.lru_cache(maxsize=1)
def _dumper():
    """Safe YAML, except that a string holding NEL (U+0085) is written double-quoted: PyYAML writes it
    raw in a single-quoted scalar and reads it back as a space, which would change the text. Built on
    first use, with PyYAML imported then (a JSON parse never needs it)."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    _Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
        "tag:yaml.org,2002:str", value, style='"' if "\x85" in value else None))
    return _Dumper


def dumps(report: Report, fmt: str = "yaml") -> str:
    d = to_dict(report)
    if fmt == "json":
        return json.dumps(d, ensure_ascii=False, indent=1)
    import yaml
    return yaml.dump(d, Dumper=_dumper(), allow_unicode=True, sort_keys=False, width=120)


def parse(text: str, source: str, json_: bool = False) -> dict:
    """The mapping in a structured YAML/JSON file (full or authored form). YAML is read with
    ``yaml.safe_load``: tags such as ``!!python/object`` are refused, never constructed."""
    import yaml
    try:
        data = json.loads(text) if json_ else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        where = None
        mark = getattr(e, "problem_mark", None)
        if mark is not None:
            where = f"line {mark.line + 1}, column {mark.column + 1}"
        elif isinstance(e, json.JSONDecodeError):
            where = f"line {e.lineno}, column {e.colno}"
        # The parser's short reason; the place goes in ``where`` (str(e) of a YAML error spans lines).
        reason = getattr(e, "problem", None) or getattr(e, "msg", None) or str(e).splitlines()[0]
        raise StructuredDataError(f"not valid {'JSON' if json_ else 'YAML'}: {reason}", source, where) from None
    except RecursionError:
        raise StructuredDataError("nested too deeply to be a report", source) from None
    except (ValueError, TypeError, AttributeError, OverflowError) as e:
        # The YAML constructors raise these on values such as "2021-13-45" or "!!float x", and json on
        # integers of thousands of digits.
        raise StructuredDataError(f"not valid {'JSON' if json_ else 'YAML'}: {e}", source) from None
    if not isinstance(data, dict):
        raise StructuredDataError("expected a mapping at the top (title, sections, tables …)", source, "top level")
    return data


def is_full_form(data: dict) -> bool:
    """The full form (:func:`to_dict`) carries the text and its spans; the authored form only the
    pieces a person writes (headings, prose, cells), which the loader prints and reads."""
    return "text" in data and isinstance(data.get("sections"), list)


def _find_row(t, label):
    if not isinstance(label, str):      # row ids and labels are text; str() of an alias bomb is not
        return None
    for r in t.rows:
        if label in (r.id, r.label) or (r.variants and label in r.variants):
            return r
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
                            end=s["end"], body_start=s.get("body_start", s["start"]), present=s["present"],
                            numbered_as=s.get("numbered_as"), truncated=bool(s.get("truncated")))
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
                    raise StructuredDataError(f"table {tid}: unknown cell {_show(c['row'])} / {_show(c['column'])}",
                                              source, f"tables.{tid}")
                state = c.get("state") or ("value" if c.get("value") is not None else "missing")
                if (row.id, col.id) in tr.cells:
                    raise StructuredDataError(f"table {tid}: cell {_show(c['row'])} / {_show(c['column'])} is listed twice",
                                              source, f"tables.{tid}")
                tr.cells[(row.id, col.id)] = Cell(tid, row.id, col.id, _num(c.get("value"), source), state,
                                                  c.get("raw"), c.get("start"), c.get("end"), c.get("note"),
                                                  c.get("how"), c.get("rule"), c.get("rejected"))
            tables[tid] = tr
        for i in d.get("table_issues", []):
            if tables.get(i["table"]) is not None:
                tables[i["table"]].issues.append(TableIssue(**i))
        facts = [Fact(**f) for f in d.get("facts", [])]
        pre = d.get("preamble", {}).get("end", sections[0].start if sections else len(text))
        rep = Report(text=text, source=d.get("source") or source, kind=d.get("kind", "structured"),
                     title=d.get("title"), agency=d.get("agency"), year=d.get("year"),
                     format_version=d.get("format"), preamble_end=pre, sections=sections, tables=tables,
                     facts=facts, notes=list(d.get("notes", [])), assets=list(d.get("assets", [])))
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise StructuredDataError(f"missing or malformed field {e}", source) from None
    _check_full_form(rep, source)
    return rep


def _same_number(raw: str, value) -> bool:
    try:
        return (float(raw) if "." in raw else int(raw)) == value
    except ValueError:
        return False


def _show(v) -> str:
    """A value for an error message: short, and never the repr of a structure (an alias bomb's repr
    is gigabytes)."""
    if isinstance(v, str):
        return repr(v[:60] + ("…" if len(v) > 60 else ""))
    if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 64:
        return f"a number of about {int(v.bit_length() * 0.30103)} digits"
    if isinstance(v, (int, float, bool, type(None))):
        return repr(v)[:60]
    return f"a {type(v).__name__}"


def _flat(d: dict) -> bool:
    """Only strings, numbers and None as values (nothing that could be an aliased structure)."""
    return all(isinstance(v, (str, int, float, type(None))) for v in d.values())


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_full_form(rep: Report, source: str) -> None:
    """Refuse a full form whose spans no longer fit its text (hand-edited, truncated, or not ours):
    every later stage quotes ``text[start:end]``, so a wrong span would quote the wrong words."""
    def bad(field: str, why: str):
        raise StructuredDataError(f"{why}; edit the original report and export it again", source, field)

    text = rep.text
    if not isinstance(text, str):
        bad("text", "the text is not a string")
    if rep.format_version not in (*VERSIONS, None):
        bad("format", f"unknown format version {_show(rep.format_version)}")
    for field, value, types in (("title", rep.title, str), ("agency", rep.agency, str), ("year", rep.year, int),
                                ("source", rep.source, str), ("kind", rep.kind, str)):
        if value is not None and (not isinstance(value, types) or isinstance(value, bool)):
            bad(field, f"{_show(value)} is not a {types.__name__}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        bad("text", f"the text holds a lone surrogate at character {e.start}")
    n = len(text)

    def span(field, a, b, optional=False):
        if optional and a is None and b is None:
            return
        if not (_int(a) and _int(b) and 0 <= a <= b <= n):
            bad(field, f"span {_show(a)}–{_show(b)} is not inside the text of {n} characters")

    if [s.number for s in rep.sections] != [1, 2, 3, 4, 5, 6]:
        bad("sections", "there must be six sections numbered 1 to 6")
    span("preamble", 0, rep.preamble_end)
    for s in rep.sections:
        f = f"sections[{s.number}]"
        span(f, s.start, s.end)
        span(f, s.body_start, s.end)
        if not s.start <= s.body_start:
            bad(f, "the body starts before the section")
        if not isinstance(s.title, str):
            bad(f, "the title must be text")
        if s.present and s.heading != text[s.start:s.body_start]:
            bad(f, "the heading is not the text at its span")
        if not s.present and not s.start == s.body_start == s.end:
            bad(f, "a section that is not present has a non-empty span")
    spans = rep.spans()
    if any(b != c for (_, b), (c, _) in zip(spans, spans[1:])) or spans[-1][1] != n:
        bad("sections", "the sections do not partition the text")
    for tid, tr in rep.tables.items():
        if tr is None:
            continue
        if tr.version not in VERSIONS:
            bad(f"table_versions.{tid}", f"unknown format version {_show(tr.version)}")
        required = set(spec().table(tid, tr.version).cells)
        for (rid, cid), c in tr.cells.items():
            f = f"tables.{tid}[{rid}/{cid}]"
            if (rid, cid) not in required:
                bad(f, "the format has no such cell")
            span(f, c.start, c.end, optional=True)
            if c.state not in CELL_STATES:
                bad(f, f"unknown cell state {_show(c.state)}")
            if (c.value is not None) != (c.state == "value"):
                bad(f, f"state {_show(c.state)} does not fit value {_show(c.value)}")
            if not all(isinstance(x, (str, type(None))) for x in (c.raw, c.note, c.how, c.rule)):
                bad(f, "raw, note, how and rule must be text")
            if c.rejected is not None and not _int(c.rejected):
                bad(f, f"rejected {_show(c.rejected)} is not a count")
            if c.start is not None:
                # What the cell says was written must stand at its span, and a value be that number.
                quoted = Folded(text[c.start:c.end]).text
                if c.state == "value" and not c.raw or not all(p in quoted for p in (c.raw or "").split()):
                    bad(f, "the cell is not the text at its span")
                if c.state == "value" and not _same_number(c.raw, c.value):
                    bad(f, f"value {_show(c.value)} is not the number written ({_show(c.raw)})")
        for i in tr.issues:
            span(f"table_issues.{tid}", i.start, i.end, optional=True)
            fields = {k: v for k, v in vars(i).items() if k != "candidates"}
            if not all(isinstance(x, str) for x in (i.kind, i.message)) or not _flat(fields):
                bad(f"table_issues.{tid}", "kind and message must be text")
            if i.candidates is not None and not (
                    isinstance(i.candidates, list) and all(
                        isinstance(c, list) and all(isinstance(v, (int, float, type(None))) and not isinstance(v, bool)
                                                    for v in c) for c in i.candidates)):
                bad(f"table_issues.{tid}", "candidates must be lists of numbers")
    for k, fact in enumerate(rep.facts):
        f = f"facts[{k}]"
        span(f, fact.start, fact.end)
        if text[fact.start:fact.end] != fact.text:
            bad(f, "the fact is not the text at its span")
        if isinstance(fact.value, bool) or not isinstance(fact.value, (int, float)) or _too_long(fact.value):
            bad(f, f"value {_show(fact.value)} is not a number of at most {MAX_DIGITS} digits")
        if isinstance(fact.value, float) and not math.isfinite(fact.value):
            bad(f, f"value {_show(fact.value)} is not a number")
        if not all(isinstance(x, str) for x in (fact.unit, fact.sentence, fact.subject)):
            bad(f, "unit, sentence and subject must be text")
        span(f, fact.sentence_start, fact.start)
        if fact.sentence not in text[fact.sentence_start:fact.end + len(fact.sentence)] or fact.text not in fact.sentence:
            bad(f, "the sentence is not the text around the fact")
        if fact.section is not None and (not _int(fact.section) or not 0 <= fact.section <= 6):
            bad(f, f"section {_show(fact.section)} is not 0–6")
    for k, a in enumerate(rep.assets):
        if not isinstance(a, dict) or not _int(a.get("at")) or not 0 <= a["at"] <= n:
            bad(f"assets[{k}]", "the asset has no position inside the text")
        if not _int(a.get("section")) or not 0 <= a["section"] <= 6 or not _flat(a):
            bad(f"assets[{k}]", "the asset needs a section 0–6 and plain values")
    if not all(isinstance(x, dict) and _flat(x) for x in rep.notes):
        bad("notes", "each note must be a mapping of plain values")


MAX_DIGITS = 15
"""As for text (``tables.MAX_DIGITS``, ``facts``): a longer number is not a count a report states."""


def _too_long(v) -> bool:
    """More than :data:`MAX_DIGITS` digits before the point (checked without float(), which overflows
    on an integer of hundreds of digits)."""
    if isinstance(v, int):
        return abs(v) >= 10 ** MAX_DIGITS
    return isinstance(v, float) and math.isfinite(v) and abs(v) >= 10.0 ** MAX_DIGITS


def _num(v, source):
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise StructuredDataError(f"cell value {_show(v)} is not a number", source)
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if _too_long(v):
        raise StructuredDataError(f"cell value of more than {MAX_DIGITS} digits is not a count", source, "tables")
    return v


_SCALAR = (str, int, float, type(None))

_DERIVED = ("inferred", "stated-prose")
"""Provenances reconstruct gives back from the report itself, so a cell holding one is re-derived."""


def restore_provenance(rep: Report, records) -> None:
    """Give each cell an earlier export derived (inferred from the identities, or stated in the prose)
    that provenance back when the file still holds the value the export recorded for it (its
    ``reconstruction.cells``, or a workbook's cells sheet): nobody touched it, so reconstruct derives
    it again instead of taking it as stated. A value that differs is an edit: it stays stated (edits
    win), and a note says which cell was changed from what. Malformed records are skipped."""
    if not isinstance(records, list):
        return
    for r in records[:100_000]:
        if not isinstance(r, dict) or r.get("provenance") not in _DERIVED:
            continue
        tid, rid, cid, v = r.get("table"), r.get("row_id"), r.get("column_id"), r.get("value")
        if not (isinstance(tid, str) and isinstance(rid, str) and isinstance(cid, str)) or rep.tables.get(tid) is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        c = rep.tables[tid].cells.get((rid, cid))
        if c is None or c.state != "value" or c.how not in (None, "stated"):
            continue
        if c.value == v:
            c.how, c.rule = r["provenance"], r.get("rule") if isinstance(r.get("rule"), str) else None
            continue
        t = spec().table(tid, rep.tables[tid].version)
        c.note = f"导出后修改：导出时为{PROVENANCE_WORDS[r['provenance']]}的 {v}"
        rep.notes.append({"kind": "edited_cell", "table": tid, "row": rid, "column": cid,
                          "message": f"{t.name} {t.row(rid).label} / {t.column(cid).name}：导出时为"
                                     f"{PROVENANCE_WORDS[r['provenance']]}的 {v}，文件中改为 {c.value}，"
                                     "按所填数值读取（视为报告表格所载）"})


def check_authored(d: dict, source: str) -> None:
    """Only strings, numbers and the documented nesting: anything else (a list where a section body
    belongs, a YAML alias bomb) would be turned into text by str() and could expand without limit."""
    def bad(field, what):
        raise StructuredDataError(f"{field} must be {what}", source, field)

    for key in ("title", "agency", "intro", "year", "format", "layout"):
        if not isinstance(d.get(key), _SCALAR) or isinstance(d.get(key), bool):
            bad(key, "a string or number")
    if str(d.get("format") or "2021") not in VERSIONS:
        bad("format", f"one of {', '.join(VERSIONS)}")
    sections = d.get("sections") or {}
    if not isinstance(sections, dict) or not all(isinstance(v, (str, type(None))) for v in sections.values()):
        bad("sections", "a mapping of section numbers to text")
    omit = d.get("omit_sections") or []
    if not isinstance(omit, list) or not all(_int(x) for x in omit):
        bad("omit_sections", "a list of section numbers")
    tables = d.get("tables") or {}
    if not isinstance(tables, dict):
        bad("tables", "a mapping of table ids to cells")
    for tid, cells in tables.items():
        if tid not in TABLE_IDS:
            bad(f"tables.{tid}", f"one of {', '.join(TABLE_IDS)}")
        items = cells.items() if isinstance(cells, dict) else ((None, c) for c in cells) if isinstance(cells, list) else None
        if items is None and cells is not None:
            bad(f"tables.{tid}", "a list of {row, column, value} or a mapping 'row/column': value")
        for k, v in items or ():
            ok = (isinstance(v, _SCALAR) and not isinstance(v, bool)) if k is not None else (
                isinstance(v, dict) and all(isinstance(x, _SCALAR) and not isinstance(x, bool) for x in v.values()))
            if not ok:
                bad(f"tables.{tid}", "cells holding numbers (or nothing)")
