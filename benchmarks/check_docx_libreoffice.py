"""Manual check of the Word and Excel exports as printed: seed → .docx/.xlsx → LibreOffice PDF → PNGs.

Exports the seed report (reconstructed) to .docx and .xlsx, converts each to PDF with a headless
LibreOffice, renders every page to PNG with pdftoppm, and prints the paths, page counts and size.
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
    files = [export(rec, "docx", args.out / "seed.docx", draft=draft), export(rec, "xlsx", args.out / "seed.xlsx")]
    t_export = time.perf_counter() - t0
    print(f"export docx + xlsx: {t_export:.2f} s")
    for doc in files:
        rc = _render(office, pdftoppm, doc, args)
        if rc:
            return rc
    print("now look at the PNGs: Chinese glyphs everywhere, A4, table headings repeated on every page, "
          "表四 on one page, table 三's labels wrapped and one page wide")
    return 0


def _render(office: str, pdftoppm: str, doc: Path, args) -> int:
    """``doc`` → PDF (LibreOffice) → one PNG per page (pdftoppm); prints the paths, pages and fonts."""
    # A private LibreOffice profile: a running desktop instance or a stale lock must not interfere.
    with tempfile.TemporaryDirectory(prefix="rk-lo-") as profile:
        t0 = time.perf_counter()
        cmd = [office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
               "--outdir", str(args.out), str(doc)]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            print(f"check_docx_libreoffice: LibreOffice took more than {args.timeout:.0f} s", file=sys.stderr)
            return 1
        t_pdf = time.perf_counter() - t0
    pdf = doc.with_suffix(".pdf")
    if res.returncode != 0 or not pdf.exists():
        print(f"check_docx_libreoffice: conversion failed (exit {res.returncode})\n{res.stdout}\n{res.stderr}",
              file=sys.stderr)
        return 1
    stem = args.out / f"{doc.stem}-{doc.suffix[1:]}-page"
    for old in args.out.glob(stem.name + "*.png"):
        old.unlink()
    res = subprocess.run([pdftoppm, "-png", "-r", "80", str(pdf), str(stem)], capture_output=True, text=True)
    pngs = sorted(args.out.glob(stem.name + "*.png"))
    if res.returncode != 0 or not pngs:
        print(f"check_docx_libreoffice: pdftoppm failed (exit {res.returncode})\n{res.stderr}", file=sys.stderr)
        return 1
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if _tool("pdfinfo") else ""
    size = next((ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("Page size:")), "?")
    print(f"{doc.suffix[1:]}: {doc} → {pdf} ({len(pngs)} pages, {size}, LibreOffice {t_pdf:.1f} s)")
    for png in pngs:
        print(f"  {png}")
    if _tool("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        if not any(k in fonts for k in ("CJK", "Hei", "Song", "Noto Sans SC", "Noto Serif SC", "WenQuanYi")):
            print("warning: no CJK font in the PDF; Chinese text is probably missing (install fonts-noto-cjk)",
                  file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
