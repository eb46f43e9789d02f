"""What every command shares: the exit statuses of the CLI contract, JSON on stdout, and what a folder
command says about a file it could not use and about a folder with no report in it."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata

from ..errors import ReportError
from ..load import display_path

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

NO_REPORTS = "no report files (.txt .html .htm .pdf .docx .yaml .yml .json .xlsx) found"
"""Every command that takes folders says this, and exits 2, when they hold no report at all."""


class VersionAction(argparse.Action):
    """``--version``: the installed version, looked up only when asked (``importlib.metadata`` costs
    a tenth of a one-report command's start-up)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import version
        print(f"reportkit {version('reportkit')}")
        parser.exit()


def emit_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1, default=str) + "\n")


def say(message: str) -> None:
    """One line on stderr, whatever the message holds (a file name with undecodable bytes)."""
    line = " ".join(str(message).split("\n"))
    try:
        print(f"reportkit: {line}", file=sys.stderr)
    except UnicodeEncodeError:
        print(f"reportkit: {line}".encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace"),
              file=sys.stderr)


def file_failed(path, error: BaseException) -> str:
    """The one line a folder command prints for a file it could not use, then goes on: a ReportError
    as it is, anything else with its type (never a traceback)."""
    if isinstance(error, ReportError):
        return str(error)
    detail = " ".join(str(error).split())[:200] or "no detail"
    return f"{display_path(path)}: cannot be used ({type(error).__name__}: {detail})"


def width(s: str) -> int:
    """Terminal columns ``s`` takes: East-Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def pad(s: str, cols: int) -> str:
    """``s`` left-justified to ``cols`` terminal columns (counted by :func:`width`, so Chinese lines up)."""
    return s + " " * max(0, cols - width(s))


_NO_LINE_START = set("，。、；：？！）」』”’》〕】,.;:?!)")


def wrap(s: str, cols: int) -> list[str]:
    """``s`` cut into lines of at most ``cols`` terminal columns (Chinese has no spaces to break at)."""
    lines, line, used = [], [], 0
    for ch in s:
        w = width(ch)
        # closing punctuation stays at the end of its line (禁则), a line may run one character over
        if used + w > cols and line and ch not in _NO_LINE_START:
            lines.append("".join(line).rstrip())
            line, used = [], 0
        line.append(ch)
        used += w
    if line:
        lines.append("".join(line).rstrip())
    return lines or [""]


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
