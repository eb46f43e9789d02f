"""``reportkit export``: reconstruct one report and write it as md, html, docx, xlsx, yaml or json."""

from __future__ import annotations

import sys

from ..draft import draft as make_draft
from ..load import display_path, load
from ..reconstruct import reconstruct
from ..writers import FORMATS, dumps, export, to_html, to_markdown, to_structured
from ._common import say

def _cmd_export(args) -> int:
    rep = load(args.path)
    rec = reconstruct(rep)
    draft = None
    if args.draft:
        draft = make_draft(rec)
    if args.output == "-":
        if args.to in ("docx", "xlsx"):
            print(f"reportkit: --to {args.to} writes a binary file; give a path with -o", file=sys.stderr)
            return 2
        if args.to == "md":
            sys.stdout.write(to_markdown(rec, draft))
        elif args.to == "html":
            sys.stdout.write(to_html(rec, draft))
        else:
            sys.stdout.write(dumps(to_structured(rec), args.to))
        return 0
    path = export(rec, args.to, args.output, draft=draft)
    print(display_path(path))
    say(f"wrote {args.to} export of {display_path(args.path)} to {display_path(path)}")
    return 0


def add(sub) -> None:
    """Register ``reportkit export``."""
    sp = sub.add_parser(
        "export", help="reconstruct a report and write it as md, html, docx, xlsx, yaml or json",
        description=("Load a report, reconstruct its tables (with provenance) and export it. "
                     "YAML, JSON, HTML and XLSX exports load back with reportkit to the same numbers."))
    sp.add_argument("path", help="report file (.txt, .html, .pdf, .docx, .yaml, .json, .xlsx)")
    sp.add_argument("--to", required=True, choices=FORMATS, help="output format")
    sp.add_argument("-o", "--output", required=True, metavar="OUT",
                    help="output file ('-' writes md/html/yaml/json to stdout)")
    sp.add_argument("--draft", action="store_true",
                    help="add the drafted text of every section (md, html, docx)")
    sp.set_defaults(func=_cmd_export)
