"""How long the loader takes on inputs built to be large or to hit a slow path (issue 8, limits).

Each case is run at two sizes, n and 4n, each in a fresh process; a linear loader takes about 4× as
long at 4n, a quadratic one 16×. Peak memory (RSS) of the 4n run is printed too: the loader must not
turn a few megabytes into gigabytes. The figures are printed, not asserted (tests do not time things):

* a 10 MB text report (the seed repeated), a 10 MB text whose folding changes lengths (one ``㈠``), a
  10 MB HTML report, and a 100,000-cell table as text and as HTML;
* workbooks built to expand (issue 15): a member of zeros (a zip bomb), one long shared string
  referenced by every row, many rows of prose in one section (assembled with ``+=`` it was quadratic);
* the Word export of a report with 5,000 and 20,000 paragraphs (timed alone, after load and reconstruct);
* inputs aimed at the slow paths the loader had or could have: 50,000 ``一、总体情况`` lines (heading
  choice), ``<a``, ``</``, ``<?`` and ``<!--`` repeated with no ``>`` (html.parser's rescans), deep
  ``<div>``/``<table>`` nesting, an unclosed ``<h1>``, a comma-grouped digit run ``1,000,000,…`` and a
  one-line text full of ``1条`` with no sentence end (fact regex and sentence windows), a huge label.

    .venv/bin/python benchmarks/bench_limits.py [--quick] [--only NAME]

``--quick`` runs the small size only. The default size limit (10 MiB) is raised for the run so the 10 MB
cases measure parsing, not the refusal; the refusal itself is timed as its own case.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import reportkit as rk
from reportkit import paths
from reportkit.errors import ReportError, TooLargeError
from reportkit.layout import render_text
from reportkit.readers.xlsx import CELLS_SHEET

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))     # tests.fixtures: the synthetic reports
from tests.fixtures.tables import complete_tables  # noqa: E402
from tests.fixtures.pdfs import pdf_bomb  # noqa: E402
from tests.fixtures import workbooks  # noqa: E402

MB = 1024 * 1024
SEED = paths.SEED_TEXT.read_text(encoding="utf-8")
REPORT_HTML = render_text({"agency": "某市某局", "year": 2022, "sections": {1: SEED[:3000]},
                           "tables": complete_tables(1)}, "html")
ROW = "一、本年新收政府信息公开申请数量"


def repeat_to(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit.encode("utf-8")))


def table_text(cells: int) -> str:
    rows = cells // 7
    body = "\n".join(f"{ROW} | " + " | ".join(str((r * 7 + k) % 97) for k in range(7)) + " |" for r in range(rows))
    return "三、收到和处理政府信息公开申请情况\n" + body + "\n"


def table_html(cells: int) -> str:
    rows = cells // 7
    trs = "".join("<tr><td>" + ROW + "</td>" + "".join(f"<td>{(r * 7 + k) % 97}</td>" for k in range(7)) + "</tr>"
                  for r in range(rows))
    return f"<html><body><h2>三、收到和处理政府信息公开申请情况</h2><table>{trs}</table></body></html>"


# name -> (builder of the input at scale n, kind, base n)
CASES = {
    "text 10 MB (seed repeated)": (lambda n: repeat_to(SEED + "\n", n), "text", 10 * MB // 4),
    "text 10 MB, folding changes lengths": (lambda n: "㈠" + repeat_to(SEED + "\n", n), "text", 10 * MB // 4),
    "html 10 MB (report page repeated)": (lambda n: repeat_to(REPORT_HTML, n), "html", 10 * MB // 4),
    "100,000-cell table, text": (lambda n: table_text(n), "text", 100_000 // 4),
    "100,000-cell table, html": (lambda n: table_html(n), "html", 100_000 // 4),
    "50,000 heading lines": (lambda n: "一、总体情况\n" * n, "text", 50_000 // 4),
    "'<a' repeated, no '>'": (lambda n: "<p>一、总体情况</p>" + "<a" * n, "html", 200_000),
    "'</' repeated, no '>'": (lambda n: "<p>一、总体情况</p>" + "</" * n, "html", 200_000),
    "'<?' repeated, no '>'": (lambda n: "<p>一、总体情况</p>" + "<?" * n, "html", 200_000),
    "'<!--x>' repeated, no '-->'": (lambda n: "<p>一、总体情况</p>" + "<!--x>" * n, "html", 100_000),
    "'<![x>' repeated": (lambda n: "<p>一、总体情况</p>" + "<![x>" * n, "html", 100_000),
    "deep <div> nesting": (lambda n: "<div>" * n + "一、总体情况", "html", 200_000),
    "deep <table><tr><td> nesting": (lambda n: "<table><tr><td>" * n + "一、总体情况", "html", 50_000),
    "unclosed <h1> over many tags": (lambda n: "<h1>一、总体情况" + "<b>信息公开</b>" * n, "html", 100_000),
    "comma-grouped digit run '1,000,…条'": (lambda n: "一、总体情况\n1" + ",000" * n + "条", "text", 200_000),
    "one line of '1条' with no sentence end": (lambda n: "一、总体情况 " + "发布1条 " * n, "text", 200_000),
    "one huge label token": (lambda n: "三、收到和处理政府信息公开申请情况\n" + "字" * n + " | 1 |", "text", 1_000_000),
    "table cells run together, 7 per row": (lambda n: "三、收到和处理政府信息公开申请情况\n"
                                            + f"{ROW} 1234567\n" * n, "text", 20_000),
    # The Word export, not the loader: python-docx's add_paragraph scans the body on every insert.
    "Word export, paragraphs of section 一": (lambda n: "一、总体情况\n" + "本机关发布信息1条。\n" * n, "docx", 5_000),
}


# Workbooks (issue 15): the size limit sees the packed file, so these are built to expand. Loaded with
# the default limits, as a user would meet them.


def _export_members() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        return workbooks.members(rk.export(rk.reconstruct(rk.load(paths.CORPUS / "015.txt")), "xlsx",
                                           Path(tmp) / "w.xlsx"))


def workbook_zeros(n: int) -> bytes:
    """An export whose long-form ``cells`` sheet holds n identical rows of ten cells (packs several
    hundredfold; a workbook loaded whole builds an object for every cell)."""
    m = _export_members()
    workbooks.append_rows(m, ("<row>" + "<c><v>1</v></c>" * 10 + "</row>") * n, CELLS_SHEET)
    return workbooks.zipped(m)


def workbook_shared(n: int) -> bytes:
    """One shared string of 30,000 characters referenced by n rows of the sections sheet."""
    m = _export_members()
    workbooks.shared_string_rows(m, n)
    return workbooks.zipped(m)


def workbook_rows(n: int) -> bytes:
    """n rows of distinct prose (100 characters each) in section 一 of the sections sheet."""
    m = _export_members()
    line = "本机关全年主动公开政府信息，按时答复依申请公开，加强政策解读与平台建设，提升公开质量。" * 2
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="n"><v>1</v></c><c r="C{r}" t="inlineStr"><is><t>present</t></is></c>'
                   f'<c r="D{r}" t="inlineStr"><is><t>{r}{line}</t></is></c></row>' for r in range(100, 100 + n))
    workbooks.append_rows(m, rows)
    return workbooks.zipped(m)


CASES.update({
    # size column: the packed workbook; the time includes the refusal or the whole load
    "xlsx: n identical rows in a sheet (zip bomb)": (workbook_zeros, "xlsx", 100_000),
    "xlsx: one 30k shared string in n rows": (workbook_shared, "xlsx", 500),
    "xlsx: n rows of prose in one section": (workbook_rows, "xlsx", 1_000),
    # A deflate bomb as a page's content: refused before pdfminer inflates it (peak is the process's).
    "pdf: page content inflating to n MB": (lambda n: pdf_bomb(n << 20), "pdf", 256),
})


def _run_case(name: str, n: int) -> tuple[float, int, str, float]:
    build, kind, _ = CASES[name]
    text = build(n)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    try:
        if kind in ("xlsx", "pdf"):
            os.environ.pop("REPORTKIT_MAX_BYTES", None)       # the defaults a user meets
            with tempfile.TemporaryDirectory() as tmp:
                p = Path(tmp) / f"w.{kind}"
                p.write_bytes(text)
                t0 = time.perf_counter()
                rep = rk.load(p)
            what = f"{sum(s.present for s in rep.sections)} sections, {len(rep.facts)} facts"
        elif kind == "docx":
            with tempfile.TemporaryDirectory() as tmp:
                rec = rk.reconstruct(rk.loads(text, name, kind="text"))
                t0 = time.perf_counter()        # the export alone
                out = rk.export(rec, "docx", Path(tmp) / "big.docx")
                what = f"{out.stat().st_size / MB:.1f} MB docx"
        else:
            rep = rk.loads(text, name, kind=kind)
            what = f"{sum(s.present for s in rep.sections)} sections, {len(rep.facts)} facts"
    except ReportError as e:
        what = f"{type(e).__name__}"
    took = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return took, len(text if isinstance(text, bytes) else text.encode("utf-8")), what, max(peak, base) / 1024


def run_case(name: str, n: int) -> tuple[float, int, str, float]:
    """One case in a fresh process, so its peak memory is its own."""
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(_run_case, (name, n))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the small size only")
    ap.add_argument("--only", help="run the cases whose name contains this")
    args = ap.parse_args(argv)
    os.environ["REPORTKIT_MAX_BYTES"] = str(200 * MB)
    print(f"{'case':42s} {'size 4n':>8s} {'time n':>7s} {'time 4n':>7s} {'ratio':>5s} {'MB/s':>5s} "
          f"{'peak MB':>7s}  result at 4n")
    worst = 0.0
    for name, (build, kind, n) in CASES.items():
        if args.only and args.only not in name:
            continue
        t1, b1, what, peak = run_case(name, n)
        if args.quick:
            print(f"{name:42s} {b1 / MB:7.2f}M {t1:7.3f} {'-':>7s} {'-':>5s} {b1 / MB / max(t1, 1e-9):5.1f} "
                  f"{peak:7.0f}  {what}", flush=True)
            continue
        t4, b4, what4, peak4 = run_case(name, 4 * n)
        ratio = t4 / max(t1, 1e-3)
        worst = max(worst, ratio if t4 > 0.05 else 0)
        print(f"{name:42s} {b4 / MB:7.2f}M {t1:7.3f} {t4:7.3f} {ratio:5.1f} {b4 / MB / max(t4, 1e-9):5.1f} "
              f"{peak4:7.0f}  {what4}", flush=True)
    # The refusal: a file over the limit is refused from its size, before it is read.
    os.environ.pop("REPORTKIT_MAX_BYTES")
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "big.txt"
        with open(p, "wb") as fh:
            fh.truncate(11 * MB)            # sparse: 11 MB on paper, nothing written
        t0 = time.perf_counter()
        try:
            rk.load(p)
            print("11 MB file: loaded (the limit did not apply!)")
        except TooLargeError as e:
            print(f"{'11 MB file over the 10 MiB default':42s} refused in {time.perf_counter() - t0:.4f}s: {e}")
    if not args.quick:
        print(f"\nworst 4n/n time ratio: {worst:.1f} (about 4 is linear, 16 quadratic)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
