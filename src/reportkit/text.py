"""Text vocabulary shared by every stage, once: folding (with an offset map), Chinese numerals, numbers as
text, and escaping for HTML, Markdown and spreadsheet cells.

NFKC folding remembers where every folded character came from.

Matchers work on folded text (full-width brackets and colons become ASCII, U+3000 a space) but every
span reportkit reports must point into the original text. ``Folded.orig(i)`` maps an offset in the
folded text back to the original.
"""

from __future__ import annotations

import html
import re
import unicodedata
from array import array

from . import rx


_ONE_TO_ONE = {0x3000: " ", **{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}}
_ONE_TO_ONE_STR = {chr(k): v if isinstance(v, str) else chr(v) for k, v in _ONE_TO_ONE.items()}
_BLOCK = 128


# Chinese numerals by value: NUMERALS[3] == "三" (section and enumerator numbers run 一 … 十).
NUMERALS = "〇一二三四五六七八九十"
# 一 … 十, the numerals enumerators (一、 （三）), section numbers and "一是…二是" lists are written with:
# to compose into a character class (f"[{CN_DIGITS}两几]"); CN_DIGIT is the class of one of them.
CN_DIGITS = NUMERALS[1:]
CN_DIGIT = f"[{CN_DIGITS}]"
# The value of each numeral (三 → 3); a run of them is read by :func:`cn_int`.
CN_VALUE = {c: i for i, c in enumerate(NUMERALS)}


def cn_int(numeral: str) -> int | None:
    """The value of a Chinese numeral up to 九十九 (三, 十, 十二, 二十, 二十三), or None."""
    if not numeral or any(ch not in NUMERALS for ch in numeral):
        return None
    if "十" not in numeral:
        return NUMERALS.index(numeral) if len(numeral) == 1 else None
    tens, _, ones = numeral.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return None
    return (NUMERALS.index(tens) if tens else 1) * 10 + (NUMERALS.index(ones) if ones else 0)


_FULL_WIDTH = rx.lazy("[\u3000\uff01-\uff5e]")


def width_fold(text: str) -> str:
    """Full-width ASCII forms (（）：，％０-９…) and the ideographic space folded one-to-one to ASCII: the
    part of NFKC most patterns depend on, with every offset kept, so a match in the folded text is a
    span of the original (full NFKC changes lengths, "…" → "...", and needs :class:`Folded`'s map)."""
    # A regex finds the full-width characters (a few per sentence) five times faster than
    # str.translate walks every character of a long CJK text.
    if not _FULL_WIDTH.search(text):
        return text
    return _FULL_WIDTH.sub(_ascii_of, text)


def _ascii_of(m: re.Match) -> str:
    return _ONE_TO_ONE_STR[m.group()]


def fold(text: str) -> str:
    """NFKC-fold ``text``: full-width brackets, colons and commas become their ASCII forms (as
    :class:`Folded` does: invisibles dropped, footnote markers never digits)."""
    return Folded(text).text


# Characters a page shows as nothing (zero-width space and joiners, word joiner, BOM, soft hyphen):
# folded to nothing, so a heading or a row label they were copied into still matches.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Footnote markers NFKC would turn into digits ("9¹" → 91, "94①" → 941): superscripts, subscripts,
# circled, parenthesized and full-stop numbers. Next to a digit they are a marker, folded to nothing
# (the number stands as printed before it; spans still quote the marker).
_MARKERS = ("\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089\u2460-\u249b\u24ea-\u24ff"
            "\u3251-\u325f\u32b1-\u32bf\u2776-\u2793")
# Vulgar fractions ("½" → "1⁄2"): never digits; folded to U+FFFD, so a cell holding one is unreadable
# rather than a wrong number.
_FRACTIONS = "\u00bc-\u00be\u2150-\u215f\u2189"
_SPECIAL = rx.lazy(f"[{_INVISIBLE}{_FRACTIONS}]|(?<=[0-9０-９])[{_MARKERS}]+|[{_MARKERS}]+(?=[0-9０-９])")
# Every match of _SPECIAL starts with one of these: a scan for them skips most texts (a pattern opening
# with a lookbehind is tried at every character; one opening with a character set is not).
_SPECIAL_CHAR = rx.lazy(f"[{_INVISIBLE}{_FRACTIONS}{_MARKERS}]")
_MARKER_RUN = rx.lazy(f"(?<=[0-9０-９])[{_MARKERS}]+|[{_MARKERS}]+(?=[0-9０-９])")


def _special_fold(text: str) -> dict[int, str]:
    """Offset → fold of the characters NFKC must not fold: invisibles, markers next to digits, fractions."""
    out: dict[int, str] = {}
    if not _SPECIAL_CHAR.search(text):
        return out
    for m in _SPECIAL.finditer(text):
        for i in range(m.start(), m.end()):
            ch = text[i]
            out[i] = "\ufffd" if re.match(f"[{_FRACTIONS}]", ch) else ""
    return out


class Folded:
    __slots__ = ("text", "_map", "_n")

    def __init__(self, original: str):
        # Fast path: full-width ASCII forms and U+3000 fold one-to-one, so a translate table keeps
        # offsets; only text with other compatibility characters pays for the per-character fold.
        quick = width_fold(original)
        special = _special_fold(quick) if not quick.isascii() else {}
        if not special and (quick.isascii() or unicodedata.is_normalized("NFKC", quick)):
            self.text = quick
            self._map = None
        else:
            # Characters are folded one by one, but only in blocks that hold something to fold: a block
            # that is already NFKC keeps its offsets (a 10 MB page with one U+2002 in every screen of
            # text would otherwise pay for ten million single-character folds).
            parts: list[str] = []
            mapping = array("l")
            special_blocks = {i // _BLOCK for i in special}
            for b in range(0, len(quick), _BLOCK):
                block = quick[b:b + _BLOCK]
                if b // _BLOCK not in special_blocks and unicodedata.is_normalized("NFKC", block):
                    parts.append(block)
                    mapping.extend(range(b, b + len(block)))
                    continue
                for i in range(b, b + len(block)):
                    ch = original[i]
                    if i in special:
                        f = special[i]
                    else:
                        f = unicodedata.normalize("NFKC", ch) if ord(ch) >= 0x80 else ch
                    parts.append(f)
                    mapping.extend([i] * len(f))
            self.text = "".join(parts)
            self._map = mapping
        self._n = len(original)

    def orig(self, i: int) -> int:
        """Original offset of folded offset ``i`` (``len(folded)`` maps to ``len(original)``)."""
        if self._map is None:
            return i
        if i >= len(self._map):
            return self._n
        return self._map[i]

    def orig_end(self, i: int) -> int:
        """Original end offset for a folded span ending at ``i`` (exclusive)."""
        if self._map is None or i == 0:
            return i
        if i >= len(self._map):
            return self._n
        return self._map[i - 1] + 1


# Numbers as text

def num_text(v) -> str:
    """A number as the loaders read it back exactly (no exponent, no trailing ``.0``)."""
    if isinstance(v, bool):
        raise TypeError("a cell value cannot be a bool")
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        s = repr(float(v))          # float(): numpy's repr names its type
        if "e" not in s and "E" not in s:
            return s
        from decimal import Decimal     # rare (1e-07, 1e+16): not worth its import on every start
        return format(Decimal(s), "f")
    return str(v)


# Escaping: report text is untrusted, whatever it is written into

def html_escape(text) -> str:
    """Text as inert HTML, quotes included (safe in element content and attribute values)."""
    return html.escape(str(text), quote=True)


_MD_PUNCT = set("\\`*_[]#|~")
_LINE_START = rx.lazy(r"^(\s*)([-+=>]|\d+[.)])")


def md_escape(text: str) -> str:
    """Report text as inert Markdown: ``&``, ``<``, ``>`` become entities (no raw HTML), Markdown
    punctuation is backslash-escaped (no links, images, emphasis, code or table breaks), and a line
    start that would make a list, heading or quote is escaped."""
    out = []
    for ch in str(text):
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch in _MD_PUNCT:
            out.append("\\" + ch)
        else:
            out.append(ch)
    s = "".join(out)
    lines = []
    for line in s.split("\n"):
        m = _LINE_START.match(line)
        if m:
            tok = m.group(2)
            line = line[: m.start(2)] + (tok[:-1] + "\\" + tok[-1]) + line[m.end(2):]
        lines.append(line)
    return "\n".join(lines)


_XML_ILLEGAL = rx.lazy(r"[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml_safe(text: str) -> str:
    """Text Word and Excel can store: form feeds become line breaks, other control characters go."""
    return _XML_ILLEGAL.sub("", str(text).replace("\x0c", "\n"))


def safe_cell_text(text: str) -> str:
    """Spreadsheet-safe text: a leading apostrophe when the text (after any apostrophes) starts with
    ``=``, ``+``, ``-``, ``@`` (or a tab/CR), so no report text becomes a formula when opened or
    pasted. Reversible: :func:`unsafe_cell_text` removes exactly that apostrophe."""
    s = xml_safe(text)
    if s.lstrip("'").startswith(_FORMULA_START):
        return "'" + s
    return s


def unsafe_cell_text(text: str) -> str:
    if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_START):
        return text[1:]
    return text


def display_width(text: str) -> int:
    """Column width in Excel units: East-Asian wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))
