"""Reconstruction: stated cells, prose statements, inference by the format's identities, conflicts.

The property test checks the engine against an independent exact checker: a small simplex in rational
arithmetic that proves a claimed-exact cell cannot take any other value under the same constraints.
"""

from __future__ import annotations

import functools
import json
import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reportkit as rk
from reportkit import paths
from reportkit.cli import main
from reportkit.format import TABLE_IDS, spec
from reportkit.model import Cell
from reportkit.reconstruct import PROVENANCES, prose_statements, reconstruct
from reportkit.layout import LAYOUTS, render_text

from tests.fixtures.tables import complete_tables

from .conftest import CORPUS_FILES, corpus_ids

SEED_SENTENCE = "2021年度市公安局未收到依申请公开政府信息。"
REQ_COLS = [c.id for c in spec().table("requests").columns]


def _report(tables=None, body="本机关依法做好政府信息公开工作。", layout="pipe", year=2022):
    data = {"title": f"某局{year}年政府信息公开工作年度报告", "agency": "某局", "year": year,
            "sections": {1: body, 5: "存在问题。", 6: "无。"}, "tables": tables or {}}
    return rk.loads(render_text(data, layout), "<test>", kind="html" if layout == "html" else "text")


def _exact(rec, provenance=None):
    return {k: e for k, e in rec.cells.items()
            if e.value is not None and (provenance is None or e.provenance == provenance)}


# ----------------------------------------------------------------------------------- independent check

def _phase1_feasible(rows: list[tuple[dict[int, int], int]]) -> bool:
    """Is {x ≥ 0 : Σ coef·x = b for every row} non-empty? Phase-1 simplex, exact (Fraction), Bland's rule."""
    tab: list[dict[int, Fraction]] = []
    rhs: list[Fraction] = []
    for coefs, b in rows:
        coefs = {k: Fraction(v) for k, v in coefs.items() if v}
        if not coefs:
            if b != 0:
                return False
            continue
        if b < 0:
            coefs, b = {k: -v for k, v in coefs.items()}, -b
        tab.append(coefs)
        rhs.append(Fraction(b))
    if not tab:
        return True
    m = len(tab)
    art0 = 1 + max(k for r in tab for k in r)
    basis = []
    for i, r in enumerate(tab):
        r[art0 + i] = Fraction(1)
        basis.append(art0 + i)
    d: dict[int, Fraction] = {}
    for r in tab:
        for k, v in r.items():
            if k < art0:
                d[k] = d.get(k, Fraction(0)) - v
    w = sum(rhs)
    while w > 0:
        entering = min((k for k, v in d.items() if v < 0), default=None)
        if entering is None:
            return False
        best = None
        for i in range(m):
            a = tab[i].get(entering, 0)
            if a > 0:
                ratio = rhs[i] / a
                if best is None or ratio < best[0] or (ratio == best[0] and basis[i] < basis[best[1]]):
                    best = (ratio, i)
        if best is None:            # unbounded direction cannot lower w below 0; w ≥ 0 always
            return False
        r = best[1]
        piv = tab[r][entering]
        tab[r] = {k: v / piv for k, v in tab[r].items()}
        rhs[r] /= piv
        for i in range(m):
            if i != r:
                f = tab[i].get(entering)
                if f:
                    row = tab[i]
                    for k, v in tab[r].items():
                        nv = row.get(k, 0) - f * v
                        if nv:
                            row[k] = nv
                        else:
                            row.pop(k, None)
                    rhs[i] -= f * rhs[r]
        f = d.get(entering, 0)
        if f:
            for k, v in tab[r].items():
                nv = d.get(k, 0) - f * v
                if nv:
                    d[k] = nv
                else:
                    d.pop(k, None)
            w += f * rhs[r]
        basis[r] = entering
    return True


def _forced(version: str, fixed: dict, cell: tuple, value) -> bool:
    """True when no assignment of whole numbers ≥ 0 satisfying every identity and the ``fixed`` cells
    gives ``cell`` a value other than ``value`` (checked as two LP infeasibilities: ≤ value-1, ≥ value+1)."""
    v = spec().version(version)
    var: dict[tuple, int] = {}
    base_rows = []
    for ident in v.identities:
        for lhs, rhs, _ in ident.equations:
            coefs: dict[int, int] = {}
            b = 0
            for side, sign in ((lhs, 1), (rhs, -1)):
                for r, c in side:
                    key = (ident.table, r, c)
                    if key in fixed:
                        b -= sign * fixed[key]
                    else:
                        j = var.setdefault(key, len(var))
                        coefs[j] = coefs.get(j, 0) + sign
            base_rows.append((coefs, b))
    if cell not in var:
        return False
    k = var[cell]
    slack = len(var)
    below = base_rows + [({k: 1, slack: 1}, value - 1)]         # x ≤ value - 1
    above = base_rows + [({k: 1, slack: -1}, value + 1)]        # x ≥ value + 1
    return not _phase1_feasible(below) and not _phase1_feasible(above)


@functools.lru_cache(maxsize=None)
def _moves(version: str = "2021") -> list[list[tuple[tuple[str, str, str], int]]]:
    """Changes to a complete table set that keep every identity: exchanges between two outcome rows (or
    一/二) across two applicant columns or an applicant column and 总计, growth of 一 or 二 together with
    四 or with one outcome row and （七）, and exchanges between two results of one 表四 group."""
    ids = {i.id: i for i in spec().version(version).identities}
    outcomes = [r for r, _ in ids["requests_results_sum"].equations[0][1]]
    total = ids["requests_row_total"].equations[0][0][0][1]
    applicants = [c for _, c in ids["requests_row_total"].equations[0][1]]
    R = lambda r, c: ("requests", r, c)  # noqa: E731
    out = []
    pairs = [(a, b) for i, a in enumerate(outcomes) for b in outcomes[i + 1:]] + [("new", "carried_in")]
    for r1, r2 in pairs:
        for i, c1 in enumerate(applicants):
            out.append([(R(r1, c1), 1), (R(r1, total), 1), (R(r2, c1), -1), (R(r2, total), -1)])
            for c2 in applicants[i + 1:]:
                out.append([(R(r1, c1), 1), (R(r1, c2), -1), (R(r2, c1), -1), (R(r2, c2), 1)])
    grows = [["new", "carried_out"], ["carried_in", "carried_out"]]
    grows += [[src, r, "results_total"] for src in ("new", "carried_in") for r in outcomes]
    for rows in grows:
        for c in applicants:
            out.append([(R(r, col), 1) for r in rows for col in (c, total)])
    for lhs, rhs, _ in ids["appeals_group_total"].equations:
        for i, a in enumerate(rhs):
            for b in rhs[i + 1:]:
                out.append([(("appeals",) + a, 1), (("appeals",) + b, -1)])
    return out


def _alternatives(rec, truth: dict, rng: random.Random, steps: int = 300):
    """Other complete assignments, reached by random identity-keeping moves on cells the report does
    not state, that the reconstruction must equally allow (yielded one by one)."""
    stated = {k for k, e in rec.cells.items() if e.provenance in ("stated-table", "stated-prose")}
    moves = [mv for mv in _moves(rec.version) if not any(k in stated for k, _ in mv)]
    if not moves:
        return
    cur = dict(truth)
    for _ in range(steps):
        mv = rng.choice(moves)
        sign = rng.choice((1, -1))
        if any(cur[k] + sign * d < 0 for k, d in mv):
            continue
        for k, d in mv:
            cur[k] += sign * d
        yield cur


def test_identity_keeping_moves_keep_every_identity():
    truth = {(tid,) + k: v for tid, cells in complete_tables(4, zero_share=0.1).items() for k, v in cells.items()}
    rec = reconstruct(_report())                # nothing stated: every move is allowed
    moved = 0
    for alt in _alternatives(rec, truth, random.Random(0), steps=500):
        moved += 1
        for ident in spec().version("2021").identities:
            for lhs, rhs, _ in ident.equations:
                assert sum(alt[(ident.table,) + x] for x in lhs) == sum(alt[(ident.table,) + x] for x in rhs)
        assert min(alt.values()) >= 0
    assert moved > 100


def test_exact_checker_tells_forced_from_free():
    # a + b = 3 with a = 3 forces b = 0; a + b = 3 alone does not force b.
    assert not _phase1_feasible([({0: 1, 1: 1}, 3), ({0: 1}, 4)])
    assert _phase1_feasible([({0: 1, 1: 1}, 3), ({1: 1}, 1)])
    fixed = {("appeals", "cases", "review_total"): 0}
    assert _forced("2021", fixed, ("appeals", "cases", "review_upheld"), 0)
    fixed = {("appeals", "cases", "review_total"): 2}
    assert not _forced("2021", fixed, ("appeals", "cases", "review_upheld"), 0)


# ------------------------------------------------------------------------------------------- the seed

def test_seed_new_requests_row_is_zero_from_the_sentence(seed):
    rec = reconstruct(seed)
    for col in REQ_COLS:
        e = rec.cell("requests", "new", col)
        assert e.value == 0 and e.low == 0 and e.high == 0
        assert e.provenance == "stated-prose"
        assert e.rule == "prose:no_new_requests"
        assert [x["text"] for x in e.evidence] == [SEED_SENTENCE]
        ev = e.evidence[0]
        assert seed.text[ev["start"]:ev["end"]] == SEED_SENTENCE


def test_seed_nothing_else_is_exact_and_carried_over_stays_unknown(seed):
    rec = reconstruct(seed)
    exact = _exact(rec)
    assert set(exact) == {("requests", "new", c) for c in REQ_COLS}
    for col in REQ_COLS:
        e = rec.cell("requests", "carried_in", col)
        assert e.value is None and e.provenance == "unknown"
    assert all(e.provenance == "unknown" for (t, _, _), e in rec.cells.items() if t in ("proactive", "appeals"))


def test_seed_sections_report_empty_headings(seed):
    rec = reconstruct(seed)
    assert [s.status for s in rec.sections] == ["present", "empty", "empty", "empty", "present", "empty"]
    assert rec.sections[0].text.startswith("2021年,市公安局")
    assert rec.sections[1].text == ""


def test_nothing_is_exact_when_nothing_is_stated():
    rec = reconstruct(_report())
    assert len(rec.cells) == sum(len(spec().table(t).cells) for t in TABLE_IDS)
    for e in rec.cells.values():
        assert e.value is None and e.provenance == "unknown" and e.rule is None
        assert e.low == 0 and e.high is None and not e.bounded


# ----------------------------------------------------------------------------------------------- prose

@pytest.mark.parametrize("sentence,rule,cells,value", [
    ("本年度未收到政府信息公开申请。", "prose:no_new_requests", [("requests", "new", c) for c in REQ_COLS], 0),
    ("2022年，本机关没有收到依申请公开的政府信息公开申请。", "prose:no_new_requests",
     [("requests", "new", c) for c in REQ_COLS], 0),
    ("2022年共收到政府信息公开申请0件。", "prose:no_new_requests", [("requests", "new", c) for c in REQ_COLS], 0),
    ("2022年，本机关共收到政府信息公开申请12件。", "prose:new_requests_count", [("requests", "new", "total")], 12),
    ("本年度未发生因政府信息公开被申请行政复议的情况。", "prose:no_review", [("appeals", "cases", "review_total")], 0),
    ("全年因政府信息公开引起行政诉讼0件。", "prose:no_litigation",
     [("appeals", "cases", "direct_suit_total"), ("appeals", "cases", "suit_after_review_total")], 0),
])
def test_prose_statement_fixes_cells_with_the_sentence_as_evidence(sentence, rule, cells, value):
    rep = _report(body=f"本机关依法做好政府信息公开工作。{sentence}")
    st_ = [s for s in prose_statements(rep) if s.rule == rule]
    assert len(st_) == 1 and st_[0].text == sentence and rep.text[st_[0].start:st_[0].end] == sentence
    assert st_[0].cells == cells and st_[0].value == value
    rec = reconstruct(rep)
    for c in cells:
        e = rec.cell(*c)
        assert (e.value, e.provenance, e.rule) == (value, "stated-prose", rule)
        assert e.evidence == [{"start": st_[0].start, "end": st_[0].end, "text": sentence}]


def test_no_appeals_sentence_covers_both_review_and_litigation():
    rep = _report(body="本年度未发生因政府信息公开引起的行政复议、行政诉讼案件。")
    rec = reconstruct(rep)
    for col in ("review", "direct_suit", "suit_after_review"):
        assert rec.cell("appeals", "cases", f"{col}_total").provenance == "stated-prose"
        for res in ("upheld", "corrected", "other", "pending"):
            e = rec.cell("appeals", "cases", f"{col}_{res}")
            assert (e.value, e.provenance, e.rule) == (0, "inferred", "appeals_group_total")
            assert e.uses == [("appeals", "cases", f"{col}_total")]
            assert e.evidence and e.evidence[0]["text"] == "本年度未发生因政府信息公开引起的行政复议、行政诉讼案件。"


@pytest.mark.parametrize("sentence", [
    "本年度未收到涉及国家秘密的政府信息公开申请。",          # a kind of application, not all of them
    "本年度未通过信函方式收到政府信息公开申请。",            # one channel
    "2021年共收到政府信息公开申请5件。",                     # another year than the report's
    "共收到政府信息公开申请10件（含上年结转2件）。",          # includes carried-over applications
    "收到申请后15个工作日内予以答复。",                      # a deadline, not a count
    "本年度未发生行政复议被纠错的情况。",                    # outcome of appeals, not their number
    "因未按时办结的申请引发行政复议1件。",                   # a count of 1, not a negation
    "共受理政府信息依申请公开9件。",                          # 受理 may include carried-over cases
    "定期统计有无行政复议案件。",                              # a question, not a negation
])
def test_prose_that_does_not_clearly_fix_a_cell_is_not_used(sentence):
    rep = _report(body=sentence)
    assert prose_statements(rep) == []
    assert _exact(reconstruct(rep)) == {}


def test_prose_that_contradicts_the_table_is_not_used():
    cells = {("new", c): 0 for c in REQ_COLS}
    cells[("new", "natural_person")] = 3
    cells[("new", "total")] = 3
    rep = _report({"requests": cells}, body="本年度未收到政府信息公开申请。")
    rec = reconstruct(rep)
    assert [s.applied for s in rec.statements] == [False]
    assert rec.statements[0].reason == "contradicts the table"
    assert rec.cell("requests", "new", "total").provenance == "stated-table"
    assert rec.cell("requests", "new", "total").value == 3
    assert not _exact(rec, "stated-prose")


def test_prose_that_contradicts_the_table_through_an_identity_is_dropped():
    appeals = {("cases", "review_upheld"): 2}
    rep = _report({"appeals": appeals}, body="本年度未发生政府信息公开行政复议案件。", layout="html")
    rec = reconstruct(rep)
    assert rec.cell("appeals", "cases", "review_upheld").value == 2
    st_ = [s for s in rec.statements if s.rule == "prose:no_review"]
    assert st_ and not st_[0].applied and "appeals_group_total" in st_[0].reason
    total = rec.cell("appeals", "cases", "review_total")
    assert total.value is None and total.low == 2 and total.provenance == "unknown"
    assert rec.conflicts == []


# ------------------------------------------------------------------------------------------- inference

def test_results_total_zero_forces_every_outcome_row_to_zero():
    t = spec().table("requests")
    rep = _report({"requests": {("results_total", c): 0 for c in REQ_COLS}})
    rec = reconstruct(rep)
    outcomes = next(i for i in spec().version("2021").identities if i.id == "requests_results_sum").equations[0][1]
    for row, _ in outcomes:
        for col in REQ_COLS:
            e = rec.cell("requests", row, col)
            assert (e.value, e.provenance) == (0, "inferred"), (row, col)
            assert "requests_results_sum" in e.rule or "requests_row_total" in e.rule
            assert e.evidence and all(rep.text[x["start"]:x["end"]] == x["text"] == "0" for x in e.evidence)
    # 一 + 二 = （七） + 四 with （七）= 0 says nothing exact about 一, 二 or 四.
    for row in ("new", "carried_in", "carried_out"):
        assert all(rec.cell("requests", row, c).value is None for c in REQ_COLS)
    assert len(t.cells) == sum(1 for (tid, _, _) in rec.cells if tid == "requests")


def test_balance_identity_infers_carried_in_and_names_its_cells():
    full = complete_tables(7)["requests"]
    given = {k: v for k, v in full.items() if k[0] in ("new", "results_total", "carried_out")}
    rep = _report({"requests": given}, layout="markdown")
    rec = reconstruct(rep)
    for col in REQ_COLS:
        e = rec.cell("requests", "carried_in", col)
        assert e.value == full[("carried_in", col)]
        assert e.provenance == "inferred" and e.rule == "requests_balance"
        # 二 ≤ （七）+ 四 needs only those two; 二 ≥ （七）+ 四 − 一 needs 一 too unless 0 ≥ that anyway.
        assert {("requests", r, col) for r in ("results_total", "carried_out")} <= set(e.uses)
        assert set(e.uses) <= {("requests", r, col) for r in ("new", "results_total", "carried_out")}
        spans = {(x["start"], x["end"]) for x in e.evidence}
        for _, r, _ in e.uses:
            ev = rec.cell("requests", r, col).evidence[0]
            assert (ev["start"], ev["end"]) in spans


def test_bounds_come_from_the_identities_when_nothing_forces_a_value():
    given = {("new", c): 0 for c in REQ_COLS}
    given.update({("carried_in", c): 0 for c in REQ_COLS})
    given[("new", "natural_person")] = given[("new", "total")] = 4
    given[("carried_in", "natural_person")] = given[("carried_in", "total")] = 1
    rec = reconstruct(_report({"requests": given}))
    granted = rec.cell("requests", "granted", "natural_person")
    assert granted.value is None and (granted.low, granted.high) == (0, 5) and granted.bounded
    assert granted.provenance == "unknown" and granted.rule
    assert rec.cell("requests", "granted", "commercial").value == 0       # nothing came in from firms


def test_proactive_table_has_no_identities_so_hidden_cells_stay_unknown():
    t2 = complete_tables(3)["proactive"]
    given = dict(t2)
    given[("penalties", "decisions")] = None
    rec = reconstruct(_report({"proactive": given}, layout="html"))
    e = rec.cell("proactive", "penalties", "decisions")
    assert e.value is None and e.provenance == "unknown" and e.rule is None
    fee = rec.cell("proactive", "fees", "fee_amount")
    assert fee.provenance == "stated-table" and fee.value == t2[("fees", "fee_amount")]


def test_2019_format_uses_its_own_rows_and_signed_columns():
    tables = complete_tables(3, version="2019")
    tables["requests"][("other_handling", "natural_person")] = None      # （六） is one data row in 2019
    tables["proactive"][("licensing", "change")] = None                  # 本年增/减 may be negative
    data = {"format": "2019", "title": "某局2019年政府信息公开工作年度报告", "agency": "某局", "year": 2019,
            "sections": {1: "概况。"}, "tables": tables}
    rec = reconstruct(rk.loads(render_text(data, "html"), "<2019>", kind="html"))
    assert rec.version == "2019"
    e = rec.cell("requests", "other_handling", "natural_person")
    truth = complete_tables(3, version="2019")["requests"][("other_handling", "natural_person")]
    assert (e.value, e.provenance) == (truth, "inferred") and e.rule in ("requests_results_sum", "requests_row_total",
                                                                          "requests_results_sum+requests_row_total",
                                                                          "requests_row_total+requests_results_sum")
    change = rec.cell("proactive", "licensing", "change")
    assert change.value is None and change.low is None and change.high is None
    assert ("requests", "other_no_fee", "total") not in rec.cells


# ------------------------------------------------------------------------------------------- conflicts

def test_broken_row_total_is_reported_and_nothing_contradictory_is_exact():
    full = complete_tables(11, zero_share=0.2)["requests"]
    broken = dict(full)
    broken[("new", "total")] = full[("new", "total")] + 1           # 总计 no longer the sum of its row
    broken[("carried_in", "natural_person")] = None                   # something left to infer (HTML blank)
    rep = _report({"requests": broken}, layout="html")
    rec = reconstruct(rep)
    assert rec.conflicts and rec.conflicts[0]["rule"] in ("requests_row_total", "requests_balance")
    # Stated numbers stay as stated, marked with the conflict.
    e = rec.cell("requests", "new", "total")
    assert e.provenance == "stated-table" and e.value == broken[("new", "total")]
    marked = [x for x in rec.cells.values() if x.rule and x.rule.startswith("conflict:")]
    assert marked
    conflict_cells = {c for cf in rec.conflicts for c in cf["cells"]}
    for key in conflict_cells:
        assert rec.cells[key].provenance in ("stated-table", "unknown")
    # Every equation whose cells are all exact holds.
    for ident in spec().version("2021").identities:
        for lhs, rhs, _ in ident.equations:
            vals = [[rec.cell(ident.table, r, c).value for r, c in side] for side in (lhs, rhs)]
            if all(x is not None for side in vals for x in side) and not any(
                    (ident.table, r, c) in conflict_cells for r, c in lhs + rhs):
                assert sum(vals[0]) == sum(vals[1]), (ident.id, lhs, rhs)


def test_contradictory_outcome_rows_do_not_crash_or_infer_from_the_contradiction():
    full = complete_tables(5, zero_share=0.1)["requests"]
    broken = dict(full)
    broken[("results_total", "natural_person")] = full[("results_total", "natural_person")] + 3
    rep = _report({"requests": broken})
    rec = reconstruct(rep)
    assert rec.conflicts
    assert all(e.provenance != "inferred" for k, e in rec.cells.items()
               if any(k in cf["cells"] for cf in rec.conflicts))
    assert json.dumps(rec.to_json(), ensure_ascii=False)


def test_negative_count_is_kept_as_stated_but_not_reasoned_from():
    rep = _report({"appeals": {("cases", f"review_{x}"): 0 for x in ("upheld", "corrected", "other", "pending")}})
    rep.tables["appeals"].cells[("cases", "review_upheld")] = Cell("appeals", "cases", "review_upheld", -1, "value")
    rec = reconstruct(rep)
    assert rec.cell("appeals", "cases", "review_upheld").value == -1
    assert rec.cell("appeals", "cases", "review_upheld").rule == "conflict:domain"
    assert rec.cell("appeals", "cases", "review_total").value is None


# ----------------------------------------------------------------------------------------- property test

def _hide_in_report(rep, rng, share):
    for tr in rep.tables.values():
        if tr is None:
            continue
        for key, c in list(tr.cells.items()):
            if c.state == "value" and rng.random() < share:
                tr.cells[key] = Cell(c.table, c.row, c.column, None, "missing")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table_seed=st.integers(0, 10**6), zero_share=st.sampled_from([0.2, 0.5, 0.9]),
       share=st.sampled_from([0.0, 0.03, 0.1, 0.3, 0.7, 1.0]), layout=st.sampled_from(LAYOUTS),
       mode=st.sampled_from(["data", "report"]), drop=st.sets(st.sampled_from(TABLE_IDS), max_size=2),
       prose=st.booleans(), hide_seed=st.integers(0, 2**31))
def test_reconstruction_is_sound_on_complete_reports_with_hidden_cells(
        table_seed, zero_share, share, layout, mode, drop, prose, hide_seed):
    truth = complete_tables(table_seed, zero_share=zero_share)
    rng = random.Random(hide_seed)
    tables = {tid: dict(cells) for tid, cells in truth.items() if tid not in drop}
    if mode == "data":
        for cells in tables.values():
            for k in cells:
                if rng.random() < share:
                    cells[k] = None
    body = "本机关依法做好政府信息公开工作。"
    if prose:
        new_total = truth["requests"][("new", "total")]
        body += "本年度未收到政府信息公开申请。" if new_total == 0 else f"2022年共收到政府信息公开申请{new_total}件。"
        if truth["appeals"][("cases", "review_total")] == 0:
            body += "本年度未发生政府信息公开行政复议案件。"
    rep = _report(tables, body=body, layout=layout)
    if mode == "report":
        _hide_in_report(rep, rng, share)
    rec = reconstruct(rep)
    assert rec.conflicts == []
    assert all(s.applied for s in rec.statements)

    for key, e in rec.cells.items():
        true = truth[key[0]][key[1:]]
        assert e.provenance in PROVENANCES
        assert e.low is None or e.low <= true, (key, e, true)
        assert e.high is None or true <= e.high, (key, e, true)
        if e.value is not None:
            assert e.value == true, (key, e, true)
            assert e.provenance != "unknown"
            assert e.provenance == "stated-table" or e.rule, key
        if e.provenance == "stated-table":
            assert rep.tables[key[0]] is not None and rep.tables[key[0]].value(key[1], key[2]) == true

    # Other assignments the stated cells allow lie within the bounds too, and agree on exact values.
    flat = {(tid,) + k: v for tid, cells in truth.items() for k, v in cells.items()}
    for ident in spec().version(rec.version).identities:     # the truth satisfies every identity
        for lhs, rhs, _ in ident.equations:
            assert sum(flat[(ident.table,) + x] for x in lhs) == sum(flat[(ident.table,) + x] for x in rhs)
    for alt in _alternatives(rec, flat, random.Random(hide_seed + 2)):
        for key, e in rec.cells.items():
            a = alt[key]
            assert (e.low is None or e.low <= a) and (e.high is None or a <= e.high), (key, e, a)
    # Every inferred value is forced: the independent exact checker finds no other value possible.
    fixed = {k: e.value for k, e in rec.cells.items() if e.provenance in ("stated-table", "stated-prose")}
    inferred = sorted(k for k, e in rec.cells.items() if e.provenance == "inferred")
    for key in random.Random(hide_seed + 1).sample(inferred, min(3, len(inferred))):
        assert _forced(rec.version, fixed, key, rec.cells[key].value), key


def test_independent_checker_agrees_on_a_known_forcing():
    # Everything of table 三 stated except one outcome cell: forced by its column and its row.
    full = complete_tables(2, zero_share=0.3)["requests"]
    rep = _report({"requests": full}, layout="html")
    rep.tables["requests"].cells[("granted", "natural_person")] = Cell("requests", "granted", "natural_person",
                                                                       None, "missing")
    rec = reconstruct(rep)
    e = rec.cell("requests", "granted", "natural_person")
    assert e.provenance == "inferred" and e.value == full[("granted", "natural_person")]
    fixed = {k: x.value for k, x in rec.cells.items() if x.provenance == "stated-table"}
    assert _forced("2021", fixed, ("requests", "granted", "natural_person"), e.value)
    assert not _forced("2021", {}, ("requests", "granted", "natural_person"), e.value)


# ---------------------------------------------------------------------------------------------- corpus

@pytest.mark.parametrize("path", CORPUS_FILES, ids=corpus_ids())
def test_corpus_reports_reconstruct_with_stated_values_kept(path):
    rep = rk.load(path)
    rec = reconstruct(rep)
    json.dumps(rec.to_json(), ensure_ascii=False)
    for (tid, rid, cid), e in rec.cells.items():
        tr = rep.tables.get(tid)
        read = tr.value(rid, cid) if tr is not None else None
        if e.provenance == "stated-table":
            assert e.value == read
            assert all(rep.text[x["start"]:x["end"]] == x["text"] for x in e.evidence)
        else:
            assert read is None
        if e.provenance in ("stated-prose", "inferred"):
            assert e.rule and e.evidence
            assert all(rep.text[x["start"]:x["end"]] == x["text"] for x in e.evidence)
        if e.value is None:
            assert e.provenance == "unknown"


def test_all_zero_tables_run_together_are_read_one_digit_per_cell():
    # 008 prints "0 0 0 0 0 00" for seven cells: seven digits, one per cell, as printed.
    rep = rk.load(paths.CORPUS / "complete" / "008.txt")
    assert rep.tables["requests"].state("carried_in", "total") == "value"
    rec = reconstruct(rep)
    for row in ("carried_in", "granted", "results_total", "carried_out"):
        for col in REQ_COLS:
            assert rec.cell("requests", row, col).value == 0
    assert all(e.value == 0 for (t, _, _), e in rec.cells.items() if t == "appeals")
    assert rec.cell("requests", "new", "total").provenance == "stated-table"


def test_run_together_zero_appeals_are_read_from_the_table_009():
    # 009's table 四 is read (fifteen zeros for fifteen cells); the prose says the same thing.
    rep = rk.load(paths.CORPUS / "complete" / "009.txt")
    assert rep.tables["appeals"].cells[("cases", "review_total")].rule == "digit_count"
    rec = reconstruct(rep)
    e = rec.cell("appeals", "cases", "suit_after_review_pending")
    assert (e.value, e.provenance) == (0, "stated-table")


# ------------------------------------------------------------------------------------------ JSON, CLI

def test_to_json_follows_the_contract(seed):
    rec = reconstruct(seed)
    doc = json.loads(json.dumps(rec.to_json(), ensure_ascii=False))
    assert doc["source"] == seed.source
    assert len(doc["cells"]) == len(rec.cells)
    labels = {tid: ({r.label for r in spec().table(tid).data_rows}, {c.name for c in spec().table(tid).columns})
              for tid in TABLE_IDS}
    for c in doc["cells"]:
        assert {"table", "row", "column", "value", "low", "high", "provenance", "rule", "evidence"} <= set(c)
        assert c["table"] in TABLE_IDS
        assert c["row"] in labels[c["table"]][0] and c["column"] in labels[c["table"]][1]
        assert c["provenance"] in PROVENANCES
        for k in ("value", "low", "high"):
            assert c[k] is None or isinstance(c[k], (int, float))
        assert c["rule"] is None or isinstance(c["rule"], str)
        for ev in c["evidence"]:
            assert set(ev) == {"start", "end", "text"} and seed.text[ev["start"]:ev["end"]] == ev["text"]
    new_total = next(c for c in doc["cells"] if c["table"] == "requests" and c["row"].startswith("一、")
                     and c["column"] == "总计")
    assert new_total["value"] == 0 and new_total["provenance"] == "stated-prose"
    assert new_total["evidence"][0]["text"] == SEED_SENTENCE


def test_cli_reconstruct_json_and_summary(capsys):
    assert main(["reconstruct", str(paths.SEED_TEXT), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert sum(c["provenance"] == "stated-prose" for c in doc["cells"]) == 7
    assert main(["reconstruct", str(paths.SEED_TEXT)]) == 0
    out = capsys.readouterr().out
    assert "7 stated-prose" in out and SEED_SENTENCE in out


def test_cli_reconstruct_unusable_input_exits_2(tmp_path, capsys):
    p = tmp_path / "empty.txt"
    p.write_text("", encoding="utf-8")
    assert main(["reconstruct", str(p)]) == 2
    assert "empty" in capsys.readouterr().err


def test_cells_frame_and_frame_show_the_reconstruction(seed):
    rec = reconstruct(seed)
    cf = rec.cells_frame()
    assert set(cf["provenance"]) == {"stated-prose", "unknown"}
    df = rec.frame("requests")
    assert df.loc["一、本年新收政府信息公开申请数量"].tolist() == [0] * 7
    assert df.loc["二、上年结转政府信息公开申请数量"].isna().all()


def test_check_and_reconstruct_read_one_negation_the_same_way():
    # One word list (reportkit.lexicon): "未受理" says no application came in for the reconstruction as
    # it does for the check that compares the prose with table 三.
    sentence = "本年度未受理政府信息公开申请。"
    rep = _report(body=sentence)
    assert [s.rule for s in prose_statements(rep)] == ["prose:no_new_requests"]
    tables = complete_tables(3)
    tables["requests"][("new", "total")] = 5
    flagged = rk.check(_report(tables, body=sentence))
    assert "prose_negation" in set(flagged["rule"])
