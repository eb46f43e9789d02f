"""What every command shares: the exit statuses of the CLI contract and JSON on stdout."""

from __future__ import annotations

import json
import sys
import unicodedata
from importlib.metadata import version

VERSION = version("reportkit")
EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


def emit_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1, default=str) + "\n")


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
