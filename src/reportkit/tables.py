"""Read the three statistical tables from the text of a report, in any of the layouts seen in the wild.

The text is first cut into cell tokens (on ``|``, line breaks and spaces), each token remembering its
span in the original text. Rows are then rebuilt by *label*: a token whose label matches a row of the
format starts that row, and the numeric tokens that follow it are its cells. A row whose digits are run
together (``713000074`` for seven cells) is cut only where the format leaves one admissible cut: by form
alone here, by the format's identities across the whole report in ``settle_splits`` (see
``reportkit.split``); any other row whose cell count is not the format's is reported as an issue and its
cells marked ``unreadable``: cells are never assigned by position or split by guessing.

Labels are taken as captures print them: a row's digits running into the next row's enumerator
(``00000003.其他``: the ``3`` is the label's), several row labels glued into one token, a header word glued
in front (``现行有效件数规章``), a label wrapped over lines or broken by stray spaces, a heading naming a row
above the small table that holds it. Prose that names a row (``其中,予以公开2件``) is not a table row.

HTML tables arrive as grids (each ``<tr>``'s cells, from ``reportkit.html``), where cell boundaries are
exact and an empty cell is a known blank; text layouts lose empty cells, so a short row is unreadable.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from typing import NamedTuple

from .format import _LABEL_DROP, Table, fold, label_key, spec
from . import split
from .model import Cell, TableIssue, TableRead
from .split import MAX_DIGITS
from .text import CN_DIGIT, CN_DIGITS, Folded
from . import rx

_NUM = rx.lazy(r"[+-]?\d+(?:\.\d+)?")
# A digit run that starts a word and is followed by "." and a non-digit is an enumerator ("1.属于…"),
# part of a label, not a cell.
# The format's enumerators are single digits (1.–8.), so in "15.属于…" the "1" is a cell and "5." the label's.
_SEGMENT = rx.lazy(r"(?<![\d.])([1-9][.、])(?=[^\d\s])|([+-]?\d+(?:\.\d+)?)")


_LONE_ENUM = rx.lazy(r"[*#]*[1-9][.、]")
_THOUSANDS = rx.lazy(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
# Where a second row label starts inside one label token ("…申请3.其他(七)总计", "三、本年度办理结果(一)予以公开"):
# a Chinese numeral with "、" or in brackets, or a digit enumerator not preceded by a digit.
# Not lexicon.ENUMERATOR: that one reads an enumerator where a label starts; this one finds where a label
# starts inside a run of cells and labels, so a digit enumerator is one digit (the format's 1.–8.), not
# after a digit or a point (in "15.属于" the "1" is a cell) and followed by a word, not a number.
_BOUNDARY = rx.lazy(rf"{CN_DIGIT}+、|\({CN_DIGIT}+\)|(?<![\d.])[1-9][.、](?=[^\d\s])")
# A count unit right after a number: the number is prose ("其中,予以公开2件"), not a table cell.
# ("项" is left out: the header word 项目 can follow a table row.)
_PROSE_UNIT = "件条次人个份起宗篇"

_WORD = rx.lazy(r"\S+")


class Token(NamedTuple):
    """One cell or label of a table region, as the HTML and Word readers hand their grids over.

    The text tokenizer writes plain tuples laid out the same way (a tuple costs a tenth of building a
    NamedTuple, and a region has hundreds of tokens), so the readers here index tokens (``t[0]`` kind,
    ``t[1]`` text, ``t[2]``/``t[3]`` span, ``t[4]`` glued, ``t[5]`` grid row) and turn one into a Token
    (:func:`_as_token`) only on the rare paths that look at a token more closely."""

    kind: str           # "num", "mark" (/ — 无 …), "empty" (an empty HTML cell), "label"
    text: str           # folded text
    start: int          # original offsets
    end: int
    glued: bool = False  # digits touching other characters with no separator
    row: int | None = None  # grid row (HTML tables): cells of one <tr>

    @property
    def is_value(self) -> bool:
        return self.kind != "label"


def _as_token(t: tuple) -> Token:
    return t if t.__class__ is Token else Token._make(t)


def _is_mark(word: str) -> bool:
    return word in spec().blank_marks


# One pass over a table region, one match per piece (the text between "|" and line breaks): a piece
# that is one bare number (group 1) or one word without digits but for a leading enumerator ("1.属于…",
# group 2) is a token as it stands; any other piece (group 3) goes through the word-by-word reading of
# _piece_tokens, which reads those two the same way. Whitespace here is what str.strip and \S take for
# it, so the words are those of _WORD.
# Possessive quantifiers: nothing a quantifier gave back could make another match, so none is tried.
_FAST_PIECE = rx.lazy(r"[|\n\r]*+(?:[^\S\n\r]*+(?:([0-9]++)|((?:[1-9][.、])?[^\s\d|]++))[^\S\n\r]*+(?=[|\n\r]|\Z)"
                      r"|([^|\n\r]++))")


def tokenize(folded: Folded, start: int, end: int) -> list[tuple]:
    """Cell tokens of folded text ``[start, end)`` (folded offsets), as tuples laid out like
    :class:`Token`; token spans are original offsets."""
    text = folded.text
    marks = spec().blank_marks
    out: list[tuple] = []
    append = out.append
    # Two copies of one loop: text that folding left the same length maps offsets one to one, and most
    # text does, so its loop makes no call per token.
    if folded._map is None:
        for m in _FAST_PIECE.finditer(text, start, end):
            w = m[1]
            if w is not None:
                s = m.start(1)
                append(("num", w, s, s + len(w), False, None))
                continue
            w = m[2]
            if w is not None and w not in marks:
                s = m.start(2)
                append(("label", w, s, s + len(w), False, None))
                continue
            # A piece of several words, a mark, a number glued to words or written with separators.
            g = 2 if w is not None else 3
            _piece_tokens(text, m.start(g), m[g], marks, _same, _same, out)
        return out
    orig, orig_end = folded.orig, folded.orig_end
    for m in _FAST_PIECE.finditer(text, start, end):
        w = m[1]
        if w is not None:
            s = m.start(1)
            append(("num", w, orig(s), orig_end(s + len(w)), False, None))
            continue
        w = m[2]
        if w is not None and w not in marks:
            s = m.start(2)
            append(("label", w, orig(s), orig_end(s + len(w)), False, None))
            continue
        g = 2 if w is not None else 3
        _piece_tokens(text, m.start(g), m[g], marks, orig, orig_end, out)
    return out


def _piece_tokens(text: str, base: int, pg: str, marks, orig, orig_end, out: list[tuple]) -> None:
    """The tokens of one piece ``pg`` (at folded offset ``base``), word by word."""
    whole = pg.strip()
    if not whole:
        return
    if "," in whole and _THOUSANDS.fullmatch(whole):
        # A cell of its own ("| 517,645 |"): one number written with thousands separators.
        s = base + pg.index(whole)
        out.append(("num", whole.replace(",", ""), orig(s), orig_end(s + len(whole)), False, None))
        return
    label_parts: list[tuple[int, int]] = []

    def flush():
        s, e = label_parts[0][0], label_parts[-1][1]
        out.append(("label", text[s:e], orig(s), orig_end(e), False, None))
        label_parts.clear()

    words = _WORD.findall(pg)
    at = 0
    last = len(words) - 1
    for wi, word in enumerate(words):
        at = pg.index(word, at)
        ws = base + at
        at += len(word)
        we = base + at
        if word.isdigit() and word.isascii():
            # The common cell: digits standing alone (what the general case below makes of them).
            if label_parts:
                flush()
            out.append(("num", word, orig(ws), orig_end(we), False, None))
            continue
        if word[-1] in ".、" and _LONE_ENUM.fullmatch(word) and wi < last and not words[wi + 1][0].isdigit() \
                and words[wi + 1] not in marks:
            # "1. 属于国家秘密": the enumerator, parted from its label by a space, is not a cell.
            label_parts.append((ws, we))
            continue
        if word in marks:
            if label_parts:
                flush()
            out.append(("mark", word, orig(ws), orig_end(we), False, None))
            continue
        pos = 0
        for m in _SEGMENT.finditer(word):
            if m.group(1):          # enumerator: stays inside the label
                continue
            s, e = m.span(2)
            if s > pos:
                label_parts.append((ws + pos, ws + s))
            if label_parts:
                flush()
            out.append(("num", m.group(2), orig(ws + s), orig_end(ws + e), s > 0 or e < len(word), None))
            pos = e
        if pos < len(word):
            label_parts.append((ws + pos, we))
    if label_parts:
        flush()


def _same(i: int) -> int:
    return i


def _leading_zero(tok: tuple) -> bool:
    # "0000000" or "010" cannot be one number: several cells lost their separators.
    t = tok[1].lstrip("+-")
    return len(t) > 1 and t[0] == "0" and not t.startswith("0.")


def _too_long(text: str) -> bool:
    return len(text) > MAX_DIGITS and sum(ch.isdigit() for ch in text) > MAX_DIGITS


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


class _Matcher:
    """Label → row lookup for one table, tolerant of group labels glued in front and split labels.
    One per table (``_matcher``), with its answers remembered: the same labels recur in every report."""

    MEMO = 20000

    def __init__(self, table: Table):
        self.table = table
        self.by_key = table.row_by_key
        self.keys_by_len = sorted(self.by_key, key=len, reverse=True)
        self.any_key = tuple(self.keys_by_len)
        self.full_keys = frozenset(k for r in table.rows for k in r.keys)
        self.headers = _header_keys(table)
        self.label_ends = tuple(k for k in self.full_keys | self.headers if len(k) >= 2)
        self.memo: dict[str, object] = {}
        self._cols: dict[str, tuple] = {}
        self._keys: dict[str, tuple] = {}
        # Per label text as printed: its key and row, whether it names a header, whether _pieces cuts it.
        # Answers, not state: the same few hundred labels recur in every report.
        self._labels: dict[str, tuple] = {}
        self._header: dict[str, bool] = {}
        self._cuts: dict[str, bool] = {}
        self.uncut: set[str] = set()     # label texts that _relabel leaves as they are

    def columns_for(self, row_id: str) -> tuple:
        cols = self._cols.get(row_id)
        if cols is None:
            cols = self._cols[row_id] = self.table.columns_for(row_id)
        return cols

    def cell_keys(self, row_id: str) -> tuple:
        """The (row id, column id) keys of a row's cells, in column order."""
        keys = self._keys.get(row_id)
        if keys is None:
            keys = self._keys[row_id] = tuple((row_id, c.id) for c in self.columns_for(row_id))
        return keys

    def label(self, text: str) -> tuple:
        """(key, row or None) of a label token's text."""
        hit = self._labels.get(text)
        if hit is None:
            if len(self._labels) > self.MEMO:
                self._labels.clear()
            key = _key(text)
            hit = self._labels[text] = (key, self.match(key))
        return hit

    def is_header(self, key: str) -> bool:
        hit = self._header.get(key)
        if hit is None:
            if len(self._header) > self.MEMO:
                self._header.clear()
            hit = self._header[key] = key in self.headers or any(key.endswith(h) for h in self.headers if len(h) >= 4)
        return hit

    def cuts(self, text: str) -> bool:
        """Whether :func:`_pieces` cuts a label of this text into several."""
        hit = self._cuts.get(text)
        if hit is None:
            if len(self._cuts) > self.MEMO:
                self._cuts.clear()
            hit = self._cuts[text] = len(_pieces(Token("label", text, 0, len(text)), self)) > 1
        return hit

    def match(self, key: str):
        if not key:
            return None
        row = self.by_key.get(key)
        if row is not None:
            return row
        if key in self.memo:
            return self.memo[key]
        if len(self.memo) > self.MEMO:
            self.memo.clear()
        self.memo[key] = row = self._glued(key) if key.endswith(self.any_key) else None
        return row

    def _glued(self, key: str):
        # Something glued in front of a row label ("三、本年度办理结果 (一)予以公开", "现行有效件数规章"): match
        # the longest row key the token ends with when that key carries its enumerator, or when what is
        # glued in front is itself a label of the table. Prose ending in a bare label ("其中,予以公开")
        # is not a row.
        for k in self.keys_by_len:
            if not key.endswith(k):
                continue
            if len(k) >= 4 and k in self.full_keys and _enumerated(k):
                return self.by_key[k]
            prefix = key[:-len(k)]
            if len(k) >= 2 and (not _CJK.search(prefix) or prefix.endswith(self.label_ends)):
                return self.by_key[k]
        return None


def _per_table(fn):
    """Cache ``fn(table)`` by the table's identity: hashing a Table hashes all its rows and columns, which
    cost more than the lookups it saved (the format's tables live as long as the process)."""
    memo: dict[int, tuple[Table, object]] = {}

    @functools.wraps(fn)
    def cached(table: Table):
        hit = memo.get(id(table))
        if hit is None or hit[0] is not table:
            hit = memo[id(table)] = (table, fn(table))
        return hit[1]
    return cached


@_per_table
def _matcher(table: Table) -> _Matcher:
    return _Matcher(table)


@functools.lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """A label's key without the Markdown emphasis a conversion may wrap it in ("**(七)总计**", "# …")."""
    return label_key(text).strip("*#`~")


_CJK = rx.lazy(r"[\u4e00-\u9fff]")


def _enumerated(key: str) -> bool:
    return bool(re.match(rf"[{CN_DIGITS}\d]", key))


@_per_table
def _header_keys(table: Table) -> frozenset[str]:
    keys = {label_key(c.label) for c in table.columns}
    keys |= {label_key(x) for c in table.columns for x in c.variants}
    keys |= {label_key(p) for c in table.columns for p in c.path if p}
    keys |= {label_key(b.label) for b in table.blocks}
    if table.corner:
        keys.add(label_key(table.corner))
    return frozenset(keys)


def _label_positions(tokens: list[tuple]) -> tuple[list[str], list[int]]:
    """The kind of every token and the indices of the label tokens: the walks below go from label to
    label and take the value runs between as slices."""
    kinds = list(map(_kind_of, tokens))
    return kinds, list(itertools.compress(range(len(kinds)), map(_LABEL_KIND, kinds)))


_kind_of = operator.itemgetter(0)
_text_of = operator.itemgetter(1)
_LABEL_KIND = "label".__eq__


def read_rows(table: Table, tokens: list[Token], version: str) -> TableRead:
    """Rebuild the data rows of ``table`` from tokens by label and count."""
    tr = TableRead(table=table.id, version=version, found=False)
    matcher = _matcher(table)
    label, known = matcher.label, matcher._labels
    by_key = matcher.by_key
    kinds, labels = _label_positions(tokens)
    relabelled = _relabel(tokens, matcher, labels)
    if relabelled is not tokens:
        tokens = relabelled
        kinds, labels = _label_positions(tokens)
    n = len(tokens)
    n_labels = len(labels)
    store = tr.store()
    found = False       # some row label or header of the table was seen
    seen: dict[str, int] = {}
    # Rows met without numbers: a heading naming the row ("### 一、本年新收…" above a small table) or a
    # row really printed empty; a later occurrence with numbers is the row.
    pending: dict[str, tuple] = {}
    p = 0       # labels[p] is the label read now; the walk only moves forward
    while p < n_labels:
        i = labels[p]
        tok = tokens[i]
        text = tok[1]
        key, row = known.get(text) or label(text)
        if row is None and i > 0:
            # "00000003.其他": the enumerator went to the digits before (cut off there, see _assign);
            # "0 63.其他": a cell went to the enumerator (given back there). (What each helper requires
            # is tested first: most labels are neither.)
            prev = tokens[i - 1]
            hit = _enumerated_row(table, _as_token(prev), _as_token(tok)) if prev[4] and text.startswith(".") else None
            row = hit[0] if hit else (_digit_before_enumerator(table, _as_token(tok))
                                      if prev[0] == "num" and text[:2].isdigit() else None)
        used = 1
        joined = key
        if row is None:
            # A label split over several tokens ("(三)" / "不予公开", "(二)部分公开(区分…" wrapped).
            for k in range(1, 4):
                if i + k >= n or kinds[i + k] != "label":
                    break
                joined += _key(tokens[i + k][1])
                row = by_key.get(joined)
                if row is not None:
                    used = k + 1
                    break
        grid = tok[5]
        if row is not None and grid is None and i + used < n and kinds[i + used] == "label":
            # The rest of a wrapped label whose first line already names the row ("(二)部分公开" /
            # "(区分处理的,只计这一情形," / "不计其他情形)") belongs to the label, not between it and its cells.
            ext = joined
            for k in range(used, used + 3):
                if i + k >= n or kinds[i + k] != "label":
                    break
                ext += _key(tokens[i + k][1])
                if by_key.get(ext) is row:
                    used = k + 1
        if row is None:
            if not found and matcher.is_header(key):
                found = True
            p += 1
            continue
        found = True
        j = i + used
        p += used       # the labels i .. j-1 are this row's
        if row.kind == "group":
            continue
        if grid is not None:
            # Grid row: every remaining cell of this <tr> belongs to the row, blanks included.
            vals = []
            while j < n and tokens[j][5] == grid:
                if kinds[j] != "label":
                    vals.append(tokens[j])
                j += 1
            while p < n_labels and labels[p] < j:
                p += 1
        else:
            j = labels[p] if p < n_labels else n
            vals = tokens[i + used:j]
            if vals and j < n and tokens[j][1][:1] in _PROSE_UNIT \
                    and _prose_after(tokens, j, vals, len(matcher.columns_for(row.id))):
                continue
        cols = matcher.columns_for(row.id)
        if row.id in seen:
            if vals:
                tr.issues.append(TableIssue(table.id, "duplicate_row",
                                            f"row {row.label} appears twice; the first one is kept",
                                            row=row.id, start=tok[2], end=tok[3], raw=tok[1]))
            continue
        if not vals and grid is None:
            pending.setdefault(row.id, (row, cols, tok))
            continue
        seen[row.id] = i
        if pending:
            pending.pop(row.id, None)
        unit = _unit_after(tokens, j, vals) if j < n and tokens[j][1][:1] in "元万亿" else None
        if unit is not None and cols[-1].unit and not unit.startswith(cols[-1].unit):
            # "120000元" in a column counted in 万元: one cell, but not a number of the column's unit.
            v = _as_token(vals[-1])
            tr.issues.append(TableIssue(table.id, "unit", f"{row.label}: {v.text}{unit[:2]} where the column "
                                        f"is in {cols[-1].unit}; not converted", row=row.id, column=cols[-1].id,
                                        start=v.start, end=tokens[j][3], raw=v.text + unit[:2]))
            for c in cols:
                tr.store()[(row.id, c.id)] = Cell(table.id, row.id, c.id, None, "unreadable", v.text, v.start, v.end,
                                                note="unit")
            continue
        nt = tokens[j] if j < n else None
        if grid is None and len(vals) == len(cols):
            # What _assign does with a row of plain counts (the common row), without the call.
            last = vals[-1]
            texts = list(map(_text_of, vals))
            if (kinds[i + used:j].count("num") == len(vals) and _PLAIN_CELLS.fullmatch(" ".join(texts))
                    and not (nt is not None and ((last[4] and nt[1].startswith("."))
                                                 or (last[5] is None and nt[1][:2].isdigit())))
                    and not (cols[-1].unit and _other_unit(cols[-1], last, nt))):
                _store_plain(store, matcher.cell_keys(row.id), vals)
                continue
        _assign(tr, table, row, cols, vals, tok[2], tok, nt)
    for row, cols, tok in pending.values():
        _assign(tr, table, row, cols, [], tok[2], tok)
    tr.found = found
    tr.start = tokens[0][2] if tokens else None
    tr.end = tokens[-1][3] if tokens else None
    return tr


def _prose_after(tokens: list[Token], j: int, vals: list[Token], width: int) -> bool:
    """A number followed by a count unit ("予以公开2件", "予以公开 2 件" where a row has several cells) is
    prose, not a table cell."""
    last = vals[-1]
    if last[0] != "num" or j >= len(tokens) or tokens[j][0] != "label" or tokens[j][1][:1] not in _PROSE_UNIT:
        return False
    return tokens[j][2] == last[3] or len(vals) < width


def _unit_after(tokens: list[Token], j: int, vals: list[Token]) -> str | None:
    """The money unit glued after a row's last number ("120000元", "6512.75万元"), if any."""
    if not vals or vals[-1][0] != "num" or j >= len(tokens):
        return None
    t = tokens[j]
    if t[0] == "label" and t[2] == vals[-1][3] and t[1][:1] in "元万亿":
        return t[1]
    return None


def _relabel(tokens: list[tuple], matcher: _Matcher, labels: list[int]) -> list[tuple]:
    """Text tokens with row labels cut out where a capture glued them to their neighbours.

    A row's digits run into the next row's enumerator ("00000003.其他", "10000015.属于三类…"): the
    enumerator belongs to the label, so when digit + label is a row of the table the digit is cut off the
    run (what is left is the previous row's cells). Several row labels glued into one token
    ("…政府信息公开申请3.其他(七)总计") are cut apart at their enumerators, when one of the pieces is a row.

    Two places fix the digits-into-enumerator defect, on purpose: this pass rewrites the token stream
    before any row is matched, so every later step sees a clean label, but it only dares one cut it can
    prove (a text token, one digit, and the piece it starts is a whole row label). What it leaves is
    fixed during matching by :func:`_enumerated_row` (a label that still matches no row) and
    :func:`_drop_enumerator` (the cells handed to a row): labels of HTML grid rows (``row`` set), which
    keep the cells of their ``<tr>`` and are not re-cut here, two-digit enumerators, and a label that
    runs into further labels (a row label's start). One pass for both would move cuts in those edge
    cases."""
    # Most regions have nothing to cut: find that out from the labels (``labels``: their indices), at C
    # speed when every label text is one already seen to need no cut, and hand the tokens back as they are.
    plain = matcher.uncut
    if plain.issuperset(map(_text_of, map(tokens.__getitem__, labels))):
        return tokens
    if len(plain) > matcher.MEMO:
        plain.clear()
    cuts = matcher.cuts
    for i in labels:
        t = tokens[i]
        if t[5] is None:
            if t[1].startswith((".", "、")) or cuts(t[1]):
                return _relabel_all(tokens, matcher)
            plain.add(t[1])
    return tokens


def _relabel_all(tokens: list[tuple], matcher: _Matcher) -> list[Token]:
    out: list[Token] = []
    for t in map(_as_token, tokens):
        if t.kind != "label" or t.row is not None:
            out.append(t)
            continue
        prev = out[-1] if out else None
        if (t.text.startswith((".", "、")) and prev is not None and prev.kind == "num" and prev.end == t.start
                and len(prev.text) >= 2 and prev.text.isdigit() and prev.text[-1] != "0"):
            cand = prev.text[-1] + t.text
            first = label_key(_split_label(cand)[0][2])
            if first in matcher.full_keys and matcher.by_key.get(first) is not None:
                out[-1] = Token("num", prev.text[:-1], prev.start, prev.end - 1, glued=True)
                t = Token("label", cand, prev.end - 1, t.end)
        out.extend(_pieces(t, matcher))
    return out


def _split_label(text: str) -> list[tuple[int, int, str]]:
    cuts = [m.start() for m in _BOUNDARY.finditer(text) if m.start() > 0]
    bounds = [0, *cuts, len(text)]
    return [(a, b, text[a:b]) for a, b in zip(bounds, bounds[1:])]


def _pieces(t: Token, matcher: _Matcher) -> list[Token]:
    if not _BOUNDARY.search(t.text, 1):
        return [t]
    key = _key(t.text)
    if key in matcher.by_key or key in matcher.headers:
        return [t]
    parts = _split_label(t.text)
    if len(parts) < 2 or not any(matcher.match(_key(p)) is not None for _, _, p in parts):
        return [t]
    exact = len(t.text) == t.end - t.start     # folding kept the length: offsets map one to one
    return [Token("label", p, t.start + a if exact else t.start, t.start + b if exact else t.end)
            for a, b, p in parts]


def _assign(tr: TableRead, table: Table, row, cols, vals: list[Token], span_start: int, label_tok: Token,
            next_tok: Token | None = None):
    if not vals:
        label_tok = _as_token(label_tok)
        tr.issues.append(TableIssue(table.id, "no_values", f"row {row.label} is printed without numbers",
                                    row=row.id, start=label_tok.start, end=label_tok.end, raw=label_tok.text))
        for c in cols:
            tr.store()[(row.id, c.id)] = Cell(table.id, row.id, c.id, None, "missing",
                                            note="row printed without numbers")
        return
    if next_tok is not None:
        last, nt = vals[-1], next_tok[1]
        if (last[4] and nt.startswith(".")) or (last[0] == "num" and last[5] is None and nt[:2].isdigit()):
            vals = _drop_enumerator(table, [*map(_as_token, vals)], _as_token(next_tok))
    if len(vals) == len(cols):
        # The common row: as many plain numbers as the row has cells, none of them written in a way the
        # general loop below would look at twice (leading zero, sign, decimals, too many digits, a unit).
        texts = list(map(_text_of, vals))
        if (list(map(_kind_of, vals)).count("num") == len(vals) and _PLAIN_CELLS.fullmatch(" ".join(texts))
                and not (cols[-1].unit and _other_unit(cols[-1], vals[-1], next_tok))):
            _store_plain(tr.store(), _matcher(table).cell_keys(row.id), vals)
            return
    vals = [*map(_as_token, vals)]
    if next_tok is not None:
        next_tok = _as_token(next_tok)
    # A digit run touching its neighbours is only a problem when the count is off: a one-cell row
    # ("行政许可10690第二十条…") is unambiguous; "713000074" for seven cells has to be cut.
    leading_zero = False
    for v in vals:
        if v.kind == "num" and _leading_zero(v):
            leading_zero = True
            break
    if len(vals) != len(cols) or leading_zero:
        _assign_cut(tr, table, row, cols, vals, leading_zero)
        return
    for c, v in zip(cols, vals):
        if v is vals[-1] and _other_unit(c, v, next_tok):
            # "120000元" in the 万元 column: the number is in another unit than the column's.
            tr.store()[(row.id, c.id)] = Cell(table.id, row.id, c.id, None, "unreadable", v.text, v.start, v.end,
                                            note="unit")
            tr.issues.append(TableIssue(table.id, "unit",
                                        f"{row.label} / {c.name}: {v.text}{next_tok.text[:2]} is not in the "
                                        f"column's unit ({c.unit}); not read",
                                        row=row.id, column=c.id, start=v.start, end=next_tok.start + 1,
                                        raw=v.text + next_tok.text[:2]))
        elif v.kind == "num" and len(v.text) > MAX_DIGITS and _too_long(v.text):
            tr.store()[(row.id, c.id)] = Cell(table.id, row.id, c.id, None, "unreadable", v.text, v.start, v.end,
                                            note="too_many_digits")
            tr.issues.append(TableIssue(table.id, "too_many_digits",
                                        f"{row.label} / {c.name}: a number of {sum(ch.isdigit() for ch in v.text)} "
                                        f"digits is not a cell value (at most {MAX_DIGITS}); not read",
                                        row=row.id, column=c.id, start=v.start, end=v.end, raw=v.text[:40]))
        elif v.kind == "num":
            tr.store()[(row.id, c.id)] = Cell(table.id, row.id, c.id, _number(v.text), "value", v.text,
                                            v.start, v.end, how="stated")
        else:
            tr.store()[(row.id, c.id)] = Cell(table.id, row.id, c.id, None, "blank", v.text, v.start, v.end,
                                            note="empty cell" if v.kind == "empty" else "non-numeric mark",
                                            how="stated")
            if v.kind == "mark":
                tr.issues.append(TableIssue(table.id, "non_numeric",
                                            f"{row.label} / {c.name}: {v.text!r} where a number belongs",
                                            row=row.id, column=c.id, start=v.start, end=v.end, raw=v.text))


def _store_plain(store: dict, keys: tuple, vals: list[tuple]) -> None:
    """A row of plain counts (see _PLAIN_CELLS) into a TableRead's store: the tokens as they are
    (TableRead makes the Cells, int(text) stated, when they are asked for)."""
    store.update(zip(keys, vals))


# Cells the general loop of _assign reads as int(text) with no issue: digits, no leading zero, at most
# MAX_DIGITS of them, one space between cells.
_PLAIN_CELLS = rx.lazy(rf"(?:(?:0|[1-9][0-9]{{0,{MAX_DIGITS - 1}}}) )*(?:0|[1-9][0-9]{{0,{MAX_DIGITS - 1}}})")


def _other_unit(col, v: Token, next_tok: Token | None) -> bool:
    """The number is printed with a unit that is not its column's (元 where the column counts 万元)."""
    unit = col.unit
    return bool(unit and v[0] == "num" and next_tok is not None and next_tok[0] == "label"
                and next_tok[2] == v[3] and next_tok[1].startswith(unit[-1])
                and not next_tok[1].startswith(unit))


_ENUMERATOR = rx.lazy(r"(\d{1,2})[.．]")


def _enumerated_row(table: Table, num: Token | None, label: Token, exact: bool = True):
    """``00000002.其他法律…``: the row whose enumerator ("2.") was glued to the digits before its label.
    Returns (row, number of digits that are the enumerator) or None. The label must start with the point,
    and the digits with the label must spell a row label of this table (``exact``) or its start (a label
    running into further labels) whose enumerator is exactly those digits. The fallback for what
    :func:`_relabel` leaves uncut (its docstring says why there are two)."""
    if (num is None or num.kind != "num" or not num.glued or label.kind != "label"
            or not label.text.startswith(".")):
        return None
    for k in (1, 2):
        enum = num.text[-k:]
        if len(num.text) <= k or not enum.isdigit():
            return None
        key = label_key(enum + label.text)
        for r in _numbered(table).get(enum, ()):
            if any(key == rk if exact else len(rk) > k + 1 and key.startswith(rk) for rk in r.keys):
                return r, k
    return None


_NUMBERED: dict[int, tuple[Table, dict]] = {}


def _numbered(table: Table) -> dict[str, tuple]:
    """Rows by their enumerator digits ("2" → the rows labelled "2.…"). Cached by identity: hashing a
    Table hashes all its rows and columns."""
    hit = _NUMBERED.get(id(table))
    if hit is not None and hit[0] is table:
        return hit[1]
    out: dict[str, list] = {}
    for r in table.rows:
        m = _ENUMERATOR.match(fold(r.label))
        if m:
            out.setdefault(m.group(1), []).append(r)
    done = {k: tuple(v) for k, v in out.items()}
    _NUMBERED[id(table)] = (table, done)
    return done


_TWO_DIGIT_ENUM = rx.lazy(r"(\d)(\d)\.")


def _drop_enumerator(table: Table, vals: list[Token], next_tok: Token | None) -> list[Token]:
    """The next row's enumerator and this row's digits touch: give each its own. ``00000002.其他…``:
    the "2" is not a cell. ``0 0 63.危及…``: no row is numbered 63, so the "6" is this row's last cell."""
    if not vals or next_tok is None:
        return vals
    hit = _enumerated_row(table, vals[-1], next_tok, exact=False)
    if hit is not None:
        last, k = vals[-1], hit[1]
        return vals[:-1] + [Token("num", last.text[:-k], last.start, last.end - k, True, last.row)]
    if vals[-1].kind == "num" and vals[-1].row is None and _digit_before_enumerator(table, next_tok):
        return vals + [Token("num", next_tok.text[0], next_tok.start, next_tok.start + 1, True, None)]
    return vals


def _digit_before_enumerator(table: Table, label: Token):
    """``63.其他``: no row is numbered 63 but one is numbered 3 and named so; returns that row."""
    m = _TWO_DIGIT_ENUM.match(label.text) if label.kind == "label" else None
    if not m or m.group(1) + m.group(2) in _numbered(table):
        return None
    key = label_key(label.text[1:])
    return next((r for r in _numbered(table).get(m.group(2), ()) if key in r.keys), None)


def _assign_cut(tr: TableRead, table: Table, row, cols, vals: list[Token], leading_zero: bool):
    """A row whose printed cells do not match the format's count: cut its digits where only one cut is
    admissible by form; leave the rest to the report-level solve (``settle_splits``) or unreadable."""
    raw = " ".join(v.text for v in vals)
    start, end = vals[0].start, vals[-1].end
    glued = leading_zero or any(v.kind == "num" and v.glued for v in vals)
    kind = "run_together" if glued else "cell_count"
    # Only digits that show lost separators (glued to a label, or a leading zero) are cut: a row of
    # well-separated numbers, or an HTML row, that has too few cells lost a blank cell, not a separator.
    cuttable = glued and all(v.row is None for v in vals)
    pieces = [v.text if v.kind == "num" else None for v in vals]
    found = split.cuts(pieces, [c.decimal for c in cols]) if cuttable else split.Cuts([], False)
    if len(found.texts) == 1 and not found.capped:
        rule = split.form_rule(found.texts[0])
        lost = _lost_blank(tr, table, row, cols, pieces, found.texts[0]) if rule == "digit_count" else None
        if lost is None:
            _put_cut(tr, table, row, cols, vals, found.texts[0], rule, 0)
            return
        kind = "ambiguous_split"
        tr.issues.append(_ambiguous(table, row, len(cols), raw, start, end, [*found.values(), *lost],
                                    "one digit per cell does not add up, while a reading with one empty cell "
                                    "lost in copying does"))
        for c in cols:
            tr.store()[(row.id, c.id)] = Cell(table.id, row.id, c.id, None, "unreadable", raw=raw,
                                            start=start, end=end, note=kind)
        return
    for c in cols:
        tr.store()[(row.id, c.id)] = Cell(table.id, row.id, c.id, None, "unreadable", raw=raw,
                                        start=start, end=end, note=kind)
    if found.capped:
        msg = (f"row {row.label}: digits run together ({raw[:60]!r}) admit too many cuts into {len(cols)} "
               f"cells to list; not read")
    elif not found.texts:
        msg = (f"row {row.label}: digits run together ({raw!r}) admit no cut into {len(cols)} cells "
               f"(no admissible split); not read" if glued else
               f"row {row.label}: {len(vals)} cells where the format has {len(cols)}")
    else:
        values = found.values()
        tr.pending[row.id] = (tuple(c.id for c in cols), values, found.texts, vals)
        tr.issues.append(_ambiguous(table, row, len(cols), raw, start, end, values,
                                    "the format's form alone does not decide"))
        return
    tr.issues.append(TableIssue(table.id, kind, msg, row=row.id, start=start, end=end, raw=raw))


def _row_equations(version: str, table_id: str, row_id: str) -> list:
    key = (version, table_id, row_id)
    if key not in _ROW_EQS:
        _ROW_EQS[key] = [(lhs, rhs) for i in spec().version(version).identities if i.table == table_id
                         for lhs, rhs, _ in i.equations if {r for r, _ in (*lhs, *rhs)} == {row_id}]
    return _ROW_EQS[key]


_ROW_EQS: dict[tuple[str, str, str], list] = {}


def _lost_blank(tr: TableRead, table: Table, row, cols, pieces, texts) -> list | None:
    """One digit per cell is read as printed even where the row's sum then fails (an author's error is
    read and reported). But copies drop empty cells (``000000`` for seven cells): when the digit-count
    reading fails the row's sum and the digits with one cell left empty do add up (``5500010`` =
    5|5|·|0|0|0|10), the row is ambiguous, not an author's error. Returns those readings, or None."""
    if "".join(t or "" for t in texts).strip("0") == "":
        return None         # nothing but zeros adds up
    eqs = _row_equations(tr.version, table.id, row.id)
    if not eqs or len(cols) < 2:
        return None

    def adds_up(values) -> bool:
        got = {(row.id, c.id): (v or 0) for c, v in zip(cols, values)}
        return all(sum(got[k] for k in lhs) == sum(got[k] for k in rhs) for lhs, rhs in eqs)

    if adds_up([None if t is None else split.number(t) for t in texts]):
        return None
    out = []
    for shorter in split.cuts(pieces, [c.decimal for c in cols[1:]], max_nodes=2000).values():
        for at in range(len(cols)):
            values = [*shorter[:at], None, *shorter[at:]]
            if adds_up(values):
                out.append(values)
    return out or None


def _ambiguous(table: Table, row, n: int, raw: str, start: int, end: int, candidates: list, why: str):
    shown = [list(c) for c in candidates[:split.MAX_LISTED]]
    more = f" (first {len(shown)} listed)" if len(candidates) > len(shown) else ""
    return TableIssue(table.id, "ambiguous_split",
                      f"row {row.label}: digits run together ({raw!r}) admit {len(candidates)} cuts into {n} "
                      f"cells{more}; {why}; not read", row=row.id, start=start, end=end, raw=raw,
                      candidates=shown)


def _put_cut(tr: TableRead, table: Table, row, cols, vals: list[Token], texts, rule: str, rejected: int,
             note: str | None = None):
    """Write the cells of one decided cut, each with its own span inside the printed digits."""
    k = 0
    for v in vals:
        if v.kind != "num":
            c = cols[k]
            tr.store()[(row.id, c.id)] = Cell(table.id, row.id, c.id, None, "blank", v.text, v.start, v.end,
                                            note="empty cell" if v.kind == "empty" else "non-numeric mark",
                                            how="split", rule=rule, rejected=rejected)
            k += 1
            continue
        s, stop = v.start, v.start + len(v.text)
        while s < stop:
            cid, t = cols[k].id, texts[k]
            e = s + len(t)
            tr.store()[(row.id, cid)] = Cell(table.id, row.id, cid, int(t) if t.isdigit() else split.number(t),
                                           "value", t, s, e, note, "split", rule, rejected)
            s = e
            k += 1


def settle_splits(tables: dict[str, TableRead | None]) -> None:
    """Decide the rows left with several admissible cuts, with the format's identities, across all the
    tables of one report (an identity is trusted only where the report's sums hold elsewhere)."""
    if not any(tr is not None and tr.pending for tr in tables.values()):
        return
    problems = {}
    for tid, tr in tables.items():
        if tr is None:
            continue
        idents = [i for i in spec().version(tr.version).identities if i.table == tid]
        eqs = [(lhs, rhs, i.id) for i in idents for lhs, rhs, _ in i.equations]
        known = {k: c.value for k, c in tr.cells.items() if c.state == "value"}
        pend = {rid: split.Pending(rid, p[0], p[1]) for rid, p in tr.pending.items()}
        problems[tid] = split.TableProblem(known, pend, eqs)
    if not any(p.pending for p in problems.values()):
        return
    outcomes = split.solve(problems)
    for tid, per_row in outcomes.items():
        tr = tables[tid]
        t = spec().table(tid, tr.version)
        for rid, o in per_row.items():
            cols_ids, values, texts, vals = tr.pending.pop(rid)
            row, cols = t.row(rid), [t.column(c) for c in cols_ids]
            issue = next(i for i in tr.issues if i.kind == "ambiguous_split" and i.row == rid)
            if o.kind == "split":
                tr.issues.remove(issue)
                note = f"identities: {', '.join(o.identities)}" if o.identities else None
                _put_cut(tr, t, row, cols, vals, texts[values.index(o.values)], o.rule, o.rejected, note)
            elif o.kind == "none":
                issue.kind = "run_together"
                issue.candidates = None
                issue.message = (f"row {row.label}: digits run together ({issue.raw!r}): {o.reason} "
                                 f"(no admissible split); not read")
                for c in cols:
                    tr.cells[(rid, c.id)].note = "run_together"
            else:
                new = _ambiguous(t, row, len(cols), issue.raw, issue.start, issue.end, o.candidates, o.reason)
                issue.message, issue.candidates = new.message, new.candidates


def read_appeals(table: Table, tokens: list[tuple], version: str) -> TableRead:
    """Table 四 has no row label: its data row is the run of 15 value cells after its header."""
    tr = TableRead(table=table.id, version=version, found=False)
    headers = _header_keys(table)
    header_seen_at = next((k for k in _label_positions(tokens)[1]
                           if label_key(tokens[k][1]) in headers or "复议" in tokens[k][1] or "诉讼" in tokens[k][1]),
                          None)
    if header_seen_at is None:
        return tr
    tr.found = True
    runs: list[list[tuple]] = []
    cur: list[tuple] = []
    for t in tokens[header_seen_at:]:
        same_grid_row = cur and t[5] is not None and cur[-1][5] == t[5]
        if t[0] != "label" and (not cur or t[5] is None or same_grid_row):
            cur.append(t)
        elif t[0] != "label":
            runs.append(cur)
            cur = [t]
        else:
            if cur:
                runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    runs = [r for r in runs if any(t[0] == "num" for t in r) or (r and r[0][5] is not None)]
    grouped = _runs_by_group(table, tokens[header_seen_at:])
    if grouped:
        runs.insert(0, grouped)
    row = table.data_rows[0]
    cols = table.columns
    exact = [r for r in runs if len(r) == len(cols) and not any(t[0] == "num" and _leading_zero(t) for t in r)]
    if exact:
        _assign(tr, table, row, cols, exact[0], exact[0][0][2], exact[0][0])
    elif runs:
        # Digits run together: the first run that has enough digits for the row's cells.
        enough = [r for r in runs if sum(1 if t[0] != "num" else sum(ch.isdigit() for ch in t[1])
                                         for t in r) >= len(cols)]
        best = enough[0] if enough else max(runs, key=len)
        _assign(tr, table, row, cols, best, best[0][2], best[0])
    else:
        for c in cols:
            tr.store()[(row.id, c.id)] = Cell(table.id, row.id, c.id, None, "missing",
                                            note="header without numbers")
        tr.issues.append(TableIssue(table.id, "no_values", "table 四 header is printed without numbers"))
    return tr


def _runs_by_group(table: Table, tokens: list[tuple]) -> list[tuple] | None:
    """Table 四 printed as one small table per group (行政复议 / 行政诉讼（未经复议直接起诉） / 行政诉讼（复议后起诉）,
    each with its own five result columns): the group's run is the one right under the label naming it.
    Only when every group has exactly one run of exactly its width; otherwise nothing is assumed."""
    groups, width, keys = _group_layout(table)
    found: dict[tuple, list[tuple]] = {}
    current = None
    run: list[tuple] = []
    for t in [*tokens, ("label", "", -1, -1, False, None)]:
        if t[5] is not None:
            return None
        if t[0] != "label":
            run.append(t)
            continue
        if run:
            if current is None or current in found or len(run) != width[current]:
                return None
            found[current] = run
            run = []
        key = label_key(t[1])
        named = [g for g in groups if keys[g] and keys[g] in key]
        if len(named) == 1:
            current = named[0]
        elif named:
            current = None
    if len(found) != len(groups):
        return None
    return [t for g in groups for t in found[g]]


@_per_table
def _group_layout(table: Table) -> tuple[list, dict, dict]:
    """Table 四's column groups, the width of each and the key of the label naming it."""
    groups = list(dict.fromkeys(c.path for c in table.columns))
    width = {g: sum(1 for c in table.columns if c.path == g) for g in groups}
    keys = {g: label_key(g[-1] or g[0]) for g in groups}
    return groups, width, keys


def detect_version(folded_region: str) -> str | None:
    """The format version a table region's words show, if any. ``folded_region`` is folded text."""
    markers = spec().version_markers
    has19 = _markers_rx(markers["2019"]).search(folded_region) is not None
    has21 = _markers_rx(markers["2021"]).search(folded_region) is not None
    if has19 and not has21:
        return "2019"
    if has21:
        return "2021"
    return None


@functools.lru_cache(maxsize=16)
def _markers_rx(markers: tuple[str, ...]) -> re.Pattern:
    """Any of ``markers`` (label keys) in folded text, with what label_key drops allowed between their
    characters: the same answer as looking for them in ``label_key(region)``, without building the key of
    a whole region (nor keeping it in label_key's cache, which held every region ever read)."""
    gap = _LABEL_DROP.pattern.removesuffix("+") + "*"
    return re.compile("|".join(gap.join(map(re.escape, m)) for m in markers))


def read_table(table_id: str, folded: Folded, fstart: int, fend: int,
               grid_tokens: list[Token] | None = None, default_version: str | None = None) -> TableRead:
    """Read table ``table_id`` from folded text ``[fstart, fend)`` (or from HTML grid tokens).

    A table whose own text names no version (table 四 is the same in both) takes ``default_version``,
    the version the rest of the report shows, so a 2019 report is not read as mixing versions."""
    tokens = grid_tokens if grid_tokens is not None else tokenize(folded, fstart, fend)
    region = folded.text[fstart:fend] if grid_tokens is None else " ".join(map(_text_of, tokens))
    version = detect_version(region) or default_version or "2021"
    if table_id == "appeals":
        return read_appeals(spec().table("appeals", version), tokens, version)
    tr = read_rows(spec().table(table_id, version), tokens, version)
    if table_id == "requests" and version == "2021":
        # A 2019-layout table 三 has numbers on （六）其他处理 itself and none of the 2021 sub-rows.
        if not any(r in ("other_no_correction", "other_no_fee", "other_other") for r, _ in tr.store()):
            alt = read_rows(spec().table("requests", "2019"), tokens, "2019")
            if alt.value("other_handling", "total") is not None or alt.state("other_handling", "total") == "blank":
                return alt
    return tr


def fold_label(text: str) -> str:
    return label_key(fold(text))
