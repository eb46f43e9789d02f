"""Real reports against their hand-checked facts: no recorded cell is ever read wrong.

Every report in data/corpus/complete/ and data/corpus/html/ (copied from shared/corpus with its .json)
is loaded and each recorded cell compared with what the loader returns. A cell is either read right,
or not read (unreadable / missing) with a stated reason: a wrong number is worse than a missing one.
Fact keys follow shared/corpus/README.md (``t3_一_本年新收_总计``); the html facts also record whole
rows (``t2_行政规范性文件: "58|45|546"``, ``t4_行政复议: "25|3|8|0|36"``), which are checked cell by cell.
"""

from __future__ import annotations

import json
import re

import pytest

import reportkit as rk
from reportkit import paths
from reportkit.format import label_key, spec

NUMERALS = "一二三四五六七八九十"
TABLE = {"t2": "proactive", "t3": "requests", "t4": "appeals"}
REAL = sorted(p for sub in ("complete", "html") for p in (paths.CORPUS / sub).glob("*")
              if p.suffix in (".txt", ".html") and p.with_suffix(".json").exists())
IDS = [str(p.relative_to(paths.CORPUS)) for p in REAL]


def _norm(s):
    return re.sub(r"\s+", "", (s or "").replace("(", "（").replace(")", "）"))


def _cells(rep):
    """(table, row label, column name) → (state, value, note) for every cell the loader returned."""
    out = {}
    for tid, tr in rep.tables.items():
        if tr is None:
            continue
        t = spec().table(tid, tr.version)
        for (rid, cid), c in tr.cells.items():
            out[(tid, _norm(t.row(rid).label), _norm(t.column(cid).name))] = (c.state, c.value, c.note)
    return out


def _find(key, cells):
    """The cells a fact key names (as shared/tools/score-cells resolves them), in column order."""
    parts = key.split("_")
    tab, rest = TABLE[parts[0]], parts[1:]
    mine = [(k, v) for k, v in cells.items() if k[0] == tab]
    if parts[0] == "t4":
        path = "/".join(rest)
        hits = [v for k, v in mine if k[2] == path or k[2].endswith("/" + path)]
        if not hits:      # a whole group: t4_行政复议 → its five result columns
            hits = [v for k, v in mine if f"/{rest[-1]}/" in f"/{k[2]}"]
        return hits
    if parts[0] == "t2" and len(rest) == 1:   # a whole row: t2_规章 → its three columns
        return [v for k, v in mine if label_key(k[1]).endswith(label_key(rest[0]))]
    col = rest[-1]
    words = [w for w in rest[:-1] if w not in NUMERALS and not w.isdigit()]
    digits = [w for w in rest[:-1] if w.isdigit()]
    if rest[:2] == ["三", "七"] or words == ["总计"]:
        rowok = lambda r: "总计" in r and "七" in r
    else:
        rowok = lambda r: all(w in r for w in words) and all(re.match(rf"^{d}[.．、]", r) for d in digits)
    colok = lambda c: (c == col or c.replace("本年", "") == col.replace("本年", "") or c.endswith("/" + col)
                       or parts[0] == "t2" and col in c)
    return [v for k, v in mine if rowok(k[1]) and colok(k[2])]


def _facts(path):
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return {k: v for k, v in (meta.get("facts") or {}).items() if v is not None and k[:2] in TABLE}


def _compare(path):
    """(right, wrong, unread) lists of fact keys for one report."""
    rep = rk.load(path)
    cells = _cells(rep)
    right, wrong, unread = [], [], []
    for key, want in _facts(path).items():
        wants = [float(x) for x in str(want).split("|")]
        hits = _find(key, cells)
        if len(hits) != len(wants):
            unread.append((key, "absent" if not hits else f"{len(hits)} cells"))
            continue
        for (state, value, note), w in zip(hits, wants):
            if state != "value":
                unread.append((key, f"{state}: {note}"))
            elif float(value) != w:
                wrong.append((key, value, w))
            else:
                right.append(key)
    return rep, right, wrong, unread


@pytest.mark.parametrize("path", REAL, ids=IDS)
def test_no_recorded_cell_is_read_wrong(path):
    _, right, wrong, unread = _compare(path)
    assert not wrong, f"{path.name}: read wrong {wrong}"


@pytest.mark.parametrize("path", REAL, ids=IDS)
def test_every_unread_recorded_cell_states_why(path):
    rep, _, _, unread = _compare(path)
    for key, why in unread:
        assert why != "absent" or rep is not None
        if why.startswith(("unreadable", "missing")):
            assert why.split(": ", 1)[1] not in ("None", ""), f"{path.name} {key}: no reason given"


@pytest.mark.parametrize("path", REAL, ids=IDS)
def test_sections_still_partition_the_text(path):
    rep = rk.load(path)
    pos = 0
    for s, e in rep.spans():
        assert s == pos, (path.name, s, pos)
        pos = e
    assert pos == len(rep.text)


HTML_TWINS = [p for p in REAL if p.suffix == ".html"
              and json.loads(p.with_suffix(".json").read_text(encoding="utf-8")).get("text_twin")]


@pytest.mark.parametrize("path", HTML_TWINS, ids=[p.name for p in HTML_TWINS])
def test_web_page_agrees_with_its_text_twin(path):
    twin = paths.CORPUS / json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["text_twin"]
    page, text = _cells(rk.load(path)), _cells(rk.load(twin))
    both = [k for k in page if k in text and page[k][0] == "value" and text[k][0] == "value"]
    assert both, "the text twin should share some readable cells"
    assert [(k, page[k][1], text[k][1]) for k in both if page[k][1] != text[k][1]] == []


# -- regression tests, each on the real report that shows the defect (or an excerpt of one, named)

def _load(rel):
    return rk.load(paths.CORPUS / rel)


def _row_text(rep, table, row):
    """The text the loader took as a row's cells (from its first cell's start to its last cell's end)."""
    cells = [c for (r, _), c in rep.tables[table].cells.items() if r == row and c.start is not None]
    return rep.text[min(c.start for c in cells):max(c.end for c in cells)]


def test_the_next_rows_enumerator_is_cut_off_a_run_of_digits():
    # complete/003: "1.属于国家秘密00000002.其他法律…00000003.危及…": the last digit is the next label's.
    rep = _load("complete/003.txt")
    assert _row_text(rep, "requests", "withheld_state_secret") == "0000000"
    assert _row_text(rep, "requests", "withheld_prohibited") == "0000000"
    assert _row_text(rep, "requests", "withheld_internal") == "1000001"       # "10000016.属于四类…"
    # complete/102: "…30000038.属于行政查询事项3000003(四)无法提供"
    rep = _load("complete/102.txt")
    assert _row_text(rep, "requests", "withheld_enforcement_file") == "3000003"
    assert _row_text(rep, "requests", "other_other") == "1000001"             # "20000023.其他1000001"


def test_row_labels_glued_into_one_token_are_cut_apart():
    # complete/104: "…政府信息公开申请3.其他（七）总计5000005": two empty rows, then the total row.
    rep = _load("complete/104.txt")
    tr = rep.tables["requests"]
    assert _row_text(rep, "requests", "results_total") == "5000005"
    assert tr.state("other_no_fee", "total") == "missing" and tr.state("other_other", "total") == "missing"
    assert {i.row for i in tr.issues if i.kind == "no_values"} == {"other_no_fee", "other_other"}


def test_a_label_glued_after_a_header_word_is_read_but_prose_is_not():
    # complete/102: "现行有效件数规章000行政规范性文件…" — 规章 is a row even with the header glued in front.
    rep = _load("complete/102.txt")
    assert _row_text(rep, "proactive", "regulations") == "000"


def test_prose_just_before_a_table_is_not_a_row():
    # complete/101 with the sentence the issue quotes put right before table 三's first row group.
    text = (paths.CORPUS / "complete/101.txt").read_text(encoding="utf-8")
    at = text.index("### 申请人情况 (自然人)")
    rep = rk.loads(text[:at] + "全年共收到申请749件,其中,予以公开2件,部分公开2件。\n\n" + text[at:])
    tr = rep.tables["requests"]
    assert tr.value("granted", "total") == 294 and tr.value("partly_granted", "total") == 101
    assert not [i for i in tr.issues if i.kind in ("duplicate_row", "cell_count")]


def test_markdown_tables_with_row_headings_generic_headers_and_a_misleading_header_row():
    # complete/101: "### 一、本年新收…" above each small table, columns 数据1…数据6, "(六) 其他" for
    # （六）其他处理, a header row "项目 | 本年新收件数 | …" inside table 三, table 四 as three 5-column tables.
    rep = _load("complete/101.txt")
    tr = rep.tables["requests"]
    assert [tr.value("new", c) for c in ("natural_person", "commercial", "legal_services", "total")] == [705, 3, 5, 713]
    assert tr.value("other_other", "total") == 143 and tr.value("results_total", "total") == 718
    assert tr.value("carried_out", "total") == 31
    assert not tr.issues
    ap = rep.tables["appeals"]
    assert [ap.value("cases", c.id) for c in spec().table("appeals").columns] == [27, 10, 9, 15, 61, 3, 0, 0, 0, 3,
                                                                                  8, 0, 1, 1, 10]


def test_split_labels_and_stray_spaces_still_name_their_rows():
    # complete/102: "社会公益 组织", "三、本年度办 理结果 （一）予以公开330000033"
    rep = _load("complete/102.txt")
    assert _row_text(rep, "requests", "granted") == "330000033"
    assert _row_text(rep, "requests", "new") == "15130000154"


def test_a_template_typo_in_a_row_label_is_still_that_row():
    # "2.其他法律行政止公开" is printed by a real template (shared/corpus/pdf/001, 淮安市洪泽区 2024);
    # here put into complete/003's text in place of the right label.
    text = (paths.CORPUS / "complete/003.txt").read_text(encoding="utf-8")
    rep = rk.loads(text.replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开"))
    assert _row_text(rep, "requests", "withheld_prohibited") == "0000000"


def test_a_cell_holding_another_unit_is_one_cell_and_not_read_as_the_columns_unit():
    text = (paths.CORPUS / "complete/003.txt").read_text(encoding="utf-8")
    rep = rk.loads(text.replace("行政事业性收费9116.36", "行政事业性收费120000元"))
    c = rep.tables["proactive"].cells[("fees", "fee_amount")]
    assert (c.state, c.value, c.note) == ("unreadable", None, "unit")
    rep = rk.loads(text.replace("行政事业性收费9116.36", "行政事业性收费9116.36万元"))
    assert rep.tables["proactive"].value("fees", "fee_amount") == 9116.36


def _same_tables(a, b):
    return all({k: (c.state, c.value) for k, c in a.tables[t].cells.items()}
               == {k: (c.state, c.value) for k, c in b.tables[t].cells.items()} for t in a.tables)


def test_renumbered_headings_are_found_by_their_titles():
    # complete/003 with the slip the issue describes: 二/三/四 printed as 一/二/三.
    text = (paths.CORPUS / "complete/003.txt").read_text(encoding="utf-8")
    slip = (text.replace("二、主动公开政府信息情况", "一、主动公开政府信息情况")
            .replace("三、收到和处理政府", "二、收到和处理政府").replace("四、政府信息公开行政法复议", "三、政府信息公开行政法复议"))
    rep = rk.loads(slip)
    assert [s.present for s in rep.sections] == [True] * 6
    assert [s.numbered_as for s in rep.sections] == [None, 1, 2, 3, None, None]
    assert _same_tables(rep, _load("complete/003.txt"))


def test_tables_in_an_annex_that_renumbers_them_are_read():
    # complete/003 rewritten as many reports print it: sections 二–四 say 详见附表, the annex after 六
    # numbers the tables 一/二/三.
    text = (paths.CORPUS / "complete/003.txt").read_text(encoding="utf-8")
    i2, i5 = text.index("二、主动公开政府信息情况"), text.index("五、存在的主要问题")
    annex = (text[i2:i5].replace("二、主动公开政府信息情况", "一、主动公开政府信息情况")
             .replace("三、收到和处理政府", "二、收到和处理政府").replace("四、政府信息公开行政法复议", "三、政府信息公开行政法复议"))
    body = "".join(f"{spec().section(n).title}\n详见附表。\n" for n in (2, 3, 4))
    rep = rk.loads(text[:i2] + body + text[i5:] + "\n附表\n" + annex)
    assert [s.numbered_as for s in rep.sections] == [None] * 6
    assert all(rep.sections[n - 1].annex_start is not None for n in (2, 3, 4))
    assert _same_tables(rep, _load("complete/003.txt"))
    pos = 0
    for s, e in rep.spans():
        assert s == pos
        pos = e
    assert pos == len(rep.text)


def test_a_text_cut_right_after_a_heading_is_truncated_not_empty():
    text = (paths.CORPUS / "complete/003.txt").read_text(encoding="utf-8")
    head = "四、政府信息公开行政法复议、行政诉讼情况"
    rep = rk.loads(text[:text.index(head) + len(head)])
    assert [s.truncated for s in rep.sections] == [False, False, False, True, True, True]
    assert not rep.sections[3].is_empty(rep.text)
    full = _load("complete/003.txt")
    assert not any(s.truncated for s in full.sections)


def test_prose_with_spaced_numbers_before_a_table_does_not_take_the_row():
    text = (paths.CORPUS / "complete/101.txt").read_text(encoding="utf-8")
    at = text.index("### 申请人情况 (自然人)")
    rep = rk.loads(text[:at] + "本年新收政府信息公开申请数量 713 件，予以公开 294 件。\n\n" + text[at:])
    tr = rep.tables["requests"]
    assert tr.value("new", "total") == 713 and tr.value("granted", "total") == 294
    assert not [i for i in tr.issues if i.kind in ("duplicate_row", "cell_count")]


def test_a_cell_written_with_thousands_separators_is_one_number():
    # complete/101's 行政许可 and html/002's 行政许可, each rewritten the way other pages print large counts.
    text = (paths.CORPUS / "complete/101.txt").read_text(encoding="utf-8")
    rep = rk.loads(text.replace("| 行政许可 | 517645 |", "| 行政许可 | 517,645 |"))
    assert rep.tables["proactive"].value("licensing", "decisions") == 517645
    page = (paths.CORPUS / "html/002.html").read_text(encoding="utf-8")
    rep = rk.loads(page.replace(">2418<", ">2,418<", 1), kind="html")
    assert rep.tables["proactive"].value("licensing", "decisions") == 2418


def test_a_label_wrapped_over_lines_keeps_its_cells():
    # complete/101's 部分公开 row with its remark wrapped over three lines, as PDF and OCR text prints it.
    text = (paths.CORPUS / "complete/101.txt").read_text(encoding="utf-8")
    row = "| 部分公开 (区分处理的, 只计这一情形, 不计其他情形) | 99 |"
    assert row in text
    rep = rk.loads(text.replace(row, "| 部分公开\n(区分处理的, 只计这一情形,\n不计其他情形) | 99 |"))
    assert rep.tables["requests"].value("partly_granted", "total") == 101


def test_renumbered_headings_glued_to_digits_are_found_too():
    # complete/102 (one-line capture, headings glued to the digits before them) with 二/三/四 printed as 一/二/三.
    text = (paths.CORPUS / "complete/102.txt").read_text(encoding="utf-8")
    slip = (text.replace("二、主动公开政府信息情况", "一、主动公开政府信息情况")
            .replace("三、收到和处理政府", "二、收到和处理政府").replace("四、政府信息公开行政复议", "三、政府信息公开行政复议"))
    rep = rk.loads(slip)
    assert [s.numbered_as for s in rep.sections] == [None, 1, 2, 3, None, None]
    assert _same_tables(rep, _load("complete/102.txt"))


@pytest.mark.parametrize("path", [p for p in REAL if p.suffix == ".html" or p.name == "101.txt"],
                         ids=lambda p: p.name)
def test_web_pages_and_markdown_tables_read_every_recorded_cell(path):
    # Cell boundaries are printed (HTML grids, Markdown pipes): nothing is left unread.
    _, right, wrong, unread = _compare(path)
    assert not wrong and not unread, (wrong, unread)


def test_markdown_emphasis_around_a_label_does_not_hide_the_row():
    # complete/101 with its total rows in bold, as other Markdown conversions print them.
    text = (paths.CORPUS / "complete/101.txt").read_text(encoding="utf-8")
    rep = rk.loads(text.replace("| （七）总计 |", "| **（七）总计** |").replace("| 3. 其他 |", "| **3. 其他** |"))
    tr = rep.tables["requests"]
    assert tr.value("results_total", "total") == 718 and tr.value("other_other", "total") == 143


def test_a_numeral_ending_a_word_is_not_a_renumbered_heading():
    # complete/003 without its 二 heading, and a phrase in 一 that reads like a renumbered one.
    text = (paths.CORPUS / "complete/003.txt").read_text(encoding="utf-8")
    at = text.index("二、主动公开政府信息情况")
    body = text[:at] + text[at + len("二、主动公开政府信息情况"):]
    i1 = body.index("一、总体情况") + len("一、总体情况")
    rep = rk.loads(body[:i1] + "坚持统一、主动公开政府信息的原则。" + body[i1:])
    assert not rep.sections[1].present


@pytest.mark.parametrize("path", HTML_TWINS, ids=[p.name for p in HTML_TWINS])
def test_web_page_title_is_the_reports_not_the_sites(path):
    # html/00x: <title> is "…年度报告_政府信息公开年报_平潭综合实验区党工委管委会".
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    rep = rk.load(path)
    assert rep.title == meta["title"] and rep.year == meta["year"]


def test_enumerators_written_with_a_dunhao_are_labels_too():
    # complete/102 as reports print it with "1、" for "1.": the enumerator is the label's, not a cell.
    text = (paths.CORPUS / "complete/102.txt").read_text(encoding="utf-8")
    i3 = text.index("三、收到和处理政府")
    rep = rk.loads(text[:i3] + re.sub(r"(?<=\d)\.(?=[^\d])", "、", text[i3:]))
    assert _row_text(rep, "requests", "withheld_enforcement_file") == "3000003"
    assert _row_text(rep, "requests", "other_other") == "1000001"
    assert "3000003（四）无法提供1." in text
    spaced = rk.loads(text.replace("3000003（四）无法提供1.", "3 0 0 0 0 0 3（四）无法提供 1、 "))
    assert _row_text(spaced, "requests", "unable_not_held") == "491000050"
    assert _row_text(spaced, "requests", "withheld_query") == "3 0 0 0 0 0 3"
