"""``reportkit draft``: Chinese drafts of sections 二、三、四 (and 五 as a proposal) of one report."""

from __future__ import annotations

import sys
from ..check import check
from ..draft import draft
from ..load import display_path, load
from ..paths import atomic_write
from ..reconstruct import reconstruct
from ..writers import export
from ._common import say

def cmd_draft(args) -> int:
    rec = reconstruct(load(args.path))
    findings = None
    if args.proposal:
        findings = check(rec.report)
    d = draft(rec, findings, proposal=args.proposal)
    if args.to == "md":
        text = d.markdown(sources=args.sources)
        if args.output:
            atomic_write(args.output, text)
            say(f"wrote {display_path(args.output)}")
        else:
            sys.stdout.write(text)
        return 0
    if not args.output:
        print("reportkit: --to docx writes a file: give -o OUT.docx", file=sys.stderr)
        return 2
    export(rec, "docx", args.output, draft=d)
    say(f"wrote {display_path(args.output)}")
    return 0


def add(sub) -> None:
    """Register ``reportkit draft``."""
    sp = sub.add_parser(
        "draft", help="draft sections 二、三、四 and the 信息处理费 sentence of 六 from the reconstruction",
        description=("Draft the prose of sections 二、三、四 and the 信息处理费 sentence of 六 from what the "
                     "report states or implies. Every number is anchored to its cell or sentence; what is "
                     "unknown becomes 【待补充：…】. Markdown goes to stdout unless -o is given."))
    sp.add_argument("path", help="report file (.txt, .html, .pdf, .docx, .yaml, .json, .xlsx)")
    sp.add_argument("--to", choices=("md", "docx"), default="md", help="output format (default md)")
    sp.add_argument("-o", "--output", metavar="OUT", help="write to this file (required for docx)")
    sp.add_argument("--proposal", action="store_true",
                    help="also propose section 五 from the check findings (marked 建议稿)")
    sp.add_argument("--sources", action="store_true", help="md: list where each number comes from")
    sp.set_defaults(func=cmd_draft)
