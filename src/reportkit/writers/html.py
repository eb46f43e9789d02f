"""The standalone HTML page of a reconstruction: the official grid from :mod:`reportkit.layout`, a value
cell's text the bare number (provenance in ``class``/``title`` attributes and CSS), so the normal HTML
loader reads the page back to the same numbers. Report text is escaped. The page carries a subset of
the bundled Chinese font (:mod:`reportkit.fonts`), like the notebook pages."""

from __future__ import annotations

import re

from ..fonts import FONT_FAMILY, cjk_font_face
from ..format import Table, spec
from ..layout import html_table
from ..reconstruct import Reconstruction
from .document import HTML_FONT_STACK, _Doc, _SECTION_NOTE, _bounds_text, _cell_note, _doc, _draft_label, _draft_pieces, _draft_sections, _paragraphs
from ..text import html_escape, num_text


_CSS = """
body { font-family: '%(embedded)s', %(fonts)s; line-height: 1.7; color: #111; margin: 2em auto; max-width: 64em; padding: 0 1em; }
h1 { text-align: center; font-size: 1.6em; }
h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
h2.rk-status-empty::after { content: "（原报告此部分为空）"; color: #a33; font-size: 0.8em; font-weight: normal; }
h2.rk-status-missing::after { content: "（原报告缺少此部分）"; color: #a33; font-size: 0.8em; font-weight: normal; }
h2.rk-status-empty.rk-has-table::after { content: "（原报告此部分为空；下表为重建结果）"; }
h2.rk-status-missing.rk-has-table::after { content: "（原报告缺少此部分；下表为重建结果）"; }
p { text-indent: 2em; margin: 0.4em 0; }
table.rk-table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
table.rk-table th, table.rk-table td { border: 1px solid #666; padding: 0.2em 0.45em; text-align: left; }
table.rk-table th, table.rk-table td:has(> span) { text-align: center; white-space: nowrap; }
table.rk-table th { background: #f3f3f3; font-weight: bold; }
.rk-stated-table { }
.rk-stated-prose { color: #2e6b1f; text-decoration: underline dotted; background: #e2efda; }
.rk-inferred { font-style: italic; color: #1f4e8c; background: #ddebf7; }
.rk-unknown { color: #888; }
.rk-unknown::after { content: "？"; }
.rk-unknown[data-range]::after { content: "？" attr(data-range); font-size: 0.85em; }
.rk-legend { border: 1px solid #ddd; background: #fafafa; padding: 0.5em 1em; font-size: 0.9em; }
.rk-legend p { text-indent: 0; }
.rk-legend span { padding: 0 0.3em; }
.rk-draft { border-left: 4px solid #c90; background: #fffbea; padding: 0.3em 0.8em; margin: 0.6em 0; }
.rk-draft.rk-proposal { border-left-color: #7a4bc2; background: #f6f0ff; }
.rk-draft p.rk-draft-label { text-indent: 0; font-weight: bold; color: #8a5a00; }
.rk-placeholder { background: #ffe08a; }
.rk-anchor { border-bottom: 1px dashed #1f4e8c; }
""" % {"fonts": HTML_FONT_STACK, "embedded": FONT_FAMILY}


def _html_cell(doc: _Doc, table: Table):
    """``cell_html`` for :func:`reportkit.layout.html_table`: the bare number as text, provenance in
    attributes."""
    def cell(rid, cid, _v):
        e = doc.cells.get((table.id, rid, cid))
        if e is None or e.value is None:
            note = _cell_note(e, table, doc.version) if e is not None else f"{table.row(rid).label} / {table.column(cid).name}：未知"
            rng = _bounds_text(e) if e is not None else ""
            data = f' data-range="{html_escape("（" + rng + "）")}"' if rng else ""
            return f'<span class="rk-unknown" title="{html_escape(note)}"{data}></span>'
        text = html_escape(num_text(e.value))
        cls = "rk-" + re.sub(r"[^a-z-]", "", e.provenance or "unknown")
        return f'<span class="{cls}" title="{html_escape(_cell_note(e, table, doc.version))}">{text}</span>'
    return cell


def _page(doc: _Doc, draft=None) -> str:
    """The HTML page of ``doc``: legend, every section with its table, provenance on every cell."""
    title = doc.title or "政府信息公开工作年度报告"
    drafts = _draft_sections(draft)
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="generator" content="reportkit">', f"<title>{html_escape(title)}</title>"]
    out.append(f"<style>{_CSS}</style>")
    out += ["</head>", "<body>", "<main>", f"<h1>{html_escape(title)}</h1>"]
    out.append('<div class="rk-legend"><p>图例（legend）：'
               '<span class="rk-stated-table">正体</span>＝报告表格所载；'
               '<span class="rk-stated-prose">绿色下划线</span>＝报告正文所述；'
               '<span class="rk-inferred">蓝色斜体</span>＝根据勾稽关系推算（悬停可见规则）；'
               '<span class="rk-unknown"></span>＝未知（括号内为可能范围）。</p></div>')
    for para in _paragraphs(doc.intro):
        out.append(f"<p>{html_escape(para)}</p>")
    for sec in doc.sections:
        fsec = spec().section(sec.number)
        has_table = bool(fsec.table)
        out.append(f'<section id="rk-section-{sec.number}">')
        cls = (f' class="rk-status-{sec.status}{" rk-has-table" if has_table else ""}"'
               if sec.status in _SECTION_NOTE else "")
        out.append(f"<h2{cls}>{html_escape(sec.title)}</h2>")
        table_html = None
        if has_table:
            t = spec().table(fsec.table, doc.version)
            table_html = html_table(t, {}, cell_html=_html_cell(doc, t))
        for para in _paragraphs(sec.text):
            out.append(f"<p>{html_escape(para)}</p>")
        ds = drafts.get(sec.number)
        if ds is not None:
            proposal = " rk-proposal" if getattr(ds, "proposal", False) else ""
            out.append(f'<div class="rk-draft{proposal}">')
            out.append(f'<p class="rk-draft-label">{html_escape(_draft_label(ds))}</p>')
            for pieces in _draft_pieces(ds, doc.version):
                html_pieces = []
                for text, kind, info in pieces:
                    if kind == "placeholder":
                        html_pieces.append(f'<mark class="rk-placeholder">{html_escape(text)}</mark>')
                    elif kind == "anchor":
                        html_pieces.append(f'<span class="rk-anchor" title="{html_escape(info)}">{html_escape(text)}</span>')
                    else:
                        html_pieces.append(html_escape(text))
                out.append(f"<p>{''.join(html_pieces)}</p>")
            out.append("</div>")
        if table_html is not None:
            out.append(table_html)
        out.append("</section>")
    out += ["</main>", "</body>", "</html>"]
    page = "\n".join(out) + "\n"
    # The glyphs the page uses (text, attributes and the CSS's own content strings), embedded as the
    # notebook pages do: Chinese shows on a machine without a Chinese font.
    face = cjk_font_face(page)
    return page.replace("</style>", face + "\n</style>", 1) if face else page


def to_html(rec: Reconstruction, draft=None) -> str:
    """A standalone HTML page (inline CSS, no network) of the reconstruction in the official layout:
    merged headers of tables 三 and 四, the blocks of table 二, provenance on every cell, the draft
    under each section when ``draft`` is given. All report text is escaped."""
    return _page(_doc(rec), draft)


def table_html(rec: Reconstruction, tid: str) -> str:
    """One table of the reconstruction in the official layout, as the HTML export prints it (merged
    headers, provenance as colour, ？ for unknown cells), with its own CSS: for a notebook's
    ``IPython.display.HTML``."""
    doc = _doc(rec)
    t = spec().table(tid, doc.version)
    css = "\n".join(line for line in _CSS.splitlines() if line.startswith((".rk-", "table.rk-table")))
    return f"<style>{css}</style>\n" + html_table(t, {}, cell_html=_html_cell(doc, t))
