"""HTML pages to report text, with real table grids and the assets a capture may have lost.

The page is flattened to text (block elements become line breaks, table rows become ``a | b | c``
lines) and that text is what spans point into. Leaf tables (tables holding no other table, so not the
layout tables many government sites wrap their pages in) are kept as grids: each ``<tr>``'s cells in
order, a merged (rowspan/colspan) cell once, in the row that holds it; rows are then found by their
labels, never by position, so a merged label cell needs no expansion. Empty cells stay known blanks. Images, iframes, embeds and links to attachments are
recorded with their position, so a check can tell a lost table (capture) from a missing one (author).

The parser is html.parser's, which is iterative, so deep nesting cannot exhaust the stack. Its slow
paths are closed off here: on a construct that never ends (``<a`` with no ``>`` after it, ``<!--`` with no
``-->``) the standard parser rescans the rest of the page once per ``<``, which is quadratic, so such
openers are escaped to text before parsing (:func:`_defuse`), exactly what the parser would have made
of them; ``<![…`` is read as the bogus comment browsers make of it instead of raising. Spans are
capped so a ``rowspan="100000"`` cannot blow up the grid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..tables import Token, _NUM, _THOUSANDS, _is_mark
from ..format import fold

_SKIP = {"script", "style", "noscript", "template", "select", "option", "nav", "head", "button", "svg",
         "object", "textarea"}
_BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
          "section", "article", "header", "footer", "blockquote", "pre", "hr", "table", "caption",
          "tbody", "thead", "tfoot", "form", "center", "main", "aside", "figure", "figcaption"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "param", "source",
         "track", "wbr"}
_ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|zip|rar|7z|ofd|png|jpe?g|gif)(\?|#|$)", re.I)
MAX_SPAN = 64          # rowspan/colspan beyond this are clipped (the official tables need ≤ 25)
MAX_GRID_CELLS = 20000  # per table; a larger grid is kept as text only
MAX_TITLE = 500         # characters kept of <title>/<h1> (an unclosed one must not collect the page)
_COMMENT_CLOSE = re.compile(r"--\s*>")     # what html.parser takes as the end of a comment


def _defuse(markup: str) -> str:
    """Escape openers that can never be closed, in linear time (see the module docstring).

    html.parser, reaching the end of input inside an unfinished ``<!--`` or tag, emits it as text up to
    the next ``>`` or ``<`` and starts again, each time searching to the end of the page. A ``<!--``
    after the last ``-->`` and any ``<`` after the last ``>`` are such openers: writing them as
    ``&lt;`` gives the same text without the rescans."""
    last = None
    for last in _COMMENT_CLOSE.finditer(markup):
        pass
    # A "<!--" whose search for "-->" (from 4 characters on) can find nothing: every one that starts
    # less than 4 characters before the last closer's start, or after it.
    cut = last.start() - 3 if last is not None else 0
    cut = max(cut, 0)
    if "<!--" in markup[cut:]:
        markup = markup[:cut] + markup[cut:].replace("<!--", "&lt;!--")
    gt = markup.rfind(">")
    if "<" in markup[gt + 1:]:
        markup = markup[:gt + 1] + markup[gt + 1:].replace("<", "&lt;")
    return markup


@dataclass
class _Cell:
    start: int
    end: int = -1
    colspan: int = 1
    rowspan: int = 1


@dataclass
class _Table:
    rows: list[list[_Cell]] = field(default_factory=list)
    has_child_table: bool = False
    start: int = 0
    end: int = 0


class _Flattener(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.skip_depth = 0
        self.skip_stack: list[str] = []
        self.tables: list[_Table] = []
        self.stack: list[_Table] = []
        self.cell_open: list[_Cell | None] = []
        self.assets: list[dict] = []
        self.title = ""
        self._in_title = False
        self.h1 = ""
        self._in_h1 = False
        self.pre = 0

    # -- output helpers
    def _emit(self, s: str):
        if s:
            self.parts.append(s)
            self.length += len(s)

    def _tail(self) -> str:
        return self.parts[-1][-1:] if self.parts else "\n"

    def _newline(self):
        if self.stack and self.cell_open and self.cell_open[-1] is not None:
            # A line break inside a table cell ("本年新<br/>制作数量") is a space in the cell.
            if self._tail() not in (" ", "\n"):
                self._emit(" ")
            return
        if self._tail() != "\n":
            self._emit("\n")

    # -- parser callbacks
    def parse_marked_section(self, i, report=1):
        # "<![CDATA[", "<![if …]>", "<![foo[": the standard parser raises AssertionError on names it
        # does not know; browsers read any of them as a bogus comment that ends at the next ">".
        return self.parse_bogus_comment(i, report)

    def handle_starttag(self, tag, attrs):
        if tag == "body" and "head" in self.skip_stack:
            # <body> ends an unclosed <head> (as in browsers), or the whole page would be dropped.
            self.handle_endtag("head")
        if tag in _SKIP and tag not in _VOID:
            if tag == "head":
                self.skip_stack.append(tag)
                self.skip_depth += 1
                return
            self.skip_stack.append(tag)
            self.skip_depth += 1
            return
        if tag == "title":
            self._in_title = True
        if self.skip_depth:
            return
        a = {k: (v or "") for k, v in attrs}
        if tag == "h1":
            self._in_h1 = True
        if tag == "pre":
            self.pre += 1
        if tag == "table":
            self._newline()
            if self.stack:
                self.stack[-1].has_child_table = True
            t = _Table(start=self.length)
            self.stack.append(t)
            self.tables.append(t)
            self.cell_open.append(None)
            return
        if tag == "tr" and self.stack:
            self._close_cell()
            self._newline()
            self.stack[-1].rows.append([])
            return
        if tag in ("td", "th") and self.stack:
            self._close_cell()
            if not self.stack[-1].rows:
                self.stack[-1].rows.append([])
            cell = _Cell(start=self.length, colspan=_span(a.get("colspan")), rowspan=_span(a.get("rowspan")))
            self.stack[-1].rows[-1].append(cell)
            self.cell_open[-1] = cell
            return
        if tag in ("img", "iframe", "embed", "video", "object"):
            self.assets.append({"kind": tag, "src": a.get("src") or a.get("data", ""), "alt": a.get("alt", ""),
                                "at": self.length})
        elif tag == "a" and _ATTACHMENT.search(a.get("href", "")):
            self.assets.append({"kind": "attachment", "src": a["href"], "alt": "", "at": self.length})
        if tag in _BLOCK:
            self._newline()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.skip_stack and tag in _SKIP:
            if tag in self.skip_stack:
                while self.skip_stack:
                    t = self.skip_stack.pop()
                    self.skip_depth -= 1
                    if t == tag:
                        break
            return
        if tag == "title":
            self._in_title = False
        if self.skip_depth:
            return
        if tag == "h1":
            self._in_h1 = False
        if tag == "pre" and self.pre:
            self.pre -= 1
        if tag in ("td", "th") and self.stack:
            self._close_cell()
            return
        if tag == "tr" and self.stack:
            self._close_cell()
            return
        if tag == "table" and self.stack:
            self._close_cell()
            t = self.stack.pop()
            self.cell_open.pop()
            t.end = self.length
            self._newline()
            return
        if tag in _BLOCK:
            self._newline()

    def _close_cell(self):
        if self.cell_open and self.cell_open[-1] is not None:
            c = self.cell_open[-1]
            # Trim trailing whitespace out of the cell span.
            c.end = self.length
            self._emit(" | ")
            self.cell_open[-1] = None

    def handle_data(self, data):
        if self._in_title and len(self.title) < MAX_TITLE:
            self.title += data[:MAX_TITLE - len(self.title)]
        if self.skip_depth:
            return
        if self._in_h1 and len(self.h1) < MAX_TITLE:
            self.h1 += data[:MAX_TITLE - len(self.h1)]
        if not self.pre:
            data = re.sub(r"[ \t\r\n\f\v]+", " ", data)
            if self._tail() in (" ", "\n"):
                data = data.lstrip(" ")
        self._emit(data)

    def close(self):
        super().close()
        # An element still being skipped at the end (an unclosed <script> or <nav>) must not stop the
        # open tables from closing: handle_endtag ignores everything while skipping, and this loop
        # would never end.
        self.skip_stack.clear()
        self.skip_depth = 0
        while self.stack:
            self.handle_endtag("table")


def _span(v: str | None) -> int:
    try:
        return max(1, min(MAX_SPAN, int(str(v).strip() or 1)))
    except ValueError:
        return 1


@dataclass
class HtmlDoc:
    text: str
    title: str
    grids: list[tuple[int, int, list[Token]]]     # (start, end, tokens) per leaf table
    assets: list[dict]


_row_counter = 0


def flatten(html: str) -> HtmlDoc:
    """Flatten an HTML page into report text plus leaf-table grids and assets."""
    global _row_counter
    p = _Flattener()
    p.feed(_defuse(html))
    p.close()
    text = "".join(p.parts)
    grids = []
    for t in p.tables:
        if t.has_child_table or not t.rows:
            continue
        if sum(c.colspan * c.rowspan for r in t.rows for c in r) > MAX_GRID_CELLS:
            continue
        tokens: list[Token] = []
        for row in t.rows:
            _row_counter += 1
            for c in row:
                end = c.end if c.end >= 0 else t.end
                raw = text[c.start:end]
                s = c.start + (len(raw) - len(raw.lstrip()))
                e = c.start + len(raw.rstrip())
                cell = fold(text[s:e]).strip() if e > s else ""
                if not cell:
                    tokens.append(Token("empty", "", s, s, row=_row_counter))
                elif _NUM.fullmatch(cell):
                    tokens.append(Token("num", cell, s, e, row=_row_counter))
                elif _THOUSANDS.fullmatch(cell):
                    tokens.append(Token("num", cell.replace(",", ""), s, e, row=_row_counter))
                elif _is_mark(cell):
                    tokens.append(Token("mark", cell, s, e, row=_row_counter))
                else:
                    tokens.append(Token("label", cell, s, e, row=_row_counter))
        grids.append((t.start, t.end, tokens))
    title = _page_title(p.h1 or p.title)
    return HtmlDoc(text=text, title=title, grids=grids, assets=p.assets)


def _page_title(raw: str) -> str:
    """The report's title out of a page title that carries the site's chrome
    ("…年度报告_政府信息公开年报_平潭综合实验区党工委管委会"): the part that names a report."""
    title = re.sub(r"\s+", " ", raw).strip()
    parts = [x.strip() for x in re.split(r"\s*(?:_|\||｜|--|—|-\s)\s*", title) if x.strip()]
    named = [x for x in parts if "报告" in x or "年报" in x]
    return max(named, key=len) if len(parts) > 1 and named else title


def looks_like_html(text: str) -> bool:
    head = text[:4096].lower()
    return bool(re.search(r"<(html|body|table|div|p|!doctype)[\s>]", head))
