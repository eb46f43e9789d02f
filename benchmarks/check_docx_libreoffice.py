"""Manual check that the Word export renders Chinese: seed → .docx → LibreOffice PDF → page-1 PNG.

Exports the seed report (reconstructed) to .docx, converts it to PDF with a headless LibreOffice,
renders page 1 to PNG with pdftoppm, and prints the paths, the fonts the PDF embeds and the timings.
Look at the PNG: Chinese text must show as glyphs, not boxes. Not a test (it needs LibreOffice, which
CI does not install); on Debian/Ubuntu:

    apt-get install -y libreoffice-writer-nogui fonts-noto-cjk poppler-utils

    .venv/bin/python benchmarks/check_docx_libreoffice.py [--out build/docx-check] [--draft]

Exits 2 with a message when libreoffice or pdftoppm is missing, 1 when a conversion fails.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import reportkit as rk
from reportkit import paths
from reportkit.writers import export
from reportkit.reconstruct import reconstruct


def _tool(*names: str) -> str | None:
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=paths.BUILD / "docx-check", help="folder for the files")
    ap.add_argument("--draft", action="store_true", help="include the draft (needs reportkit.draft)")
    ap.add_argument("--timeout", type=float, default=180, help="seconds allowed for LibreOffice")
    args = ap.parse_args()

    office = _tool("libreoffice", "soffice")
    if office is None:
        print("check_docx_libreoffice: LibreOffice is not installed (no 'libreoffice' or 'soffice' on PATH).\n"
              "  install it with: apt-get install -y libreoffice-writer-nogui fonts-noto-cjk poppler-utils",
              file=sys.stderr)
        return 2
    pdftoppm = _tool("pdftoppm")
    if pdftoppm is None:
        print("check_docx_libreoffice: pdftoppm is not installed (apt-get install -y poppler-utils)", file=sys.stderr)
        return 2

    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rep = rk.load(paths.SEED_TEXT)
    rec = reconstruct(rep)
    draft = None
    if args.draft:
        from reportkit.draft import draft as make_draft
        draft = make_draft(rec)
    docx = export(rec, "docx", args.out / "seed.docx", draft=draft)
    t_export = time.perf_counter() - t0

    # A private LibreOffice profile: a running desktop instance or a stale lock must not interfere.
    with tempfile.TemporaryDirectory(prefix="rk-lo-") as profile:
        t0 = time.perf_counter()
        cmd = [office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
               "--outdir", str(args.out), str(docx)]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            print(f"check_docx_libreoffice: LibreOffice took more than {args.timeout:.0f} s", file=sys.stderr)
            return 1
        t_pdf = time.perf_counter() - t0
    pdf = args.out / "seed.pdf"
    if res.returncode != 0 or not pdf.exists():
        print(f"check_docx_libreoffice: conversion failed (exit {res.returncode})\n{res.stdout}\n{res.stderr}",
              file=sys.stderr)
        return 1

    t0 = time.perf_counter()
    stem = args.out / "seed-page"
    res = subprocess.run([pdftoppm, "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                         capture_output=True, text=True)
    t_png = time.perf_counter() - t0
    png = stem.with_suffix(".png")
    if res.returncode != 0 or not png.exists():
        print(f"check_docx_libreoffice: pdftoppm failed (exit {res.returncode})\n{res.stderr}", file=sys.stderr)
        return 1

    fonts = ""
    if _tool("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    pages = ""
    if _tool("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = next((ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("Pages:")), "")

    print(f"docx:  {docx}  ({docx.stat().st_size / 1024:.0f} KiB, export {t_export:.2f} s)")
    print(f"pdf:   {pdf}  ({pdf.stat().st_size / 1024:.0f} KiB, {pages or '?'} pages, LibreOffice {t_pdf:.1f} s)")
    print(f"png:   {png}  (page 1, pdftoppm {t_png:.2f} s)")
    if fonts:
        print("fonts embedded in the PDF:")
        print(fonts.rstrip())
        if not any(k in fonts for k in ("CJK", "Hei", "Song", "Noto Sans SC", "Noto Serif SC", "WenQuanYi")):
            print("warning: no CJK font in the PDF; Chinese text is probably missing (install fonts-noto-cjk)",
                  file=sys.stderr)
    print("now look at the PNG: the title, section headings and table labels must be Chinese glyphs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
