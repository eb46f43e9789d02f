"""Numbers stated in prose: ``发布各类信息284条``, ``回复率为100%``, ``收费9116.36万元``.

A fact is a number followed by a measure word or unit. Table cells carry no unit, so they are not facts;
years (``2021年``), dates and document numbers (``〔2021〕30号``) are excluded because 年/月/日/号 are not
units. Each fact keeps its span, its sentence and the words before it in its clause (its *subject*),
which is what the checks compare with table cells.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from .model import Fact, Section
from .text import Folded
from . import rx

# Longer units first so "万元" wins over "元" and "人次" over "次".
UNITS = ("万元", "人次", "余条", "余件", "条", "件", "宗", "部", "个", "次", "份", "起", "篇", "项", "家",
         "场", "期", "元", "%")
# Measure words that mean the same count (an application is 件, 宗, 份 or 条 in different reports).
UNIT_FAMILY = {"件": "件", "宗": "件", "份": "件", "起": "件", "余件": "件", "条": "条", "余条": "条"}

# A number starts after no digit, point or comma-after-digit (so a match never starts inside
# "1,000,000", which made a long comma-grouped run cost quadratic time); the atomic group stops the
# engine re-splitting a digit run it has already read whole. The pattern opens with its first digit and
# looks behind it from there: a pattern that opens with a digit lets the engine skip straight to the
# digits of the text, where one opening with a lookbehind is tried at every character (2.3× slower).
_FACT = rx.lazy(r"((?>\d(?<![\d.〔\[【(]\d)(?<!\d,\d)(?:\d{0,2}(?:,\d{3})+|\d*)))(\.\d+)?\s?("
                   + "|".join(map(re.escape, UNITS)) + ")")
# A number with more digits than this is no count or amount (and int() refuses thousands of digits): it
# is left alone rather than read as a wrong, infinite or failing number.
_MAX_DIGITS = 15
# How far a sentence is looked for on either side of a number: bounded, so that a text with no sentence
# ends (a capture run into one line) costs linear time, not time proportional to numbers × length.
_WINDOW = 400
MAX_FACTS = 20_000
"""Facts collected per report at most. A real report states a few hundred numbers (10 MB of the seed
repeated: about 15,000); a text made of nothing but "1条" would otherwise hold a sentence of up to 800
characters for every six characters of input (2.4 GB for 8 MB). The loader notes when it stops."""
_SENTENCE_END = rx.lazy(r"[。!?;\n]")
_CLAUSE_BREAK = rx.lazy(r"[,，;:、。\n]")


def extract_facts(text: str, folded: Folded, sections: list[Section], preamble_end: int,
                  skip: list[tuple[int, int]] = ()) -> list[Fact]:
    """All prose numbers of ``text``; spans in ``skip`` (table regions, original offsets) are ignored."""
    ft = folded.text
    out: list[Fact] = []
    bounds = [(0, preamble_end, 0)] + [(s.start, s.end, s.number) for s in sections if s.present]
    # Sentence ends and clause breaks are found once and looked up by bisection: a text dense with
    # numbers would otherwise rescan the same window for every one of them.
    ends: list[int] | None = None
    breaks: list[int] | None = None
    for m in _FACT.finditer(ft):
        if len(out) >= MAX_FACTS:
            break
        s, e = folded.orig(m.start()), folded.orig_end(m.end())
        if any(a <= s < b for a, b in skip):
            continue
        digits = m.group(1).replace(",", "")
        if len(digits) > _MAX_DIGITS or len(m.group(2) or "") > _MAX_DIGITS:
            continue
        value: int | float = float(digits + m.group(2)) if m.group(2) else int(digits)
        unit = m.group(3)
        if ends is None:
            ends = [x.start() for x in _SENTENCE_END.finditer(ft)]
            breaks = [x.start() for x in _CLAUSE_BREAK.finditer(ft)]
        # Sentence and clause around the number, in folded text, mapped back to the original: the
        # sentence runs from just after the last sentence end within _WINDOW before the number to the
        # first one within _WINDOW after it.
        fs = m.start()
        lo = max(0, fs - _WINDOW)
        k = bisect_left(ends, fs) - 1
        sent_from = ends[k] + 1 if k >= 0 and ends[k] >= lo else lo
        k = bisect_left(ends, m.end())
        sent_to = ends[k] + 1 if k < len(ends) and ends[k] < m.end() + _WINDOW else min(len(ft), m.end() + _WINDOW)
        k = bisect_left(breaks, fs) - 1
        clause_from = breaks[k] + 1 if k >= 0 and breaks[k] >= sent_from else sent_from
        subject = ft[clause_from:fs].strip()
        so, se = folded.orig(sent_from), folded.orig_end(sent_to)
        section = None
        for a, b, num in bounds:
            if a <= s < b:
                section = num
                break
        out.append(Fact(value=value, unit=unit, start=s, end=e, text=text[s:e],
                        sentence=text[so:se].strip(), sentence_start=so, section=section, subject=subject))
    return out
