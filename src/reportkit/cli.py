"""The ``reportkit`` command: a thin layer over the library functions.

Contract: data on stdout, messages on stderr; exit 0 when it ran, 1 when ``--fail-on`` findings were
found, 2 for unusable input or a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__
from .errors import ReportError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
# Modules that add subcommands, in the order of the flow (see the package docstring).
_STAGES = ("check", "reconstruct", "draft", "export", "corpus", "build")


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"reportkit: {message}", file=sys.stderr)
        sys.exit(EXIT_INPUT)


def _emit_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1, default=str) + "\n")


def cmd_parse(args) -> int:
    from .load import load
    from .structured import dumps, to_dict
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
    from .structured import to_dict
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


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="reportkit",
        description=(
            "Analyse Chinese government information-disclosure annual reports (政府信息公开工作年度报告).\n"
            "Input: a report as plain text (.txt), an HTML page (.html), reportkit YAML/JSON or an\n"
            "exported workbook (.xlsx)."),
        epilog=("a first session:\n"
                "  reportkit parse data/seed/shuozhou-police-2021.txt   what the loader found\n"
                "  reportkit check data/seed/shuozhou-police-2021.txt   what is wrong or missing, and where\n"
                "  reportkit reconstruct data/seed/shuozhou-police-2021.txt   every table cell: known, inferred, unknown\n"
                "  reportkit draft data/seed/shuozhou-police-2021.txt   Chinese drafts of the missing sections\n"
                "  reportkit export data/seed/shuozhou-police-2021.txt --to docx -o seed.docx\n"
                "  reportkit corpus data/corpus -o corpus.parquet        many reports at once\n"
                "\nreportkit COMMAND --help explains each command.\n"
                "\nexit status: 0 ran, 1 --fail-on findings found, 2 unusable input or usage error"),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"reportkit {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    sp = sub.add_parser("parse", help="load one report: sections, the three tables, numbers in prose",
                        description="Load one report and show its sections, tables and prose numbers.")
    sp.add_argument("path", help="report file (.txt, .html, .yaml, .json)")
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="print the parse as JSON (the documented contract)")
    g.add_argument("--yaml", action="store_true", help="print reportkit's full structured YAML (loadable)")
    sp.add_argument("--full", action="store_true", help="with --json: everything, text and spans included")
    sp.set_defaults(func=cmd_parse)
    # Each stage module registers its own subcommands (``add_cli(sub)``), keeping this file thin.
    import importlib
    for name in _STAGES:
        try:
            mod = importlib.import_module(f"reportkit.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"reportkit.{name}":
                raise
            continue
        if hasattr(mod, "add_cli"):
            mod.add_cli(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        return args.func(args)
    except ReportError as e:
        print(f"reportkit: {e}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
