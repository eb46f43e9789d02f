"""``reportkit parse``: what the loader found in one report (sections, the three tables, prose numbers)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..format import spec
from ..load import load
from ..readers.structured import dumps, to_dict
from ._common import EXIT_OK, emit_json as _emit_json, pad, width

# Section states as an analyst reads them.
_STATE = {"ok": "有内容", "empty": "只有标题", "missing": "缺失"}


def format_version(rep) -> tuple[str, str]:
    """The format version the report is read in (the one ``reconstruct`` uses) and how it was decided."""
    if rep.format_version:
        return rep.format_version, "据表格判定"
    return "2021", "表格未显示版本，按 2021 年格式"


def _print_parse(rep) -> None:
    version, how = format_version(rep)
    print(rep.title or Path(rep.source).name)
    facts = [f"来源 {Path(rep.source).name}", f"单位 {rep.agency or '不明'}", f"年度 {rep.year or '不明'}",
             f"格式 {version}（{how}）", f"{len(rep.text)} 字"]
    print("  " + "　".join(facts))
    rows = [("部分", "状态", "位置", "原文标题")]
    for s in rep.sections:
        state = "missing" if not s.present else ("empty" if s.is_empty(rep.text) else "ok")
        where = f"{s.start}-{s.end}" if s.present else "-"
        heading = s.heading if s.heading and s.heading != s.title else ""
        rows.append((s.title, _STATE[state], where, heading))
    cols = [max(width(r[i]) for r in rows) for i in range(3)]
    renamed = any(r[3] for r in rows[1:])
    for r in rows:
        print(("  " + "  ".join(pad(x, c) for x, c in zip(r, cols)) + ("  " + r[3] if renamed else "")).rstrip())
    for tid, tr in rep.tables.items():
        t = spec().table(tid, version)
        sec = spec().section_for_table(tid)
        name = f"{t.name}（{sec.title}）"
        if tr is None:
            print(f"  {name}：正文中没有此表")
        else:
            n = sum(c.state == "value" for c in tr.cells.values())
            print(f"  {name}：读到 {n} 个数字（{tr.version} 年格式），{len(tr.issues)} 处问题")
    print(f"  正文所述数字 {len(rep.facts)} 个")


def cmd_parse(args) -> int:
    rep = load(args.path)
    if args.json:
        _emit_json(to_dict(rep) if args.full else _parse_contract(rep))
    elif args.yaml:
        sys.stdout.write(dumps(rep, "yaml"))
    else:
        _print_parse(rep)
    return EXIT_OK


def _parse_contract(rep) -> dict:
    d = to_dict(rep)
    keep = ("source", "format", "title", "agency", "year", "sections", "tables", "facts")
    out = {k: d[k] for k in keep}
    out["format"] = format_version(rep)[0]          # the version reconstruct reads it in
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
