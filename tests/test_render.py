"""The Word and Excel exports as LibreOffice prints them (skipped where LibreOffice is absent): A4, the
Word document upright, each Excel table landscape and one page wide. ``benchmarks/check_docx_libreoffice.py``
renders the same files to PNGs to look at."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

import reportkit as rk
from reportkit import paths

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFINFO = shutil.which("pdfinfo")
pytestmark = pytest.mark.skipif(not (OFFICE and PDFINFO), reason="needs LibreOffice and pdfinfo")


def _pdf(doc, tmp_path):
    profile = tmp_path / "lo-profile"
    subprocess.run([OFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(doc)], capture_output=True, timeout=240, check=True)
    pdf = doc.with_suffix(".pdf")
    pages = []
    info = subprocess.run([PDFINFO, "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True).stdout
    for m in re.finditer(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info):
        pages.append((float(m.group(1)), float(m.group(2))))
    return pages


def test_word_export_prints_on_a4_portrait(tmp_path):
    rec = rk.reconstruct(rk.load(paths.SEED_TEXT))
    pages = _pdf(rk.export(rec, "docx", tmp_path / "seed.docx", draft=rk.draft(rec)), tmp_path)
    assert pages and all(abs(w - 595.3) < 2 and abs(h - 841.9) < 2 for w, h in pages)


def test_excel_export_prints_each_table_landscape_and_one_page_wide(tmp_path):
    from openpyxl import load_workbook
    rec = rk.reconstruct(rk.load(paths.CORPUS / "015.txt"))
    out = rk.export(rec, "xlsx", tmp_path / "r.xlsx")
    wb = load_workbook(out)
    for name in wb.sheetnames[3:]:          # only the three tables, one sheet each
        del wb[name]
    wb.save(out)
    pages = _pdf(out, tmp_path)
    # One landscape A4 page per table: table 三 no longer spreads over three portrait pages.
    assert len(pages) == 3 and all(abs(w - 841.9) < 2 and abs(h - 595.3) < 2 for w, h in pages)
