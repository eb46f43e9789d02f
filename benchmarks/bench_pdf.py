"""PDF load time per page, beside the text loader's time for the same report.

Loads a PDF (default: the real 5-page report in data/corpus/pdf, 淮安市洪泽区人民政府 2024) with
``reportkit.load`` and its *text twin* (the extracted ``report.text`` saved as a .txt, so the same words,
tables and numbers), and prints the time per load, per page, and the split of the PDF time between
reading the pages (pdfplumber: characters, ruling lines, tables) and parsing the text they give.

    .venv/bin/python benchmarks/bench_pdf.py [PDF ...] [--repeat 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pdfplumber

import reportkit as rk
from reportkit import paths
from reportkit.readers.pdf import read_pdf


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdfs", nargs="*", type=Path, help="PDF reports (default: data/corpus/pdf/*.pdf)")
    ap.add_argument("--repeat", type=int, default=10, help="loads per file; the median is printed (default 10)")
    args = ap.parse_args()
    pdfs = args.pdfs or sorted((paths.CORPUS / "pdf").glob("*.pdf"))
    tmp = Path(tempfile.mkdtemp())
    print(f"{'file':<28} {'pages':>5} {'PDF load':>10} {'per page':>10} {'reading':>9} {'text twin':>10} {'ratio':>6}")
    for pdf in pdfs:
        report = rk.load(pdf)                           # also warms the format spec and regexes
        twin = tmp / (pdf.stem + ".txt")
        twin.write_text(report.text, encoding="utf-8")
        with pdfplumber.open(pdf) as doc:
            pages = len(doc.pages)
        data = pdf.read_bytes()
        t_pdf = _best(lambda: rk.load(pdf), args.repeat)
        t_read = _best(lambda: read_pdf(data, str(pdf)), args.repeat)
        t_text = _best(lambda: rk.load(twin), args.repeat * 10)
        print(f"{pdf.name:<28} {pages:>5} {t_pdf * 1e3:>8.1f}ms {t_pdf / pages * 1e3:>8.1f}ms "
              f"{t_read / t_pdf:>8.0%} {t_text * 1e3:>8.2f}ms {t_pdf / t_text:>5.0f}x")
    print("PDF load = reportkit.load(pdf); reading = the share of it spent in the PDF reader (pages to text and "
          "grids);\ntext twin = reportkit.load of the extracted text saved as .txt (the same report without the PDF).")


if __name__ == "__main__":
    main()
