"""Checking reports against the official format: the rules as data, the seed's known defects, arithmetic
found by mutation, prose against tables, capture triage, every real report, gaps and the CLI."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

import reportkit as rk
from reportkit import paths
from reportkit.check import (FINDING_COLUMNS, GAP_COLUMNS, ORIGINS, SEVERITIES, _IMPL, _rules, check, completeness,
                             gaps, records, rules)
from reportkit.cli import main
from reportkit.corpus import rules as corpus_rules
from reportkit.layout import render_text

from tests.fixtures.tables import complete_tables

from .conftest import CORPUS_FILES, corpus_ids

ARITHMETIC = {"requests_balance", "requests_results_sum", "requests_row_total", "appeals_group_total"}

# Section bodies that satisfy the content rules, so a synthetic report's findings are about its tables.
GOOD_SECTIONS = {
    1: "2022年，本机关做好主动公开、依申请公开、政府信息管理、平台建设和监督保障工作。",
    5: "存在的主要问题是政策解读形式单一，公开内容不够及时。下一步将加强培训，完善审核制度，提升公开质量和时效。",
    6: "本年度未收取信息处理费。",
}


def build(tables=None, layout="pipe", seed=0, **extra):
    """A whole report from structured data, parsed the way a published one is."""
    data = {"agency": "某区某局", "year": 2022, "sections": dict(GOOD_SECTIONS),
            "tables": complete_tables(seed) if tables is None else tables, **extra}
    return rk.loads(render_text(data, layout), kind="html" if layout == "html" else "text")


def of(findings: pd.DataFrame, rule: str) -> pd.DataFrame:
    return findings[findings["rule"] == rule]


def assert_spans_quote_evidence(report, findings: pd.DataFrame) -> None:
    for f in findings.itertuples():
        if pd.isna(f.start):
            assert f.evidence == "", f
            continue
        assert 0 <= f.start <= f.end <= len(report.text), f
        assert f.evidence in report.text[f.start:f.end], f


# --------------------------------------------------------------------------------------------- rules

def test_every_rule_in_rules_yaml_has_an_implementation_and_vice_versa():
    assert set(rules()["id"]) == set(_IMPL)


def test_rule_table_has_valid_severity_origin_basis_and_both_descriptions():
    table = rules()
    assert list(table.columns[:5]) == ["id", "category", "severity", "basis", "origin"]
    assert table["id"].is_unique
    assert set(table["severity"]) <= set(SEVERITIES)
    assert set(table["origin"]) <= set(ORIGINS)
    assert set(table["category"]) == {"structure", "arithmetic", "prose", "content", "capture"}
    for basis in table["basis"]:
        assert basis in ("format", "convention") or re.fullmatch(r"条例 第[一二三四五六七八九十]+条", basis)
    assert (table["description"].str.contains(r"[\u4e00-\u9fff]")).all()
    assert (table["description_en"].str.contains(r"[A-Za-z]{3}")).all()


def test_arithmetic_rules_evaluate_the_identities_of_format_yaml_with_their_official_status():
    idents = {i.id: i for i in rk.spec().version("2021").identities}
    arithmetic = [r for r in _rules().values() if r.identity]
    assert {r.identity for r in arithmetic} == set(idents)
    for r in arithmetic:
        # Only the identity printed in the template may claim the format as its basis.
        assert (r.basis == "format") == idents[r.identity].official


# --------------------------------------------------------------------------------------------- the seed

@pytest.fixture(scope="module")
def seed_findings(seed):
    return check(seed)


def test_findings_frame_has_the_documented_columns(seed_findings):
    assert tuple(seed_findings.columns) == FINDING_COLUMNS
    # Plain values: spans slice the text directly, and a field that does not apply is None, not NaN.
    f = seed_findings[seed_findings["rule"] == "fee_not_reported"].iloc[0]
    assert type(f["start"]) is int and f["row"] is None and f["section"] == 6
    assert set(seed_findings["severity"]) <= set(SEVERITIES)
    assert set(seed_findings["origin"]) <= set(ORIGINS)


def test_the_module_itself_is_callable_like_check(seed, seed_findings):
    pd.testing.assert_frame_equal(rk.check(seed), seed_findings)
    assert records(seed) == seed_findings.to_dict("records")


def test_seed_sections_two_three_four_are_empty_errors_naming_their_tables(seed, seed_findings):
    empty = of(seed_findings, "section_empty").set_index("section")
    for number, table in ((2, "proactive"), (3, "requests"), (4, "appeals")):
        f = empty.loc[number]
        assert f["severity"] == "error" and f["table"] == table
        assert seed.section(number).title in f["evidence"]


def test_seed_section_six_is_empty_and_nothing_mentions_the_fee(seed_findings):
    assert 6 in set(of(seed_findings, "section_empty")["section"])
    fee = of(seed_findings, "fee_not_reported")
    assert len(fee) == 1 and fee.iloc[0]["severity"] == "warning"
    assert "信息处理费" in fee.iloc[0]["message"]


def test_seed_document_number_missing_its_bracket_is_undetermined(seed, seed_findings):
    f = of(seed_findings, "doc_number_malformed")
    assert len(f) == 1
    f = f.iloc[0]
    assert seed.text[f["start"]:f["end"]] == "〔202130号"
    assert f["origin"] == "undetermined"
    assert "〔2021〕30号" in f["message"]


def test_seed_subheadings_with_one_bracket_are_found(seed, seed_findings):
    f = of(seed_findings, "heading_brackets")
    quoted = [seed.text[s:e] for s, e in zip(f["start"], f["end"])]
    assert [q[:2] for q in quoted] == ["三)", "二)"]
    assert list(f["section"]) == [1, 5]


def test_seed_intro_runs_two_parts_together(seed, seed_findings):
    f = of(seed_findings, "intro_parts")
    assert len(f) == 1
    assert "改进情况其他需要报告的事项" in seed.text[f.iloc[0]["start"]:f.iloc[0]["end"]]
    assert "5" in f.iloc[0]["message"]


def test_seed_rates_that_follow_from_their_counts_are_not_flagged(seed_findings):
    assert of(seed_findings, "prose_rate").empty
    assert not seed_findings["evidence"].str.contains("418").any()


@pytest.mark.parametrize("old,new,quoted", [
    ("回复率为100%", "回复率为90%", "回复率为90%"),
    ("办结率100%", "办结率99.5%", "办结率99.5%"),
])
def test_a_rate_that_does_not_follow_from_its_counts_is_flagged(old, new, quoted):
    text = paths.SEED_TEXT.read_text(encoding="utf-8").replace(old, new)
    report = rk.loads(text)
    f = of(check(report), "prose_rate")
    assert len(f) == 1
    assert quoted in f.iloc[0]["evidence"] and "100.0%" in f.iloc[0]["message"]


def test_every_seed_finding_quotes_its_span(seed, seed_findings):
    assert_spans_quote_evidence(seed, seed_findings)
    assert set(seed_findings["rule"]) == {"section_empty", "fee_not_reported", "doc_number_malformed",
                                          "heading_brackets", "intro_parts"}


# --------------------------------------------------------------------------------------------- arithmetic

@pytest.mark.parametrize("layout,seed", [("pipe", 0), ("markdown", 1), ("cells", 2), ("blank", 3), ("html", 4),
                                         ("pipe", 17)])
def test_a_complete_report_has_no_arithmetic_findings(layout, seed):
    report = build(layout=layout, seed=seed)
    assert all(report.tables[t].has_numbers for t in ("proactive", "requests", "appeals"))
    findings = check(report)
    assert findings[findings["rule"].isin(ARITHMETIC)].empty
    assert of(findings, "count_range").empty


@pytest.mark.parametrize("layout", ["pipe", "markdown", "cells", "blank", "html"])
def test_a_well_formed_complete_report_has_no_findings_at_all(layout):
    intro = ("本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议、"
             "行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项六部分组成。")
    findings = check(build(layout=layout, seed=8, intro=intro))
    assert findings.empty, findings[["rule", "message"]].to_string()
    assert tuple(findings.columns) == FINDING_COLUMNS


@pytest.mark.slow
@pytest.mark.parametrize("layout,seed", [("pipe", 0), ("blank", 5), ("html", 3)])
def test_changing_any_cell_of_tables_three_or_four_is_found_and_named(layout, seed):
    base = complete_tables(seed)
    for tid in ("requests", "appeals"):
        for row, col in rk.spec().table(tid).cells:
            tables = {t: dict(cells) for t, cells in base.items()}
            tables[tid][(row, col)] += 1
            findings = check(build(tables, layout))
            hits = findings[findings["rule"].isin(ARITHMETIC) & (findings["table"] == tid)
                            & ((findings["row"] == row) | (findings["column"] == col))]
            assert not hits.empty, (layout, tid, row, col)
            # The changed value is shown among the terms of a sum.
            value = str(tables[tid][(row, col)])
            assert hits["message"].str.contains(rf"(?<!\d){value}(?!\d)").any(), (row, col)


def test_an_identity_finding_names_the_cells_and_shows_both_sums():
    tables = complete_tables(0)
    tables["requests"][("new", "natural_person")] += 1
    findings = check(build(tables))
    balance = of(findings, "requests_balance")
    assert list(balance["column"]) == ["natural_person"]
    msg = balance.iloc[0]["message"]
    new, carried = tables["requests"][("new", "natural_person")], tables["requests"][("carried_in", "natural_person")]
    assert f"一、本年新收政府信息公开申请数量 {new}" in msg and f"= {new + carried}" in msg
    assert "唯一" in msg and balance.iloc[0]["basis"] == "format"
    row_total = of(findings, "requests_row_total")
    assert list(row_total["row"]) == ["new"] and "自然人" in row_total.iloc[0]["message"]
    assert row_total.iloc[0]["basis"] == "convention" and "未明文" in row_total.iloc[0]["message"]


def _nonzero_cell(tables, row):
    """A cell of table 三 row ``row`` holding more than 0, so that reading it as 0 would break a sum."""
    col = next(c.id for c in rk.spec().table("requests").columns if tables["requests"][(row, c.id)] > 0)
    return row, col


def test_a_blank_cell_skips_its_identities_instead_of_counting_as_zero():
    tables = complete_tables(2)
    cell = _nonzero_cell(tables, "new")
    tables["requests"][cell] = None             # an empty <td>: a known blank
    report = build(tables, "html")
    assert report.tables["requests"].state(*cell) == "blank"
    findings = check(report)
    assert findings[findings["rule"].isin(ARITHMETIC)].empty
    blank = of(findings, "count_not_a_number")
    assert list(zip(blank["row"], blank["column"])) == [cell]


@pytest.mark.parametrize("mark", ["/", "—", "无"])
def test_a_mark_in_a_count_cell_is_reported_and_not_taken_as_zero(mark):
    tables = complete_tables(1)
    cell = _nonzero_cell(tables, "results_total")
    tables["requests"][cell] = mark
    report = build(tables)
    findings = check(report)
    f = of(findings, "count_not_a_number")
    assert list(zip(f["row"], f["column"])) == [cell]
    assert mark in f.iloc[0]["evidence"] and f.iloc[0]["severity"] == "warning"
    arithmetic = findings[findings["rule"].isin(ARITHMETIC)]
    assert arithmetic.empty


def test_a_table_issue_of_a_kind_the_checker_does_not_know_is_still_reported():
    from reportkit.model import TableIssue
    report = build()
    cell = report.tables["requests"].cells[("new", "total")]
    report.tables["requests"].issues.append(TableIssue("requests", "some_new_kind", "reader message",
                                                       row="new", column="total", start=cell.start,
                                                       end=cell.end, raw=cell.raw))
    f = of(check(report), "cell_count")
    assert list(zip(f["row"], f["column"])) == [("new", "total")]
    assert "some_new_kind" in f.iloc[0]["message"] and f.iloc[0]["message_en"].endswith("reader message")


def test_negative_and_decimal_counts_are_errors_but_a_decimal_fee_is_not():
    tables = complete_tables(4)
    tables["appeals"][("cases", "review_upheld")] = -1
    tables["requests"][("granted", "other_org")] = 2.5
    tables["proactive"][("fees", "fee_amount")] = 12.34
    report = build(tables)
    f = of(check(report), "count_range")
    assert sorted(zip(f["table"], f["row"], f["column"])) == [
        ("appeals", "cases", "review_upheld"), ("requests", "granted", "other_org")]
    assert set(f["severity"]) == {"error"}
    assert_spans_quote_evidence(report, f)


def test_a_town_reporting_regulations_is_warned_but_a_city_government_is_not():
    tables = complete_tables(0)
    tables["proactive"][("regulations", "issued")] = 3
    town = of(check(build(tables, agency="某县某镇人民政府")), "regulations_without_power")
    assert len(town) == 1 and town.iloc[0]["severity"] == "warning" and town.iloc[0]["column"] == "issued"
    city = of(check(build(tables, agency="某市人民政府")), "regulations_without_power")
    assert city.empty


# --------------------------------------------------------------------------------------------- prose

def _with_prose(sentence: str, tables=None):
    tables = tables or complete_tables(0)
    sections = dict(GOOD_SECTIONS)
    sections[1] = GOOD_SECTIONS[1] + sentence
    return tables, build(tables, sections=sections)


def test_prose_saying_no_applications_against_a_table_that_has_some_is_an_error():
    tables, report = _with_prose("本年度未收到政府信息公开申请。")
    f = of(check(report), "prose_negation")
    assert len(f) == 1 and f.iloc[0]["severity"] == "error"
    assert f.iloc[0]["evidence"] == "未收到政府信息公开申请"
    assert str(tables["requests"][("new", "total")]) in f.iloc[0]["message"]


def test_prose_saying_no_appeals_is_checked_against_table_four():
    tables = complete_tables(0)
    tables["appeals"] = {k: 0 for k in tables["appeals"]}
    _, quiet = _with_prose("本年度未发生因政府信息公开引起的行政复议、行政诉讼。", tables)
    assert of(check(quiet), "prose_negation").empty
    _, loud = _with_prose("本年度未发生因政府信息公开引起的行政复议、行政诉讼。")
    f = of(check(loud), "prose_negation")
    assert set(f["table"]) == {"appeals"} and "review_total" in set(f["column"])


def test_a_prose_count_is_compared_with_its_cell_and_both_readings_are_accepted():
    tables = complete_tables(0)
    new, carried = tables["requests"][("new", "total")], tables["requests"][("carried_in", "total")]
    for stated in (new, new + carried):       # new only, or new + carried over (complete/003 counts so)
        _, report = _with_prose(f"全年共收到政府信息公开申请{stated}件。", tables)
        assert of(check(report), "prose_count").empty, stated
    _, report = _with_prose(f"全年共收到政府信息公开申请{new + carried + 2}宗。", tables)
    f = of(check(report), "prose_count")
    assert len(f) == 1 and f.iloc[0]["severity"] == "warning"
    assert (f.iloc[0]["row"], f.iloc[0]["column"]) == ("new", "total")
    assert "一、本年新收" in f.iloc[0]["message"] and "上年结转" in f.iloc[0]["message"]
    assert f"收到政府信息公开申请{new + carried + 2}宗" in f.iloc[0]["evidence"]


# --------------------------------------------------------------------------------------------- structure

def test_missing_renamed_and_reordered_sections():
    text = render_text({"agency": "某区某局", "year": 2022, "sections": dict(GOOD_SECTIONS),
                        "tables": complete_tables(0), "omit_sections": [4]})
    text = text.replace("五、存在的主要问题及改进情况", "五、存在的主要问题及明年工作计划")
    report = rk.loads(text + "\n")
    findings = check(report)
    missing = of(findings, "section_missing")
    assert list(missing["section"]) == [4] and missing.iloc[0]["origin"] == "author"
    renamed = of(findings, "section_renamed")
    assert list(renamed["section"]) == [5] and renamed.iloc[0]["severity"] == "info"
    assert renamed.iloc[0]["evidence"] == "五、存在的主要问题及明年工作计划"
    swapped = text.replace("六、其他需要报告的事项", "X").replace("一、总体情况", "六、其他需要报告的事项", 1)
    order = of(check(rk.loads(swapped.replace("X", "一、总体情况"))), "section_order")
    assert not order.empty


def test_a_report_for_2022_in_the_2019_template_and_citing_the_2019_notice():
    tables = complete_tables(0, version="2019")
    data = {"agency": "某区某局", "year": 2022, "format": "2019", "sections": dict(GOOD_SECTIONS),
            "intro": "根据国办公开办函〔2019〕60号编制本报告。", "tables": tables}
    report = rk.loads(render_text(data))
    findings = check(report)
    assert set(of(findings, "old_template")["table"]) == {"proactive", "requests"}
    cited = of(findings, "old_notice_cited")
    assert len(cited) == 1 and cited.iloc[0]["evidence"] == "国办公开办函〔2019〕60号"


def test_the_years_of_title_period_and_text_must_agree():
    data = {"title": "某区某局2021年政府信息公开工作年度报告", "tables": complete_tables(0),
            "intro": "本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。",
            "sections": dict(GOOD_SECTIONS)}
    f = of(check(rk.loads(render_text(data))), "year_mismatch")
    assert len(f) == 1 and "2021" in f.iloc[0]["message"] and "2022" in f.iloc[0]["evidence"]
    data["title"] = "某区某局2022年政府信息公开工作年度报告"
    assert of(check(rk.loads(render_text(data))), "year_mismatch").empty


@pytest.mark.parametrize("written,severity,origin", [
    ("辽政办发[2014]19号", "info", "undetermined"),
    ("国办公开函〔2021〕30号", "warning", "author"),
    ("国办公开办函2021〕30号", "warning", "undetermined"),
])
def test_document_number_variants(written, severity, origin):
    report = build(intro=f"根据{written}和国办公开办函〔2021〕30号的要求，编制本报告。")
    f = of(check(report), "doc_number_malformed")
    assert len(f) == 1, f
    assert (f.iloc[0]["severity"], f.iloc[0]["origin"]) == (severity, origin)
    assert f.iloc[0]["evidence"] in written


def test_an_intro_that_promises_six_parts_and_lists_five():
    intro = ("本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、存在的主要问题及改进情况、"
             "其他需要报告的事项等六部分组成。")
    f = of(check(build(intro=intro)), "intro_parts")
    assert len(f) == 2
    assert any("行政复议" in m for m in f["message"]) and any("六部分" in e for e in f["evidence"])
    full = intro.replace("申请情况、", "申请情况、因政府信息公开工作被申请行政复议、提起行政诉讼的情况、")
    assert of(check(build(intro=full)), "intro_parts").empty


# --------------------------------------------------------------------------------------------- content

@pytest.mark.parametrize("body,expect", [
    ("无。", "套话"),
    ("我局将继续做好政府信息公开工作，不断推进政务公开，提升公开质量，加强组织领导，确保工作落实到位，为群众提供更好服务。",
     "没有写出存在的具体问题"),
])
def test_section_five_with_only_generic_phrases(body, expect):
    sections = dict(GOOD_SECTIONS)
    sections[5] = body
    f = of(check(build(sections=sections)), "problems_generic")
    assert len(f) == 1 and expect in f.iloc[0]["message"]


def test_section_six_silent_on_the_fee_while_section_one_mentions_it_is_info():
    sections = dict(GOOD_SECTIONS)
    sections[1] += "本年度未收取信息处理费。"
    sections[6] = "本年度无其他需要报告的事项。"
    f = of(check(build(sections=sections)), "fee_not_reported")
    assert len(f) == 1 and f.iloc[0]["severity"] == "info"


def test_section_one_missing_topics_are_listed():
    sections = dict(GOOD_SECTIONS)
    sections[1] = "2022年，本机关认真做好主动公开工作。"
    f = of(check(build(sections=sections)), "overview_topics")
    assert len(f) == 1
    for label in ("依申请公开", "政府信息管理", "监督保障"):
        assert label in f.iloc[0]["message"]


# --------------------------------------------------------------------------------------------- capture

@pytest.mark.parametrize("asset", ['<p><img src="/upload/table3.png" alt="表"></p>',
                                   '<iframe src="/table3.html"></iframe>',
                                   '<p><a href="/files/table3.pdf">附件</a></p>'])
def test_an_html_section_three_holding_an_image_or_iframe_is_a_capture_finding(asset):
    tables = complete_tables(1)
    del tables["requests"]
    page = render_text({"agency": "某区某局", "year": 2022, "sections": dict(GOOD_SECTIONS), "tables": tables},
                       "html")
    heading = "<h2>三、收到和处理政府信息公开申请情况</h2>"
    report = rk.loads(page.replace(heading, heading + asset), kind="html")
    findings = check(report)
    f = of(findings, "table_in_asset")
    assert list(f["section"]) == [3] and f.iloc[0]["origin"] == "capture"
    assert "table3" in f.iloc[0]["message"]
    # Not also reported as the author's missing table.
    assert 3 not in set(of(findings, "section_empty")["section"])
    assert of(findings, "table_missing").empty
    # Without the asset, the same HTML page is the author's missing table.
    bare = of(check(rk.loads(page, kind="html")), "section_empty")
    assert list(bare["section"]) == [3] and bare.iloc[0]["origin"] == "author"


# --------------------------------------------------------------------------------------------- real reports

@pytest.fixture(scope="module")
def checked(corpus):
    return {str(p.relative_to(paths.CORPUS)): (facts, rep, check(rep)) for p, facts, rep in corpus}


@pytest.mark.parametrize("path", CORPUS_FILES, ids=corpus_ids())
def test_every_real_report_is_checked_and_its_findings_quote_their_spans(path):
    report = rk.load(path)
    findings = check(report)
    assert tuple(findings.columns) == FINDING_COLUMNS
    assert_spans_quote_evidence(report, findings)
    assert findings["message"].str.contains(r"[\u4e00-\u9fff]").all()
    assert findings["rule"].isin(set(_IMPL)).all()


def test_a_truncated_capture_is_one_finding_listing_what_the_cut_took(checked):
    for name, (facts, report, findings) in checked.items():
        if facts.get("complete") is False:
            cut = of(findings, "text_incomplete")
            assert len(cut) == 1, name
            assert of(findings, "section_missing").empty, name
            assert "未见" in cut.iloc[0]["message"], name
        if facts.get("complete") is True or "/" in name:
            assert of(findings, "text_incomplete").empty, name


def test_complete_003_run_together_rows_are_cut_by_their_sums_with_no_arithmetic_finding(checked):
    _, report, findings = checked["complete/003.txt"]
    assert report.tables["requests"].value("new", "total") == 74       # 713000074 = 71|3|0|0|0|0|74
    assert findings[findings["rule"].isin(ARITHMETIC)].empty
    # The 表二 row that no identity decides (8855698 for three cells) is reported once, with its digits.
    assert len(findings[findings["evidence"] == "8855698"]) == 1
    # Table 四 is space separated and read: its totals hold, and the prose agrees with them.
    assert of(findings, "prose_count").empty and of(findings, "prose_negation").empty


def test_017_town_reporting_regulations_2_0_2(checked):
    _, report, findings = checked["017.txt"]
    f = of(findings, "regulations_without_power")
    assert len(f) == 1
    assert "2 / 0 / 2" in f.iloc[0]["message"] and f.iloc[0]["evidence"] == "2 | 0 | 2"


def test_014_citing_the_2019_notice_and_013_using_the_2019_tables(checked):
    f = of(checked["014.txt"][2], "old_notice_cited")
    assert list(f["evidence"]) == ["国办公开办函〔2019〕60号"]
    f = of(checked["013.txt"][2], "old_template")
    assert list(f["table"]) == ["proactive"]
    assert set(of(checked["013.txt"][2], "row_without_values")["table"]) == {"proactive", "requests"}


def test_011_with_tables_lost_and_a_nil_fee_statement(checked):
    _, report, findings = checked["011.txt"]
    assert sorted(of(findings, "section_empty")["section"]) == [2, 3, 4]
    assert of(findings, "fee_not_reported").empty
    assert of(findings, "overview_topics").empty


def test_variant_headings_in_the_corpus_are_info(checked):
    for name, number in (("021.txt", 4), ("complete/009.txt", 5), ("complete/003.txt", 4)):
        f = of(checked[name][2], "section_renamed")
        assert number in set(f["section"]) and set(f["severity"]) == {"info"}, name


# --------------------------------------------------------------------------------------------- gaps

def test_gaps_of_the_seed_show_empty_sections_and_every_cell_missing(seed):
    g = gaps(seed)
    assert tuple(g.columns) == GAP_COLUMNS
    sections = g[g["kind"] == "section"].set_index("section")["status"].to_dict()
    assert sections == {1: "present", 2: "empty", 3: "empty", 4: "empty", 5: "present", 6: "empty"}
    cells = g[g["kind"] == "cell"]
    assert len(cells) == 10 + 175 + 15 and set(cells["status"]) == {"missing"}
    assert completeness(seed) == 0.0


def test_gaps_of_a_truncated_report_and_a_complete_one():
    report = rk.load(paths.CORPUS / "015.txt")
    g = gaps(report)
    cells = g[g["kind"] == "cell"]
    counts = cells["status"].value_counts().to_dict()
    assert counts["present"] == 10 + 49 and counts["unreadable"] == 7
    assert completeness(report) == pytest.approx(59 / 200)
    assert completeness(build()) == 1.0
    assert set(gaps(build())["status"]) == {"present"}


# --------------------------------------------------------------------------------------------- CLI

def test_cli_check_prints_a_table_and_exits_0(capsys):
    assert main(["check", str(paths.SEED_TEXT)]) == 0
    out, err = capsys.readouterr()
    assert "doc_number_malformed" in out and "〔202130号" in out
    assert "checked 1 report, 0 unreadable, 9 findings" in err
    # A finding's message is wrapped under its head line and the evidence has a line of its own.
    assert max(len(line) for line in out.splitlines()) <= 130
    assert "          原文：«〔202130号»" in out.splitlines()


@pytest.mark.parametrize("level,code", [("error", 1), ("warning", 1), ("info", 1)])
def test_cli_fail_on_exits_1_when_findings_at_that_level_exist(capsys, level, code):
    assert main(["check", "--fail-on", level, str(paths.SEED_TEXT)]) == code


def test_cli_fail_on_error_exits_0_when_only_warnings_exist(capsys, tmp_path):
    p = tmp_path / "r.txt"
    p.write_text(render_text({"agency": "某区某局", "year": 2022, "sections": dict(GOOD_SECTIONS),
                              "tables": complete_tables(0)}), encoding="utf-8")
    assert main(["check", "--fail-on", "error", str(p)]) == 0


def test_cli_unreadable_files_exit_2_after_checking_the_others(capsys, tmp_path):
    (tmp_path / "a_empty.txt").write_bytes(b"")
    (tmp_path / "b_binary.html").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "c_seed.txt").write_text(paths.SEED_TEXT.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "ignored.csv").write_text("x", encoding="utf-8")
    assert main(["check", "--json", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    found = json.loads(out)
    assert {f["source"] for f in found} == {str(tmp_path / "c_seed.txt")}
    assert "a_empty.txt" in err and "b_binary.html" in err
    assert "checked 3 reports, 2 unreadable, 9 findings" in err


def test_cli_json_has_the_finding_fields_and_spans(capsys):
    assert main(["check", "--json", str(paths.CORPUS / "017.txt"), str(paths.SEED_TEXT)]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {tuple(f) for f in found} == {("source", *FINDING_COLUMNS)}
    text = paths.SEED_TEXT.read_text(encoding="utf-8")
    for f in found:
        if f["source"] == str(paths.SEED_TEXT) and f["start"] is not None:
            assert f["evidence"] in text[f["start"]:f["end"]]


def test_cli_output_shows_control_characters_instead_of_sending_them(capsys, tmp_path):
    p = tmp_path / "r.txt"
    p.write_text(paths.SEED_TEXT.read_text(encoding="utf-8").replace("三)政府", "三)\x1b[2J政府"), encoding="utf-8")
    main(["check", str(p)])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b" in out


def test_cli_rules_prints_every_rule(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    every = list(rules()["id"]) + list(corpus_rules()["id"])     # the cross-report rules are listed too
    for rid in every:
        assert re.search(rf"^{rid}\s", out, re.M)
    assert main(["rules", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == len(every)


def test_every_rule_has_a_short_chinese_name_for_charts_and_lists():
    import yaml
    from importlib import resources
    raw = yaml.safe_load(resources.files("reportkit").joinpath("data/rules.yaml").read_text(encoding="utf-8"))
    for r in [*raw["rules"], *(raw.get("corpus_rules") or [])]:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.get("name", "")), r["id"]
