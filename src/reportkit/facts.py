"""Numbers stated in prose: ``发布各类信息284条``, ``回复率为100%``, ``收费9116.36万元``.

A fact is a number followed by a measure word or unit. Table cells carry no unit, so they are not facts;
years (``2021年``), dates and document numbers (``〔2021〕30号``) are excluded because 年/月/日/号 are not
units. Each fact keeps its span, its sentence and the words before it in its clause (its *subject*),
which is what the checks compare with table cells.
"""

from __future__ import annotations

import re

from .model import Fact, Section
from .textmap import Folded

# Longer units first so "万元" wins over "元" and "人次" over "次".
UNITS = ("万元", "人次", "余条", "余件", "条", "件", "宗", "部", "个", "次", "份", "起", "篇", "项", "家",
         "场", "期", "元", "%")
# Measure words that mean the same count (an application is 件, 宗, 份 or 条 in different reports).
UNIT_FAMILY = {"件": "件", "宗": "件", "份": "件", "起": "件", "余件": "件", "条": "条", "余条": "条"}

_FACT = re.compile(r"(?<![\d.〔\[【(])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s?(" + "|".join(map(re.escape, UNITS)) + ")")
_SENTENCE_END = re.compile(r"[。!?;\n]")
_CLAUSE_BREAK = re.compile(r"[,，;:、。\n]")


def extract_facts(text: str, folded: Folded, sections: list[Section], preamble_end: int,
                  skip: list[tuple[int, int]] = ()) -> list[Fact]:
    """All prose numbers of ``text``; spans in ``skip`` (table regions, original offsets) are ignored."""
    ft = folded.text
    out: list[Fact] = []
    bounds = [(0, preamble_end, 0)] + [(s.start, s.end, s.number) for s in sections if s.present]
    for m in _FACT.finditer(ft):
        s, e = folded.orig(m.start()), folded.orig_end(m.end())
        if any(a <= s < b for a, b in skip):
            continue
        digits = m.group(1).replace(",", "")
        value: int | float = float(digits + m.group(2)) if m.group(2) else int(digits)
        unit = m.group(3)
        # Sentence and clause around the number, in folded text, mapped back to the original.
        fs = m.start()
        sent_from = max((x.end() for x in _SENTENCE_END.finditer(ft, max(0, fs - 400), fs)), default=max(0, fs - 400))
        nxt = _SENTENCE_END.search(ft, m.end())
        sent_to = nxt.start() + 1 if nxt else len(ft)
        clause_from = max((x.end() for x in _CLAUSE_BREAK.finditer(ft, sent_from, fs)), default=sent_from)
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
