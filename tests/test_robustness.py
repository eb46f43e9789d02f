"""Robustness beyond the fuzzer (issue 15): hostile workbooks, folders that keep going, file names and
devices the OS gives, writes that never lose work, footnote markers, declared charsets, invisible
characters, and round trips that keep what the source said. Every input is generated here."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

import reportkit as rk
from reportkit import cli, paths
from reportkit.errors import ReportError, StructuredDataError, TooLargeError
from reportkit.layout import render_text
from reportkit.load import loads
from reportkit.paths import atomic_write
from reportkit.readers.xlsx import MAX_UNCOMPRESSED
from reportkit.reconstruct import reconstruct

from tests.conftest import CORPUS_FILES
from tests.fixtures import workbooks
from tests.fixtures.tables import complete_tables

RK = [sys.executable, "-m", "reportkit.cli"]
GBK_NAME = b"\xd6\xd0\xce\xc4"        # 中文 in GBK: not UTF-8, as an archive unzipped on Linux leaves it


def run(*args, timeout=30, **kw):
    return subprocess.run([*RK, *map(str, args)], capture_output=True, text=True, timeout=timeout, **kw)


def synthetic_text(layout="pipe", **extra) -> str:
    return render_text({"agency": "某市某局", "year": 2022, "sections": {1: "本机关依法公开。", 5: "无。", 6: "无。"},
                        "tables": complete_tables(1), **extra}, layout)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("xlsx") / "seed.xlsx"
    rk.export(reconstruct(rk.load(paths.CORPUS / "015.txt")), "xlsx", out)
    return out


def rezip(src: Path, dst: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in replace.items():
            if name not in zin.namelist():
                zout.writestr(name, data)
    return dst


# ------------------------------------------------------------------------------------ 1. workbooks

def test_a_workbook_that_unpacks_past_the_bound_is_refused_before_it_is_opened(workbook, tmp_path):
    # Zeros compress a thousandfold: a few hundred KB on disk, more than the bound once unpacked.
    bomb = rezip(workbook, tmp_path / "bomb.xlsx", {"xl/media/zeros.bin": bytes(MAX_UNCOMPRESSED + 1)})
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(TooLargeError, match="unpacks"):
        rk.load(bomb)


def test_one_long_shared_string_repeated_is_held_to_the_text_limit(workbook, tmp_path):
    # A shared string of 30,000 characters stored once and referenced by 2,000 rows of the sections
    # sheet: a workbook of a few KB that would assemble a text of 60 million characters.
    parts = workbooks.members(workbook)
    workbooks.shared_string_rows(parts, 2000)
    bomb = tmp_path / "shared.xlsx"
    bomb.write_bytes(workbooks.zipped(parts))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(TooLargeError, match="characters"):
        rk.load(bomb)


@pytest.mark.parametrize("member, data", [
    ("xl/workbook.xml", b"<workbook><sheets><sheet"),                              # cut XML
    ("xl/sharedStrings.xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><sst>&a;</sst>"),
    ("xl/worksheets/sheet1.xml", b"\x00\xff not xml at all"),
    ("xl/styles.xml", b"<styleSheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><numFmts count='1'><numFmt numFmtId='x'/></numFmts></styleSheet>"),
    ("[Content_Types].xml", b""),
])
def test_broken_workbook_xml_is_one_line_naming_the_file(workbook, tmp_path, member, data):
    bad = rezip(workbook, tmp_path / "bad.xlsx", {member: data})
    try:
        rk.load(bad)
    except ReportError as e:
        assert "bad.xlsx" in str(e) and "\n" not in str(e)


def test_a_workbook_with_bad_metadata_values_is_a_report_error(workbook, tmp_path):
    wb = load_workbook(workbook)
    meta = wb["reportkit"]
    for row in meta.iter_rows():
        if row[0].value == "grid_top_row":
            row[1].value = "abc"
        if row[0].value == "year":
            row[1].value = 1e300
    out = tmp_path / "meta.xlsx"
    wb.save(out)
    with pytest.raises(StructuredDataError, match="grid_top_row"):
        rk.load(out)


def test_a_crc_broken_or_truncated_workbook_is_a_report_error(workbook, tmp_path):
    data = bytearray(workbook.read_bytes())
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(ReportError):
        rk.load(cut)
    i = data.find(b"xl/worksheets/sheet1.xml") + 200     # flip bytes of a compressed member
    data[i:i + 50] = bytes(50)
    flipped = tmp_path / "flipped.xlsx"
    flipped.write_bytes(bytes(data))
    try:
        rk.load(flipped)
    except ReportError as e:
        assert "flipped.xlsx" in str(e)


def test_an_encrypted_workbook_is_refused_with_what_to_do(tmp_path):
    p = tmp_path / "locked.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))
    with pytest.raises(StructuredDataError, match="encrypted"):
        rk.load(p)


# --------------------------------------------------------------------------------- 2. folder runs

def test_check_of_a_folder_goes_on_after_any_failure_and_exits_2(tmp_path, workbook):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(synthetic_text(), encoding="utf-8")
    (folder / "b.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    full = rk.readers.structured.to_dict(rk.load(paths.SEED_TEXT))
    full["facts"][0]["value"] = 10 ** 400
    (folder / "c.json").write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")
    (folder / "d.html").write_text("<p>一、总体情况 政府信息公开 &#" + "9" * 5000 + ";</p>", encoding="utf-8")
    (folder / "e.txt").write_text(synthetic_text("html"), encoding="utf-8")
    r = run("check", folder)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert "a.txt" in r.stdout and "e.txt" in r.stdout               # the files after the bad ones ran
    assert "checked 5 reports, 2 unreadable" in r.stderr or "unreadable" in r.stderr


def test_an_empty_folder_means_the_same_to_every_folder_command(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert cli.main(["check", str(tmp_path / "empty")]) == 2
    said = capsys.readouterr().err.splitlines()[-1]
    assert cli.main(["corpus", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == said
    assert "no report files" in said


# ------------------------------------------------------------------------------------ 3. messages

def test_a_full_form_number_of_400_digits_obeys_the_digit_limit_of_text(tmp_path):
    full = rk.readers.structured.to_dict(rk.load(paths.CORPUS / "015.txt"))
    cells = next(c for c in full["tables"].values() if c)
    next(c for c in cells if c["value"] is not None)["value"] = 10 ** 400
    p = tmp_path / "big.json"
    p.write_text(json.dumps(full, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(StructuredDataError, match="15 digits"):
        rk.load(p)


@pytest.mark.parametrize("value", ["²", "9" * 400, "\u0661\u0662", "-5", "1e9"])
def test_any_max_bytes_setting_gives_a_limit_never_a_traceback(monkeypatch, value):
    monkeypatch.setenv("REPORTKIT_MAX_BYTES", value)
    assert rk.load(paths.SEED_TEXT).sections


def test_an_html_entity_of_thousands_of_digits_is_a_report_error_or_loads(tmp_path):
    p = tmp_path / "ent.html"
    p.write_text(f"<p>一、总体情况</p><p>政府信息公开 &#{'9' * 5000};</p>", encoding="utf-8")
    try:
        rk.load(p)
    except ReportError as e:
        assert "\n" not in str(e)


# ------------------------------------------------------------------------------- 4. file names

def test_a_non_utf8_file_name_is_loaded_exported_and_shown_reversibly(tmp_path):
    src = os.fsencode(tmp_path) + b"/" + GBK_NAME + b".txt"
    with open(src, "wb") as fh:
        fh.write(synthetic_text().encode("utf-8"))
    out = os.fsencode(tmp_path) + b"/" + GBK_NAME + b".docx"
    r = subprocess.run([*RK, "export", src, "--to", "docx", "-o", out], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert os.path.getsize(out) > 1000
    assert b"\\xd6\\xd0\\xce\\xc4.docx" in r.stdout                   # shown as its bytes, reversibly
    r = subprocess.run([*RK, "check", src], capture_output=True, timeout=60)
    assert r.returncode == 0 and b"\\xd6\\xd0" in r.stdout
    rep = rk.load(os.fsdecode(src))
    assert rep.source.endswith("\\xd6\\xd0\\xce\\xc4.txt")
    rep.source.encode("utf-8")                                          # writable anywhere


# ---------------------------------------------------------------------------- 5. non-regular files

@pytest.mark.parametrize("command", ["parse", "check", "export"])
def test_a_named_fifo_is_refused_at_once(tmp_path, command):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    extra = ["--to", "md", "-o", tmp_path / "o.md"] if command == "export" else []
    r = run(command, fifo, *extra, timeout=20)
    assert r.returncode == 2 and "not a regular file" in r.stderr and "Traceback" not in r.stderr


# ------------------------------------------------------------------------------- 6. atomic writes

def test_a_failed_export_leaves_the_previous_file_as_it_was(tmp_path):
    out = tmp_path / "r.yaml"
    assert run("export", paths.SEED_TEXT, "--to", "yaml", "-o", out, timeout=60).returncode == 0
    before = out.read_bytes()
    # A file-size limit of 4 KB: the write fails half-way, as on a full disk.
    code = ("import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)); from reportkit.cli import main; "
            f"sys.exit(main(['export', {str(paths.SEED_TEXT)!r}, '--to', 'json', '-o', {str(out)!r}]))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "r.yaml" in r.stderr
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.yaml"]          # no temporary file left behind


@pytest.mark.parametrize("fmt", ["md", "docx", "xlsx", "yaml"])
@pytest.mark.parametrize("target", ["folder", "/dev/full", "/proc/no/such/x"])
def test_an_unwritable_output_is_a_clear_message(tmp_path, fmt, target):
    out = tmp_path if target == "folder" else Path(target)
    r = run("export", paths.SEED_TEXT, "--to", fmt, "-o", out, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "cannot write" in r.stderr, r.stderr


def test_atomic_write_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    p = tmp_path / "x.md"
    p.write_text("old")
    p.chmod(0o640)
    atomic_write(p, "new")
    assert p.read_text() == "new" and p.stat().st_mode & 0o777 == 0o640


# ---------------------------------------------------------------------------- 8. footnote markers

@pytest.mark.parametrize("layout", ["pipe", "html"])
@pytest.mark.parametrize("marker", ["¹", "²", "①", "⑴", "⒈"])
def test_a_footnote_marker_next_to_a_number_is_never_a_digit(layout, marker):
    text = synthetic_text(layout)
    base = loads(text, kind="html" if layout == "html" else "text")
    target = ">12<" if layout == "html" else "| 12 |"
    assert target in text
    marked = text.replace(target, target.replace("12", "12" + marker), 1)
    rep = loads(marked, kind="html" if layout == "html" else "text")
    for k, c in rep.tables["requests"].cells.items():
        old = base.tables["requests"].cells[k]
        assert c.value == old.value or c.value is None                  # the marker, or unreadable
        if c.start is not None and c.value is not None and old.value == 12 and "12" + marker in marked[c.start:c.end + 1]:
            assert rep.text[c.start:c.end + len(marker)].endswith(marker)  # the page as shown


@pytest.mark.parametrize("layout", ["pipe", "html"])
def test_a_fraction_is_never_read_as_digits(layout):
    text = synthetic_text(layout)
    target = ">12<" if layout == "html" else "| 12 |"
    rep = loads(text.replace(target, target.replace("12", "1½"), 1), kind="html" if layout == "html" else "text")
    values = [c.value for c in rep.tables["requests"].cells.values()]
    assert 11 not in values and 112 not in values and 1 not in values[:1]


# ------------------------------------------------------------------------------- 9. GBK web pages

def test_a_gbk_page_declaring_its_charset_loads_though_markup_outweighs_the_chinese(tmp_path):
    page = synthetic_text("html").replace("<meta charset='utf-8'>", "<meta http-equiv='Content-Type' "
                                          "content='text/html; charset=gb2312'>")
    noise = "<script>var x = 1;</script>" * 2000 + "<div class='a b c'></div>" * 2000
    page = page.replace("<body>", "<body>" + noise, 1)
    data = page.encode("gbk")
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in page)
    assert cjk < len(page) * 0.2                                        # below the old guess's threshold
    p = tmp_path / "gbk.html"
    p.write_bytes(data)
    rep = rk.load(p)
    assert rep.tables["requests"] is not None and rep.agency == "某市某局"


# -------------------------------------------------------------------------- 10. invisible characters

@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u00ad", "\u2060"])
@pytest.mark.parametrize("heading", ["二、主动", "三、收到"])
def test_an_invisible_character_in_a_heading_keeps_its_section_and_table(invisible, heading):
    text = synthetic_text()
    i = text.index(heading)
    rep = loads(text[:i + 1] + invisible + text[i + 1:])
    assert all(s.present for s in rep.sections)
    assert all(t is not None and t.has_numbers for t in rep.tables.values())
    spans = rep.spans()
    assert spans[-1][1] == len(rep.text)


# ------------------------------------------------------------------------------------ 12. round trips

# Every real report for the structured form; the workbook (slower) for those with empty or missing
# sections and those whose prose has blank lines and indentation.
ROUND_TRIP = CORPUS_FILES
XLSX_TOO = {paths.CORPUS / n for n in ("011.txt", "014.txt", "017.txt", "023.txt", "complete/101.txt", "html/001.html")}


def _states(rep):
    return [("missing" if not s.present else "empty" if s.is_empty(rep.text) else "ok") for s in rep.sections]


@pytest.mark.parametrize("path", ROUND_TRIP, ids=lambda p: str(p.relative_to(paths.CORPUS)))
def test_export_load_export_is_idempotent_and_keeps_section_states(path, tmp_path):
    rep = rk.load(path)
    first = rk.export(reconstruct(rep), "yaml", tmp_path / "a.yaml")
    back = rk.load(first)
    assert _states(back) == _states(rep)
    second = rk.export(reconstruct(back), "yaml", tmp_path / "b.yaml")
    a, b = yaml.safe_load(first.read_text("utf-8")), yaml.safe_load(second.read_text("utf-8"))
    ra, rb = a.pop("reconstruction"), b.pop("reconstruction")
    assert a == b
    assert ra["sections"] == rb["sections"]
    assert ({(c["table"], c["row_id"], c["column_id"]): c["value"] for c in ra["cells"]}
            == {(c["table"], c["row_id"], c["column_id"]): c["value"] for c in rb["cells"]})
    if path in XLSX_TOO:
        xlsx = rk.export(reconstruct(rep), "xlsx", tmp_path / "a.xlsx")
        assert _states(rk.load(xlsx)) == _states(rep)
