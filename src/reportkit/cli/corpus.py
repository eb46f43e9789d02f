"""``reportkit corpus``: a folder of reports into tidy tables (Parquet), with cross-year checks and copy
detection."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..corpus import discover, load_corpus, write_corpus
from ..corpus.pool import table_paths
from ..errors import ReportError
from ..load import display_path
from ._common import EXIT_INPUT, EXIT_OK, NO_REPORTS, say


def add(sub) -> None:
    """Register ``reportkit corpus``."""
    sp = sub.add_parser(
        "corpus", help="load a folder of reports into tidy tables (Parquet), with cross-year checks and "
                       "copy detection",
        description=("Load every report under DIR (recursively) into tidy tables: reports, cells, facts, "
                     "findings, sections, copies, errors. Bad files are listed, never fatal.\n\n"
                     "With -o OUT the tables are written as Parquet, each file readable with "
                     "pandas.read_parquet or DuckDB:\n"
                     "  -o OUTDIR        a folder (created): OUTDIR/reports.parquet, OUTDIR/cells.parquet, …,\n"
                     "                   one file per table named for the table, and OUTDIR/corpus.json\n"
                     "  -o NAME.parquet  NAME.parquet is the reports table; the others sit beside it as\n"
                     "                   NAME.cells.parquet, NAME.findings.parquet, …, NAME.corpus.json\n"
                     "Without -o the reports table is printed as CSV."),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=("examples:\n"
                "  reportkit corpus data/corpus -o build/corpus\n"
                "  reportkit corpus data/corpus -o build/corpus.parquet\n"
                "  reportkit corpus reports/ --workers 2 --no-copies > reports.csv\n"
                "\nexit status: 0 ran, 2 some files could not be used (they are listed; the others are in "
                "the output), a late stage failed, a DIR does not exist or bad options"))
    sp.add_argument("inputs", nargs="+", metavar="DIR", help="folder(s) or file(s) of reports")
    sp.add_argument("-o", "--out", metavar="OUT",
                    help="a folder for one Parquet file per table, or NAME.parquet (see above)")
    sp.add_argument("--workers", type=int, default=None, help="processes (default: the cores available)")
    sp.add_argument("--overrides", default="auto",
                    help="override CSV (pattern,agency,year,level,note); default data/agency-overrides.csv")
    sp.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                    help="progress bar on stderr (default: when stderr is a terminal)")
    sp.add_argument("--timeout", type=float, default=120, metavar="SECONDS",
                    help="seconds one file may take to load before it is listed as failed (default 120)")
    sp.add_argument("--resume", action="store_true",
                    help="with -o: go on from an interrupted run into the same OUT (files already written, "
                         "by path and content hash, are not read again)")
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
    if args.out:
        # Streamed: batches of reports are written as they arrive, so memory stays bounded at any size.
        try:
            c = write_corpus(args.inputs, args.out, workers=args.workers, progress=args.progress,
                             overrides=overrides, check=args.check, copies=args.copies,
                             timeout=args.timeout or None, resume=args.resume)
        except OSError as e:        # disk full, unwritable place: say so, in one line
            raise ReportError(f"could not write the Parquet tables: {e}", args.out) from None
        paths = table_paths(args.out)
        n_findings = c.info.get("findings", 0)
        where = f"see {paths['errors']}" + (f" and {paths['findings'].name}" if n_findings else "")
    else:
        if args.resume:
            raise ReportError("--resume needs -o OUT (the run to go on with)")
        c = load_corpus(args.inputs, workers=args.workers, progress=args.progress, overrides=overrides,
                        check=args.check, copies=args.copies, timeout=args.timeout or None)
        cols = ["source", "agency", "year", "level", "format_version", "sections_present", "completeness",
                "findings"]
        shown = c.reports[cols].map(lambda v: display_path(v, gb18030=True) if isinstance(v, str) else v)
        shown.map(_csv_safe).to_csv(sys.stdout, index=False)
        for e in c.errors.itertuples(index=False):
            say(display_path(e.message, gb18030=True))
        where = "see the messages above" if len(c.errors) else "nothing failed"
        n_findings = len(c.findings)
    failed = c.info.get("failed_stages") or []
    st = c.info.get("copy_stats") or {}
    # What the bounds of copy detection left unverified is said, never dropped silently.
    left = st.get("skipped_candidates", 0) + st.get("skipped_buckets", 0)
    # The contract of every folder command: 2 when some input could not be used (the others were).
    print(f"{c.summary()}; {where} ({n_findings} findings, {len(c.copies)} copied sections)"
          + (f"; copy detection left {st.get('skipped_candidates', 0)} candidate pairs and "
             f"{st.get('skipped_buckets', 0)} LSH buckets unverified (its bounds)" if left else "")
          + (f"; failed: {', '.join(failed)}" if failed else ""), file=sys.stderr)
    return EXIT_INPUT if len(c.errors) else EXIT_OK
