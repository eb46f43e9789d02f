"""``reportkit check`` and ``reportkit rules``: findings per report, and every rule (single-report and
cross-report) with its severity and basis."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path


from .. import rx
from ..check import SEVERITIES, _RANK, records, rules
from ..corpus import discover, rules as corpus_rules
from ..load import display_path, load
from ..model import Report
from ..text import NUMERALS
from ._common import EXIT_INPUT, NO_REPORTS, file_failed, pad as _pad, plural, say, wrap

# A finding is a head line (severity, rule, place, span, origin), then its message wrapped under it and
# the evidence on a line of its own: a terminal line stays readable however long the message.
_INDENT = " " * 10

_CONTROL = rx.lazy(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _safe(s: str) -> str:
    """Report text for a terminal: control characters (ANSI escapes, bidi overrides) made visible."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", s)


def _expand(paths: list[str]) -> list[str]:
    # Folders are searched the way a corpus run searches them (corpus.discover skips the .json/.yaml
    # sidecars of data/corpus, which are facts about a report, not reports); a file named explicitly
    # is kept even if missing, so the loader reports it with the others.
    out: list[str] = []
    for p in paths:
        if Path(p).is_dir():
            out.extend(str(f) for f in discover(p))
        else:
            out.append(p)
    return out


def _print_findings(source: str, report: Report, findings: list[dict], lang: str) -> None:
    counts = {s: sum(f["severity"] == s for f in findings) for s in SEVERITIES}
    head = f"{report.title or ''} ({report.year})" if report.title else f"({report.year or '年份不明'})"
    print(_safe(f"{source} — {head}: {plural(len(findings), 'finding')} "
                f"({counts['error']} error, {counts['warning']} warning, {counts['info']} info)"))
    import shutil                   # only the table printed on a terminal needs it
    cols = max(40, min(100, shutil.get_terminal_size((100, 24)).columns) - len(_INDENT))
    for f in findings:
        where = []
        if f["section"]:
            where.append(f"§{NUMERALS[f['section']]}")
        if f["table"]:
            where.append("/".join(x for x in (f["table"], f["row"], f["column"]) if x))
        span = f"{f['start']}-{f['end']}" if f["start"] is not None else "-"
        msg = re.sub(r"\s+", " ", f["message"] if lang == "zh" else f["message_en"])
        ev = re.sub(r"\s+", " ", f["evidence"]).strip()
        print(_safe(f"  {f['severity']:<7} {f['rule']:<26} {_pad(' '.join(where), 30)} {f['origin']:<12} {span}".rstrip()))
        for line in wrap(msg, cols):
            print(_safe(_INDENT + line))
        if ev:
            print(_safe(_INDENT + "原文：«" + (ev if len(ev) <= 80 else ev[:80] + "…") + "»"))


def _cmd_check(args) -> int:
    from tqdm import tqdm
    files = _expand(args.paths)
    progress = files
    if sys.stderr.isatty() and len(files) > 20:
        progress = tqdm(files, file=sys.stderr, unit="report", leave=False)
    unreadable = total = 0
    worst = len(SEVERITIES)
    collected: list[dict] = []
    for path in progress:
        # Any failure is this file's: it is counted and named, and the next file is checked.
        try:
            report = load(path)
            found = records(report)
        except Exception as e:     # noqa: BLE001
            unreadable += 1
            say(file_failed(path, e))
            continue
        total += len(found)
        for f in found:
            worst = min(worst, _RANK[f["severity"]])
        if args.json:
            collected.extend({"source": display_path(path), **f} for f in found)
        else:
            _print_findings(display_path(path), report, found, args.lang)
    if args.json:
        sys.stdout.write(json.dumps(collected, ensure_ascii=False, indent=1) + "\n")
    print(f"checked {plural(len(files), 'report')}, {unreadable} unreadable, {plural(total, 'finding')}",
          file=sys.stderr)
    if not files:
        say(NO_REPORTS)
        return EXIT_INPUT
    if unreadable:
        return 2
    if args.fail_on and worst <= _RANK[args.fail_on]:
        return 1
    return 0


def _cmd_rules(args) -> int:
    import pandas as pd
    df = pd.concat([rules(), corpus_rules()], ignore_index=True)
    if args.json:
        sys.stdout.write(json.dumps(df.to_dict(orient="records"), ensure_ascii=False, indent=1) + "\n")
        return 0
    key = "description" if args.lang == "zh" else "description_en"
    for r in df.itertuples():
        print(f"{r.id:<26} {r.category:<11} {r.severity:<8} {_pad(r.basis, 13)} {r.origin:<12} {getattr(r, key)}")
    return 0


def add(sub) -> None:
    """Register ``reportkit check`` and ``reportkit rules`` on the CLI's subparsers."""
    sp = sub.add_parser(
        "check", help="check reports against the official format: structure, arithmetic, prose, content",
        description=("Check one or more reports (or every .txt/.html/.htm/.yaml/.yml/.json file under a "
                     "folder) and print the findings. Exit status: 0 ran (whatever it found), 1 with "
                     "--fail-on when findings at that severity or worse exist, 2 when an input was "
                     "unreadable (the others are still checked)."))
    sp.add_argument("paths", nargs="+", metavar="PATH", help="report file or folder")
    sp.add_argument("--json", action="store_true",
                    help="print a JSON list of findings (with source, start/end spans) instead of a table")
    sp.add_argument("--fail-on", choices=SEVERITIES, default=None,
                    help="exit 1 when a finding of this severity or worse exists")
    sp.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the messages in the table")
    sp.set_defaults(func=_cmd_check)
    rp = sub.add_parser("rules", help="list the rules reportkit check runs",
                        description="Print the table of all rules (id, category, severity, basis, origin).")
    rp.add_argument("--json", action="store_true", help="print the rules as JSON")
    rp.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the descriptions")
    rp.set_defaults(func=_cmd_rules)
