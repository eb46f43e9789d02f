"""Run-together digits cut by the format's arithmetic (reportkit.split), on real reports and on random
tables rendered the way crawled pages print them."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reportkit as rk
from reportkit import paths, split
from reportkit.format import spec

from .corpus_facts import fact_cells

COMPLETE = paths.CORPUS / "complete"


def _load(name: str):
    return rk.load(COMPLETE / name)


def _row(rep, table: str, row: str):
    tr = rep.tables[table]
    t = spec().table(table, tr.version)
    return [tr.value(row, c.id) for c in t.columns_for(row)], [tr.cells[(row, c.id)] for c in t.columns_for(row)]


# --- the cutting itself -----------------------------------------------------------------------------

def test_cuts_respect_printed_separators_and_leading_zeros():
    texts = split.cuts(["20", "00", "0", "0", "2"], [False] * 7).texts
    assert texts == [("2", "0", "0", "0", "0", "0", "2")]
    assert split.cuts(["2000"], [False] * 3).texts == [("20", "0", "0")]
    assert split.cuts(["000000"], [False] * 7).texts == []


def test_decimal_cells_only_where_the_column_holds_decimals():
    assert split.cuts(["16108.9059"], [False, True]).texts == [("1", "6108.9059"), ("16", "108.9059"),
                                                                ("1610", "8.9059")]
    assert split.cuts(["16108.9059"], [False, False]).texts == []


def test_a_row_too_long_to_list_is_capped_not_searched_forever():
    found = split.cuts(["1" * 60], [False] * 15, max_nodes=5000)
    assert found.capped


# --- real digit runs, pinned to the readings their notes give --------------------------------------

@pytest.mark.parametrize("name,row,want,rule", [
    ("003.txt", "new", [71, 3, 0, 0, 0, 0, 74], "row_sum"),               # 713000074
    ("003.txt", "carried_in", [1, 0, 0, 0, 0, 0, 1], "digit_count"),      # 1000001
    ("003.txt", "results_total", [72, 3, 0, 0, 0, 0, 75], "row_sum"),     # 723000075
    ("003.txt", "unable_not_held", [37, 0, 0, 0, 0, 0, 37], "row_sum"),   # 3700000372.没有… (enumerator cut)
    ("003.txt", "withheld_state_secret", [0] * 7, "digit_count"),         # 00000002.其他…
    ("009.txt", "partly_granted", [1, 0, 0, 0, 0, 0, 1], "digit_count"),  # 10 0 0 0 01
    ("011.txt", "results_total", [2, 0, 0, 0, 0, 0, 2], "digit_count"),
    ("102.txt", "new", [151, 3, 0, 0, 0, 0, 154], "row_sum"),             # 15130000154
    ("102.txt", "unable_not_held", [49, 1, 0, 0, 0, 0, 50], "row_sum"),
    ("102.txt", "results_total", [147, 1, 0, 0, 0, 0, 148], "row_sum"),
    ("102.txt", "carried_out", [4, 2, 0, 0, 0, 0, 6], "digit_count"),
    ("102.txt", "granted", [33, 0, 0, 0, 0, 0, 33], "column_identity"),   # 3|30|… also adds up in its row
    ("105.txt", "new", [2, 0, 0, 0, 0, 0, 2], "digit_count"),             # " 2 00 00 0 2"
    ("105.txt", "granted", [2, 0, 0, 0, 0, 0, 2], "digit_count"),         # "20 00 0 0 2"
])
def test_real_run_together_rows_read_as_their_notes_say(name, row, want, rule):
    values, cells = _row(_load(name), "requests", row)
    assert values == want
    assert {c.how for c in cells} == {"split"} and {c.rule for c in cells} == {rule}


def test_source_errors_in_the_total_column_are_read_as_printed_103_109():
    # 103/109 print 总计 0 beside non-zero parts: one digit per cell, the wrong sums stay for check.
    assert _row(_load("103.txt"), "requests", "new")[0] == [1, 0, 0, 0, 0, 0, 0]
    assert _row(_load("103.txt"), "requests", "granted")[0] == [0, 0, 0, 0, 0, 0, 6]
    assert _row(_load("109.txt"), "requests", "results_total")[0] == [2, 0, 0, 0, 0, 0, 0]


def test_table_four_cut_by_its_three_block_totals_102():
    rep = _load("102.txt")
    tr = rep.tables["appeals"]
    t = spec().table("appeals")
    assert [tr.value("cases", c.id) for c in t.columns] == [25, 3, 8, 0, 36, 3, 3, 0, 0, 6, 3, 0, 0, 0, 3]
    assert tr.cells[("cases", "review_total")].rule == "row_sum"


def test_table_four_that_does_not_add_up_stays_unreadable_107():
    # 00202000001324015: the real row 13|2|4|0|15 does not add up (html/003.json); no cut may be read.
    tr = _load("107.txt").tables["appeals"]
    assert not tr.has_numbers
    assert any(i.kind == "run_together" and "no admissible split" in i.message for i in tr.issues)


def test_table_two_rows_without_an_identity_stay_ambiguous_with_their_candidates():
    tr = _load("003.txt").tables["proactive"]
    issue = next(i for i in tr.issues if i.row == "normative_documents")
    assert issue.kind == "ambiguous_split" and [88, 55, 698] in issue.candidates
    assert tr.state("normative_documents", "issued") == "unreadable"


def test_a_fee_printed_in_another_unit_than_the_column_is_not_read():
    text = (COMPLETE / "003.txt").read_text(encoding="utf-8")
    unit = spec().table("proactive").column("fee_amount").unit
    tr = rk.loads(text.replace("9116.36", "120000" + unit[-1], 1)).tables["proactive"]
    assert tr.state("fees", "fee_amount") == "unreadable"
    assert any(i.kind == "unit" for i in tr.issues)
    tr = rk.loads(text.replace("9116.36", "6512.75" + unit, 1)).tables["proactive"]
    assert tr.value("fees", "fee_amount") == 6512.75


def test_a_row_without_digits_for_every_cell_is_not_cut_106():
    tr = _load("106.txt").tables["requests"]        # 四、结转 000000: six digits for seven cells
    assert all(tr.state("carried_out", c.id) == "unreadable" for c in spec().table("requests").columns)


def test_one_digit_per_cell_that_fails_while_a_lost_empty_cell_adds_up_is_not_read():
    # "5500010": 5|5|0|0|0|1|0 does not add up, 5|5|·|0|0|0|10 with an empty cell dropped does.
    text = (COMPLETE / "103.txt").read_text(encoding="utf-8")
    tr = rk.loads(text.replace("（一）予以公开 0000006", "（一）予以公开 5500010", 1)).tables["requests"]
    assert tr.state("granted", "total") == "unreadable"
    issue = next(i for i in tr.issues if i.row == "granted")
    assert issue.kind == "ambiguous_split"
    assert issue.candidates[0] == [5, 5, 0, 0, 0, 1, 0] and [5, 5, None, 0, 0, 0, 10] in issue.candidates


def test_identities_are_not_trusted_in_a_report_whose_sums_fail():
    # 109's 总计 column is 0 beside 2: a second row with digits to cut by identity is not cut.
    text = (COMPLETE / "109.txt").read_text(encoding="utf-8")
    text = text.replace("（一）予以公开0000000", "（一）予以公开120000012", 1)
    tr = rk.loads(text).tables["requests"]
    assert tr.state("granted", "total") == "unreadable"
    issue = next(i for i in tr.issues if i.row == "granted")
    assert issue.kind == "ambiguous_split" and "sums fail" in issue.message


def test_parse_json_gives_how_and_rule(capsys):
    from reportkit.cli import main
    main(["parse", str(COMPLETE / "003.txt"), "--json"])
    cells = json.loads(capsys.readouterr().out)["tables"]["requests"]
    new_total = next(c for c in cells if c["row"].startswith("一、") and c["column"] == "总计")
    assert new_total == {"row": new_total["row"], "column": "总计", "value": 74, "how": "split", "rule": "row_sum"}
    assert {c["how"] for c in cells} <= {"stated", "split", None}
    assert all(("rule" in c) == (c["how"] == "split") for c in cells)


# --- every real report against its facts ------------------------------------------------------------

REAL = sorted(COMPLETE.glob("*.txt")) + sorted((paths.CORPUS / "html").glob("*.html"))


@pytest.mark.parametrize("path", REAL, ids=[p.relative_to(paths.CORPUS).as_posix() for p in REAL])
def test_no_recorded_cell_is_read_wrong(path):
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    rep = rk.load(path)
    for key, want in (meta.get("facts") or {}).items():
        for tid, row, col, expected in fact_cells(key, want, meta.get("format") or "2021"):
            tr = rep.tables.get(tid)
            got = tr.value(row, col) if tr is not None else None
            if expected is None or got is None:
                assert got is None, f"{key}: read {got} where the report shows nothing"
                if tr is not None and tr.state(row, col) == "unreadable":
                    assert any(i.row in (row, None) for i in tr.issues), f"{key}: unreadable without a reason"
            else:
                assert got == expected, f"{key}: read {got}, the report prints {expected}"


def test_split_reading_is_at_least_the_measured_share_of_the_complete_reports():
    right = total = 0
    for path in sorted(COMPLETE.glob("*.txt")):
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        rep = rk.load(path)
        for key, want in (meta.get("facts") or {}).items():
            for tid, row, col, expected in fact_cells(key, want, meta.get("format") or "2021"):
                if expected is not None:
                    total += 1
                    right += rep.tables[tid] is not None and rep.tables[tid].value(row, col) == expected
    assert right / total >= 0.85, (right, total)


# --- property: random tables printed run-together -------------------------------------------------

def _tables(draw, rng: random.Random):
    t3 = spec().table("requests")
    ids = {i.id: i for i in spec().version("2021").identities}
    outcome = [r for r, _ in ids["requests_results_sum"].equations[0][1]]
    applicant = [c.id for c in t3.columns if c.id != "total"]
    big = draw(st.sampled_from([9, 9, 99, 999]))
    cells: dict = {}
    for cid in applicant:
        active = rng.random() < 0.5
        for r in outcome:
            cells[(r, cid)] = rng.randint(0, big) if active and rng.random() < 0.3 else 0
        total = sum(cells[(r, cid)] for r in outcome)
        cells[("results_total", cid)] = total
        cells[("carried_out", cid)] = rng.randint(0, big // 3) if active else 0
        cells[("carried_in", cid)] = min(total + cells[("carried_out", cid)], rng.randint(0, 3)) if active else 0
        cells[("new", cid)] = total + cells[("carried_out", cid)] - cells[("carried_in", cid)]
    for r in t3.data_rows:
        cells[(r.id, "total")] = sum(cells[(r.id, c)] for c in applicant)
    t4 = spec().table("appeals")
    row4 = t4.data_rows[0].id
    four: dict = {}
    groups = dict.fromkeys(c.id.rsplit("_", 1)[0] for c in t4.columns)
    for g in groups:
        parts = [rng.randint(0, big) if rng.random() < 0.4 else 0 for _ in range(4)]
        for res, v in zip(("upheld", "corrected", "other", "pending"), parts):
            four[(row4, f"{g}_{res}")] = v
        four[(row4, f"{g}_total")] = sum(parts)
    error = draw(st.sampled_from(["none", "none", "zero_totals", "row", "appeals", "blank"]))
    if error == "zero_totals":
        for r in t3.data_rows:
            cells[(r.id, "total")] = 0
    elif error == "row":
        r = rng.choice(t3.data_rows).id
        c = rng.choice(t3.columns).id
        cells[(r, c)] += rng.randint(1, big)
    elif error == "appeals":
        c = rng.choice(t4.columns).id
        four[(row4, c)] += rng.randint(1, big)
    elif error == "blank":
        # A cell left empty where the author meant nothing; a copy drops it without a trace.
        r = rng.choice(t3.data_rows).id
        c = rng.choice([c for c in applicant if cells[(r, c)] == 0] or applicant)
        cells[(r, c)] = None
    return cells, four, error


def _glue(values, rng: random.Random, spaced: float) -> str:
    values = [v for v in values if v is not None]
    out = str(values[0])
    for v in values[1:]:
        out += (" " if rng.random() < spaced else "") + str(v)
    return out


def _render(cells: dict, four: dict, rng: random.Random, spaced: float) -> str:
    f = spec()
    t3, t4 = f.table("requests"), f.table("appeals")
    titles = [s.title for s in f.sections]
    parts = [f"某局2024年政府信息公开工作年度报告{titles[0]}本年收到申请若干件。", titles[1] + "无。", titles[2]]
    parts.append(t3.corner + "".join(c.label for c in t3.columns))
    for r in t3.rows:
        parts.append(r.label)
        if r.kind == "data":
            parts.append(_glue([cells[(r.id, c.id)] for c in t3.columns], rng, spaced))
    parts.append(titles[3] + "".join(dict.fromkeys(p for c in t4.columns for p in c.path if p)))
    parts.append("".join(c.label for c in t4.columns) + " ")
    parts.append(_glue([four[(t4.data_rows[0].id, c.id)] for c in t4.columns], rng, spaced))
    parts.append(f" {titles[4]}无。{titles[5]}无。")
    return "".join(parts)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.0, 0.2, 0.5]))
def test_run_together_tables_read_only_true_cells(data, seed, spaced):
    check_random_tables(data, seed, spaced)


def check_random_tables(data, seed, spaced):
    rng = random.Random(seed)
    cells, four, error = _tables(data.draw, rng)
    rep = rk.loads(_render(cells, four, rng, spaced))
    t3, t4 = rep.tables["requests"], rep.tables["appeals"]
    for truth, tr in ((cells, t3), (four, t4)):
        for key, c in tr.cells.items():
            if c.state == "value":
                assert truth[key] is not None and c.value == truth[key], (key, c.value, truth[key], c.rule, error)
    # In a report whose sums all hold, every row that one cut alone fits (by form, or by its own sums)
    # is returned, provided an identity across rows can confirm it: when every row of table 三 is
    # determined so, all of them are; a row of table 四 (no identity across rows) always is.
    if error == "none":
        req, app = spec().table("requests"), spec().table("appeals")
        if all(_determined_by_itself(cells, req, r.id) for r in req.data_rows):
            for r in req.data_rows:
                assert all(t3.state(r.id, c.id) == "value" for c in req.columns), (r.id, t3.issues)
        if _determined_by_itself(four, app, app.data_rows[0].id):
            assert all(t4.state(app.data_rows[0].id, c.id) == "value" for c in app.columns), t4.issues


def _determined_by_itself(truth, t, rid) -> bool:
    """Whether the row's digits, printed fully glued, admit one cut that is well-formed and adds up
    (an independent brute force: every placement of the cell boundaries)."""
    from itertools import combinations
    vals = [truth[(rid, c.id)] for c in t.columns]
    digits = "".join(str(v) for v in vals)
    n = len(vals)
    if len(digits) > 14:
        return False
    eqs = [e for i in spec().version("2021").identities if i.table == t.id for e in i.equations
           if {r for r, _ in (*e[0], *e[1])} == {rid}]
    good = []
    for cut in combinations(range(1, len(digits)), n - 1):
        bounds = (0, *cut, len(digits))
        texts = [digits[a:b] for a, b in zip(bounds, bounds[1:])]
        if any(len(x) > 1 and x[0] == "0" for x in texts):
            continue
        got = {(rid, c.id): int(x) for c, x in zip(t.columns, texts)}
        if all(sum(got[k] for k in e[0]) == sum(got[k] for k in e[1]) for e in eqs):
            good.append(texts)
    return len(good) == 1
