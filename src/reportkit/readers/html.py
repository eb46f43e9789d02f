"""HTML pages to report text, with real table grids and the assets a capture may have lost.

The page is flattened to text (block elements become line breaks, table rows become ``a | b | c``
lines) and that text is what spans point into. Leaf tables (tables holding no other table, so not the
layout tables many government sites wrap their pages in) are kept as grids: each ``<tr>``'s cells in
order, a merged (rowspan/colspan) cell once, in the row that holds it; rows are then found by their
labels, never by position, so a merged label cell needs no expansion. Empty cells stay known blanks. Images, iframes, embeds and links to attachments are
recorded with their position, so a check can tell a lost table (capture) from a missing one (author).

The page is parsed by libxml2's HTML parser (lxml, in C; events go to a parser target, no tree is
built), which is iterative, so deep nesting cannot exhaust the stack, and linear on unfinished
constructs. An opener that never closes (``<!--`` with no ``-->`` after it, ``<a`` with no ``>``) is
first escaped to text (:func:`_defuse`): a browser would drop the rest of the page into such a comment
or tag, which would lose a report after one stray ``<!--``. ``<![…`` is a bogus comment. Spans are
capped so a ``rowspan="100000"`` cannot blow up the grid.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ..tables import Token, _NUM, _THOUSANDS, _is_mark
from ..format import fold
from .. import rx

_SKIP = {"script", "style", "noscript", "template", "select", "option", "nav", "head", "button", "svg",
         "object", "textarea"}
_BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
          "section", "article", "header", "footer", "blockquote", "pre", "hr", "table", "caption",
          "tbody", "thead", "tfoot", "form", "center", "main", "aside", "figure", "figcaption"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "param", "source",
         "track", "wbr"}
# The tags the flattener acts on, at their start and at their end; any other tag changes nothing.
_ROLE_END = _SKIP | _BLOCK | {"title", "h1", "pre", "table", "tr", "td", "th"}
_ROLE_START = _ROLE_END | {"body", "img", "iframe", "embed", "video", "object", "a"}
_ATTACHMENT = rx.lazy(r"\.(pdf|docx?|xlsx?|wps|et|zip|rar|7z|ofd|png|jpe?g|gif)(\?|#|$)", re.I)
MAX_SPAN = 64          # rowspan/colspan beyond this are clipped (the official tables need ≤ 25)
MAX_GRID_CELLS = 20000  # per table; a larger grid is kept as text only
MAX_TITLE = 500         # characters kept of <title>/<h1> (an unclosed one must not collect the page)
_COMMENT_CLOSE = rx.lazy(r"--\s*>")     # what may end a comment (spaced, as older parsers took it)
_RAW_OPEN = rx.lazy(r"<(title|iframe|xmp|noembed|noframes|plaintext)\b", re.I)
_DOC_END = rx.lazy(r"</(?:body|html)\s*>", re.I)
_SPACES = rx.lazy(r"[ \t\r\n\f\v]+")
_WHITESPACE = " \t\r\n\f\v"        # what _SPACES folds to one space


def _defuse(markup: str) -> str:
    """Escape openers that can never be closed, in linear time (see the module docstring).

    A ``<!--`` after the last ``-->`` and any ``<`` after the last ``>`` can never close: writing them
    as ``&lt;`` keeps them, and everything after them, as text."""
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
    return _close_raw_text(markup)


def _close_raw_text(markup: str) -> str:
    """Close a ``<title>``, ``<iframe>``… that is never closed before the next tag: libxml2 reads what
    follows such an opener as its raw text up to its closer, so one stray ``<title>`` in the body would
    turn the rest of the page, tables included, into markup shown as text."""
    if not _RAW_OPEN.search(markup):
        return markup
    # Which tags are there, and whether one opens after its last closer, is read in a lower-cased
    # one-byte copy (a page has hundreds of tags, and the case-blind pattern tried at each cost more
    # than the rest of this): same offsets, every character beyond Latin-1 a "?". It may see an opener
    # the case-blind pattern would not (<title中: ? ends a word, 中 does not); that tag then gets the
    # exact treatment below, which finds nothing to close. İ, ı, ſ and K are letters the case-blind
    # pattern takes for i, s and k: a page holding one is read as before.
    if any(c in markup for c in "İıſK"):
        low = None
        tags = sorted({m.group(1).lower() for m in _RAW_OPEN.finditer(markup)})
    else:
        low = markup.encode("latin-1", "replace").lower()
        tags = [t for t in _RAW_TAGS if b"<" + t.encode() in low]
    for tag in tags:
        last = None
        if low is not None:
            at = low.rfind(b"</" + tag.encode())
            if low.find(b"<" + tag.encode(), at + 1 if at >= 0 else 0) < 0:
                continue                    # no opener after its last closer: nothing to close
        for last in re.finditer(f"</{tag}", markup, re.I):
            pass
        cut = last.end() if last is not None else 0
        markup = markup[:cut] + re.sub(f"<{tag}\\b[^>]*>[^<]*", lambda m: m.group() + f"</{tag}>", markup[cut:],
                                       flags=re.I)
        if low is not None:
            low = markup.encode("latin-1", "replace").lower()
    return markup


_RAW_TAGS = ("iframe", "noembed", "noframes", "plaintext", "title", "xmp")     # _RAW_OPEN's, sorted


class _Cell:
    """A grid cell's span in the text and its merge (a plain class: one is made per <td>)."""

    __slots__ = ("start", "end", "colspan", "rowspan")

    def __init__(self, start: int, colspan: int = 1, rowspan: int = 1):
        self.start = start
        self.end = -1
        self.colspan = colspan
        self.rowspan = rowspan


@dataclass
class _Table:
    rows: list[list[_Cell]] = field(default_factory=list)
    has_child_table: bool = False
    start: int = 0
    end: int = 0
    spanned: int = 0        # what merged cells add to the grid's area (colspan × rowspan − 1 each)


class _Events:
    """The parser target lxml calls back: start, end and text events, in document order."""

    def __init__(self, flat: "_Flattener"):
        self.start = flat.handle_starttag
        self.end = flat.handle_endtag
        self.data = flat.handle_data

    def close(self):
        return None


class _Flattener:
    """Page events to text, grids and assets. The events come from libxml2's HTML parser (lxml, in C),
    which repairs a page as browsers do (implied end tags, unclosed elements) without recursion."""

    def __init__(self):
        self._parser = None
        self.parts: list[str] = []
        self.length = 0
        self.tail = "\n"            # the last character emitted ("\n" before any)
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
            self.tail = s[-1]

    def _newline(self):
        if self.stack and self.cell_open and self.cell_open[-1] is not None:
            # A line break inside a table cell ("本年新<br/>制作数量") is a space in the cell.
            if self.tail != " " and self.tail != "\n":
                self._emit(" ")
            return
        if self.tail != "\n":
            self._emit("\n")

    # -- parser callbacks
    def feed(self, markup: str):
        if self._parser is None:
            from lxml import etree
            self._parser = etree.HTMLParser(target=_Events(self), encoding="utf-8", recover=True,
                                            no_network=True, remove_comments=True, remove_pis=True)
        # Lone surrogates cannot be UTF-8; the loader refuses them before, a direct caller gets U+FFFD.
        # A </body> or </html> inside the page (an article pasted with its own document around it) would
        # make libxml2 close every open table there and drop the cells after it; the end of the input
        # closes them anyway.
        self._parser.feed(_DOC_END.sub("", markup).encode("utf-8", "replace"))

    def handle_starttag(self, tag, a):
        if tag == "td" or tag == "th":
            # The most frequent tag first, its cell opened here (this runs for every cell of a page):
            # the previous cell's closing is written out, and a cell with no attributes (lxml passes an
            # empty mapping whose .get is slow Python) skips the span look-ups.
            if not self.skip_depth and self.stack:
                cell_open = self.cell_open
                c = cell_open[-1]
                if c is not None:
                    c.end = self.length
                    self.parts.append(" | ")
                    self.length += 3
                    self.tail = " "
                t = self.stack[-1]
                rows = t.rows
                if not rows:
                    rows.append([])
                if a:
                    c = _Cell(self.length, _span(a.get("colspan")), _span(a.get("rowspan")))
                    t.spanned += c.colspan * c.rowspan - 1
                else:
                    c = _Cell(self.length)
                rows[-1].append(c)
                cell_open[-1] = c
            return
        if tag not in _ROLE_START:
            return                  # <span>, <font>, <strong> …: no text structure to keep
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
        if tag in ("img", "iframe", "embed", "video", "object"):
            self.assets.append({"kind": tag, "src": a.get("src") or a.get("data") or "", "alt": a.get("alt") or "",
                                "at": self.length})
        elif tag == "a" and _ATTACHMENT.search(a.get("href") or ""):
            self.assets.append({"kind": "attachment", "src": a["href"], "alt": "", "at": self.length})
        if tag in _BLOCK:
            self._newline()

    def handle_endtag(self, tag):
        if tag == "td" or tag == "th":
            if not self.skip_depth and self.stack:
                c = self.cell_open[-1]
                if c is not None:                   # _close_cell, inlined for the most frequent tag
                    c.end = self.length
                    self.parts.append(" | ")
                    self.length += 3
                    self.tail = " "
                    self.cell_open[-1] = None
            return
        if tag not in _ROLE_END:
            return
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
        if not self.pre and not data.isalnum():     # (letters, digits and CJK only: nothing to fold)
            after_space = self.tail == " " or self.tail == "\n"
            if not data.strip(_WHITESPACE):
                # The whitespace between tags: one space at most, and none after a space or a line break.
                if data and not after_space:
                    self.parts.append(" ")
                    self.length += 1
                    self.tail = " "
                return
            data = _SPACES.sub(" ", data)
            if after_space:
                data = data.lstrip(" ")
        if data:
            self.parts.append(data)
            self.length += len(data)
            self.tail = data[-1]

    def close(self):
        if self._parser is not None:
            self._parser.close()
        # An element still being skipped at the end (an unclosed <script> or <nav>) must not stop the
        # open tables from closing: handle_endtag ignores everything while skipping, and this loop
        # would never end.
        self.skip_stack.clear()
        self.skip_depth = 0
        while self.stack:
            self.handle_endtag("table")


def _span(v: str | None) -> int:
    if not v:
        return 1
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
        if sum(map(len, t.rows)) + t.spanned > MAX_GRID_CELLS:      # the grid's area, merged cells counted
            continue
        tokens: list[Token] = []
        add = tokens.append
        for row in t.rows:
            _row_counter += 1
            for c in row:
                raw = text[c.start:c.end if c.end >= 0 else t.end]
                core = raw.strip()
                s = c.start + (len(raw) - len(raw.lstrip()))       # the cell's text without its spaces
                if core:
                    kind, cell = _cell(core)
                    add(Token(kind, cell, s, s if kind == "empty" else s + len(core), row=_row_counter))
                else:
                    add(Token("empty", "", s, s, row=_row_counter))
        grids.append((t.start, t.end, tokens))
    title = _page_title(p.h1 or p.title)
    return HtmlDoc(text=text, title=title, grids=grids, assets=p.assets)


@functools.lru_cache(maxsize=4096)
def _cell(raw: str) -> tuple[str, str]:
    """A grid cell's token kind and folded text (cached: the same labels and small numbers recur)."""
    cell = fold(raw).strip()
    if not cell:
        return "empty", ""
    if _NUM.fullmatch(cell):
        return "num", cell
    if _THOUSANDS.fullmatch(cell):
        return "num", cell.replace(",", "")
    if _is_mark(cell):
        return "mark", cell
    return "label", cell


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
