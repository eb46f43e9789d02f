"""Drafts: prose for sections 二、三、四 and the 信息处理费 sentence, every number anchored to its cell or
fact, every unknown a named 【待补充】 (never 0), lint-clean on the seed, the corpus and synthetic reports."""

from __future__ import annotations

import random
import re
import zipfile

import pytest

import reportkit as rk
from reportkit import paths
from reportkit.cli import main
from reportkit.draft import Anchor, Draft, DraftSection, cell_label, draft, lint
from reportkit.format import spec
from reportkit.reconstruct import reconstruct
from reportkit.layout import LAYOUTS, render_text

from tests.fixtures.tables import complete_tables

from .conftest import CORPUS_FILES, corpus_ids

PLACEHOLDER = re.compile(r"【待补充：[^】]*】")


def _synthetic(seed: int = 0, layout: str = "pipe", six: str = "本年度未收取信息处理费。", title=None):
    data = {"agency": "丰桥市交通运输局", "year": 2022, "title": title,
            "sections": {1: "本年度共发布信息120条。", 5: "存在的问题。", 6: six},
            "tables": complete_tables(seed)}
    rep = rk.loads(render_text(data, layout), f"synthetic-{seed}", kind="html" if layout == "html" else "text")
    return reconstruct(rep), data["tables"]


def _forget(rec, *keys):
    """Make cells unknown, as if the report had never stated them."""
    for k in keys:
        est = rec.cells[k]
        est.value, est.low, est.high, est.provenance, est.rule, est.evidence = None, 0, None, "unknown", None, []


@pytest.fixture(scope="module")
def seed_draft(seed):
    rec = reconstruct(seed)
    return rec, draft(rec)


# ---------------------------------------------------------------------------------------------- the seed

def test_seed_section_three_says_no_application_anchored_to_the_overview_sentence(seed, seed_draft):
    rec, d = seed_draft
    s3 = d.sections[3]
    assert s3.text.startswith("本年度，本机关未收到政府信息公开申请，新收政府信息公开申请0件。")
    [a] = s3.anchors
    assert (a.source_kind, a.ref, a.value) == ("cell", "requests/new/total", 0)
    assert s3.text[a.start:a.end] == "0"
    # The 0 comes from 一（二）'s sentence, not from a table (the seed has none).
    est = rec.cell("requests", "new", "total")
    assert est.provenance == "stated-prose"
    ev = est.evidence[0]
    assert "未收到依申请公开政府信息" in ev["text"]
    assert seed.section(1).start <= ev["start"] < seed.section(1).end


def test_seed_section_three_leaves_the_carry_over_and_the_rest_of_the_table_to_be_filled(seed_draft):
    _, d = seed_draft
    s3 = d.sections[3]
    assert cell_label("requests", "carried_in", "total") in s3.placeholders
    assert cell_label("requests", "carried_out", "total") in s3.placeholders
    assert any(p.startswith("本年度办理结果") and "不予公开" in p for p in s3.placeholders)
    assert any("按申请人类型" in p for p in s3.placeholders)
    # One placeholder per row or block, not one per unknown cell (168 of them).
    assert len(s3.placeholders) <= 5
    assert re.findall(r"\d", s3.text) == ["0"]


def test_seed_section_four_is_only_placeholders_one_per_group(seed_draft):
    _, d = seed_draft
    s4 = d.sections[4]
    assert s4.anchors == []
    assert PLACEHOLDER.sub("", s4.text).strip() == ""
    assert s4.placeholders == [
        "行政复议案件数量（结果维持、结果纠正、其他结果、尚未审结、总计）",
        "行政诉讼·未经复议直接起诉案件数量（结果维持、结果纠正、其他结果、尚未审结、总计）",
        "行政诉讼·复议后起诉案件数量（结果维持、结果纠正、其他结果、尚未审结、总计）"]


def test_seed_section_two_has_one_placeholder_per_block_and_six_asks_about_the_fee(seed_draft):
    _, d = seed_draft
    blocks = spec().table("proactive").blocks
    assert len(d.sections[2].placeholders) == len(blocks)
    for b, p in zip(blocks, d.sections[2].placeholders):
        assert p.startswith(b.label)
    assert d.sections[6].placeholders == ["本年度是否收取信息处理费及收费金额"]
    assert 5 not in d.sections and 1 not in d.sections


def test_seed_draft_is_lint_clean_and_its_markdown_lists_the_evidence(seed_draft):
    _, d = seed_draft
    assert lint(d) == []
    md = d.markdown(sources=True)
    for n in (2, 3, 4, 6):
        assert f"## {spec().section(n).title}" in md
    assert "【待补充：上年结转政府信息公开申请数量（总计）】" in md
    assert "“2021年度市公安局未收到依申请公开政府信息。”" in md
    assert "朔州市公安局2021年政府信息公开年度报告（草稿）" in md


# -------------------------------------------------------------------------------- the corpus, synthetic

@pytest.mark.parametrize("path", CORPUS_FILES, ids=corpus_ids())
def test_every_corpus_report_drafts_lint_clean(path):
    rec = reconstruct(rk.load(path))
    d = draft(rec)
    assert lint(d) == []
    for s in d.sections.values():
        # Every digit in the text is an anchored number (lint), and every anchored cell is known.
        for a in s.anchors:
            if a.source_kind == "cell":
                assert rec.cells[tuple(a.ref.split("/"))].value == a.value


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("seed_", [0, 1, 2])
def test_complete_synthetic_report_drafts_every_number_from_its_cell_without_placeholders(seed_, layout):
    rec, tables = _synthetic(seed_, layout)
    d = draft(rec)
    assert lint(d) == []
    assert [p for s in d.sections.values() for p in s.placeholders] == []
    cells = [a for s in d.sections.values() for a in s.anchors if a.source_kind == "cell"]
    for a in cells:
        tid, rid, cid = a.ref.split("/")
        assert tables[tid][(rid, cid)] == a.value
    # Totals are always written; so are nonzero breakdowns.
    refs = {a.ref for a in cells}
    assert {"requests/new/total", "requests/carried_in/total", "requests/results_total/total",
            "requests/carried_out/total", "appeals/cases/review_total"} <= refs
    nonzero = [r for r, _ in next(i for i in spec().version().identities if i.id == "requests_results_sum")
               .equations[0][1] if tables["requests"][(r, "total")]]
    assert {f"requests/{r}/total" for r in nonzero} <= refs


def test_an_unknown_cell_becomes_its_named_placeholder_and_is_never_written():
    rec, _ = _synthetic(1)
    _forget(rec, ("requests", "new", "commercial"))
    d = draft(rec)
    assert "本年新收政府信息公开申请数量（法人或其他组织·商业企业）" in d.sections[3].placeholders
    assert "requests/new/commercial" not in {a.ref for s in d.sections.values() for a in s.anchors}
    assert lint(d) == []


def test_a_whole_unknown_reconstruction_has_no_digit_and_few_placeholders():
    rec, _ = _synthetic(2)
    _forget(rec, *rec.cells)
    d = draft(rec)
    assert lint(d) == []
    for n in (2, 3, 4):
        assert not re.search(r"\d", d.sections[n].text), d.sections[n].text
        assert d.sections[n].anchors == []
    assert len(d.sections[2].placeholders) == 4
    assert len(d.sections[3].placeholders) <= 5
    assert len(d.sections[4].placeholders) == 3


@pytest.mark.parametrize("trial", range(25))
def test_random_unknown_cells_never_reach_the_text(trial):
    rng = random.Random(trial)
    rec, _ = _synthetic(trial % 4)
    keys = list(rec.cells)
    gone = rng.sample(keys, rng.randint(1, len(keys)))
    _forget(rec, *gone)
    d = draft(rec)
    assert lint(d) == []
    written = {a.ref for s in d.sections.values() for a in s.anchors}
    assert written.isdisjoint("/".join(k) for k in gone)


def test_a_row_known_only_in_part_names_exactly_the_missing_columns():
    rec, _ = _synthetic(0)
    _forget(rec, ("appeals", "cases", "review_upheld"), ("appeals", "cases", "review_pending"),
            ("proactive", "regulations", "repealed"))
    d = draft(rec)
    assert "行政复议案件数量（结果维持、尚未审结）" in d.sections[4].placeholders
    assert "规章本年废止件数" in d.sections[2].placeholders
    assert lint(d) == []


# ---------------------------------------------------------------------------------------- the fee sentence

def test_a_stated_nil_fee_is_drafted_without_a_number():
    rec, _ = _synthetic(0, six="本年度本机关未收取信息处理费。")
    assert draft(rec).sections[6].text == "本年度未收取信息处理费。"


def test_a_fee_amount_is_anchored_to_its_prose_fact():
    rec, _ = _synthetic(0, six="本年度共收取信息处理费200元。")
    s6 = draft(rec).sections[6]
    assert s6.text == "本年度收取信息处理费200元。"
    [a] = s6.anchors
    fact = rec.report.facts[int(a.ref.split(":")[1])]
    assert (a.source_kind, a.value, fact.value, fact.unit) == ("fact", 200, 200, "元")


def test_an_applicant_who_did_not_pay_is_not_read_as_no_fee_collected():
    rec, _ = _synthetic(0, six="有申请人未按规定缴纳信息处理费。")
    assert draft(rec).sections[6].placeholders == ["本年度是否收取信息处理费及收费金额"]


# -------------------------------------------------------------------------------------------- proposal

def test_section_five_is_proposed_from_findings_and_marked_as_a_proposal(seed, seed_draft):
    rec, plain = seed_draft
    findings = rk.check(seed)
    d = draft(rec, findings)
    s5 = d.sections[5]
    assert s5.proposal and "建议稿" in s5.title
    assert "信息处理费" in s5.text                        # the seed's fee_not_reported finding
    assert "存在的主要问题" in s5.text and "改进措施" in s5.text
    assert lint(d) == []
    assert 5 not in draft(rec, findings, proposal=False).sections
    assert all(not s.proposal for s in plain.sections.values())


def test_copying_artefacts_are_not_proposed_as_the_agencys_problems():
    rec, _ = _synthetic(0)
    import pandas as pd
    findings = pd.DataFrame([{"rule": "text_incomplete", "severity": "info", "section": None, "table": None,
                              "message": "文本在句子中间结束，看来是复制时截断的。", "origin": "capture"}])
    s5 = draft(rec, findings).sections[5]
    assert "截断" not in s5.text and "未发现" in s5.text


# ------------------------------------------------------------------------------------------------- lint

def _one(text, anchors=(), placeholders=(), proposal=False, n=3):
    return Draft({n: DraftSection(n, "三、收到和处理政府信息公开申请情况", text, list(anchors), list(placeholders),
                                  proposal)}, source="test")


def test_lint_reports_an_unanchored_digit():
    assert any("digit '5'" in p for p in lint(_one("新收申请5件。")))


def test_lint_reports_an_anchor_whose_text_or_value_is_wrong(seed_draft):
    rec, _ = seed_draft
    bad = _one("新收申请1件。", [Anchor(4, 5, "cell", "requests/new/total", 0)])
    assert any("covers '1'" in p for p in lint(bad))
    bad.reconstruction = rec
    wrong = _one("新收申请1件。", [Anchor(4, 5, "cell", "requests/new/total", 1)])
    wrong.reconstruction = rec
    assert any("reconstruction has 0" in p for p in lint(wrong))
    unknown = _one("上年结转0件。", [Anchor(4, 5, "cell", "requests/carried_in/total", 0)])
    unknown.reconstruction = rec
    assert any("not known" in p for p in lint(unknown))


def test_lint_reports_placeholders_that_are_not_listed_or_not_in_the_text():
    problems = lint(_one("【待补充：甲】", placeholders=["乙"]))
    assert any("甲" in p and "not listed" in p for p in problems)
    assert any("'乙'" in p and "not in the text" in p for p in problems)


def test_lint_reports_an_unmarked_proposal_and_bad_refs():
    assert any("建议稿" in p for p in lint(_one("文字。", proposal=True, n=5)))
    assert any("not table/row/column" in p for p in lint(_one("1", [Anchor(0, 1, "cell", "new", 1)])))
    assert any("not 'cell' or 'fact'" in p for p in lint(_one("1", [Anchor(0, 1, "table", "x", 1)])))


# ---------------------------------------------------------------------------------------- markdown, CLI

def test_markdown_escapes_report_text():
    rec, _ = _synthetic(0, title="某局<script>x</script>2022年政府信息公开工作年度报告")
    md = draft(rec).markdown()
    assert "<script>" not in md and "&lt;script&gt;" in md


def test_cli_draft_prints_markdown(capsys):
    assert main(["draft", str(paths.SEED_TEXT)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# 朔州市公安局") and "【待补充：" in out and "新收政府信息公开申请0件" in out


def test_cli_draft_writes_a_file_and_a_proposal(tmp_path, capsys):
    out = tmp_path / "draft.md"
    assert main(["draft", str(paths.SEED_TEXT), "--proposal", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "（建议稿）" in text and capsys.readouterr().out == ""


def test_cli_draft_to_docx_needs_an_output_path(capsys):
    assert main(["draft", str(paths.SEED_TEXT), "--to", "docx"]) == 2
    assert "-o" in capsys.readouterr().err


def test_cli_draft_to_docx_writes_a_word_file(tmp_path):
    out = tmp_path / "draft.docx"
    assert main(["draft", str(paths.SEED_TEXT), "--to", "docx", "-o", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "待补充" in body


def test_a_fee_tariff_is_not_read_as_the_amount_collected():
    rec, _ = _synthetic(0, six="信息处理费按件计收，标准为100元/件。")
    assert draft(rec).sections[6].anchors == []


def test_a_report_in_the_2019_format_drafts_from_its_own_rows_and_columns():
    data = {"agency": "测试局", "year": 2020, "format": "2019", "sections": {1: "认真做好公开工作。"},
            "tables": complete_tables(4, version="2019")}
    rec = reconstruct(rk.loads(render_text(data), "trial-format.txt"))
    assert rec.version == "2019"
    d = draft(rec)
    assert lint(d) == []
    assert [p for n in (2, 3, 4) for p in d.sections[n].placeholders] == []
    assert "政府集中采购" in d.sections[2].text            # a 2019-only row
    assert "requests/other_handling/total" in {a.ref for a in d.sections[3].anchors} or \
        data["tables"]["requests"][("other_handling", "total")] == 0


def test_the_section_five_proposal_names_this_reports_own_problems_not_the_rules_wording():
    import reportkit as rk
    report = rk.load(rk.paths.SEED_TEXT)
    text = rk.draft(rk.reconstruct(report), rk.check(report)).sections[5].text
    problems = text.split("（二）")[0]
    assert "第二、三、四、六部分只有标题" in problems           # section 六 is empty in this report
    assert "「二)改进措施」" in problems and "「三)政府信息管理情况」" in problems
    assert "某部分" not in problems and "（如“三)”“(二”）" not in problems
