"""``reportkit parse``: what the loader found in one report (sections, the three tables, prose numbers)."""

from __future__ import annotations

import sys

from ..load import load
from ..readers.structured import dumps, to_dict
from ._common import EXIT_OK, emit_json as _emit_json

def cmd_parse(args) -> int:
    rep = load(args.path)
    if args.json:
        _emit_json(to_dict(rep) if args.full else _parse_contract(rep))
    elif args.yaml:
        sys.stdout.write(dumps(rep, "yaml"))
    else:
        print(repr(rep))
        for s in rep.sections:
            state = "missing" if not s.present else ("empty" if s.is_empty(rep.text) else "ok")
            print(f"  {s.title:<24} {state:<8} {s.start:>6}-{s.end:<6} {s.heading or ''}")
        for tid, tr in rep.tables.items():
            if tr is None:
                print(f"  table {tid}: not in the text")
            else:
                n = sum(c.state == "value" for c in tr.cells.values())
                print(f"  table {tid} ({tr.version}): {n} numbers read, {len(tr.issues)} issues")
        print(f"  {len(rep.facts)} numbers stated in prose")
    return EXIT_OK


def _parse_contract(rep) -> dict:
    d = to_dict(rep)
    keep = ("source", "format", "title", "agency", "year", "sections", "tables", "facts")
    out = {k: d[k] for k in keep}
    out["sections"] = [{k: s[k] for k in ("number", "title", "heading", "start", "end", "present", "empty")}
                       for s in d["sections"]]
    out["tables"] = {tid: None if cells is None else [_contract_cell(c) for c in cells]
                     for tid, cells in d["tables"].items()}
    out["facts"] = [{k: f[k] for k in ("value", "unit", "start", "end", "text")} for f in d["facts"]]
    return out


def _contract_cell(c: dict) -> dict:
    """A cell of the parse contract: row, column, value; how it was read (``stated``, ``split`` from
    run-together digits, or null when nothing was read) and, for a split, the rule that decided the cut."""
    out = {"row": c["row"], "column": c["column"], "value": c["value"], "how": c["how"]}
    if c["how"] == "split":
        out["rule"] = c["rule"]
    return out


def add(sub) -> None:
    sp = sub.add_parser("parse", help="load one report: sections, the three tables, numbers in prose",
                        description="Load one report and show its sections, tables and prose numbers.")
    sp.add_argument("path", help="report file (.txt, .html, .pdf, .docx, .yaml, .json, .xlsx)")
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="print the parse as JSON (the documented contract)")
    g.add_argument("--yaml", action="store_true", help="print reportkit's full structured YAML (loadable)")
    sp.add_argument("--full", action="store_true", help="with --json: everything, text and spans included")
    sp.set_defaults(func=cmd_parse)
