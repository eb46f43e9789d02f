"""Export → load → export keeps every value *and* where it came from (issue 15): a cell an export
inferred (or read from the prose) comes back derived, not stated, unless an analyst changed it."""

from __future__ import annotations

import pytest

import reportkit as rk
from reportkit import paths
from reportkit.layout import full_grid
from reportkit.format import spec
from reportkit.model import PROVENANCE_WORDS, SECTION_STATUS_WORDS
from reportkit.text import display_width
from reportkit.readers.xlsx import CELLS_SHEET, SECTION_CONTINUED, SECTIONS_SHEET, XLSX_TOP, read_xlsx
from reportkit.writers.document import as_loaded
from reportkit.writers.xlsx import section_rows
from reportkit.writers.structured import to_structured

from .conftest import CORPUS_FILES, corpus_ids

REAL = [*CORPUS_FILES, *sorted((paths.CORPUS / "pdf").glob("*.pdf"))]
REAL_IDS = [*corpus_ids(), *(str(p.relative_to(paths.CORPUS)) for p in REAL[len(CORPUS_FILES):])]


def _sheets(path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        # The legend and the hidden metadata name the file exported from, which differs by design.
        return {n: [tuple(r) for r in wb[n].iter_rows(values_only=True)] for n in wb.sheetnames
                if n not in ("说明", "reportkit")}
    finally:
        wb.close()


def _inferred(rec, tid=None):
    return [k for k, e in rec.cells.items() if e.provenance == "inferred" and (tid is None or k[0] == tid)]


def _coordinate(rec, key) -> tuple[str, str]:
    """Sheet and coordinate of cell ``key`` in the official-layout sheet of an export."""
    from openpyxl.utils import get_column_letter
    t = spec().table(key[0], rec.version)
    g = next(g for g in full_grid(t).cells if g.key == key[1:])
    return t.name, f"{get_column_letter(1 + g.col)}{XLSX_TOP + g.row}"


@pytest.mark.parametrize("path", REAL, ids=REAL_IDS)
def test_a_workbook_export_loads_back_to_the_same_tables_sections_and_cells(path, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    rk.export(rk.reconstruct(rk.load(path)), "xlsx", a)
    rk.export(rk.reconstruct(rk.load(a)), "xlsx", b)
    first, second = _sheets(a), _sheets(b)
    assert {CELLS_SHEET, SECTIONS_SHEET, "表二", "表三", "表四"} <= set(first)
    assert first == second


def _provenance(rec) -> dict:
    """What the structured export says of every cell, evidence compared by its words (the spans move
    with the text the loader prints)."""
    out = {}
    for c in to_structured(rec)["reconstruction"]["cells"]:
        out[(c["table"], c["row_id"], c["column_id"])] = (
            c["value"], c["low"], c["high"], c["provenance"], c["rule"], [e["text"] for e in c["evidence"]],
            c["uses"])
    return out


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("path", REAL, ids=REAL_IDS)
def test_a_structured_export_loads_back_with_the_same_provenance(path, fmt, tmp_path):
    rec = rk.reconstruct(rk.load(path))
    back = rk.reconstruct(rk.load(rk.export(rec, fmt, tmp_path / f"r.{fmt}")))
    assert _provenance(back) == _provenance(rec)


def test_the_real_reports_hold_inferred_cells_for_the_round_trip_to_keep():
    # Without such cells the round-trip tests above would prove nothing about provenance.
    with_inferred = [p for p in REAL if _inferred(rk.reconstruct(rk.load(p)))]
    assert len(with_inferred) >= 5


def test_an_analysts_edit_of_an_inferred_cell_reads_as_stated_and_is_noted(tmp_path):
    from openpyxl import load_workbook
    rec = rk.reconstruct(rk.load(paths.CORPUS / "014.txt"))
    inferred = _inferred(rec, "requests")
    assert len(inferred) > 2
    edited, untouched = inferred[0], inferred[1:]
    out = rk.export(rec, "xlsx", tmp_path / "r.xlsx")
    wb = load_workbook(out)
    sheet, where = _coordinate(rec, edited)
    assert wb[sheet][where].value == rec.cells[edited].value
    wb[sheet][where].value = rec.cells[edited].value + 5
    wb.save(tmp_path / "edited.xlsx")

    report = rk.load(tmp_path / "edited.xlsx")
    cell = report.tables["requests"].cells[edited[1:]]
    assert cell.value == rec.cells[edited].value + 5 and cell.how == "stated"
    assert "导出后修改" in cell.note
    notes = [n for n in report.notes if n["kind"] == "edited_cell"]
    assert len(notes) == 1 and notes[0]["row"] == edited[1] and notes[0]["column"] == edited[2]
    assert f"改为 {rec.cells[edited].value + 5}" in notes[0]["message"]
    again = rk.reconstruct(report)
    # The edit wins: stated from the table. The other inferred cells stay inferred, never flipped to
    # stated (they are derived again from the same stated cells, so an edit that breaks an identity
    # shows as a conflict rather than hiding behind numbers the analyst never wrote).
    assert again.cells[edited].provenance == "stated-table"
    assert again.cells[edited].value == rec.cells[edited].value + 5
    assert all(again.cells[k].provenance != "stated-table" for k in untouched)


def test_an_inferred_cell_whose_inputs_were_blanked_keeps_its_value_as_inferred(tmp_path):
    # The analyst clears the stated cells the inferred ones rested on: their values can no longer be
    # derived, but nobody changed it, so it is kept as the export had it (inferred, same rule).
    from openpyxl import load_workbook
    rec = rk.reconstruct(rk.load(paths.CORPUS / "014.txt"))
    key = ("requests", "results_total", "natural_person")
    assert rec.cells[key].provenance == "inferred" and rec.cells[key].rule == "requests_balance"
    wb = load_workbook(rk.export(rec, "xlsx", tmp_path / "r.xlsx"))
    # Every stated cell of table 三: nothing is left to derive the inferred ones from.
    blanked = [k for k in rec.cells if k[0] == "requests" and rec.cells[k].provenance == "stated-table"]
    assert len(blanked) >= 2
    for k in blanked:
        sheet, where = _coordinate(rec, k)
        wb[sheet][where].value = None
    wb.save(tmp_path / "blanked.xlsx")
    again = rk.reconstruct(rk.load(tmp_path / "blanked.xlsx"))
    assert all(again.cells[k].provenance != "stated-table" for k in blanked)
    assert again.cells[key].value == rec.cells[key].value
    assert (again.cells[key].provenance, again.cells[key].rule) == ("inferred", "requests_balance")


def test_reconstruct_does_not_infer_a_read_back_inferred_cell_twice(tmp_path):
    rec = rk.reconstruct(rk.load(paths.CORPUS / "014.txt"))
    report = rk.load(rk.export(rec, "xlsx", tmp_path / "r.xlsx"))
    marked = {(tid, *k) for tid, tr in report.tables.items() if tr for k, c in tr.cells.items() if c.how == "inferred"}
    assert marked == {k for k in _inferred(rec) if rec.cells[k].value is not None} - {
        k for k in rec.cells if report.tables.get(k[0]) is None}
    again = rk.reconstruct(report)
    assert {k: (again.cells[k].value, again.cells[k].rule) for k in marked} == {
        k: (rec.cells[k].value, rec.cells[k].rule) for k in marked}


def test_the_workbook_speaks_chinese_and_reads_back_the_old_english_words(tmp_path):
    from openpyxl import load_workbook
    rec = rk.reconstruct(rk.load(paths.SEED_TEXT))
    out = rk.export(rec, "xlsx", tmp_path / "seed.xlsx")
    wb = load_workbook(out)
    statuses = [r[2] for r in wb[SECTIONS_SHEET].iter_rows(min_row=2, values_only=True) if r[0] is not None]
    assert set(statuses) <= set(SECTION_STATUS_WORDS.values()) and "仅有标题" in statuses
    provenances = {r[6] for r in wb[CELLS_SHEET].iter_rows(min_row=2, values_only=True)}
    assert provenances <= set(PROVENANCE_WORDS.values())
    # The English ids stay only as a gloss in the headings' comments.
    assert "empty" in wb[SECTIONS_SHEET]["C1"].comment.text and "inferred" in wb[CELLS_SHEET]["G1"].comment.text
    first = rk.load(out)

    # A workbook written before: English sheet names, English states and provenance ids.
    english = {v: k for k, v in {**SECTION_STATUS_WORDS, **PROVENANCE_WORDS}.items()}
    for ws in (wb[SECTIONS_SHEET], wb[CELLS_SHEET]):
        for row in ws.iter_rows(min_row=2):
            for c in row:
                if c.value in english:
                    c.value = english[c.value]
    wb[SECTIONS_SHEET].title, wb[CELLS_SHEET].title = "sections", "cells"
    wb.save(tmp_path / "old.xlsx")
    old = rk.load(tmp_path / "old.xlsx")
    assert [s.present for s in old.sections] == [s.present for s in first.sections]
    assert [s.is_empty(old.text) for s in old.sections] == [s.is_empty(first.text) for s in first.sections]
    assert _provenance(rk.reconstruct(old)) == _provenance(rk.reconstruct(first))


# ------------------------------------------------------------------ long sections over several rows

EXCEL_MAX_ROW_PT = 409      # the tallest row Excel (and LibreOffice) draws: a taller text is cut off


def _section_rows(ws) -> list[tuple]:
    """(序号, 标题, 状态, 正文, row height) of every row of the sections sheet below its heading."""
    return [(*(c.value for c in row[:4]), ws.row_dimensions[row[0].row].height)
            for row in ws.iter_rows(min_row=2, max_col=4)]


@pytest.mark.parametrize("name", ["seed", "complete/003.txt", "complete/101.txt"])
def test_a_long_section_is_written_over_rows_that_each_print_whole_and_reads_back_exactly(name, tmp_path):
    from openpyxl import load_workbook
    path = paths.SEED_TEXT if name == "seed" else paths.CORPUS / name
    report = rk.load(path)
    out = rk.export(rk.reconstruct(report), "xlsx", tmp_path / "r.xlsx")
    rows = _section_rows(load_workbook(out)[SECTIONS_SHEET])
    first = [k for k, r in enumerate(rows) if r[0] == 1][0]
    cont = [r for r in rows[first + 1:] if r[0] is None]
    # Section 一 of these reports is far taller than one row can be: it goes on over marked rows
    # that carry neither 序号 nor state, each under the height limit.
    assert len(cont) >= 1 and rows[first + 1:first + 1 + len(cont)] == cont
    assert all(r[1] == SECTION_CONTINUED and r[2] is None and r[3] for r in cont)
    assert all((r[4] or 15) <= EXCEL_MAX_ROW_PT for r in rows)
    # Each row is as tall as its text wrapped as Excel wraps it in the column (96 half-width characters
    # a line at 15 pt, 宋体 11 pt): never shorter, so none is cut off.
    for r in rows:
        lines = sum(max(1, -(-display_width(line) // 96)) for line in (r[3] or "").split("\n"))
        assert (r[4] or 15) >= 15 * lines
    body = as_loaded(report.body(1))
    assert "".join(r[3] for r in [rows[first], *cont]) == body
    assert read_xlsx(out)["sections"][1] == body
    assert as_loaded(rk.load(out).body(1)) == body


def test_rows_of_a_section_with_blank_lines_and_trailing_spaces_read_back_character_for_character(tmp_path):
    # The export writes the text as loaded (no blank lines, single spaces), so the rows are written here
    # as the writer cuts them: the reader must join them without adding or dropping a character, even
    # where a row ends in spaces, holds only a newline or starts like a formula.
    from openpyxl import load_workbook
    text = ("第一段，末尾有空格。  \n\n\n" + "政府信息公开工作稳步推进。" * 300 + "\n   \n"
            + "=SUM(A1) 看似公式的一行\n" + "x" * 4000 + "\n\n末行  ")
    parts = [p for p, _ in section_rows(text)]
    assert len(parts) >= 4 and "".join(parts) == text
    out = rk.export(rk.reconstruct(rk.load(paths.SEED_TEXT)), "xlsx", tmp_path / "seed.xlsx")
    wb = load_workbook(out)
    ws = wb[SECTIONS_SHEET]
    first = next(row[0].row for row in ws.iter_rows(min_row=2) if row[0].value == 1)
    while ws.cell(first + 1, 1).value is None:       # the export's own continuation rows
        ws.delete_rows(first + 1)
    ws.insert_rows(first + 1, len(parts) - 1)
    ws.cell(first, 4).value = parts[0]
    for k, part in enumerate(parts[1:], first + 1):
        ws.cell(k, 2).value = SECTION_CONTINUED
        ws.cell(k, 4).value = "'" + part if part.startswith("=") else part     # as the writer escapes it
    wb.save(tmp_path / "edited.xlsx")
    data = read_xlsx(tmp_path / "edited.xlsx")
    assert data["sections"][1] == text
    assert data["sections"][5] == read_xlsx(out)["sections"][5]


def test_section_rows_cut_a_long_paragraph_after_a_sentence_and_keep_each_row_short():
    text = "短行\n" + "依申请公开工作进一步规范，答复质量持续提升。" * 200
    rows = section_rows(text)
    assert "".join(p for p, _ in rows) == text
    assert all(n <= 22 for _, n in rows) and len(rows) >= 3
    # Every row but the last ends at a line's or a sentence's end, not inside a word.
    assert all(p.endswith(("\n", "。")) for p, _ in rows[:-1])
    assert section_rows("") == [("", 1)]


def test_old_workbooks_with_one_row_or_repeated_numbers_per_section_still_load(tmp_path):
    from openpyxl import load_workbook
    report = rk.load(paths.SEED_TEXT)
    out = rk.export(rk.reconstruct(report), "xlsx", tmp_path / "seed.xlsx")
    expected = read_xlsx(out)["sections"]
    assert expected[1] == as_loaded(report.body(1))
    wb = load_workbook(out)
    ws = wb[SECTIONS_SHEET]
    rows = [[c.value for c in row[:4]] for row in ws.iter_rows(min_row=2, max_col=4)]
    # One row per section, the whole text in one cell (as written before the split).
    joined = []
    for r in rows:
        if r[0] is None:
            joined[-1][3] += r[3]
        else:
            joined.append(list(r))
    # And the earlier long form: the number, title and state repeated on every row of a section.
    repeated = [list(r) for r in rows]
    for k, r in enumerate(repeated):
        if r[0] is None:
            r[:3] = repeated[k - 1][:3]
    for name, layout in (("one-row", joined), ("repeated", repeated)):
        ws.delete_rows(2, ws.max_row)
        for k, r in enumerate(layout, 2):
            for j, v in enumerate(r, 1):
                ws.cell(k, j).value = v
        wb.save(tmp_path / f"{name}.xlsx")
        assert read_xlsx(tmp_path / f"{name}.xlsx")["sections"] == expected, name
        assert as_loaded(rk.load(tmp_path / f"{name}.xlsx").body(1)) == expected[1], name
