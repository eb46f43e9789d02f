"""Numbers stated in prose: ``发布各类信息284条``, ``回复率为100%``, ``收费9116.36万元``.

A fact is a number followed by a measure word or unit. Table cells carry no unit, so they are not facts;
years (``2021年``), dates and document numbers (``〔2021〕30号``) are excluded because 年/月/日/号 are not
units. Each fact keeps its span, its sentence and the words before it in its clause (its *subject*),
which is what the checks compare with table cells.
"""

from __future__ import annotations

import re

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
# The longest match that can be a fact: 15 digits with their commas, a point and 15 decimals, a space
# and a two-character unit (39), with room to spare.
_REACH = 64
# How far a sentence is looked for on either side of a number: bounded, so that a text with no sentence
# ends (a capture run into one line) costs linear time, not time proportional to numbers × length.
_WINDOW = 400
MAX_FACTS = 20_000
"""Facts collected per report at most. A real report states a few hundred numbers (10 MB of the seed
repeated: about 15,000); a text made of nothing but "1条" would otherwise hold a sentence of up to 800
characters for every six characters of input (2.4 GB for 8 MB). The loader notes when it stops."""
_SENTENCE_END = rx.lazy(r"[。!?;\n]")       # (looked for backwards character by character, too)


def extract_facts(text: str, folded: Folded, sections: list[Section], preamble_end: int,
                  skip: list[tuple[int, int]] = ()) -> list[Fact]:
    """All prose numbers of ``text``; spans in ``skip`` (table regions, original offsets) are ignored."""
    ft = folded.text
    out: list[Fact] = []
    bounds = [(0, preamble_end, 0)] + [(s.start, s.end, s.number) for s in sections if s.present]
    # Sentence ends and clause breaks are looked for around each number, at most _WINDOW characters
    # each way (a report states a few dozen numbers: cheaper than listing every sentence end of the
    # text; a text of nothing but numbers costs at most MAX_FACTS windows).
    rfind = ft.rfind
    next_end = _SENTENCE_END.search
    mapped = folded._map is not None       # else _matches has stepped over the skipped spans
    for m in _matches(ft, folded, skip):
        if len(out) >= MAX_FACTS:
            break
        s, e = folded.orig(m.start()), folded.orig_end(m.end())
        if mapped and any(a <= s < b for a, b in skip):
            continue
        digits = m.group(1).replace(",", "")
        if len(digits) > _MAX_DIGITS or len(m.group(2) or "") > _MAX_DIGITS:
            continue
        value: int | float = float(digits + m.group(2)) if m.group(2) else int(digits)
        unit = m.group(3)
        # Sentence and clause around the number, in folded text, mapped back to the original: the
        # sentence runs from just after the last sentence end (_SENTENCE_END) within _WINDOW before the
        # number to the first one within _WINDOW after it; the clause from the last clause break
        # (, ， ; : 、 。 or a line break) in the sentence before the number.
        fs, fe = m.span()
        lo = max(0, fs - _WINDOW)
        sent_from = max(rfind("。", lo, fs), rfind("!", lo, fs), rfind("?", lo, fs), rfind(";", lo, fs),
                        rfind("\n", lo, fs)) + 1 or lo
        after = next_end(ft, fe, fe + _WINDOW)
        sent_to = after.start() + 1 if after else min(len(ft), fe + _WINDOW)
        clause_from = max(rfind(",", sent_from, fs), rfind("，", sent_from, fs), rfind(";", sent_from, fs),
                          rfind(":", sent_from, fs), rfind("、", sent_from, fs), rfind("。", sent_from, fs),
                          rfind("\n", sent_from, fs)) + 1 or sent_from
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


def _matches(ft: str, folded: Folded, skip):
    """The matches of _FACT in ``ft`` outside the ``skip`` spans (the tables, where most digits are).

    The regex costs time at every digit, so the table regions are stepped over rather than read and
    thrown away. The matches are those a scan of the whole text finds there: a match inside a table
    that runs past its end ends in the number's decimals, space and unit, where no match can start
    (a fact starts at a digit no digit, point or digit-and-comma stands before). A gap is read
    _REACH characters into the table after it, for a match that starts before the table and ends
    in it; only a match too long to be a fact (over _MAX_DIGITS digits) reaches further. A text
    whose folding moved offsets (``folded`` has a map) is scanned whole."""
    if not skip or folded._map is not None:
        yield from _FACT.finditer(ft)
        return
    pos = 0
    for a, b in sorted(skip):
        if a > pos:
            for m in _FACT.finditer(ft, pos, a + _REACH):
                if m.start() >= a:
                    break
                yield m
        pos = max(pos, b)
    yield from _FACT.finditer(ft, pos)

