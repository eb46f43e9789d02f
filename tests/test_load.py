"""Loading: the seed, every real report, every layout, and bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import reportkit as rk
from reportkit import paths
from reportkit.errors import EmptyReportError, EncodingError, NotAReportError, ReportError, TooLargeError
from reportkit.layout import render_text
from reportkit.readers.structured import dumps, to_dict

from tests.fixtures.tables import complete_tables

from .conftest import CORPUS_FILES, corpus_ids
from .corpus_facts import fact_cells



def test_seed_has_six_sections_with_tables_empty(seed):
    assert [s.present for s in seed.sections] == [True] * 6
    empty = [s.number for s in seed.sections if s.is_empty(seed.text)]
    assert empty == [2, 3, 4, 6]
    assert seed.tables == {"proactive": None, "requests": None, "appeals": None}
    assert seed.agency == "朔州市公安局" and seed.year == 2021


@pytest.mark.parametrize("value,unit", [(284, "条"), (418, "条"), (4133, "件"), (100, "%"), (20, "部")])
def test_seed_facts_have_their_spans(seed, value, unit):
    hits = [f for f in seed.facts if f.value == value and f.unit == unit]
    assert hits, f"{value}{unit} not found"
    for f in hits:
        assert seed.text[f.start:f.end] == f"{value}{unit}"
        assert f.section == 1
        assert f.text in f.sentence


def test_seed_spans_partition_the_text(seed):
    spans = seed.spans()
    assert spans[0][0] == 0 and spans[-1][1] == len(seed.text)
    for (a, b), (c, d) in zip(spans, spans[1:]):
        assert b == c


@pytest.mark.parametrize("path", CORPUS_FILES, ids=corpus_ids())
def test_corpus_table_values_equal_the_recorded_facts_or_are_reported_unreadable(path):
    facts = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    rep = rk.load(path)
    for key, value in facts["facts"].items():
        for table, row, col, expected in fact_cells(key, value, facts.get("format") or "2021"):
            tr = rep.tables.get(table)
            got = tr.value(row, col) if tr else None
            if expected is None:
                assert got is None, f"{key}: read {got} where the page shows nothing"
            elif got is None:
                # Cells a capture ran together are cut only where one cut is admissible; the others are
                # reported, never guessed (complete/ texts). A row whose label was not found is missing.
                assert tr is not None and tr.state(row, col) in ("unreadable", "missing"), f"{key}: {expected} not read"
                if tr.state(row, col) == "unreadable":
                    assert any(i.kind in ("run_together", "cell_count", "ambiguous_split") for i in tr.issues)
            else:
                assert got == expected, key


@pytest.mark.parametrize("path", CORPUS_FILES, ids=corpus_ids())
def test_corpus_sections_match_the_recorded_state(path):
    facts = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    rep = rk.load(path)
    states = facts.get("sections")
    if not states:          # complete/ records list no per-section state: all six are there (六 if printed)
        assert all(s.present for s in rep.sections if s.number < 6 or "六、" in rep.text)
        return
    for num, state in zip("一二三四五六", states.values()):
        sec = rep.section("一二三四五六".index(num) + 1)
        if state == "not_reached":
            assert not sec.present, num
        else:
            assert sec.present, num
            assert sec.is_empty(rep.text) == (state == "empty"), num


def test_truncated_report_marks_unreached_sections_not_present(corpus):
    for path, facts, rep in corpus:
        if facts.get("complete") is False:
            assert not all(s.present for s in rep.sections), path.name


def test_rows_seen_in_the_corpus_are_read_exactly(corpus):
    for path, facts, rep in corpus:
        for label, values in facts.get("t3_rows_seen", {}).items():
            assert rep.frame("requests").loc[label].tolist() == values, path.name


def test_run_together_cells_are_cut_where_their_sums_leave_one_cut():
    rep = rk.load(paths.CORPUS / "complete" / "003.txt")
    tr = rep.tables["requests"]
    assert tr.value("new", "natural_person") == 71 and tr.value("new", "total") == 74
    cell = tr.cells[("new", "total")]
    assert (cell.how, cell.rule, cell.raw) == ("split", "row_sum", "74")
    assert rep.text[cell.start:cell.end] == "74"
    # Space-separated table 四 in the same report is read as stated.
    assert rep.tables["appeals"].value("cases", "review_total") == 2
    assert rep.tables["appeals"].cells[("cases", "review_total")].how == "stated"


def test_2019_layout_is_recognised():
    rep = rk.load(paths.CORPUS / "013.txt")
    assert rep.tables["proactive"].version == "2019"
    assert not rep.tables["proactive"].has_numbers


@pytest.mark.parametrize("layout", ["pipe", "markdown", "cells", "blank", "html"])
def test_every_layout_parses_to_the_same_frames(layout, tmp_path):
    data = {"agency": "某市某局", "year": 2022, "sections": {1: "2022年，本机关主动公开信息12条。"},
            "tables": complete_tables(seed=3)}
    reference = rk.loads(render_text(data, "pipe"))
    p = tmp_path / ("r.html" if layout == "html" else "r.txt")
    p.write_text(render_text(data, layout), encoding="utf-8")
    rep = rk.load(p)
    for tid in ("proactive", "requests", "appeals"):
        pd.testing.assert_frame_equal(rep.frame(tid), reference.frame(tid))
        assert rep.tables[tid].has_numbers


def test_html_blank_cell_is_na_not_zero(tmp_path):
    cells = complete_tables(seed=1)
    cells["proactive"][("regulations", "in_force")] = None
    p = tmp_path / "r.html"
    p.write_text(render_text({"agency": "某局", "year": 2022, "tables": cells}, "html"), encoding="utf-8")
    tr = rk.load(p).tables["proactive"]
    assert tr.state("regulations", "in_force") == "blank"
    assert pd.isna(tr.frame().loc["规章", "现行有效件数"])


def test_text_row_missing_a_cell_is_unreadable_not_shifted(tmp_path):
    cells = complete_tables(seed=1)
    cells["requests"][("new", "research")] = None
    rep = rk.loads(render_text({"agency": "某局", "year": 2022, "tables": cells}, "pipe"))
    tr = rep.tables["requests"]
    assert all(tr.state("new", c.id) == "unreadable" for c in rk.spec().table("requests").columns)
    assert any(i.kind == "cell_count" and i.row == "new" for i in tr.issues)


@pytest.mark.parametrize("mark", ["/", "—", "无"])
def test_non_numeric_cells_are_blank_with_an_issue(mark):
    text = render_text({"agency": "某局", "year": 2022, "tables": complete_tables(seed=2)}, "pipe")
    text = text.replace("行政许可 | ", f"行政许可 | {mark} | ", 1)
    text = text.replace(f"行政许可 | {mark} | ", f"行政许可 | {mark} |X", 1).replace(f"{mark} |X", f"{mark} |\n#", 1)
    rep = rk.loads(text.replace("\n#", "\n"))
    tr = rep.tables["proactive"]
    assert tr.state("licensing", "decisions") in ("blank", "unreadable")
    assert any(i.kind in ("non_numeric", "cell_count") for i in tr.issues)


def test_gbk_and_bom_files_load(tmp_path):
    text = paths.SEED_TEXT.read_text(encoding="utf-8")
    (tmp_path / "gbk.txt").write_bytes(text.encode("gb18030"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    for name in ("gbk.txt", "bom.txt"):
        rep = rk.load(tmp_path / name)
        assert rep.text == text and rep.agency == "朔州市公安局"


@pytest.mark.parametrize("content,error", [
    (b"", EmptyReportError),
    (b"   \n\n", EmptyReportError),
    (bytes(range(256)) * 20, EncodingError),
    ("这是一份普通的通知，与年度报告无关。".encode("utf-8"), NotAReportError),
    ("一、总体情况\n".encode("utf-16-le"), EncodingError),
])
def test_bad_input_raises_a_report_error_naming_the_file(tmp_path, content, error):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(error) as e:
        rk.load(p)
    assert str(p) in str(e.value)


def test_missing_file_and_size_limit(tmp_path):
    with pytest.raises(ReportError, match="no such file"):
        rk.load(tmp_path / "nope.txt")
    p = tmp_path / "big.txt"
    p.write_text("一、总体情况\n" + "字" * 2000, encoding="utf-8")
    with pytest.raises(TooLargeError, match="limit"):
        rk.load(p, max_bytes=1000)


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_structured_form_round_trips_exactly(seed, tmp_path, fmt):
    for rep in (seed, rk.load(paths.CORPUS / "015.txt"), rk.load(paths.CORPUS / "complete" / "003.txt")):
        p = tmp_path / f"r.{fmt}"
        p.write_text(dumps(rep, fmt), encoding="utf-8")
        back = rk.load(p)
        a, b = to_dict(rep), to_dict(back)
        a.pop("source"), b.pop("source"), a.pop("kind"), b.pop("kind")
        assert a == b


def test_malformed_yaml_names_the_line(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text("title: x\nsections: [1, 2\n", encoding="utf-8")
    with pytest.raises(ReportError, match="line"):
        rk.load(p)


def test_seed_record_in_data_matches_the_seed(seed):
    rec = rk.load(paths.SEED_RECORD)
    a, b = to_dict(seed), to_dict(rec)
    for d in (a, b):
        d.pop("source"), d.pop("kind")
    assert a == b
