"""Reports published as PDF and Word files: the real PDF in data/corpus/pdf, reportkit's own Word export
read back (and, where LibreOffice is installed, the PDF made from it), a Word file built here with merged
header cells, and damaged, disguised or oversized files."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

import reportkit as rk
from reportkit import paths
from reportkit.cli import main
from reportkit.corpus import load_corpus
from reportkit.errors import EmptyReportError, ReportError, TooLargeError
from reportkit.format import spec
from reportkit.readers import pdf as pdfreader
from reportkit.readers.docx import MAX_TABLES
from reportkit.readers.grid import GridCell, normalize
from reportkit.readers.pdf import MAX_PAGES, read_pdf
from reportkit.readers.structured import to_dict

from .conftest import CORPUS_FILES

REAL_PDF = paths.CORPUS / "pdf" / "001.pdf"
REAL_FACTS = json.loads(REAL_PDF.with_suffix(".json").read_text(encoding="utf-8"))
TABLE = {"t2": "proactive", "t3": "requests", "t4": "appeals"}
NUMERALS = "一二三四五六七八九十"


@pytest.fixture(scope="module")
def real():
    return rk.load(REAL_PDF)


# ------------------------------------------------------------------------------------ recorded cells

def _norm(s):
    return re.sub(r"\s+", "", (s or "").replace("(", "（").replace(")", "）"))


def _recorded(key: str, cells: list[dict]):
    """The parsed cell a fact key names, matched as ../shared/tools/score-cells does (a column may carry
    its unit, "本年收费金额（单位：万元）"). Returns the value, "absent" or "ambiguous"."""
    parts = key.split("_")
    rest = parts[1:]
    if parts[0] == "t4":
        path = "/".join(rest)
        hits = [c for c in cells if _norm(c["column"]) == path or _norm(c["column"]).endswith("/" + path)]
    else:
        col = rest[-1]
        words = [w for w in rest[:-1] if w not in NUMERALS and not w.isdigit()]
        digits = [w for w in rest[:-1] if w.isdigit()]
        if rest[:2] == ["三", "七"] or words == ["总计"]:
            def rowok(r):
                return "总计" in r and "七" in r
        else:
            def rowok(r):
                return all(w in r for w in words) and all(re.match(rf"^{d}[.．、]", r) for d in digits)

        def colok(c):
            c = re.sub(r"（单位：[^）]*）$", "", c)
            return c == col or c.replace("本年", "") == col.replace("本年", "") or c.endswith("/" + col)
        hits = [c for c in cells if rowok(_norm(c["row"])) and colok(_norm(c["column"]))]
    if len(hits) != 1:
        return "absent" if not hits else "ambiguous"
    return hits[0]["value"]


def test_real_pdf_has_six_sections_partitioning_the_text(real):
    assert [s.present for s in real.sections] == [True] * 6
    assert not any(s.is_empty(real.text) for s in real.sections)
    spans = real.spans()
    assert spans[0][0] == 0 and spans[-1][1] == len(real.text)
    assert all(b == c for (_, b), (c, _) in zip(spans, spans[1:]))
    assert real.kind == "pdf"
    assert (real.agency, real.year) == (REAL_FACTS["agency"], REAL_FACTS["year"])


def test_real_pdf_reads_every_recorded_cell_right(real):
    tables = to_dict(real)["tables"]
    facts = {k: v for k, v in REAL_FACTS["facts"].items() if v is not None}
    got = {k: _recorded(k, tables.get(TABLE[k[:2]]) or []) for k in facts}
    assert {k: (facts[k], v) for k, v in got.items() if v != facts[k]} == {}
    for tr in real.tables.values():
        assert tr is not None and not [i for i in tr.issues if i.kind in ("cell_count", "run_together")]


def test_real_pdf_prose_facts_have_their_spans(real):
    for want in REAL_FACTS["prose_facts"]:
        hits = [f for f in real.facts if f.value == want["value"] and f.unit == want["unit"]]
        assert hits, want
        for f in hits:
            assert re.sub(r"\s", "", real.text[f.start:f.end]) == f"{want['value']}{want['unit']}"
        # The sentence as printed, line wraps of the page joined back.
        assert any(re.sub(r"\s", "", want["text"]) in re.sub(r"\s", "", f.sentence) for f in hits)


def test_real_pdf_drops_page_numbers_and_keeps_headings_on_their_own_lines(real):
    assert not re.search(r"^\s*-\s*\d+\s*-\s*$", real.text, re.M)
    lines = real.text.splitlines()
    for s in spec().sections:
        assert s.title in lines
    # Paragraphs wrapped at the page's right margin are one line again, also across a page break.
    assert any(ln.startswith("针对存在问题") and ln.endswith("业务工作水平。") for ln in lines)


def test_real_pdf_header_split_over_lines_and_vertical_label_are_one_cell_each():
    doc = read_pdf(REAL_PDF.read_bytes(), str(REAL_PDF))
    labels = {t.text for _, _, toks in doc.grids for t in toks if t.kind == "label"}
    t3 = spec().table("requests")
    for col in t3.columns:
        assert col.label in labels                        # 社会公益组织 printed over three lines
    group = next(r for r in t3.rows if r.kind == "group" and r.parent is None)
    assert rk.format.fold(group.label) in labels         # 三、本年度办理结果 printed one character a line
    for _, _, toks in doc.grids:
        for t in toks:
            assert doc.text[t.start:t.end].strip() == doc.text[t.start:t.end]
            if t.kind != "empty":
                assert rk.format.fold(doc.text[t.start:t.end]) == t.text


def test_real_pdf_table_cut_by_the_page_break_is_one_grid():
    doc = read_pdf(REAL_PDF.read_bytes(), str(REAL_PDF))
    t3 = spec().table("requests")
    first, last = t3.data_rows[0], t3.data_rows[-1]
    keys = [{rk.format.label_key(t.text) for t in toks if t.kind == "label"} for _, _, toks in doc.grids]
    both = [k for k in keys if rk.format.label_key(first.label) in k and rk.format.label_key(last.label) in k]
    assert len(both) == 1
    # No page furniture inside a table.
    for start, end, _ in doc.grids:
        assert not re.search(r"-\s*\d+\s*-", doc.text[start:end])


def test_a_row_torn_by_a_page_break_is_put_back_together():
    label = spec().table("requests").data_rows[1].label
    half = len(label) // 2
    a = pdfreader._Table([GridCell("x", 0, 0), GridCell("1", 0, 1), GridCell(label[:half], 1, 0),
                          GridCell("", 1, 1)], 2, 2, 0, 100)
    b = pdfreader._Table([GridCell(label[half:], 0, 0), GridCell("7", 0, 1), GridCell("y", 1, 0),
                          GridCell("2", 1, 1)], 2, 2, 0, 100)
    t = pdfreader._stitch(a, b)
    rows = {}
    for c in t.cells:
        rows.setdefault(c.row, []).append(c.text)
    assert rows == {0: ["x", "1"], 1: [label, "7"], 2: ["y", "2"]}


def test_text_twin_of_the_real_pdf_reads_the_same_cells(real, tmp_path):
    twin = tmp_path / "001.txt"
    twin.write_text(real.text, encoding="utf-8")
    back = rk.load(twin)
    for tid, tr in real.tables.items():
        for key, cell in tr.cells.items():
            if cell.value is not None:
                assert back.tables[tid].value(*key) == cell.value, (tid, key)


def test_cli_parse_reads_a_pdf(capsys):
    assert main(["parse", str(REAL_PDF), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [s["present"] for s in out["sections"]] == [True] * 6


# ------------------------------------------------------------------------------------ Word round trip

def _same_cells(rec, back) -> dict:
    def loaded(key):
        tid, r, c = key
        tr = back.tables.get(tid)
        return tr.value(r, c) if tr is not None else None
    return {k: (e.value, loaded(k)) for k, e in rec.cells.items() if loaded(k) != e.value}


ROUND_TRIP = CORPUS_FILES + [REAL_PDF]


@pytest.mark.parametrize("path", ROUND_TRIP, ids=[str(p.relative_to(paths.CORPUS)) for p in ROUND_TRIP])
def test_word_export_of_a_real_report_loads_back_to_the_same_cells(path, tmp_path):
    rep = rk.load(path)
    rec = rk.reconstruct(rep)
    out = rk.export(rec, "docx", tmp_path / "r.docx")
    back = rk.load(out)
    assert back.kind == "docx"
    assert _same_cells(rec, back) == {}
    # Every cell the report printed is back, with its value (a row of the 2019 layout has no place in
    # the 2021 export the reconstruction writes).
    for tid, tr in rep.tables.items():
        for key, cell in (tr.cells.items() if tr else ()):
            if cell.value is not None and (tid, *key) in rec.cells:
                assert back.tables[tid].value(*key) == cell.value


def _merge(table, r0, c0, r1, c1, text):
    cell = table.cell(r0, c0).merge(table.cell(r1, c1)) if (r0, c0) != (r1, c1) else table.cell(r0, c0)
    cell.text = text
    return cell


def _handmade_docx(path):
    """Tables 三 and 四 as authors draw them in Word: merged header cells (gridSpan), group labels merged
    down their rows (vMerge), the corner cell merged both ways."""
    d = docx.Document()
    d.add_paragraph("测试局2023年政府信息公开工作年度报告")
    d.add_paragraph("本报告依据条例编制。\n统计期限自2023年1月1日起至2023年12月31日止。")    # a manual line break
    values = {}
    n = iter(range(1, 10_000))
    secs = spec().sections
    for s in secs:
        d.add_paragraph(s.title)
        if s.table == "requests":
            t = spec().table("requests")
            rows = t.data_rows
            table = d.add_table(rows=3 + len(rows), cols=3 + len(t.columns))
            _merge(table, 0, 0, 2, 2, t.corner)
            _merge(table, 0, 3, 0, 2 + len(t.columns), t.columns[0].path[0])
            groups = {}
            for i, col in enumerate(t.columns):
                groups.setdefault(col.path[1], []).append(3 + i)
            for label, cols in groups.items():
                if len(cols) == 1:
                    _merge(table, 1, cols[0], 2, cols[0], label)
                else:
                    _merge(table, 1, cols[0], 1, cols[-1], label)
                    for i, c in enumerate(cols):
                        table.cell(2, c).text = t.columns[c - 3].label
            parents = {}
            for i, row in enumerate(rows):
                parents.setdefault(row.parent, []).append(3 + i)
            for i, row in enumerate(rows):
                r = 3 + i
                if row.parent is None:
                    _merge(table, r, 0, r, 2, row.label)
                elif t.row(row.parent).parent is None:      # a direct result row: group in column 0
                    _merge(table, r, 1, r, 2, row.label)
                else:
                    table.cell(r, 2).text = row.label
                for j, col in enumerate(t.columns):
                    v = next(n)
                    table.cell(r, 3 + j).text = str(v)
                    values[("requests", row.id, col.id)] = v
            for parent, rs in parents.items():
                if parent is None:
                    continue
                grand = t.row(parent).parent
                if grand is None:
                    continue
                _merge(table, rs[0], 1, rs[-1], 1, t.row(parent).label)
            results = [3 + i for i, row in enumerate(rows) if row.parent is not None]
            _merge(table, results[0], 0, results[-1], 0, t.row(rows[2].parent).label)
        elif s.table == "appeals":
            t = spec().table("appeals")
            table = d.add_table(rows=4, cols=len(t.columns))
            tops = {}
            for i, col in enumerate(t.columns):
                tops.setdefault(col.path[0], []).append(i)
            for label, cols in tops.items():
                _merge(table, 0, cols[0], 0, cols[-1], label)
            subs = {}
            for i, col in enumerate(t.columns):
                subs.setdefault(col.path, []).append(i)
            for col_path, cols in subs.items():
                if not col_path[1]:
                    for c in cols:
                        _merge(table, 1, c, 2, c, t.columns[c].label)
                else:
                    _merge(table, 1, cols[0], 1, cols[-1], col_path[1])
                    for c in cols:
                        table.cell(2, c).text = t.columns[c].label
            for i, col in enumerate(t.columns):
                v = next(n)
                table.cell(3, i).text = str(v)
                values[("appeals", t.data_rows[0].id, col.id)] = v
        else:
            d.add_paragraph("本机关本年度依法做好相关工作，共办理事项12件。")
    d.save(str(path))
    return values


def test_handmade_word_file_with_merged_header_cells_reads_every_cell(tmp_path):
    path = tmp_path / "handmade.docx"
    values = _handmade_docx(path)
    rep = rk.load(path)
    assert [s.present for s in rep.sections] == [True] * 6
    got = {k: rep.tables[k[0]].value(k[1], k[2]) for k in values}
    assert got == values
    assert rep.year == 2023
    assert "本报告依据条例编制。\n统计期限" in rep.text        # a manual line break starts a line
    assert [f.value for f in rep.facts if f.unit == "件"] == [12, 12, 12, 12]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_made_by_libreoffice_from_the_word_export_loads_back_to_the_same_cells(tmp_path):
    sources = [paths.CORPUS / "015.txt", paths.CORPUS / "complete" / "009.txt", REAL_PDF]
    recs = {}
    for i, p in enumerate(sources):
        recs[i] = rk.reconstruct(rk.load(p))
        rk.export(recs[i], "docx", tmp_path / f"{i}.docx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    *[str(tmp_path / f"{i}.docx") for i in recs]], capture_output=True, timeout=300, check=True)
    for i, rec in recs.items():
        back = rk.load(tmp_path / f"{i}.pdf")
        assert back.kind == "pdf"
        assert _same_cells(rec, back) == {}, sources[i]


# ------------------------------------------------------------------------------------ bad input

def _pdf(n_pages=1, image=False, encrypt=False) -> bytes:
    """A minimal PDF, written by hand: blank pages, or pages holding one picture (a scan), or a file
    protected by a password nobody knows."""
    objs = {}
    kids = []
    nxt = 3
    image_obj = 3 + 2 * n_pages
    for _ in range(n_pages):
        page, content = nxt, nxt + 1
        nxt += 2
        kids.append(page)
        res = f"/Resources << /XObject << /Im1 {image_obj} 0 R >> >>" if image else "/Resources << >>"
        objs[page] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] {res} "
                      f"/Contents {content} 0 R >>").encode()
        body = b"q 495 0 0 742 50 50 cm /Im1 Do Q" if image else b""
        objs[content] = b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream"
    if image:
        objs[nxt] = (b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
                     b"/BitsPerComponent 8 /Length 64 >>\nstream\n" + bytes(range(64)) + b"\nendstream")
        nxt += 1
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = ("<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join(f"{k} 0 R" for k in kids), n_pages)).encode()
    extra = b""
    if encrypt:
        objs[nxt] = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -44 >>"
        extra = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (nxt, b"01" * 16, b"01" * 16)
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for k in sorted(objs):
        offsets[k] = len(out)
        out += b"%d 0 obj\n" % k + objs[k] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (max(objs) + 1)
    for k in range(1, max(objs) + 1):
        out += b"%010d 00000 n \n" % offsets[k]
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (max(objs) + 1, extra, xref)
    return bytes(out)


def _many_tables_docx(n: int) -> bytes:
    d = docx.Document()
    d.add_paragraph("一、总体情况")
    d.add_table(rows=2, cols=2)
    buf = io.BytesIO()
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    xml = src.read("word/document.xml").decode("utf-8")
    table = re.search(r"<w:tbl>.*?</w:tbl>", xml, re.S).group()
    xml = xml.replace(table, table * n)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, xml if item.filename == "word/document.xml" else src.read(item.filename))
    return out.getvalue()


def test_scanned_pdf_says_it_has_no_text_layer_and_the_cli_exits_2(tmp_path, capsys):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf(3, image=True))
    with pytest.raises(ReportError, match="no text layer.*scan.*OCR"):
        rk.load(path)
    assert main(["parse", str(path)]) == 2
    assert "scan" in capsys.readouterr().err


def test_pdf_of_blank_pages_is_an_empty_report_error(tmp_path):
    path = tmp_path / "blank.pdf"
    path.write_bytes(_pdf(2))
    with pytest.raises(EmptyReportError):
        rk.load(path)


def test_encrypted_pdf_asks_for_an_unprotected_copy(tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(_pdf(1, encrypt=True))
    with pytest.raises(ReportError, match="encrypted"):
        rk.load(path)


def test_truncated_pdf_says_the_download_is_incomplete(tmp_path):
    data = REAL_PDF.read_bytes()
    for cut in (len(data) // 3, len(data) - 200):
        path = tmp_path / f"cut{cut}.pdf"
        path.write_bytes(data[:cut])
        with pytest.raises(ReportError, match="cut short"):
            rk.load(path)


def test_damaged_pdf_is_a_report_error(tmp_path):
    path = tmp_path / "damaged.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n")
    with pytest.raises(ReportError, match="not a readable PDF"):
        rk.load(path)
    path.write_bytes(b"this is not a PDF at all")
    with pytest.raises(ReportError, match="not a PDF"):
        rk.load(path)


def test_pdf_of_500_pages_is_refused_naming_the_cap(tmp_path):
    path = tmp_path / "huge.pdf"
    path.write_bytes(_pdf(500))
    with pytest.raises(TooLargeError, match=f"500 pages.*limit of {MAX_PAGES}"):
        rk.load(path)


def test_zip_that_claims_to_be_a_docx_is_refused(tmp_path):
    path = tmp_path / "fake.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(ReportError, match="not a Word document"):
        rk.load(path)
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ReportError, match="zip"):
        rk.load(path)


def test_docx_with_10000_tables_is_refused_naming_the_cap(tmp_path):
    path = tmp_path / "tables.docx"
    path.write_bytes(_many_tables_docx(10_000))
    with pytest.raises(TooLargeError, match=f"10,000 tables.*limit of {MAX_TABLES}"):
        rk.load(path)


@pytest.mark.parametrize("suffix,name", [(".doc", "Word 97-2003"), (".wps", "WPS")])
def test_old_binary_word_and_wps_files_are_refused_with_how_to_convert(tmp_path, suffix, name):
    path = tmp_path / f"report{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ReportError, match=f"{name}.*save it as .docx or PDF"):
        rk.load(path)


def test_doc_that_is_really_a_web_page_or_a_docx_is_read_as_what_it_is(tmp_path):
    page = tmp_path / "report.doc"
    page.write_text("<html><body><p>" + "</p><p>".join(s.title for s in spec().sections) + "</p></body></html>",
                    encoding="utf-8")
    assert rk.load(page).kind == "html"
    rec = rk.reconstruct(rk.load(paths.CORPUS / "015.txt"))
    real_docx = rk.export(rec, "docx", tmp_path / "x.docx")
    disguised = tmp_path / "report2.doc"
    disguised.write_bytes(real_docx.read_bytes())
    assert _same_cells(rec, rk.load(disguised)) == {}


def test_corpus_of_mixed_formats_reads_the_good_files_and_lists_the_bad(tmp_path):
    shutil.copy(paths.CORPUS / "015.txt", tmp_path / "a.txt")
    shutil.copy(REAL_PDF, tmp_path / "b.pdf")
    rk.export(rk.reconstruct(rk.load(paths.CORPUS / "014.txt")), "docx", tmp_path / "c.docx")
    (tmp_path / "d.html").write_text(
        "<html><body>" + "".join(f"<h2>{s.title}</h2><p>无。</p>" for s in spec().sections) + "</body></html>",
        encoding="utf-8")
    (tmp_path / "scan.pdf").write_bytes(_pdf(1, image=True))
    (tmp_path / "cut.pdf").write_bytes(REAL_PDF.read_bytes()[:5000])
    (tmp_path / "fake.docx").write_bytes(b"not a zip")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    c = load_corpus(tmp_path, workers=1, progress=False, check=False)
    assert sorted(p.rsplit("/", 1)[-1] for p in c.errors["source"]) == ["cut.pdf", "fake.docx", "old.doc", "scan.pdf"]
    assert len(c.reports) == 4
    assert main(["check", str(tmp_path)]) == 2                # ran on every file; some were unusable


def test_a_header_row_repeated_on_the_next_page_is_no_torn_row():
    a = pdfreader._Table([GridCell("x", 0, 0), GridCell("y", 0, 1), GridCell("z", 1, 0), GridCell("3", 1, 1)],
                         2, 2, 0, 100)
    b = pdfreader._Table([GridCell("x", 0, 0), GridCell("y", 0, 1), GridCell("w", 1, 0), GridCell("4", 1, 1)],
                         2, 2, 0, 100)
    t = pdfreader._stitch(a, b)
    assert sorted((c.row, c.col, c.text) for c in t.cells) == [
        (0, 0, "x"), (0, 1, "y"), (1, 0, "z"), (1, 1, "3"), (2, 0, "x"), (2, 1, "y"), (3, 0, "w"), (3, 1, "4")]


def test_a_number_wrapped_in_a_narrow_cell_is_one_number_and_two_numbers_stay_two():
    def ch(t, x0, top):
        return {"text": t, "x0": x0, "x1": x0 + 6, "top": top, "bottom": top + 10, "size": 10}
    wrapped = [ch("1", 100, 0), ch("2", 106, 0), ch("3", 112, 0), ch("4", 100, 12)]
    assert pdfreader._cell_text(wrapped, 99, 119) == "1234"
    apart = [ch("1", 100, 0), ch("0", 100, 12)]
    assert pdfreader._cell_text(apart, 95, 125) == "1 0"
    spread = [ch("9", 100, 0), ch("4", 110, 0), ch("8", 120, 0)]
    assert pdfreader._cell_text(spread, 95, 135) == "948"


def test_real_web_page_printed_to_pdf_reads_the_same_cells_as_the_page():
    """tests/data/html-003-libreoffice.pdf is data/corpus/html/003.html printed to PDF by LibreOffice
    (soffice --convert-to pdf:writer_web_pdf_Export): table 三 runs over three pages, a row is torn by a
    page break, the continued part has no top border and fewer column boundaries than the first."""
    page = rk.load(paths.CORPUS / "html" / "003.html")
    printed = rk.load(paths.ROOT / "tests" / "data" / "html-003-libreoffice.pdf")
    n = 0
    for tid, tr in page.tables.items():
        for key, cell in tr.cells.items():
            if cell.value is not None:
                n += 1
                assert printed.tables[tid].value(*key) == cell.value, (tid, key)
    assert n > 150
    # The cells recorded by hand in its .json, where the page's own reading resolves them.
    facts = json.loads((paths.CORPUS / "html" / "003.json").read_text(encoding="utf-8"))["facts"]
    cells = {k: _recorded(k, to_dict(page)["tables"].get(TABLE[k[:2]]) or []) for k in facts if k[:2] in TABLE}
    known = {k for k, v in cells.items() if v == facts[k] and v is not None}
    assert len(known) >= 10
    for k in known:
        assert _recorded(k, to_dict(printed)["tables"].get(TABLE[k[:2]]) or []) == facts[k], k


# ------------------------------------------------------------------------------------ a PDF written here

def _cjk_pdf(pages: list[list[tuple]], height: int = 842, scan: bool = False) -> bytes:
    """A PDF with Chinese text in the standard STSong-Light font (no font file needed) and table rules
    drawn as thin filled rectangles, as Word's "Save as PDF" draws them. ``pages``: lists of
    ("text", x, top, size, str) and ("rule", x0, top, x1, bottom); ``scan``: a page-sized picture under
    each page's text."""
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
            3: b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
               b"/DescendantFonts [4 0 R] >>",
            4: b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
               b"<< /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /DW 1000 >>",
            5: b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
               b"/BitsPerComponent 8 /Length 64 >>\nstream\n" + bytes(range(64)) + b"\nendstream"}
    kids = []
    n = 6
    for ops in pages:
        page, content = n, n + 1
        n += 2
        kids.append(page)
        body = ["q 495 0 0 742 50 50 cm /Im1 Do Q"] if scan else []
        for op in ops:
            if op[0] == "text":
                _, x, top, size, s = op
                body.append(f"BT /F1 {size} Tf {x} {height - top - size * 0.88:.2f} Td "
                            f"<{s.encode('utf-16-be').hex()}> Tj ET")
            else:
                _, x0, top, x1, bottom = op
                body.append(f"0 0 0 rg {x0} {height - bottom} {x1 - x0} {bottom - top} re f")
        data = "\n".join(body).encode()
        objs[page] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 {height}] "
                      f"/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 5 0 R >> >> "
                      f"/Contents {content} 0 R >>").encode()
        objs[content] = b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
    objs[2] = ("<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join(f"{k} 0 R" for k in kids), len(kids))).encode()
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for k in sorted(objs):
        offsets[k] = len(out)
        out += b"%d 0 obj\n" % k + objs[k] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (max(objs) + 1)
    for k in range(1, max(objs) + 1):
        out += b"%010d 00000 n \n" % offsets[k]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (max(objs) + 1, xref)
    return bytes(out)


def _word_style_report() -> tuple[bytes, dict]:
    """A report whose table 三 (rules as filled rectangles) runs over a page break that cuts one row in
    two: its label's first line and its numbers on page 1, the rest of its label on page 2. Every page
    has a running header and a page number."""
    t = spec().table("requests")
    cols = [60, 270] + [270 + 38 * (i + 1) for i in range(len(t.columns))]
    pages: list[list[tuple]] = [[], []]
    values = {}
    number = iter(range(1, 10_000))
    for k, ops in enumerate(pages):
        ops.append(("text", 230, 30, 9, "测试市人民政府办公室"))
        ops.append(("text", 285, 800, 10, f"- {k + 1} -"))
    p0 = pages[0]
    p0.append(("text", 150, 60, 16, "测试局2023年政府信息公开工作年度报告"))
    top = 100
    for s in spec().sections[:3]:
        p0.append(("text", 60, top, 12, s.title))
        top += 24
        if not s.table:
            p0.append(("text", 84, top, 12, "本机关依法办理各类事项共45件。"))
            top += 24

    def row(ops, top, height, texts):
        ops.append(("rule", cols[0], top, cols[-1], top + 0.5))
        for x in cols:
            ops.append(("rule", x, top, x + 0.5, top + height))
        for i, lines in enumerate(texts):
            for j, line in enumerate(lines):
                ops.append(("text", cols[i] + 3, top + 3 + 9 * j, 7, line))
        return top + height

    top = row(p0, top, 14, [[""]] + [[c.label[:5]] for c in t.columns])
    rows = t.data_rows
    cut = len(rows) - 6                   # the row the page break cuts
    for i, r in enumerate(rows):
        label = [r.label[k:k + 28] for k in range(0, len(r.label), 28)]
        nums = []
        for c in t.columns:
            v = next(number)
            values[(r.id, c.id)] = v
            nums.append([str(v)])
        if i < cut:
            top = row(p0, top, 9 * len(label) + 5, [label] + nums)
        elif i == cut:
            label = [r.label[:len(r.label) // 2], r.label[len(r.label) // 2:]]
            top = row(p0, top, 14, [label[:1]] + nums)
            p0.append(("rule", cols[0], top, cols[-1], top + 0.5))
            top = row(pages[1], 60, 14, [label[1:]] + [[""]] * len(t.columns))
        else:
            top = row(pages[1], top, 9 * len(label) + 5, [label] + nums)
    pages[1].append(("rule", cols[0], top, cols[-1], top + 0.5))
    top += 20
    for s in spec().sections[3:]:
        pages[1].append(("text", 60, top, 12, s.title))
        top += 24
        pages[1].append(("text", 84, top, 12, "无。"))
        top += 24
    return _cjk_pdf(pages), values


def test_word_style_pdf_with_filled_rules_and_a_row_torn_by_the_page_break_reads_every_cell(tmp_path):
    data, values = _word_style_report()
    path = tmp_path / "word-style.pdf"
    path.write_bytes(data)
    rep = rk.load(path)
    assert [s.present for s in rep.sections] == [True] * 6
    tr = rep.tables["requests"]
    assert {k: tr.value(*k) for k in values} == values
    assert "测试市人民政府办公室" not in rep.text and "- 2 -" not in rep.text
    assert [f.value for f in rep.facts if f.unit == "件"] == [45]


def test_docx_whose_text_part_unpacks_huge_is_refused_before_parsing(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>" + " " * (30 * 1024 * 1024) + "</w:document>")
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(TooLargeError, match="word/document.xml.*over the limit"):
        rk.load(path)


def test_scan_with_only_page_furniture_as_text_is_a_scan_not_an_empty_report(tmp_path):
    path = tmp_path / "scan-with-header.pdf"
    path.write_bytes(_cjk_pdf([[("text", 280, 800, 10, f"第{k}页")] for k in (1, 2, 3)], scan=True))
    with pytest.raises(ReportError, match="is a scan"):
        rk.load(path)


def test_look_alike_radicals_and_control_characters_from_pdf_fonts_are_normalized():
    # ⼀ U+2F00 and ⾏ U+2F8F are Kangxi radicals some PDF fonts map 一 and 行 to.
    assert normalize("\u2f00、\u2f8f政许可\x00") == "一、行政许可"


def test_word_automatic_numbering_is_written_out_as_word_shows_it(tmp_path):
    """Headings typed as 总体情况 and numbered 一、 二、 by Word's list numbering (w:numPr)."""
    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text, level):
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))

    d.add_paragraph("测试局2023年政府信息公开工作年度报告")
    for s in spec().sections:
        numbered(re.sub(r"^[一二三四五六七八九十]+、", "", s.title), 0)
        numbered("工作情况", 1)
        d.add_paragraph("本机关依法办理各类事项共12件。")
    d.save(str(tmp_path / "numbered.docx"))
    rep = rk.load(tmp_path / "numbered.docx")
    assert [s.present for s in rep.sections] == [True] * 6
    lines = rep.text.splitlines()
    assert [s.title for s in spec().sections] == [ln for ln in lines if ln in {s.title for s in spec().sections}]
    assert lines.count("（一）工作情况") == 6


# libxml2 repairs a page as a browser would; a few repairs would lose a report's tables, and the reader
# undoes them. Each test edits a real page and expects the same report as the page itself.
def _html_reading(markup: str):
    rep = rk.loads(markup, "page.html", kind="html")
    cells = {(t, k): (c.value, c.state) for t, tr in rep.tables.items() if tr for k, c in tr.cells.items()}
    return [s.present for s in rep.sections], cells, sorted((f.value, f.unit) for f in rep.facts)


def _real_page() -> str:
    return (paths.CORPUS / "html" / "001.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("stray", ["</body>", "</html>", "<title>", "<iframe src='x.html'>"])
def test_a_stray_document_tag_inside_a_table_keeps_the_table(stray):
    page = _real_page()
    at = page.index("<td", page.index("<table", page.index("收到和处理政府信息公开申请")))
    edited = page[:at] + stray + page[at:]
    assert _html_reading(edited) == _html_reading(page)


def test_an_unclosed_head_in_the_body_does_not_hide_the_rest_of_the_page():
    page = _real_page()
    at = page.index("<table")
    sections, cells, facts = _html_reading(page[:at] + "<head>" + page[at:])
    assert (sections, cells) == _html_reading(page)[:2]
