"""Agencies in a corpus: level of government from the name (and text) (:func:`reportkit.agency.level_of`,
beside the other words that tell a body's kind), a key that makes one agency's reports of different years
meet, and the override file that corrects what a report's text gets wrong."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from .. import paths
from ..agency import LEVELS, level_of, text_hints  # noqa: F401  (level_of, text_hints: the corpus stage's names for them)
from ..errors import ReportError
from ..format import label_key


def agency_key(agency: str | None) -> str | None:
    """The key reports of one agency share across years: label key without a trailing (人民)政府."""
    if not agency:
        return None
    k = re.sub(r"(?:人民)?政府$", "", label_key(agency))
    return k or None


# ---------------------------------------------------------------------------------------------------
# Overrides.

def read_overrides(path) -> list[dict]:
    """Rows of an override file (CSV, UTF-8, header ``pattern,agency,year,level,note``).

    ``pattern`` is a shell pattern (``*``, ``?``, ``[…]``, case-sensitive): without ``/`` it is matched
    against the file name, with ``/`` against the end of the source path (``corpus/005.txt`` matches
    ``data/corpus/005.txt``). An empty field keeps what the text says. Every matching row applies, in
    file order, so a later row wins. Lines whose pattern starts with ``#`` are comments.
    Raises ReportError naming the file and line for a bad year or level."""
    import csv
    rows = []
    p = Path(path)
    with p.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"pattern", "agency", "year", "level"} - set(reader.fieldnames or ())
        if missing:
            raise ReportError(f"the override file needs the columns pattern,agency,year,level (missing: "
                              f"{', '.join(sorted(missing))})", str(p), "line 1")
        for line, row in enumerate(reader, start=2):
            pat = (row.get("pattern") or "").strip()
            if not pat or pat.startswith("#"):
                continue
            year = (row.get("year") or "").strip()
            level = (row.get("level") or "").strip()
            if year and not re.fullmatch(r"(?:19|20)\d\d", year):
                raise ReportError(f"year {year!r} is not a year", str(p), f"line {line}")
            if level and level not in LEVELS:
                raise ReportError(f"level {level!r} is not one of {', '.join(LEVELS)}", str(p), f"line {line}")
            rows.append({"pattern": pat, "agency": (row.get("agency") or "").strip() or None,
                         "year": int(year) if year else None, "level": level or None,
                         "note": (row.get("note") or "").strip() or None, "line": line})
    return rows


def _matches(pattern: str, source: str) -> bool:
    s = source.replace("\\", "/")
    if "/" in pattern:
        return fnmatch.fnmatchcase(s, pattern) or fnmatch.fnmatchcase(s, "*/" + pattern.lstrip("/"))
    return fnmatch.fnmatchcase(s.rsplit("/", 1)[-1], pattern)


def _default_overrides() -> Path | None:
    p = paths.DATA / "agency-overrides.csv"
    return p if p.exists() else None
