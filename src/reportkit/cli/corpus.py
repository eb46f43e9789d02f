"""``reportkit corpus``: a folder of reports into tidy tables (Parquet), with cross-year checks and copy
detection."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..corpus import discover, load_corpus
from ..errors import ReportError
from ._common import EXIT_INPUT, EXIT_OK, NO_REPORTS, say

def add(sub) -> None:
    """Register ``reportkit corpus``."""
    sp = sub.add_parser(
        "corpus", help="load a folder of reports into tidy tables (Parquet), with cross-year checks and "
                       "copy detection",
        description=("Load every report under DIR (recursively) into tidy tables: reports, cells, facts, "
                     "findings, sections, copies, errors. Bad files are listed, never fatal. With -o the "
                     "tables are written as Parquet, one file per table, into the folder OUT; without it "
                     "the reports table is printed as CSV."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=("examples:\n"
                "  reportkit corpus data/corpus -o build/corpus.parquet\n"
                "  reportkit corpus reports/ --workers 2 --no-copies > reports.csv\n"
                "\nexit status: 0 ran, 2 some file could not be used (the others are in the tables), a DIR\n"
                "does not exist, holds no report, or bad options"))
    sp.add_argument("inputs", nargs="+", metavar="DIR", help="folder(s) or file(s) of reports")
    sp.add_argument("-o", "--out", metavar="OUT", help="folder to write the Parquet tables into (created)")
    sp.add_argument("--workers", type=int, default=None, help="processes (default: the cores available)")
    sp.add_argument("--overrides", default="auto",
                    help="override CSV (pattern,agency,year,level,note); default data/agency-overrides.csv")
    sp.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                    help="progress bar on stderr (default: when stderr is a terminal)")
    sp.add_argument("--no-check", dest="check", action="store_false", help="skip the single-report checks")
    sp.add_argument("--no-copies", dest="copies", action="store_false", help="skip copy detection")
    sp.set_defaults(func=_cmd_corpus)


def _csv_safe(v):
    """Report text (an agency name) must not become a spreadsheet formula when the CSV is opened."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def _cmd_corpus(args) -> int:
    for p in args.inputs:
        if not Path(p).exists():
            raise ReportError("no such file or folder", p)
    if not discover(args.inputs):
        say(NO_REPORTS)
        return EXIT_INPUT
    overrides = args.overrides if args.overrides not in ("auto", "") else ("auto" if args.overrides else None)
    c = load_corpus(args.inputs, workers=args.workers, progress=args.progress, overrides=overrides,
                    check=args.check, copies=args.copies)
    if args.out:
        folder = c.to_parquet(args.out)
        where = f"see {folder / 'errors.parquet'}" + (" and findings.parquet" if len(c.findings) else "")
    else:
        cols = ["source", "agency", "year", "level", "format_version", "sections_present", "completeness",
                "findings"]
        c.reports[cols].map(_csv_safe).to_csv(sys.stdout, index=False)
        for e in c.errors.itertuples(index=False):
            say(e.message)
        where = "see the messages above" if len(c.errors) else "nothing failed"
    print(f"{c.summary()}; {where} ({len(c.findings)} findings, {len(c.copies)} copied sections)",
          file=sys.stderr)
    # The contract of every folder command: 2 when some input could not be used (the others were).
    return EXIT_INPUT if len(c.errors) else EXIT_OK
