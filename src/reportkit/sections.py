"""Find the six numbered sections of a report and cut the text into spans that partition it.

Headings are recognised by numeral + a title pattern from the format description, on the NFKC-folded
text (so ``（一）`` and ``(一)`` are the same), at the start of a line or after a sentence end (captures
that run the whole body into one line). The title is required: ``一、本年新收…`` is a table row, not
section 一. Each section found runs from its heading to the next heading found; the text before the
first heading is the preamble. Sections not found get an empty span where they would have stood, so
the spans always partition the text: nothing is lost and nothing counted twice.

The title decides which section a heading opens; the numeral only confirms it. A heading printed
under another numeral (``一、主动公开政府信息情况`` for 二) is used where its own number is missing and
recorded in ``Section.numbered_as``; a later such heading (an annex numbering its tables 一/二/三) is
recorded as the section's annex span, where load reads the table if the section itself holds none. A
text that ends right after a heading (before 六) marks that section and the ones after it ``truncated``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .format import spec
from .model import Section
from .text import NUMERALS, Folded

# Section numbers: 一 … 六.
_NUMERALS = NUMERALS[1:7]

# A heading normally starts a line, or follows a sentence end or spaces in text a capture joined into
# one line ("strong"). Captures that ran table cells together also glue headings to digits
# ("…收费0三、收到和处理…"): such "weak" candidates are used only where no strong one exists.
_STRONG_BEFORE = set("\n。;!?:|") | {" ", "\t"}


@dataclass
class Heading:
    number: int         # the section its title names
    start: int          # folded-text offsets
    end: int
    written: str
    strong: bool = True
    numbered_as: int | None = None   # the numeral printed, when it is not the title's (a renumbered slip)
    after_digit: bool = False         # glued to a digit: a table cell run into the heading


def _heading_regex() -> re.Pattern:
    # Not lexicon.ENUMERATOR: a section heading is found by its title, and only 一 … 六 or a bullet
    # can lead one. Any numeral: the title decides the section, the numeral only says whether it was renumbered. One
    # numeral prefix for all six titles keeps the scan as cheap as one alternative.
    titles = "|".join(f"(?P<s{sec.number}>{'|'.join(f'(?:{p})' for p in sec.patterns)})" for sec in spec().sections)
    bullet = "|".join(f"(?:{p})" for p in spec().sections[0].patterns)
    # One character class opens the pattern, so the engine skips to the characters that can start a
    # heading instead of trying both alternatives at every character.
    return re.compile(f"(?P<lead>[{_NUMERALS}\\-•·*])(?:(?<=[{_NUMERALS}])\\s*[、.．,]?\\s*(?:{titles})"
                      f"|(?<=[-•·*])\\s*(?:{bullet}))")


_HEADING = None


def find_headings(folded: str) -> list[Heading]:
    """All heading candidates in folded text, in text order (possibly several per number)."""
    global _HEADING
    if _HEADING is None:
        _HEADING = _heading_regex()
    out = []
    for m in _HEADING.finditer(folded):
        s, e = m.span()
        prev = folded[s - 1] if s else "\n"
        lead = m.group("lead")
        if lead in "-•·*":
            out.append(Heading(1, s, e, m.group(), strong=prev in _STRONG_BEFORE))
            continue
        num = next(k for k in range(1, 7) if m.group(f"s{k}") is not None)
        written = _NUMERALS.find(lead) + 1
        out.append(Heading(num, s, e, m.group(), strong=prev in _STRONG_BEFORE,
                           numbered_as=written if written != num else None, after_digit=prev.isdigit()))
    return out


def _increasing(cands: list[Heading]) -> list[Heading]:
    """The longest run of candidates whose numbers increase in text order (earliest on ties).

    Numbers are 1–6, so the best chain ending at each number is all the state needed: one pass, O(n)
    (a text repeating one heading 50,000 times must not cost n²)."""
    if not cands:
        return []
    # best[num] = (length, index) of the longest chain seen so far ending in a candidate numbered num,
    # the earliest candidate on ties.
    best: dict[int, tuple[int, int]] = {}
    prev = [-1] * len(cands)
    length = [1] * len(cands)
    for i, h in enumerate(cands):
        before = [best[k] for k in best if k < h.number]
        if before:
            blen, bidx = max(before, key=lambda x: (x[0], -x[1]))
            length[i] = blen + 1
            prev[i] = bidx
        if h.number not in best or length[i] > best[h.number][0]:
            best[h.number] = (length[i], i)
    i = max(range(len(cands)), key=lambda k: (length[k], -k))
    chain = []
    while i != -1:
        chain.append(cands[i])
        i = prev[i]
    return chain[::-1]


def _choose(all_cands: list[Heading]) -> list[Heading]:
    """One heading per number. Headings numbered as their title says come first; a section found only
    under another numeral (an annex or a slip renumbering 二/三/四 as 一/二/三) then takes its title's place
    where it fits in order. Strong candidates first, in increasing order, so a stray mention cannot
    cut a section out of order; then weak ones that fit between them; then any number still missing
    takes its first candidate even out of order (the check reports the order)."""
    cands = [h for h in all_cands if h.numbered_as is None]
    chain = _fit(_increasing([h for h in cands if h.strong]), cands)
    renumbered = [h for h in all_cands if h.numbered_as is not None]
    if renumbered:
        have = {h.number for h in chain}
        chain = _fit(chain, [h for h in renumbered if h.strong and h.number not in have], weak_only=False)
        have = {h.number for h in chain}
        # Weak ones only where a table's digits ran into them ("…9116.36二、收到和处理…"): a numeral ending
        # a word ("统一、主动公开政府信息…") is not a heading.
        chain = _fit(chain, [h for h in renumbered if h.number not in have and h.after_digit], weak_only=False)
    have = {h.number for h in chain}
    for h in cands:
        if h.number not in have:
            chain.append(h)
            have.add(h.number)
    chain.sort(key=lambda h: h.start)
    return chain


def _fit(chain: list[Heading], cands: list[Heading], weak_only: bool = True) -> list[Heading]:
    """Add the candidates whose number is missing from ``chain`` where they fit between its headings."""
    chain = list(chain)
    have = {h.number for h in chain}
    for h in cands:
        if (weak_only and h.strong) or h.number in have:
            continue
        before = [c for c in chain if c.number < h.number]
        after = [c for c in chain if c.number > h.number]
        if (not before or before[-1].start < h.start) and (not after or h.start < after[0].start):
            chain.append(h)
            chain.sort(key=lambda x: x.start)
            have.add(h.number)
    return chain


def split_sections(text: str, folded: Folded) -> tuple[int, list[Section]]:
    """Return (preamble_end, six sections) with spans into the original ``text``."""
    cands = find_headings(folded.text)
    heads = _choose(cands)
    n = len(text)
    starts = [(folded.orig(h.start), folded.orig(h.end), h) for h in heads]
    preamble_end = starts[0][0] if starts else n
    found: dict[int, Section] = {}
    for i, (s, e, h) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else n
        found[h.number] = Section(number=h.number, title=spec().section(h.number).title,
                                  heading=text[s:e], start=s, end=end, body_start=e, present=True,
                                  numbered_as=h.numbered_as)
    sections = []
    last_end = preamble_end
    for num in range(1, 7):
        if num in found:
            sec = found[num]
            last_end = max(last_end, sec.end)
        else:
            # Not in the text: an empty span where it would have stood (after the previous one found).
            prev_found = [found[k] for k in range(1, num) if k in found]
            at = prev_found[-1].end if prev_found else preamble_end
            sec = Section(number=num, title=spec().section(num).title, heading=None,
                          start=at, end=at, body_start=at, present=False)
        sections.append(sec)
    _mark_annexes(sections, cands, heads, folded)
    _mark_truncated(sections, text)
    return preamble_end, sections


def _mark_annexes(sections: list[Section], cands: list[Heading], heads: list[Heading], folded: Folded):
    """A table section's title repeated under another numeral after the section itself (an annex that
    numbers its tables 一/二/三): its span, so the table can be read there when the section has none."""
    chosen = {id(h) for h in heads}
    starts = sorted(h.start for h in cands)
    for h in cands:
        sec = sections[h.number - 1]
        if (id(h) in chosen or not h.strong or h.numbered_as is None or not sec.present
                or spec().section(h.number).table is None or sec.annex_start is not None
                or folded.orig(h.start) < sec.end):
            continue
        nxt = next((s for s in starts if s > h.start), len(folded.text))
        sec.annex_start, sec.annex_end = folded.orig_end(h.end), folded.orig(nxt)


def _mark_truncated(sections: list[Section], text: str):
    """A text that ends right after a heading was cut off there: that section and the ones after it.
    A bare 六 at the end is not a cut: many reports have nothing more to report."""
    present = [s for s in sections if s.present]
    if not present:
        return
    last = max(present, key=lambda s: s.start)
    if last.number < len(sections) and last.end == len(text) and not text[last.body_start:].strip():
        for s in sections:
            if s is last or (not s.present and s.number > last.number):
                s.truncated = True
