"""Export → load → export keeps every value *and* where it came from (issue 15): a cell an export
inferred (or read from the prose) comes back derived, not stated, unless an analyst changed it."""

from __future__ import annotations

import pytest

import reportkit as rk
from reportkit import paths
from reportkit.layout import full_grid
from reportkit.format import spec
from reportkit.model import PROVENANCE_WORDS, SECTION_STATUS_WORDS
from reportkit.readers.xlsx import CELLS_SHEET, SECTIONS_SHEET, XLSX_TOP
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
    statuses = [r[2] for r in wb[SECTIONS_SHEET].iter_rows(min_row=2, values_only=True)]
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
