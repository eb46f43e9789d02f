"""The ``reportkit`` command: a thin layer over the library functions, one module per command (each
registers its subcommands with ``add(sub)``, in the order of the flow).

Contract: data on stdout, messages on stderr; exit 0 when it ran, 1 when ``--fail-on`` findings were
found, 2 for unusable input or a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import ReportError
from . import build, check, corpus, draft, export, parse, reconstruct
from ..load import display_path
from ._common import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, VersionAction, say

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FINDINGS", "EXIT_INPUT"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"reportkit: {message}", file=sys.stderr)
        sys.exit(EXIT_INPUT)


_COMMANDS = (parse, check, reconstruct, draft, export, corpus, build)
_MODULE_OF = {"parse": parse, "check": check, "rules": check, "reconstruct": reconstruct, "draft": draft,
              "export": export, "corpus": corpus, "build": build}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser. Given the arguments, only the named command's subparser is built: each parser costs
    argparse a few gettext look-ups, a third of a one-report command's run; help and errors get all."""
    p = _Parser(
        prog="reportkit",
        description=(
            "Analyse Chinese government information-disclosure annual reports (政府信息公开工作年度报告).\n"
            "Input: a report as plain text (.txt), an HTML page (.html), a PDF with a text layer (.pdf),\n"
            "a Word file (.docx), reportkit YAML/JSON or an exported workbook (.xlsx). Old .doc/.wps files:\n"
            "save them as .docx or PDF first; a scanned PDF needs OCR first."),
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
    p.add_argument("--version", action=VersionAction)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    name = next((a for a in argv or () if not a.startswith("-")), None)
    for command in ([_MODULE_OF[name]] if name in _MODULE_OF else _COMMANDS):
        command.add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        return args.func(args)
    except ReportError as e:
        say(str(e))
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except OSError as e:
        # An output that cannot be written (a folder, a full disk, no permission): what and where.
        name = display_path(e.filename) if e.filename is not None else ""
        say(f"{name + ': ' if name else ''}cannot write the file ({e.strerror or type(e).__name__})")
        return EXIT_INPUT
    except Exception as e:     # noqa: BLE001 - one line, never a traceback (REPORTKIT_DEBUG=1 shows it)
        if os.environ.get("REPORTKIT_DEBUG"):
            raise
        detail = " ".join(str(e).split())[:300]
        say(f"failed: {type(e).__name__}: {detail} (REPORTKIT_DEBUG=1 shows where)")
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
