"""The shortcuts of the hot path (issue 14 part 2) read exactly what the plain scans they replace read.

Checking and loading skip work a plain scan would do: a pattern opening with a choice of characters is
tried only where those characters stand, document numbers are read only before a 号, the fact regex
steps over the tables, a page's raw-text openers are looked for in a one-byte copy, and check takes
the width fold the loader computed. Each shortcut is compared here with the plain scan, on every real
report and on strings made of the characters the pattern reads.
"""

from __future__ import annotations

import copy
import importlib
import random
import re

import pytest

import reportkit as rk
from reportkit.facts import _FACT, _matches
from reportkit.readers import html
from reportkit.text import Folded, width_fold

from .conftest import CORPUS_FILES, corpus_ids

chk = importlib.import_module("reportkit.check")      # the module (reportkit.check is also the function)
load_mod = importlib.import_module("reportkit.load")


def _spans(matches):
    return [(m.span(), m.groups()) for m in matches]


# Pattern, the characters its matches open with.
OPENING = [(chk._NEG_REQUESTS, "未没"), (chk._NEG_APPEALS, "未没无"), (chk._UPHELD_CLAIM, "均全都皆")]


def _plain_one_bracket_headings(ft: str) -> list:
    """The sub-headings with one bracket as heading_brackets found them before: heading starts, then
    the enumerator tried at each."""
    head = re.compile(rf"[\n。;!?][ \t]*(?=[({chk.CN_DIGITS}])")
    one = re.compile(rf"\(({chk.CN_DIGIT}{{1,3}})(?![{chk.CN_DIGITS})])|({chk.CN_DIGIT}{{1,3}})\)")
    starts = [len(ft) - len(ft.lstrip(" \t"))] + [m.end() for m in head.finditer(ft)]
    return [(m.span(), m.group(1), m.group(2)) for p in starts for m in [one.match(ft, p)] if m]


def _one_bracket_headings(ft: str) -> list:
    first = chk._ONE_BRACKET_AT.match(ft, len(ft) - len(ft.lstrip(" \t")))
    found = ((first,) if first else ()) + tuple(chk._ONE_BRACKET_HEAD.finditer(ft))
    return [(m.span("b"), m.group("open"), m.group("close")) for m in found]


def _enumerators_from_first(ft: str, lo: int, hi: int) -> tuple[list, list]:
    """(plain, shortcut) matches of the 一是 pattern from the first 一是 in [lo, hi)."""
    first = ft.find("一是", lo, hi)
    if first < 0:
        return [], []
    plain = [x for x in _spans(chk._ENUM_WORD.finditer(ft, lo, hi)) if x[0][0] >= first]
    fast = _spans(chk._matches_at(chk._ENUM_WORD, ft, chk._offsets(ft, "是", first, hi, back=2), hi))
    return plain, fast


@pytest.mark.parametrize("path", CORPUS_FILES, ids=corpus_ids())
def test_check_scans_find_what_the_plain_scans_find_on_real_reports(path):
    ft = width_fold(rk.load(path).text)
    for pattern, chars in OPENING:
        assert _spans(chk._matches_at(pattern, ft, chk._offsets(ft, chars))) == _spans(pattern.finditer(ft))
    assert _spans(chk._docnums(ft)) == _spans(chk._DOCNUM.finditer(ft))
    assert _one_bracket_headings(ft) == _plain_one_bracket_headings(ft)
    plain, fast = _enumerators_from_first(ft, 0, len(ft))
    assert fast == plain


def _strings(alphabet: str, n: int, seed: int, longest: int = 60):
    rnd = random.Random(seed)
    for _ in range(n):
        yield "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, longest)))


@pytest.mark.parametrize(("pattern", "chars", "alphabet"), [
    (chk._NEG_REQUESTS, "未没", "未没有曾收到受理接到接收受到过申请。公开x\n"),
    (chk._NEG_APPEALS, "未没无", "未发生出现有被涉及产生没有无因提起行政复议诉讼。,x"),
    (chk._UPHELD_CLAIM, "均全都皆", "均全部都皆已被获得到予以维持胜诉x"),
], ids=["denied_requests", "denied_appeals", "all_upheld"])
def test_patterns_tried_at_their_opening_characters_find_every_match(pattern, chars, alphabet):
    for s in _strings(alphabet, 3000, seed=len(chars)):
        assert _spans(chk._matches_at(pattern, s, chk._offsets(s, chars))) == _spans(pattern.finditer(s)), s


def test_document_numbers_read_before_each_hao_are_every_document_number():
    alphabet = "2019203012 \t\n号〕]】)(〔年第号\u0663\u3000x"
    for s in _strings(alphabet, 5000, seed=7, longest=90):
        assert _spans(chk._docnums(s)) == _spans(chk._DOCNUM.finditer(s)), s
    # A run of digits longer than the look-back is read from the previous 号 on.
    s = "号" + "2" * 200 + "2021〕30号"
    assert _spans(chk._docnums(s)) == _spans(chk._DOCNUM.finditer(s))


def test_one_bracket_headings_in_one_pass_are_those_found_start_by_start():
    for s in _strings("\n。;!? \t()一二三十x、", 5000, seed=11, longest=40):
        assert _one_bracket_headings(s) == _plain_one_bracket_headings(s), s


def test_enumerators_read_from_the_first_yi_shi_are_those_the_full_scan_finds_there():
    rnd = random.Random(13)
    for s in _strings("一二三十是是是统x\n(、", 5000, seed=13):
        lo = rnd.randint(0, len(s))
        hi = rnd.randint(lo, len(s))
        plain, fast = _enumerators_from_first(s, lo, hi)
        assert fast == plain, (s, lo, hi)


def _plain_facts_spans(ft: str, skip) -> list:
    return [m.span() for m in _FACT.finditer(ft) if not any(a <= m.start() < b for a, b in skip)]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=corpus_ids())
def test_fact_scan_stepping_over_tables_finds_the_facts_of_a_whole_scan(path):
    rep = rk.load(path)
    folded = Folded(rep.text)
    skip = [(t.start, t.end) for t in rep.tables.values() if t is not None and t.start is not None]
    got = [m.span() for m in _matches(folded.text, folded, skip)]
    assert [s for s in got if not any(a <= s[0] < b for a, b in skip)] == _plain_facts_spans(folded.text, skip)


def test_a_number_whose_unit_stands_inside_a_table_region_is_still_a_fact():
    ft = "共收到申请12件。表格 1 2 3 结束。"
    at = ft.index("件")
    skip = [(at, len(ft))]                 # a table region that starts at the unit
    folded = Folded(ft)
    got = [m.span() for m in _matches(ft, folded, skip)]
    assert got == [(ft.index("12"), at + 1)]


PAGES_RAW = ["<title>报告</title><p>正文</p>", "<p>a</p><title>x<td>1</td>", "<TITLE>x</Title><p>y<title>z",
             "<p><iframe src=a>x</p>", "<tıtle>x<p>y", "<p>ſ<noframes>q", "<title中>x", "<xmp>a</xmp><xmp>b"]


def test_raw_text_openers_found_in_the_one_byte_copy_are_closed_as_before():
    # The case-blind scan the one-byte copy replaces, applied to every tag it names.
    def plain(markup: str) -> str:
        tags = sorted({m.group(1).lower() for m in html._RAW_OPEN.finditer(markup)})
        for tag in tags:
            last = None
            for last in re.finditer(f"</{tag}", markup, re.I):
                pass
            cut = last.end() if last is not None else 0
            markup = markup[:cut] + re.sub(f"<{tag}\\b[^>]*>[^<]*", lambda m: m.group() + f"</{tag}>",
                                           markup[cut:], flags=re.I)
        return markup
    pieces = ["<title>", "</title>", "<TITLE x=1>", "</Title>", "<iframe src=a>", "</iframe>", "<xmp>", "<tıtle>",
              "<titles>", "<title中", "</tıtle>", "<noframes>", "ſ", "K", "İ", "中文", "<p>", "</p>", ">", "<", "é"]
    rnd = random.Random(17)
    cases = PAGES_RAW + ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12))) for _ in range(3000)]
    for markup in cases:
        assert html._close_raw_text(markup) == plain(markup), markup


@pytest.mark.parametrize("path", CORPUS_FILES[:6] + CORPUS_FILES[-3:], ids=corpus_ids()[:6] + corpus_ids()[-3:])
def test_check_of_a_report_just_loaded_equals_check_of_a_copy(path):
    # check takes the loader's width fold when the text is the one just parsed; a copy of the report
    # (another string object) is folded afresh. Both must give the same findings.
    rep = load_mod.load(path)
    fresh = copy.deepcopy(rep)
    fresh.text = "".join(list(rep.text))       # an equal string that is not the same object
    assert fresh.text is not rep.text
    assert chk.records(rep) == chk.records(fresh)


def test_width_folded_is_the_width_fold_whatever_was_loaded_last():
    rep = load_mod.loads("一、总体情况\n（一）主动公开１２３条。", "<s>")
    assert load_mod.width_folded(rep.text) == width_fold(rep.text)
    other = "（二）其他：４５６"
    assert load_mod.width_folded(other) == width_fold(other)


def test_enumeration_break_told_by_its_characters_is_the_break_the_pattern_finds():
    rnd = random.Random(19)
    for s in _strings("一二三十是、()（）\nx中", 5000, seed=19, longest=30):
        a = rnd.randint(0, len(s))
        b = rnd.randint(a, len(s))
        assert chk._enum_break(s, a, b) == (chk._ENUM_BREAK.search(s, a, b) is not None), (s, a, b)


def test_years_tried_where_19_or_20_stands_are_the_years_a_scan_finds():
    rnd = random.Random(23)
    for s in _strings("1920 年月\n〔2x", 5000, seed=23, longest=40):
        lo = rnd.randint(0, len(s))
        hi = rnd.randint(lo, len(s))
        plain = []
        for m in chk._YEAR_WORD.finditer(s, lo):
            if m.start() >= hi:
                break
            plain.append((m.span(), m.groups()))
        fast = _spans(chk._matches_at(chk._YEAR_WORD, s, chk._offsets(s, ("19", "20"), lo, hi)))
        assert fast == plain, (s, lo, hi)
