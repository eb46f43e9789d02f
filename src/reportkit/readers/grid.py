"""What the PDF and Word readers share: report text built line by line, and table grids written into it.

A table is written the way :mod:`reportkit.html` flattens one: a line per row, cells separated by
`` | ``, a cell covered by a merged cell above or to the left writes nothing, an empty cell stays a known
blank. Each written cell becomes a :class:`~reportkit.tables.Token` whose span points into the text and
whose ``row`` is the grid row, so the table reader reads it by row label exactly as it reads a web page.

One thing the geometry of a page or a Word table adds: empty cells among the *labels* of a row. Where an
author split the label area of a row (``（六）其他处理`` followed by an empty cell before the numbers),
that empty cell is layout, not a blank count, and is dropped; only empty cells in the columns that hold
the numbers stay known blanks.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from ..format import fold
from ..tables import Token, _NUM, _is_mark
from .. import rx

# What reportkit's own exports print for a cell they do not know ("？", "？（0–5）"): not a number and
# not a label, so it must not end the row it stands in.
_UNKNOWN_MARK = ("?", "？")
_ASCII_WORD = rx.lazy(r"[0-9A-Za-z%.]")
# Characters PDF fonts often map to the wrong code point: Kangxi radicals (⼀ U+2F00 for 一), CJK
# radicals and compatibility ideographs. Their NFKC form is the character the author typed.
_LOOKALIKE = rx.lazy(r"[\u2e80-\u2fdf\uf900-\ufaff]")


_CONTROL = rx.lazy(r"[\x00-\x08\x0b-\x1f\x7f]")


def normalize(text: str) -> str:
    """Text as the author typed it: look-alike CJK code points mapped to the usual ones, and control
    characters (a font's unmapped glyphs, a form feed) dropped, as no export can carry them."""
    text = _CONTROL.sub("", text)
    if not _LOOKALIKE.search(text):
        return text
    return _LOOKALIKE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def join_pieces(pieces: list[str]) -> str:
    """Join the lines of one cell or paragraph: nothing between Chinese characters (a header wrapped
    as ``社会 / 公益 / 组织`` is one word), a space between two Latin words or numbers (``1 / 0`` stays
    two numbers, so a cell holding both is never read as ``10``)."""
    out = ""
    for p in pieces:
        p = p.strip()
        if not p:
            continue
        if out and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(p[0]):
            out += " "
        out += p
    return out


@dataclass
class GridCell:
    text: str           # one line, already joined
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class ReadDoc:
    """What a reader gives the loader (the same fields as :class:`reportkit.html.HtmlDoc`)."""
    text: str
    title: str
    grids: list[tuple[int, int, list[Token]]]
    assets: list[dict] = field(default_factory=list)


_GROUPED = rx.lazy(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _kind(folded_cell: str) -> str:
    if not folded_cell:
        return "empty"
    if _NUM.fullmatch(folded_cell) or _GROUPED.fullmatch(folded_cell):
        return "num"
    if _is_mark(folded_cell) or folded_cell.startswith(_UNKNOWN_MARK):
        return "mark"
    return "label"


class TextBuilder:
    """Report text written line by line, with the table grids and assets found on the way."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.grids: list[tuple[int, int, list[Token]]] = []
        self.assets: list[dict] = []
        self._row = 0

    def _emit(self, s: str) -> None:
        if s:
            self.parts.append(s)
            self.length += len(s)

    def end_line(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self._emit("\n")

    def write(self, s: str) -> None:
        """Continue the current line."""
        self._emit(normalize(s).replace("\n", " "))

    def line(self, s: str) -> None:
        self.end_line()
        self.write(s)
        self.end_line()

    def asset(self, kind: str, src: str, alt: str = "") -> None:
        self.assets.append({"kind": kind, "src": src, "alt": alt, "at": self.length})

    def table(self, cells: list[GridCell]) -> None:
        """Write a grid: ``cells`` are the cells that start a slot (merged cells once, at their top left)."""
        if not cells:
            return
        self.end_line()
        start = self.length
        folded = {id(c): fold(normalize(c.text)).strip() for c in cells}
        kinds = {id(c): _kind(folded[id(c)]) for c in cells}
        rows: dict[int, list[GridCell]] = {}
        for c in cells:
            rows.setdefault(c.row, []).append(c)
        label_cols: set[int] = set()
        for row in rows.values():
            if any(kinds[id(c)] == "num" for c in row):
                for c in row:
                    if kinds[id(c)] == "label":
                        label_cols.update(range(c.col, c.col + c.colspan))
        tokens: list[Token] = []
        for r in sorted(rows):
            self._row += 1
            row = [c for c in sorted(rows[r], key=lambda c: c.col)
                   if not (kinds[id(c)] == "empty" and set(range(c.col, c.col + c.colspan)) <= label_cols)]
            for k, c in enumerate(row):
                if k:
                    self._emit(" ")
                text = normalize(c.text).replace("\n", " ").strip()
                s = self.length
                self._emit(text)
                e = self.length
                kind = kinds[id(c)]
                value = folded[id(c)].replace(",", "") if kind == "num" else folded[id(c)]
                tokens.append(Token(kind, value, s, e if kind != "empty" else s, row=self._row))
                self._emit(" |")
            self.end_line()
        self.grids.append((start, self.length, tokens))

    def doc(self, title: str = "") -> ReadDoc:
        self.end_line()
        return ReadDoc(text="".join(self.parts), title=title, grids=self.grids, assets=self.assets)
