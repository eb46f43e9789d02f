"""``reportkit reconstruct``: every table cell of one report with value or bounds and provenance."""

from __future__ import annotations

import json
import sys

from ..load import load
from ..reconstruct import reconstruct

def _cmd_reconstruct(args) -> int:
    rec = reconstruct(load(args.path))
    if args.json:
        sys.stdout.write(json.dumps(rec.to_json(), ensure_ascii=False, indent=1) + "\n")
    else:
        sys.stdout.write(rec.summary() + "\n")
    return 0


def add(sub) -> None:
    """Register ``reportkit reconstruct PATH [--json]``."""
    p = sub.add_parser(
        "reconstruct", help="every section and table cell, with value or bounds and provenance",
        description=("Rebuild the official structure of one report: each table cell with its value when "
                     "the text or the format's identities force it, else bounds, else unknown; and where "
                     "it comes from (stated-table, stated-prose, inferred, unknown)."))
    p.add_argument("path", help="report file (.txt, .html, .pdf, .docx, .yaml, .json, .xlsx)")
    p.add_argument("--json", action="store_true", help="print the reconstruction as JSON (the documented contract)")
    p.set_defaults(func=_cmd_reconstruct)
